"""Issue 18, item 2: `callsim completion bash|zsh|fish`, generated from the parser, static (no
callsim code runs when the shell starts or completes), and no slower start-up for the rest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from callsim.sim.cli import COMMANDS, build_parser, main


def script(capsys, shell: str) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def bash_complete(tmp_path: Path, text: str, words: list[str]) -> list[str]:
    """What bash offers for `words` (the last one being typed) with the script loaded, with a
    `callsim` on PATH that leaves a mark if anything runs it."""
    (tmp_path / "callsim.bash").write_text(text)
    stub = tmp_path / "bin" / "callsim"
    stub.parent.mkdir(exist_ok=True)
    stub.write_text(f"#!/bin/sh\ntouch {tmp_path / 'callsim-ran'}\n")
    stub.chmod(0o755)
    quoted = " ".join(f"'{w}'" for w in words)
    done = subprocess.run(
        [
            "bash",
            "--norc",
            "-c",
            f"source {tmp_path / 'callsim.bash'}; COMP_WORDS=({quoted}); "
            f"COMP_CWORD={len(words) - 1}; _shtab_callsim; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        ],
        capture_output=True,
        text=True,
        env={"PATH": f"{stub.parent}:/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    assert not (tmp_path / "callsim-ran").exists()  # completing never runs callsim
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_choices(capsys, tmp_path):
    text = script(capsys, "bash")
    assert bash_complete(tmp_path, text, ["callsim", "val"]) == ["validate"]
    assert bash_complete(tmp_path, text, ["callsim", "com"]) == ["completion"]
    assert bash_complete(tmp_path, text, ["callsim", "export", "--per"]) == ["--per-call"]
    assert bash_complete(tmp_path, text, ["callsim", "validate", "--format", ""]) == [
        "text",
        "json",
        "github",
    ]
    (tmp_path / "late-router.yaml").write_text("id: x\n")
    assert bash_complete(tmp_path, text, ["callsim", "validate", "late"]) == ["late-router.yaml"]


def test_every_command_is_in_every_shells_script(capsys):
    for shell in ("bash", "zsh", "fish"):
        text = script(capsys, shell)
        for name in COMMANDS:
            assert name in text, (shell, name)
    assert script(capsys, "zsh").startswith("#compdef callsim")


def test_the_fish_script_completes_choices_and_files(capsys):
    lines = script(capsys, "fish").splitlines()
    assert "complete -c callsim -n __fish_use_subcommand -f -a 'validate'" in "\n".join(lines)
    fmt = next(ln for ln in lines if "from validate'" in ln and "-l 'format'" in ln)
    assert "-x -a 'text json github'" in fmt
    db = next(ln for ln in lines if "from sessions'" in ln and "-l 'db'" in ln)
    assert " -F " in db  # a file name
    apostrophes = next(ln for ln in lines if "-a 'app'" in ln)
    assert "trainee\\'s app" in apostrophes  # quoted for fish


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_the_shell_accepts_the_script_where_it_is_installed(capsys, tmp_path, shell):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    (tmp_path / "script").write_text(script(capsys, shell))
    done = subprocess.run([shell, "-n", str(tmp_path / "script")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_an_unknown_shell_lists_the_ones_there_are(capsys):
    with pytest.raises(SystemExit) as info:
        main(["completion", "powershell"])
    assert info.value.code == 2
    assert "bash, zsh, fish" in capsys.readouterr().err.replace("'", "")


def test_building_the_parser_does_not_import_shtab():
    code = (
        "import sys; from callsim.sim.cli import build_parser; build_parser(); "
        "print('shtab' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
    assert build_parser().parse_args(["completion", "zsh"]).shell == "zsh"
