"""The training loop's records: calls marked as examples, and self-assessments saved verbatim."""

from __future__ import annotations

import pytest

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim import store as store_module
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store, StoreError
from callsim.sim.store_training import (
    SelfAssessment,
    examples,
    is_example,
    mark_example,
    save_self_assessment,
    self_assessment,
    self_assessments,
    unmark_example,
)

pytestmark = pytest.mark.usefixtures("close_stores")


SCENARIO = "broadband-down-repeat-caller"


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(resolve_scenario(SCENARIO))


def saved_call(store, loaded, *, graded=True):
    session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm so sorry you've had to call again, when did it stop working?")
    session.end()
    grade = grade_transcript(session.transcript(), loaded) if graded else None
    store.save_call(session.transcript(), grade)
    return session


def test_a_mentor_marks_a_graded_call_as_an_example_and_takes_it_back(tmp_path, loaded):
    store = Store(tmp_path / "calls.db")
    session = saved_call(store, loaded)
    example = mark_example(store, session.call_id[:8], mentor="mo")
    assert (example.call_id, example.scenario_id, example.marked_by) == (
        session.call_id,
        SCENARIO,
        "mo",
    )
    assert [e.call_id for e in examples(store, SCENARIO)] == [session.call_id]
    assert examples(store, "double-charge-october") == []
    assert is_example(store, session.call_id)
    assert unmark_example(store, session.call_id)
    assert not unmark_example(store, session.call_id)
    assert examples(store) == []


def test_a_call_without_a_grade_cannot_be_an_example(tmp_path, loaded):
    store = Store(tmp_path / "calls.db")
    session = saved_call(store, loaded, graded=False)
    with pytest.raises(StoreError, match="has no grade"):
        mark_example(store, session.call_id)
    with pytest.raises(StoreError, match="no saved call"):
        mark_example(store, "ffffffff")


def test_a_self_assessment_is_kept_verbatim_and_replaced(tmp_path, loaded):
    store = Store(tmp_path / "calls.db")
    session = saved_call(store, loaded)
    nasty = "[red]next time[/] I'd \x1b[2J ask first"
    save_self_assessment(
        store, session.call_id, SelfAssessment({"empathy": "good", "escalation": "poor"}, nasty)
    )
    got = self_assessment(store, session.call_id)
    assert got == SelfAssessment({"empathy": "good", "escalation": "poor"}, nasty)
    save_self_assessment(store, session.call_id, SelfAssessment({"empathy": "fair"}))
    assert self_assessments(store, [session.call_id, "other"]) == {
        session.call_id: SelfAssessment({"empathy": "fair"}, "")
    }


def test_a_rating_outside_poor_fair_good_is_refused(tmp_path, loaded):
    store = Store(tmp_path / "calls.db")
    session = saved_call(store, loaded)
    with pytest.raises(StoreError, match="one of poor, fair, good"):
        save_self_assessment(store, session.call_id, SelfAssessment({"empathy": "great"}))
    with pytest.raises(StoreError, match="one line"):
        save_self_assessment(store, session.call_id, SelfAssessment({}, "x" * 501))
    assert self_assessment(store, session.call_id) is None


def test_a_version_2_store_gains_the_tables_and_keeps_its_calls(tmp_path, loaded, monkeypatch):
    db = tmp_path / "calls.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:2])
    old = Store(db)
    session = saved_call(old, loaded)
    old.close()
    monkeypatch.undo()
    store = Store(db)
    assert store.version >= 3
    assert store.transcript(session.call_id) == session.transcript()
    mark_example(store, session.call_id)
    assert [e.call_id for e in examples(store)] == [session.call_id]
