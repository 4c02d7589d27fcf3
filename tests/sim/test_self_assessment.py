"""Self-assessment in line mode, and how well it matches the grade over time."""

from __future__ import annotations

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.self_assessment import Calibration, CallMatch, calibration, calibration_lines
from callsim.sim.store import ProgressPoint, Store
from callsim.sim.store_training import SelfAssessment, self_assessment

pytestmark = pytest.mark.usefixtures("close_stores")


SCENARIO = "broadband-down-repeat-caller"


def feeder(lines):
    queue = list(lines)
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    read.prompts = prompts
    return read


def test_line_mode_asks_before_the_debrief_and_sets_the_view_beside_the_grade(tmp_path):
    store = Store(tmp_path / "calls.db")
    loaded = load_scenario(resolve_scenario(SCENARIO))
    read = feeder(
        [
            "I'm so sorry it's still down, how has that been for you?",
            "/end",
            "Down since Monday.",
            "",
            "g",  # calm tone
            "great",  # not an answer: asked again
            "p",  # active listening
            "",  # clarifying questions: left out
            "f",  # empathy
            "s",  # skip the rest
        ]
    )
    out: list[str] = []
    assert (
        interactive(
            loaded, trainee="kim", mode="practice", read=read, write=out.append, store=store
        )
        == 0
    )
    text = "\n".join(out)
    assert "Assess yourself before the debrief" in text
    assert "  p, f or g (Enter leaves it out, s skips the rest)" in text
    assert "Active listening> " in read.prompts
    assert not any(p.startswith("What would you do") for p in read.prompts)  # skipped
    assert text.index("Assess yourself") < text.index("Your view beside the grade:")
    assert "  Calm and professional tone: grade " in text
    assert "  Empathy: grade " in text and "you: fair" in text
    [call] = store.list_calls()
    assert self_assessment(store, call.id) == SelfAssessment(
        {"calm_tone": "good", "active_listening": "poor", "empathy": "fair"}
    )


def test_line_mode_keeps_the_line_verbatim_and_end_of_input_skips_it_all(tmp_path):
    store = Store(tmp_path / "calls.db")
    loaded = load_scenario(resolve_scenario(SCENARIO))
    nasty = "ask [red]first[/] \x1b[2J"
    answers = ["/end", "", *[""] * 8, nasty]
    out: list[str] = []
    interactive(
        loaded, trainee="kim", mode="practice", read=feeder(answers), write=out.append, store=store
    )
    text = "\n".join(out)
    assert "What you would do differently: ask [red]first[/] \\x1b[2J" in text
    [call] = store.list_calls()
    assert self_assessment(store, call.id) == SelfAssessment({}, nasty)

    out = []
    interactive(
        loaded,
        trainee="kim",
        mode="practice",
        read=feeder(["/end", ""]),
        write=out.append,
        store=store,
    )
    assert "Your view beside the grade" not in "\n".join(out)


def point(call_id: str, **dims: float) -> ProgressPoint:
    return ProgressPoint(
        call_id, f"2026-01-0{call_id[-1]}", SCENARIO, "resolved", 300, 480, 2.0, 70.0, dims
    )


def test_calibration_counts_matches_and_which_way_a_trainee_misjudges():
    points = [
        point("c1", empathy=40, escalation=80, calm_tone=90),
        point("c2", empathy=60, escalation=80),
        point("c3", empathy=80),
        point("c4", empathy=80),  # not assessed
    ]
    assessments = {
        "c1": SelfAssessment({"empathy": "good", "escalation": "good", "calm_tone": "fair"}),
        "c2": SelfAssessment({"empathy": "good", "escalation": "good", "follow_up": "good"}),
        "c3": SelfAssessment({"empathy": "good"}),
    }
    cal = calibration(points, assessments)
    assert [(c.call_id, c.rated, c.matched) for c in cal.calls] == [
        ("c1", 3, 1),
        ("c2", 2, 1),  # follow_up was not graded: not counted
        ("c3", 1, 1),
    ]
    assert cal.higher == {"empathy": 2}
    assert cal.lower == {"calm_tone": 1}
    assert cal.halves() == (1 / 3, 2 / 3)
    lines = calibration_lines(cal, {"empathy": "Empathy", "calm_tone": "Calm"}, "▁▄█")
    assert lines[0] == (
        "Self-assessment: 3 calls rated; your ratings matched the grade on 3 of 6 dimensions (50%)"
    )
    assert "  earlier calls 33% -> later calls 67%" in lines
    assert "  rated higher than the grade 2 times, lower 1" in lines
    assert "  most often rated too high: Empathy (2x)" in lines
    assert "  most often rated too low: Calm (1x)" in lines
    assert calibration_lines(Calibration(), {}, "")[0].startswith("Self-assessment: none yet")
    assert CallMatch("x", "", 0, 0).share == 0.0


def test_progress_tracks_how_self_assessment_matches_over_time(tmp_path, capsys):
    from callsim.sim.cli import main
    from callsim.sim.store_training import save_self_assessment

    db = tmp_path / "calls.db"
    store = Store(db)
    loaded = load_scenario(resolve_scenario(SCENARIO))
    for _ in range(2):
        interactive(
            loaded,
            trainee="kim",
            mode="practice",
            read=feeder(["/end", ""]),
            write=lambda line: None,
            store=store,
        )
    first, second = store.progress("kim")  # oldest first, as progress counts them
    grade = store.grade(first.call_id)
    bands = {
        d.id: ("good" if d.score >= 75 else "fair" if d.score >= 50 else "poor")
        for d in grade.dimensions
        if d.score is not None
    }
    wrong = {"good": "poor", "fair": "poor", "poor": "good"}
    save_self_assessment(
        store, first.call_id, SelfAssessment({d: wrong[b] for d, b in bands.items()})
    )
    save_self_assessment(store, second.call_id, SelfAssessment(dict(bands)))
    store.close()
    assert main(["progress", "kim", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    n = len(bands)
    assert (
        f"Self-assessment: 2 calls rated; your ratings matched the grade on {n} of {2 * n} "
        "dimensions (50%)"
    ) in out
    assert "  matched per call (0-100%)  ▁█" in out
    assert "  earlier calls 0% -> later calls 100%" in out
