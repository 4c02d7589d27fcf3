"""A grade crosses layers as JSON and comes back the same typed object (`Grade.from_json`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsim.engine.loader import load_scenario
from callsim.grading.grader import Grade, GradeFormatError, grade_transcript
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script

SCRIPTS = sorted((Path(__file__).parents[1] / "sim" / "scripts").glob("*.txt"))


def graded(script: Path) -> Grade:
    """A bundled scenario played from its script with the real tagger, then graded."""
    loaded = load_scenario(resolve_scenario(script.name.split(".")[0]))
    session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
    play_script(session, script.read_text(encoding="utf-8").splitlines())
    return grade_transcript(session.transcript(), loaded)


@pytest.fixture(scope="module", params=SCRIPTS, ids=lambda p: p.name)
def grade(request) -> Grade:
    return graded(request.param)


def test_a_real_grade_round_trips_through_json_text(grade):
    text = json.dumps(grade.to_json(), ensure_ascii=False)
    assert Grade.from_json(json.loads(text)) == grade
    assert Grade.from_json(text) == grade  # the stored text itself


def test_the_scripts_give_grades_with_every_part_to_carry():
    grades = [graded(s) for s in SCRIPTS]
    assert any(g.flags for g in grades) and any(g.feedback for g in grades)
    assert any(c.try_ for g in grades for d in g.dimensions for c in d.lost)
    assert any(c.criterion for g in grades for d in g.dimensions for c in d.earned + d.lost)


def test_a_grade_saved_before_citations_named_their_criterion_still_reads(grade):
    old = grade.to_json()
    for dim in old["dimensions"]:
        for cite in dim["earned"] + dim["lost"]:
            del cite["criterion"]
    back = Grade.from_json(old)
    assert back.score == grade.score and back.kpis == grade.kpis and back.flags == grade.flags
    assert [(c.turns, c.points, c.why) for d in back.dimensions for c in d.lost] == [
        (c.turns, c.points, c.why) for d in grade.dimensions for c in d.lost
    ]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda g: g.pop("score"), "grade: 'score' is missing"),
        (lambda g: g.update(score="80"), r"grade\.score: has the wrong type \(str\)"),
        (lambda g: g["dimensions"][0].pop("id"), r"grade\.dimensions\[0\]: 'id' is missing"),
        (lambda g: g["kpis"].update(replies=True), r"kpis\.replies: must not be true/false"),
        (lambda g: g.update(wrap_up=[]), r"grade\.wrap_up: has the wrong type \(list\)"),
    ],
)
def test_a_damaged_grade_says_where(grade, damage, message):
    data = grade.to_json()
    damage(data)
    with pytest.raises(GradeFormatError, match=message):
        Grade.from_json(data)
