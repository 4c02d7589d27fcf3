"""The bundled scenarios played end to end by a good and a poor advisor.

The scripts in scripts/ are written the way advisors talk, not copied from the intent
examples, so these tests also show the matcher copes with natural phrasing. Each runs with a
tagger that finds nothing (mood moved by the scenario alone) and with grading's real tagger when
it is importable, so the scenarios work whichever way the mood is driven.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from callsim.engine.loader import LoadedScenario, load_scenario
from callsim.engine.models import Outcome
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script

SCRIPTS = Path(__file__).parent / "scripts"

#: scenario id -> (the good advisor's outcome, the poor advisor's outcome)
CASES = {
    "broadband-down-repeat-caller": (Outcome.resolved, Outcome.unresolved),
    "double-charge-october": (Outcome.resolved, Outcome.hung_up),
    "manager-from-the-first-line": (Outcome.escalated, Outcome.escalated),
}


@dataclass
class NoTags:
    tags: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


def no_tags(text: str, customer: str | None = None, history=()) -> NoTags:
    return NoTags()


def _real_tagger():
    from callsim.grading.tagger import tag_reply

    return tag_reply


@pytest.fixture(params=["no tags", "real tagger"])
def tagger(request):
    return no_tags if request.param == "no tags" else _real_tagger()


@pytest.fixture(scope="module")
def scenarios() -> dict[str, LoadedScenario]:
    return {sid: load_scenario(resolve_scenario(sid)) for sid in CASES}


def play(loaded: LoadedScenario, script: str, tagger) -> tuple[CallSession, list[str]]:
    session = CallSession(loaded, tagger=tagger, clock=SimulatedClock())
    lines = (SCRIPTS / f"{loaded.scenario.id}.{script}.txt").read_text(encoding="utf-8")
    problems = play_script(session, lines.splitlines())
    return session, problems


def customer_lines(session: CallSession) -> list[str]:
    return [t.text for t in session.turns if t.speaker == "customer"]


@pytest.mark.parametrize("scenario_id", list(CASES))
def test_good_advisor_reaches_the_right_ending_and_a_calmer_customer(
    scenarios, tagger, scenario_id
):
    loaded = scenarios[scenario_id]
    good_outcome, poor_outcome = CASES[scenario_id]
    good, good_problems = play(loaded, "good", tagger)
    poor, poor_problems = play(loaded, "poor", tagger)
    assert good_problems == [] and poor_problems == []
    assert good.outcome == good_outcome
    assert poor.outcome == poor_outcome
    assert good.mood < poor.mood
    # the good advisor did what the scenario needs and found what the customer had not said
    record = good.transcript()
    expected = loaded.scenario.expectations
    assert set(expected.required_actions) <= set(record.actions)
    assert set(expected.key_facts) <= set(record.revealed)
    assert good.wrap_up


@pytest.mark.parametrize("scenario_id", list(CASES))
def test_a_good_advisor_is_never_told_they_asked_again_or_got_nowhere_twice(
    scenarios, tagger, scenario_id
):
    good, _ = play(scenarios[scenario_id], "good", tagger)
    assert "I've already told you that." not in customer_lines(good)
    trainee = [t for t in good.turns if t.speaker == "trainee"]
    got_nowhere = [t.text for t in trainee if t.intent is None and t.fact_asked is None]
    assert len(got_nowhere) <= 1, got_nowhere


def test_manager_poor_advisor_passes_her_off_with_no_handover(scenarios, tagger):
    poor, _ = play(scenarios["manager-from-the-first-line"], "poor", tagger)
    record = poor.transcript()
    assert record.escalated and record.revealed == [] and record.actions == []
    handover = [t for t in record.turns if t.speaker == "trainee" and t.handover]
    assert len(handover) == 1
    facts = scenarios["manager-from-the-first-line"].scenario.facts
    said = handover[0].text.lower()
    assert not any(k.lower() in said for f in facts.values() for k in f.keywords)
    assert "from the start" in customer_lines(poor)[-1]  # the team leader has to start again


def test_manager_good_advisor_hands_over_what_the_team_leader_needs(scenarios, tagger):
    good, _ = play(scenarios["manager-from-the-first-line"], "good", tagger)
    record = good.transcript()
    handover = [t for t in record.turns if t.speaker == "trainee" and t.handover]
    assert len(handover) == 1 and handover[0].intent == "handover_summary"
    assert "full picture" in customer_lines(good)[-1]


def test_refusing_a_manager_makes_the_customer_hang_up(scenarios, tagger):
    session = CallSession(
        scenarios["manager-from-the-first-line"], tagger=tagger, clock=SimulatedClock()
    )
    play_script(
        session,
        [
            "I'm afraid there isn't a manager available, but I can help you.",
            "You'll have to deal with me, managers don't take calls.",
        ],
    )
    assert session.outcome == Outcome.hung_up and session.manager_demanded


def test_billing_customer_reacts_to_being_passed_to_another_team(scenarios, tagger):
    session = CallSession(scenarios["double-charge-october"], tagger=tagger, clock=SimulatedClock())
    session.say("I'm sorry about that. I'll transfer you to the team that deals with this.")
    assert session.stage == "transfer" and not session.ended
    assert "transfer" in customer_lines(session)[-1].lower()


def test_a_statement_playing_facts_back_is_not_asking_again(scenarios):
    session = CallSession(scenarios["double-charge-october"], tagger=no_tags)
    session.say("How were the payments taken?")
    mood = session.mood
    session.act("view_payments")
    session.say("Right, I can see it: your card was charged again on the 3rd.")
    session.say("So was one of them on your debit card?")  # her words: a check, not a re-ask
    assert "I've already told you that." not in customer_lines(session)
    assert session.mood <= mood
    assert customer_lines(session)[-1] == "Yes, that's right."
