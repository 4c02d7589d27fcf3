"""`callsim validate`: what a trainer sees when checking scenario files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from callsim.engine.loader import BUNDLED_SCENARIOS, ScenarioError, load_scenario
from callsim.sim.cli import main
from callsim.sim.scenario_paths import scenario_files

FIXTURES = Path(__file__).parent.parent / "engine" / "fixtures"
BAD = FIXTURES / "bad"
GOOD = FIXTURES / "good"
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (error|warning): \S")
SUMMARY = re.compile(r"^(\d+) files? checked: (\d+) errors?, (\d+) warnings?$")


@pytest.fixture(autouse=True)
def _no_real_store(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "callsim.db"))


def validate(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_the_bundled_scenarios_pass(capsys):
    code, lines, err = validate(capsys, str(BUNDLED_SCENARIOS))
    assert code == 0, "\n".join(lines)
    scenarios = list(scenario_files(BUNDLED_SCENARIOS))
    intent_files = list((BUNDLED_SCENARIOS / "intents").glob("*.y*ml"))
    assert scenarios and intent_files
    assert lines == [f"{len(scenarios) + len(intent_files)} files checked: 0 errors, 0 warnings"]
    assert err == ""


def test_one_good_file_says_so_in_the_singular(capsys):
    code, lines, _ = validate(capsys, str(GOOD / "minimal.yaml"))
    assert (code, lines) == (0, ["1 file checked: 0 errors, 0 warnings"])


@pytest.mark.parametrize("name", sorted(p.stem for p in BAD.glob("*.yaml")))
def test_each_bad_file_prints_its_problems_and_exits_1(capsys, name):
    path = BAD / f"{name}.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    code, lines, err = validate(capsys, str(path))
    assert code == 1 and err == ""
    assert lines[:-1] == [str(p) for p in info.value.problems]
    for line in lines[:-1]:
        m = PROBLEM_LINE.match(line)
        assert m and m["file"] == str(path), line
    n = len(info.value.problems)
    assert lines[-1] == f"1 file checked: {n} error{'s' if n != 1 else ''}, 0 warnings"


def test_a_folder_reports_every_file_and_sums_up(capsys):
    code, lines, _ = validate(capsys, str(BAD), str(GOOD / "minimal.yaml"))
    assert code == 1
    files = {PROBLEM_LINE.match(line)["file"] for line in lines[:-1]}
    assert files == {str(p) for p in BAD.glob("*.yaml")}
    summary = SUMMARY.match(lines[-1])
    assert summary and int(summary[1]) == len(files) + 1
    assert int(summary[2]) == len(lines) - 1 and summary[3] == "0"


def test_quiet_keeps_errors_and_the_summary(capsys):
    code, lines, _ = validate(capsys, "-q", str(BAD / "several-problems.yaml"))
    assert code == 1 and len(lines) == 5 and lines[-1].startswith("1 file checked: 4 errors")


def test_a_path_that_does_not_exist_is_bad_input(capsys, tmp_path):
    """Exit 1, as `callsim run` gives for a scenario that is not there."""
    code, lines, err = validate(capsys, str(tmp_path / "nope.yaml"))
    assert code == 1 and lines == []
    assert err.strip() == f"callsim validate: {tmp_path / 'nope.yaml'}: no such file or folder"


def test_no_paths_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert "PATH" in capsys.readouterr().err


def test_escapes_in_a_bad_file_are_printed_inert(capsys, tmp_path):
    text = (GOOD / "minimal.yaml").read_text()
    text = text.replace("title: A minimal call", 'title: A minimal call\n"\\e[2Jboom\\r": 1')
    (tmp_path / "ansi.yaml").write_text(text)
    code, lines, _ = validate(capsys, str(tmp_path / "ansi.yaml"))
    assert code == 1
    assert "\x1b" not in "".join(lines) and "\r" not in "".join(lines)
    assert lines[0].startswith(
        f"{tmp_path / 'ansi.yaml'}:5:1: error: unknown key '\\x1b[2Jboom\\x0d'; allowed here:"
    )


def test_a_raw_control_character_is_refused_where_it_is(capsys, tmp_path):
    text = (GOOD / "minimal.yaml").read_text()
    text = text.replace("title: A minimal call", "title: A minimal \x1b[2Jcall")
    (tmp_path / "raw.yaml").write_text(text)
    code, lines, _ = validate(capsys, str(tmp_path / "raw.yaml"))
    assert code == 1 and "\x1b" not in "".join(lines)
    assert lines[0] == (
        f"{tmp_path / 'raw.yaml'}:4:18: error: invalid YAML: "
        "control character U+001B is not allowed in a text file"
    )


def test_the_real_command_exits_with_the_codes_a_shell_sees(tmp_path):
    def callsim(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "callsim", "validate", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    bad = callsim(str(BAD / "python-object.yaml"), str(BAD / "deep-nesting.yaml"))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr + bad.stdout
    assert bad.stdout.splitlines()[-1] == "2 files checked: 2 errors, 0 warnings"
    assert callsim().returncode == 2
    assert callsim(str(tmp_path / "missing")).returncode == 1
    assert callsim(str(GOOD)).returncode == 0


def test_errors_only_skips_the_lint_warnings(capsys, tmp_path):
    """A bulk check for errors leaves out lint (the slow part) and says so in the summary."""
    text = (GOOD / "minimal.yaml").read_text(encoding="utf-8")
    no_fallback = text.replace("    fallback:\n      say: Sorry, what?\n      mood: 1\n", "")
    assert no_fallback != text
    path = tmp_path / "no-fallback.yaml"
    path.write_text(no_fallback, encoding="utf-8")
    code, lines, _ = validate(capsys, str(path))
    assert code == 0 and ": warning: " in lines[0] and lines[-1].endswith("1 warning")
    code, lines, _ = validate(capsys, "--errors-only", str(path))
    assert code == 0 and lines == ["1 file checked: 0 errors, warnings not checked"]
