"""Line mode reads as text (issue 14, item 12): lines wrap at word boundaries to the terminal's
width with a hanging indent under their label; piped output is never wrapped; outcomes are said
in words, while --json keeps their ids."""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
from pathlib import Path

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive
from callsim.sim.linewrap import wrap
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store

SCRIPTS = Path(__file__).parent / "scripts"
HANGS_UP = "double-charge-october"  # its poor script ends with the customer hanging up
ESCALATES = "manager-from-the-first-line"
OPENING = "Hi. I've been charged twice for October. Twice. How does that even happen?"


def in_terminal(argv: list[str], columns: int, typed: str = "") -> list[str]:
    """`callsim ARGV` with its output on a pseudo-terminal `columns` wide: the lines shown."""
    if not hasattr(os, "openpty"):
        pytest.skip("needs a pseudo-terminal")
    main_fd, child_fd = os.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    cmd = [sys.executable, "-m", "callsim", *argv]
    proc = subprocess.Popen(cmd, stdin=child_fd, stdout=child_fd, stderr=child_fd, env=env)
    os.close(child_fd)
    if typed:
        os.write(main_fd, typed.encode())
    out = b""
    ready = selectors.DefaultSelector()  # not select(): a long test run's descriptors pass 1024
    ready.register(main_fd, selectors.EVENT_READ)
    try:
        while ready.select(60):
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the child has gone and closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        ready.close()
        os.close(main_fd)
        proc.wait(timeout=60)
    return out.decode("utf-8").replace("\r\n", "\n").split("\n")


def test_a_scripted_call_in_a_narrow_terminal_wraps_between_words():
    script = SCRIPTS / f"{HANGS_UP}.poor.txt"
    lines = in_terminal(["run", HANGS_UP, "--script", str(script), "--no-save"], 40)
    assert max(len(line) for line in lines) <= 40
    start = lines.index("Customer: Hi. I've been charged twice")
    # the rest of the line hangs under the customer's words, every word whole
    assert lines[start + 1] == "          for October. Twice. How does"
    assert lines[start + 2] == "          that even happen?"
    assert "-- call ended: the customer hung up;" in "\n".join(lines)


def test_line_mode_in_a_terminal_wraps_the_briefing_and_the_debrief():
    typed = "It's probably your equipment\n/end\n\ns\n"  # s: no self-assessment
    argv = ["run", "broadband-down-repeat-caller", "--trainee", "kim", "--no-save"]
    lines = in_terminal(argv, 60, typed)
    assert max(len(line) for line in lines) <= 60
    briefing = next(i for i, line in enumerate(lines) if line.startswith("Briefing: "))
    assert lines[briefing + 1].startswith(" " * len("Briefing: ") + "broadband")
    text = "\n".join(lines)
    assert "-- call ended: unresolved" in text
    assert "Grade: " in text and "What to try next time" in text
    # a long feedback item keeps its number's indent on every line it takes
    tips = lines[lines.index("What to try next time") + 1 :]
    assert tips[0].startswith("  1. ") and tips[1].startswith("     ") and tips[1][5] != " "


def test_piped_output_is_never_wrapped(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "40")  # a width, but no terminal: lines stay whole
    script = SCRIPTS / f"{HANGS_UP}.poor.txt"
    assert main(["run", HANGS_UP, "--script", str(script), "--no-save"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Customer: {OPENING}"
    assert out[-1] == "-- call ended: the customer hung up; customer mood 10.0/10"


def test_outcomes_are_said_in_words_and_json_keeps_ids(capsys, tmp_path):
    script = SCRIPTS / f"{ESCALATES}.poor.txt"
    assert main(["run", ESCALATES, "--script", str(script), "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "-- call ended: escalated to a manager or another team;" in out
    script = SCRIPTS / f"{HANGS_UP}.poor.txt"
    assert main(["run", HANGS_UP, "--script", str(script), "--no-save", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "hung_up"


def test_the_debrief_show_export_and_sessions_say_the_same_words(capsys, tmp_path):
    lines = (SCRIPTS / f"{HANGS_UP}.poor.txt").read_text(encoding="utf-8").splitlines()
    typed = iter([line for line in lines if line != "/end"] + [""])

    def read(prompt: str) -> str:
        return next(typed)

    db = tmp_path / "calls.db"
    out: list[str] = []
    loaded = load_scenario(resolve_scenario(HANGS_UP))
    store = Store(db)
    assert interactive(loaded, trainee="kim", mode="practice", read=read, write=out.append,
                       store=store) == 0  # fmt: skip
    debrief = "\n".join(out)
    assert "-- call ended: the customer hung up" in debrief
    assert "no (call ended: the customer hung up" in debrief  # first-contact resolution
    [call] = store.list_calls()
    assert main(["show", call.id, "--db", str(db)]) == 0
    assert re.search(r"Outcome: +the customer hung up", capsys.readouterr().out)
    assert main(["export", call.id, "--format", "md", "-o", str(tmp_path), "--db", str(db)]) == 0
    capsys.readouterr()
    [md] = tmp_path.glob("*.md")
    assert "**Outcome:** the customer hung up" in md.read_text(encoding="utf-8")
    assert main(["sessions", "--db", str(db)]) == 0  # a table keeps it short
    assert re.search(r"practice +hung up ", capsys.readouterr().out)


def test_wrap_keeps_words_whole_and_hangs_under_the_label():
    text = "Customer: " + "word " * 20 + "supercalifragilisticexpialidocious-and-more"
    wrapped = wrap(text, 30).split("\n")
    assert all(line.startswith(" " * 10) for line in wrapped[1:])
    assert wrapped[-1].strip() == "supercalifragilisticexpialidocious-and-more"  # not cut
    assert wrap(text, None) == text
    bullet = wrap("  - a bullet " + "that goes on " * 5, 30).split("\n")
    assert all(line.startswith("    ") and line[4] != " " for line in bullet[1:])
    assert (
        wrap("[Check the bill] " + "Direct debit twice " * 3, 40)
        .split("\n")[1]
        .startswith(" " * len("[Check the bill] "))
    )
