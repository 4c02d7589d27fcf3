"""Using the same tool again does not keep calming the customer (issue 14, defect 5)."""

from __future__ import annotations

from pathlib import Path

from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import load_scenario

GOOD = Path(__file__).parent / "fixtures" / "good"


def test_a_calming_action_calms_only_the_first_time():
    engine = ScenarioEngine(load_scenario(GOOD / "double-charge.yaml"))
    call = engine.new_call()
    first = engine.action(call, "refund", "30")
    assert first.mood_after == first.mood_before - 1
    for _ in range(3):
        again = engine.action(call, "refund", "30")
        assert again.mood_after == again.mood_before == first.mood_after
        assert again.result == first.result  # the tool still works: it just calms nobody
