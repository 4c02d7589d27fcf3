"""The training loop's records on both backends: the SQLite file and the team's PostgreSQL
(examples, self-assessments, goals, unlocked levels, shares and peer comments)."""

from __future__ import annotations

import pytest

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.levels import LevelsConfig, hand_unlocks, relock, trainee_levels, unlock
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store, StoreError
from callsim.sim.store_goals import goals, remove_goal, set_goal
from callsim.sim.store_peer import (
    add_peer_comment,
    calls_shared_with,
    check_shared,
    peer_comments,
    share,
    shared_with,
    unshare,
)
from callsim.sim.store_training import (
    SelfAssessment,
    examples,
    mark_example,
    save_self_assessment,
    self_assessment,
)

pytestmark = pytest.mark.usefixtures("close_stores")


SCENARIO = "broadband-down-repeat-caller"


def saved_call(store: Store, mode: str = "practice") -> str:
    loaded = load_scenario(resolve_scenario(SCENARIO))
    session = CallSession(loaded, trainee="kim", mode=mode, clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm so sorry, how has that been?")
    session.end()
    store.save_call(session.transcript(), grade_transcript(session.transcript(), loaded))
    return session.call_id


def test_every_training_record_round_trips(any_db):
    store = Store(any_db)
    call_id = saved_call(store)
    mark_example(store, call_id, mentor="Mo")
    mark_example(store, call_id, mentor="Ann")  # marked again: one mark, the latest
    assert [(e.call_id, e.marked_by) for e in examples(store, SCENARIO)] == [(call_id, "Ann")]

    view = SelfAssessment({"empathy": "good"}, "ask [b]sooner[/b]")
    save_self_assessment(store, call_id, view)
    assert self_assessment(store, call_id) == view

    goal = set_goal(store, "kim", dimension="empathy", level=75, due="2099-01-31", mentor="Mo")
    set_goal(store, "kim", calls=2, difficulty=3)
    assert goal.id in [g.id for g in goals(store, "kim")]
    assert remove_goal(store, goal.id[:10]).id == goal.id
    assert [g.kind for g in goals(store, "kim")] == ["calls"]

    unlock(store, "kim", 3, mentor="Mo")
    unlock(store, "kim", 3, mentor="Ann", reason="ready")  # again: replaced, not refused
    assert hand_unlocks(store, "kim") == {3: "Ann"}
    levels = trainee_levels(store, "kim", LevelsConfig(open=1), {SCENARIO: 3})
    assert levels.is_open(3) and not levels.is_open(2)
    assert relock(store, "kim", 3) and not relock(store, "kim", 3)

    share(store, call_id, "kim", "bea")
    share(store, call_id, "kim", "bea")  # again: still one share
    assert shared_with(store, call_id) == ["bea"]
    assert [c.id for c in calls_shared_with(store, "bea")] == [call_id]
    add_peer_comment(store, call_id, "bea", "turn one", turn=1)
    add_peer_comment(store, call_id, "bea", "overall")
    assert [(c.turn, c.text) for c in peer_comments(store, call_id)] == [
        (None, "overall"),
        (1, "turn one"),
    ]
    assert unshare(store, call_id, "kim", "bea")
    with pytest.raises(StoreError, match="is shared with bea"):
        check_shared(store, call_id, "bea")


def test_assessment_passes_open_the_next_level_on_each_backend(any_db):
    store = Store(any_db)
    saved_call(store, mode="assessment")
    saved_call(store, mode="practice")
    config = LevelsConfig(pass_mark=0, passes=1, open=3)
    levels = trainee_levels(store, "kim", config, {SCENARIO: 3})
    assert levels.passes == {3: 1}
    assert levels.is_open(4) and not levels.is_open(5)
