"""`callsim shadow` and `callsim example`: a model call, annotated, as a trainee would read it."""

from __future__ import annotations

import argparse
import os

import pytest

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.cli import main
from callsim.sim.commands import shadow as shadow_command
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store

pytestmark = pytest.mark.usefixtures("close_stores")


SCENARIO = "broadband-down-repeat-caller"


def saved_call(db, reply="I'm so sorry you've had to call again, when did it stop working?"):
    loaded = load_scenario(resolve_scenario(SCENARIO))
    store = Store(db)
    session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
    store.recorder(session)
    session.say(reply)
    session.end()
    session.write_notes("Down since Monday.")
    store.save_call(session.transcript(), grade_transcript(session.transcript(), loaded))
    store.close()
    return session


def test_piped_it_prints_the_good_case_annotated(capsys):
    assert main(["shadow", SCENARIO]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == (
        "Model call: Broadband down for days: the repeat caller (broadband-down-repeat-caller)"
    )
    assert lines[1].startswith("The scenario's model call (good-advisor) · ")
    assert "resolved" in lines[1]
    assert lines[3].startswith("Jordan Reeves (mood 7.0/10): Finally.")
    assert lines[4].startswith("Advisor: Hi Jordan, I'm really sorry")
    assert lines[5] == "    behaviours: empathy, timeline"
    assert lines[6].startswith("    points: ") and "Empathy +" in lines[6]
    assert lines[7].startswith("    mood 7.0 -> ")
    assert "Action: Run line test -> Line test: FAULT." in out
    assert "    behaviours: reflection, open question" in out
    assert out.rstrip().endswith("Next: I call back Thu pm.")
    assert "\x1b" not in out  # plain text: nothing for a terminal to draw


def test_in_a_terminal_each_turn_waits_for_reading_time(capsys):
    pauses: list[float] = []
    args = argparse.Namespace(scenario=SCENARIO, case="poor-advisor", list=False, db=None)
    assert shadow_command.run(args, sleep=pauses.append, paced=True) == 0
    out = capsys.readouterr().out
    assert "Ctrl+C stops" in out
    assert "Test case (poor-advisor)" in out
    said = [line for line in out.splitlines() if line.startswith(("Jordan", "Advisor", "Action"))]
    assert len(pauses) == len(said)
    assert min(pauses) >= 1.5


def test_an_unknown_case_lists_what_there_is(capsys):
    assert main(["shadow", SCENARIO, "great-advisor"]) == 1
    err = capsys.readouterr().err
    assert "no test case or example call 'great-advisor'" in err
    assert "good-advisor, poor-advisor" in err


def test_a_scenario_without_a_test_file_says_how_to_get_a_model_call(capsys, tmp_path):
    source = resolve_scenario(SCENARIO)
    copy = tmp_path / "mine.yaml"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["shadow", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "has no model call to shadow" in err and "callsim example mark ID" in err


def test_a_mentor_marks_a_call_and_shadowing_offers_it(capsys, tmp_path):
    db = tmp_path / "calls.db"
    session = saved_call(db, "I'm sorry [red]about[/] this \x1b[2J, when did it stop?")
    short = session.call_id[:8]
    assert main(["example", "mark", short, "--mentor", "Mo", "--db", str(db)]) == 0
    assert f"Call {short} is now an example of {SCENARIO}" in capsys.readouterr().out
    assert main(["example", "list", "--db", str(db)]) == 0
    assert "marked by Mo" in capsys.readouterr().out
    assert main(["shadow", SCENARIO, "--list", "--db", str(db)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("good-advisor")
    assert listed[1].startswith(f"{short}  Example call {short} (ann, ")
    assert "chosen by Mo" in listed[1]
    assert main(["shadow", SCENARIO, short[:5], "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"Example call {short}" in out.splitlines()[1]
    # the advisor's words verbatim, the escape made visible rather than sent to the terminal
    assert "Advisor: I'm sorry [red]about[/] this " in out and "\x1b" not in out
    assert "Down since Monday." in out
    assert main(["example", "unmark", short, "--db", str(db)]) == 0
    assert main(["shadow", SCENARIO, short, "--db", str(db)]) == 1
    assert "no test case or example call" in capsys.readouterr().err


def test_marking_needs_a_graded_call_and_an_id(capsys, tmp_path):
    db = tmp_path / "calls.db"
    loaded = load_scenario(resolve_scenario(SCENARIO))
    store = Store(db)
    session = CallSession(loaded, clock=SimulatedClock())
    store.recorder(session)
    session.say("hello")
    store.close()
    assert main(["example", "mark", session.call_id, "--db", str(db)]) == 1
    assert "has no grade" in capsys.readouterr().err
    assert main(["example", "mark", "--db", str(db)]) == 2
    assert "mark needs the call's ID" in capsys.readouterr().err
    assert main(["example", "mark", "zzzz", "--db", str(tmp_path / "none.db")]) == 1
    assert not os.path.exists(tmp_path / "none.db")
