"""Earned difficulty: levels open as assessment calls at the level below pass; a mentor can
open one by hand; a locked call opened by id says why."""

from __future__ import annotations

import argparse

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive, locked_because
from callsim.sim.commands.run import run as run_command
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store

pytestmark = pytest.mark.usefixtures("close_stores")


HARD = "broadband-down-repeat-caller"  # difficulty 3
MIDDLE = "double-charge-october"  # difficulty 2


def levels_file(tmp_path, monkeypatch, text="pass_mark: 0\npasses: 1\nopen: 2\n"):
    path = tmp_path / "levels.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CALLSIM_LEVELS", str(path))
    return path


def assessment_call(store, scenario: str, mode: str = "assessment") -> None:
    read = iter(["I'm so sorry about this", "/end", "", "s"]).__next__
    interactive(load_scenario(resolve_scenario(scenario)), trainee="kim", mode=mode,
                read=lambda _: read(), write=lambda line: None, store=store)  # fmt: skip


def run_args(db, scenario=HARD):
    return argparse.Namespace(scenario=scenario, script=None, json=False, trainee="kim",
                              mode="practice", db=str(db), no_save=False)  # fmt: skip


def test_without_the_trainers_file_every_level_is_open(capsys, tmp_path):
    assert main(["level", "status", "kim", "--db", str(tmp_path / "c.db")]) == 0
    assert "Every level is open: earned difficulty is off" in capsys.readouterr().out
    assert locked_because(load_scenario(resolve_scenario(HARD)), "kim", None) is None


def test_a_level_opens_after_passes_at_the_level_below(capsys, tmp_path, monkeypatch):
    levels_file(tmp_path, monkeypatch)
    db = tmp_path / "calls.db"
    store = Store(db)
    assert run_command(run_args(db)) == 1  # opened by id while locked: says why
    err = capsys.readouterr().err
    assert (
        "Difficulty 3 is locked: it opens after 1 assessment call at difficulty 2 scoring 0" in err
    )
    assert "(you have 0)" in err
    assessment_call(store, MIDDLE, mode="practice")  # practice calls do not count
    assert main(["level", "status", "kim", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "  2: open; 0 assessment passes" in out and "  3: locked; 0 assessment passes" in out
    assessment_call(store, MIDDLE)
    assert locked_because(load_scenario(resolve_scenario(HARD)), "kim", store) is None
    assert main(["level", "status", "kim", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "  3: open; 0 assessment passes" in out
    assert "  4: locked" in out and "opens after 1 assessment call at difficulty 3" in out


def test_a_mentor_opens_a_level_by_hand_and_takes_it_back(capsys, tmp_path, monkeypatch):
    levels_file(tmp_path, monkeypatch, "pass_mark: 90\npasses: 3\n")
    db = tmp_path / "calls.db"
    assert main(["level", "unlock", "kim", "3", "--mentor", "Mo", "--db", str(db)]) == 0
    assert main(["level", "status", "kim", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "  2: locked" in out and "  3: open (by a mentor, Mo)" in out
    assert (
        "Difficulty 2 is locked: it opens after 3 assessment calls at difficulty 1 scoring 90"
        in out
    )
    assert locked_because(load_scenario(resolve_scenario(HARD)), "kim", Store(db)) is None
    assert main(["level", "lock", "kim", "3", "--db", str(db)]) == 0
    assert "earned again" in capsys.readouterr().out
    why = locked_because(load_scenario(resolve_scenario(HARD)), "kim", Store(db))
    assert why is not None and why.startswith("Difficulty 3 is locked: open difficulty 2 first.")


def test_a_levels_file_with_mistakes_is_named_at_its_line(capsys, tmp_path, monkeypatch):
    levels_file(tmp_path, monkeypatch, "pass_mark: 70\npases: 2\n")
    assert main(["level", "status", "kim", "--db", str(tmp_path / "c.db")]) == 1
    err = capsys.readouterr().err
    assert "levels.yaml:2:1" in err and "pases" in err
    assert main(["level", "unlock", "kim", "9", "--db", str(tmp_path / "c.db")]) == 2
    assert main(["level", "status", "kim", "3", "--db", str(tmp_path / "c.db")]) == 2


def test_the_app_opened_straight_into_a_locked_call_says_why(capsys, tmp_path, monkeypatch):
    levels_file(tmp_path, monkeypatch)
    db = str(tmp_path / "calls.db")
    argv = ["app", "--scenario", HARD, "--mode", "practice", "--trainee", "kim", "--db", db]
    assert main(argv) == 1
    assert "callsim app: Difficulty 3 is locked: it opens after" in capsys.readouterr().err
