"""The customer reacts like a person: asks when unsure, answers questions, never parrots."""

from __future__ import annotations

from callsim.engine.call import CLARIFY_LINES, REPEAT_PREFIX, ScenarioEngine
from callsim.engine.loader import load_scenario
from callsim.sim.scenario_paths import resolve_scenario


def engine(scenario_id: str) -> ScenarioEngine:
    return ScenarioEngine(load_scenario(resolve_scenario(scenario_id)))


def test_a_near_miss_gets_a_clarifying_question_at_no_cost():
    e = engine("double-charge-october")
    call = e.new_call(start="checking")
    step = e.reply(call, "yes both")  # about the right thing, but saying what?
    assert step.intent is None
    assert step.customer_lines[0] in CLARIFY_LINES
    assert step.mood_after == step.mood_before
    assert step.stage_after == "checking"
    again = e.reply(call, "yes both")
    assert again.customer_lines[0] in CLARIFY_LINES and again.customer_lines != step.customer_lines
    third = e.reply(call, "yes both")  # asked twice already: now it costs
    assert third.customer_lines[0] not in CLARIFY_LINES
    assert third.mood_after > third.mood_before


def test_clearly_off_track_replies_still_cost_mood():
    e = engine("double-charge-october")
    call = e.new_call(start="refunded")
    step = e.reply(call, "Lovely weather for the time of year")
    assert step.customer_lines[0] not in CLARIFY_LINES
    assert step.mood_after > step.mood_before


def test_a_fact_question_never_takes_the_fallbacks_way_out():
    e = engine("slow-speeds-troubleshoot")
    call = e.new_call(start="sent_engineer")  # its fallback moves the call on
    step = e.reply(call, "Where's the router kept?")
    assert step.revealed == ("router_cupboard",)
    assert step.stage_after == "sent_engineer"
    moved = e.reply(call, "Lovely weather for the time of year")
    assert moved.stage_after == "waiting_for_engineer"  # a reply that is not a question does


def test_already_told_only_for_what_the_customer_said():
    e = engine("double-charge-october")
    call = e.new_call()
    e.action(call, "view_payments")  # the screen shows the dates; she has not said them
    first = e.reply(call, "When were the payments taken?")
    assert "I've already told you that." not in first.customer_lines
    assert any("third" in line for line in first.customer_lines)
    again = e.reply(call, "When were the payments taken?")
    assert "I've already told you that." in again.customer_lines


def test_the_customer_never_says_the_same_words_twice_running():
    e = engine("slow-speeds-troubleshoot")  # an opening fallback said only one way
    call = e.new_call()
    said = [e.reply(call, "Lovely weather for the time of year").customer_lines for _ in range(3)]
    for before, after in zip(said, said[1:], strict=False):
        assert before != after
    assert said[1][0].startswith(REPEAT_PREFIX)


def test_another_variant_comes_before_repeating_one():
    e = engine("double-charge-october")  # its opening fallback has two variants
    call = e.new_call()
    first = e.reply(call, "Lovely weather for the time of year").customer_lines[0]
    second = e.reply(call, "Lovely weather for the time of year").customer_lines[0]
    assert second != first and not second.startswith(REPEAT_PREFIX)


def test_a_reply_doing_two_wanted_things_takes_the_furthest_step():
    e = engine("double-charge-october")
    call = e.new_call()
    e.action(call, "view_payments")
    step = e.reply(call, "I'll have a look at your payments. I can see you've been charged twice.")
    assert step.intent == "confirm_duplicate"  # not "not understood" because the two tie
    assert step.stage_after == "confirmed"
    call = e.new_call(start="bank_fee")
    e.action(call, "error_letter")
    step = e.reply(
        call, "I've emailed you a letter for your bank. Is there anything else I can help with?"
    )
    assert step.intent == "bank_fee_covered"
    assert step.stage_after == "wrap"


def test_a_sentence_on_its_own_never_escalates_by_accident():
    e = engine("bereavement-close-account")
    call = e.new_call(start="listening")
    reply = (
        "I can see the broadband and the house phone, and Alan's mobile. "
        "Would you like to keep the broadband and landline?"
    )
    step = e.reply(call, reply)
    assert step.intent != "escalate" and not call.escalated
    assert step.stage_after == "listening"


def test_a_handover_promised_for_later_is_not_a_handover():
    e = engine("manager-from-the-first-line")
    call = e.new_call()
    step = e.reply(
        call, "Of course I'll fetch my team leader, but let me get the details down first"
    )
    assert step.intent == "agree_then_gather" and not call.escalated
    assert step.stage_after == "listening"
    e = engine("double-charge-october")
    call = e.new_call(start="checking")
    step = e.reply(call, "I'll put you through to my supervisor once I've had a look")
    assert not call.escalated and step.stage_after == "checking"
    now = e.reply(call, "I'll put you through to my supervisor")
    assert now.intent == "escalate" and call.escalated


def test_two_questions_in_one_reply_get_two_answers():
    e = engine("broadband-down-repeat-caller")
    call = e.new_call()
    step = e.reply(call, "what have you tried already and how is it affecting you")
    says = e.scenario.facts
    assert says["tried_restart"].says in step.customer_lines
    assert says["works_from_home"].says in step.customer_lines
    assert {"tried_restart", "works_from_home"} <= set(step.revealed)


def test_a_question_typed_without_apostrophe_or_mark_is_still_a_question():
    e = engine("broadband-down-repeat-caller")
    call = e.new_call()
    step = e.reply(call, "whats the router doing, any lights on it")
    assert step.fact_asked == "router_lights"
    assert e.scenario.facts["router_lights"].says in step.customer_lines


def test_a_question_about_something_else_is_not_answered_with_a_fact_she_gave():
    e = engine("broadband-down-repeat-caller")
    call = e.new_call()
    e.reply(call, "When did it first go off?")
    step = e.reply(call, "Is it your mobile or the broadband that's the problem?")
    assert step.fact_asked is None  # not "I've already told you that" about Monday
    assert "I've already told you that." not in step.customer_lines


def test_a_question_matches_an_intent_described_as_asking():
    # ask_about_move: "Takes the move seriously and asks about it", all its examples statements
    e = engine("moving-home-exit-fee")
    step = e.reply(e.new_call(), "Where are you moving to?")
    assert step.intent == "ask_about_move"
