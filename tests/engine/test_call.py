"""Playing a call: what the trainee sees happen to the customer, stage by stage.

These use small scenarios in fixtures/good/ so they do not depend on the bundled wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from callsim.engine.call import ENDED_BY_ADVISOR, HUNG_UP, CallError, ScenarioEngine
from callsim.engine.loader import LoadedScenario, load_scenario
from callsim.engine.models import Outcome
from callsim.sim.session import CallSession, SimulatedClock, play_script

GOOD = Path(__file__).parent / "fixtures" / "good"

ACKNOWLEDGE = "I'm sorry you've been charged twice, let me look into that for you"
REFUND = "I can refund the second payment for you now"
TIMELINE = "The refund will reach your account in 3 to 5 working days"
BLAME = "You must have set up two direct debits yourself"


@pytest.fixture(scope="module")
def loaded() -> LoadedScenario:
    return load_scenario(GOOD / "double-charge.yaml")


@pytest.fixture()
def engine(loaded: LoadedScenario) -> ScenarioEngine:
    return ScenarioEngine(loaded)


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def sorry_tagger(text, customer=None, history=()):
    """Stands in for grading's tagger: 'sorry' is empathy, 'your fault' is blame."""
    low = text.lower()
    return Tagged([t for t, w in (("empathy", "sorry"), ("blame", "yourself")) if w in low])


# -- mood -------------------------------------------------------------------------------------


def test_tags_and_transitions_move_the_mood(engine):
    call = engine.new_call()
    assert call.mood == 5
    step = engine.reply(call, ACKNOWLEDGE, frozenset({"empathy"}))
    assert step.stage_after == "investigate"
    assert [(c.reason, c.delta) for c in step.mood_changes] == [
        ("tag:empathy", -1.0),
        ("intent:acknowledge_charge", -1.0),
    ]
    assert step.mood_after == 3.0 == call.mood
    step = engine.reply(call, "Well it's your own fault", frozenset({"blame"}))
    assert ("tag:blame", 2.0) in [(c.reason, c.delta) for c in step.mood_changes]
    assert step.mood_after > 3.0


def test_mood_stays_between_0_and_10(engine):
    call = engine.new_call()
    calm = frozenset({"empathy", "reflection", "timeline", "explain_steps", "options"})
    engine.reply(call, ACKNOWLEDGE, calm)
    engine.action(call, "refund")
    engine.action(call, "check_bill")
    engine.reply(call, REFUND, calm)
    assert call.mood == 0.0
    call = engine.new_call()
    for _ in range(20):
        if call.ended:
            break
        step = engine.reply(call, BLAME, frozenset({"blame"}))
        assert 0.0 <= step.mood_after <= 10.0
    assert call.mood == 10.0


def test_saying_only_sorry_does_not_calm_the_customer(engine):
    call = engine.new_call()
    start = call.mood
    moods = []
    for _ in range(4):
        if call.ended:
            break
        moods.append(engine.reply(call, "sorry", frozenset({"empathy"})).mood_after)
    assert call.stage == "opening" or call.ended
    assert moods[-1] > start
    assert moods == sorted(moods)  # it only gets worse


def test_each_repeat_of_a_calming_tag_counts_for_less(engine):
    call = engine.new_call()
    deltas = []
    for _ in range(3):
        step = engine.reply(call, "sorry", frozenset({"empathy"}))
        deltas.append(next(c.delta for c in step.mood_changes if c.reason == "tag:empathy"))
    assert deltas == [-1.0, -0.5, -0.25]


# -- thresholds --------------------------------------------------------------------------------


def test_the_customer_demands_a_manager_once_then_hangs_up(engine, loaded):
    cust = loaded.scenario.customer
    call = engine.new_call()
    steps = []
    while not call.ended:
        steps.append(engine.reply(call, BLAME, frozenset({"blame"})))
    demanded = [s for s in steps if s.manager_demanded]
    assert len(demanded) == 1 and demanded[0].mood_after >= cust.demands_manager_at
    lines = [line for s in steps for line in s.customer_lines]
    assert lines.count(cust.demand_line) == 1
    assert call.manager_demanded
    last = steps[-1]
    assert last.outcome == Outcome.hung_up == call.outcome
    assert last.customer_lines[-1] == cust.hang_up_line and last.stage_after == HUNG_UP
    assert call not in engine.machine.models
    with pytest.raises(CallError, match="ended"):
        engine.reply(call, "hello?")


# -- facts -------------------------------------------------------------------------------------


def test_a_hidden_fact_comes_out_only_for_the_right_question(engine, loaded):
    call = engine.new_call()
    for text in ("Thanks for calling", "Let me look at the account", "sorry"):
        assert engine.reply(call, text).revealed == ()
    assert call.revealed == []
    step = engine.reply(call, "when were you charged")
    assert step.fact_asked == "charged_twice" and step.revealed == ("charged_twice",)
    assert loaded.scenario.facts["charged_twice"].says in step.customer_lines
    assert call.revealed == ["charged_twice"]


def test_asking_again_for_a_fact_inflames(engine):
    call = engine.new_call()
    first = engine.reply(call, "When were you charged?")
    again = engine.reply(call, "What date did the payment come out?")
    assert again.fact_asked == "charged_twice" and again.revealed == ()
    assert "I've already told you that." in again.customer_lines
    assert again.mood_after > first.mood_after
    assert ("asked again:charged_twice", 1.0) in [(c.reason, c.delta) for c in again.mood_changes]


# -- actions -----------------------------------------------------------------------------------


def test_an_action_returns_its_result_and_reveals_facts(engine, loaded):
    call = engine.new_call()
    use = engine.action(call, "check_bill")
    assert use.result == loaded.scenario.actions["check_bill"].result
    assert use.revealed == ("charged_twice",) and call.revealed == ["charged_twice"]
    refund = engine.action(call, "refund", "30")
    assert refund.arg == "30" and refund.mood_after == refund.mood_before - 1
    # the fact is already known: asking for it now is asking again
    assert engine.reply(call, "When were you charged?").revealed == ()


def test_requires_blocks_a_response_until_the_action_is_done(engine):
    call = engine.new_call()
    engine.reply(call, ACKNOWLEDGE)
    blocked = engine.reply(call, REFUND)
    assert blocked.requirement_missing and blocked.stage_after == "investigate"
    assert blocked.customer_lines == ("You haven't even looked at my account.",)
    assert blocked.mood_after == blocked.mood_before + 1
    engine.action(call, "check_bill")
    passed = engine.reply(call, REFUND)
    assert not passed.requirement_missing and passed.stage_after == "settled"
    done = engine.reply(call, TIMELINE)
    assert done.outcome == Outcome.resolved and call.outcome == Outcome.resolved


def test_an_unknown_action_is_refused_with_the_ones_there_are(engine):
    call = engine.new_call()
    with pytest.raises(CallError, match="no action 'teleport'.*check_bill, refund"):
        engine.action(call, "teleport")


def test_a_response_anywhere_can_end_the_call_escalated(engine):
    call = engine.new_call()
    step = engine.reply(call, "Let me put you through to my supervisor")
    assert step.outcome == Outcome.escalated and call.escalated


# -- ending and releasing ----------------------------------------------------------------------


def test_ending_the_call_leaves_it_unresolved(loaded):
    session = CallSession(loaded, tagger=sorry_tagger, clock=SimulatedClock())
    problems = play_script(session, [ACKNOWLEDGE, "/end", "hello?"])
    assert session.outcome == Outcome.unresolved and session.stage == ENDED_BY_ADVISOR
    assert problems == ["line 3: the call has already ended; reply ignored"]
    assert session.transcript().outcome == Outcome.unresolved


def test_ending_after_an_ending_keeps_its_outcome(engine):
    call = engine.new_call()
    engine.reply(call, "Let me put you through to my supervisor")
    assert engine.end(call) == Outcome.escalated


def test_calls_are_released_from_the_machine_when_they_end(engine):
    def hang_up(call):
        while not call.ended:
            engine.reply(call, BLAME, frozenset({"blame"}))

    ways = [
        lambda call: engine.end(call),
        lambda call: engine.reply(call, "Let me put you through to my supervisor"),
        hang_up,
    ]
    for i in range(1000):
        call = engine.new_call()
        assert len(engine.machine.models) == 1
        ways[i % len(ways)](call)
        assert call.ended
        assert len(engine.machine.models) == 0
    assert not [k for k in vars(call) if k.startswith(("is_", "may_", "to_", "trigger"))]


def test_one_engine_serves_calls_side_by_side(engine):
    a, b = engine.new_call(), engine.new_call()
    engine.reply(a, ACKNOWLEDGE)
    assert (a.stage, b.stage) == ("investigate", "opening")
    engine.end(a)
    assert engine.machine.models == [b]
    engine.end(b)


# -- determinism and hints ---------------------------------------------------------------------

SCRIPT = [
    "hello",
    "sorry",
    ACKNOWLEDGE,
    "When were you charged?",
    REFUND,
    "/action check_bill",
    REFUND,
    "/hint",
    "you should see the money back within five working days",
    "/notes Refunded duplicate DD of 30 pounds; 3-5 working days.",
]


def test_the_same_script_gives_the_same_transcript(loaded):
    def play():
        session = CallSession(
            loaded, tagger=sorry_tagger, clock=SimulatedClock(), call_id="x", started_at="t"
        )
        assert play_script(session, SCRIPT) == []
        data = session.transcript().model_dump(mode="json")
        data.pop("ended_at")
        return data

    first, second = play(), play()
    assert first == second
    assert first["outcome"] == "resolved" and first["revealed"] == ["charged_twice"]


def test_hints_offer_what_the_stage_expects_and_are_counted(loaded):
    session = CallSession(loaded, tagger=sorry_tagger)
    hint = session.hint()
    assert hint in (loaded.scenario.intents["acknowledge_charge"].examples[0],)
    session.say(hint)
    trainee = [t for t in session.turns if t.speaker == "trainee"]
    assert trainee[-1].hint_used and session.hints_used == 1
    assert session.stage == "investigate"
    assert session.hint() == loaded.scenario.intents["promise_refund"].examples[0]
    session.end()
    assert session.hint() is None


def test_no_hints_in_assessment(loaded):
    session = CallSession(loaded, tagger=sorry_tagger, mode="assessment")
    assert session.hint() is None and session.hints_used == 0
    session.end()
