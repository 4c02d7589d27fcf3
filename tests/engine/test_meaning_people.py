"""Reading replies as people type them: names, times, "ill", two things in one sentence, and a
customer who asks what was meant and then understands."""

from __future__ import annotations

from pathlib import Path

from callsim.engine.call import CLARIFY_LINES, ScenarioEngine
from callsim.engine.language import asks, finds_out, raw_words
from callsim.engine.loader import load_scenario, shared_concepts
from callsim.engine.matching import IntentMatcher
from callsim.engine.meaning import Reader
from callsim.sim.scenario_paths import resolve_scenario

STUDY = Path(__file__).resolve().parents[1] / "untuned" / "study" / "scenarios"


def bag(text: str) -> frozenset[str]:
    return Reader(shared_concepts()).bag(text)


def test_someone_named_between_the_words_of_a_transfer_is_still_a_transfer():
    assert "#transfer" in bag("Marcus, I'm putting Denise through to you now.")
    assert "#transfer" in bag("Hiya Gareth, I'll pop Mrs Doyle through to you now.")
    assert "#transfer" in bag("I'll put him through to billing")
    # a thing between the words is not a person being put through
    assert "#transfer" not in bag("I'll put the refund through today")
    assert "#transfer" not in bag("I'll put a claim through for you")


def test_names_read_as_someone_whoever_they_are():
    assert "#person" in bag("Marcus, I'm putting Denise through to you now.")
    assert bag("Hi Tom, I'll put Leah through now") == bag("Hi Sam, I'll put Priya through now")


def test_the_customers_own_name_is_not_corrected_into_another_word():
    loaded = load_scenario(STUDY / "gym-charged-after-cancelling.yaml")
    # typed in lower case, "leah" is one edit from "lead"; it is the customer's name
    assert "#person" in loaded.reader.bag("hi tom ill put leah thru to u now")
    assert "#transfer" in loaded.reader.bag("hi tom ill put leah thru to u now")


def test_ill_before_a_verb_is_i_will_but_the_adjective_stays():
    assert "i will put" in " ".join(raw_words("hi tom ill put leah thru"))
    assert "been ill" in " ".join(raw_words("she has been ill for weeks"))
    assert "very ill" in " ".join(raw_words("he felt very ill be careful"))


def test_any_time_of_day_reads_as_a_time():
    assert bag("Back by 5pm.") == bag("back by 7pm")
    assert "#part_of_day" in bag("it'll be on by teatime")
    assert "#weekday_name" in bag("i can get u in next thurs 8 til 1")
    assert "#part_of_day" not in bag("I am sorry")  # "am" alone is not a time
    assert "#part_of_day" in bag("you'll be back up by about four")
    assert "#part_of_day" in bag("I can ring you at 3")
    assert "#part_of_day" not in bag("it'll take about four days")


def test_any_amount_of_money_reads_as_an_amount():
    assert raw_words("it's £1,840 now") == ["it", "is", "£1,840", "now"]
    assert bag("three lots of about £21, no interest") == bag("three lots of £35, no interest")
    assert bag("I can knock 20p off") == bag("I can knock £5 off")
    assert "money" not in bag("call me on 07700 900123")  # a number alone is not an amount


def test_deleting_is_removing_and_off_limits_is_not_allowed():
    assert "#remove" in bag("I went ahead and deleted that card") & bag("card removed")
    assert "#unable" in bag("honestly, that is off limits for me")
    assert "#unable" in bag("even a yes or no is off limits for me")  # "no" as a noun


def test_the_whole_lot_is_all_of_it():
    assert "#all_of_it" in bag("I'll get the whole lot cancelled") & bag("I'll wipe the whole bill")
    assert "#reverse" in bag("I'll undo the rise") & bag("I'll reverse the price rise")


def test_a_statement_that_opens_like_a_question_is_not_a_question():
    assert not asks("What I can do is refund the booking in full.")
    assert not finds_out("What we'll do is send an engineer tomorrow.")
    assert finds_out("What time did it start?")
    # an offer put as a question is not asking the customer for a fact
    assert not finds_out("How about I take a tenner off each month?")


def test_a_not_example_that_says_something_else_does_not_veto():
    matcher = IntentMatcher(
        [
            (
                "escalate",
                ["Let me put you through to my manager", "I'll get a manager for you"],
                ["I'll pass your feedback on to my manager"],
            )
        ],
        reader=Reader(shared_concepts()),
    )
    assert matcher.match("I'll need to pass you to my manager to approve it").intent == (
        "escalate"
    )
    assert matcher.match("I'll pass your comments on to my manager").intent is None


def test_a_greeting_and_an_identity_check_in_one_sentence_is_understood():
    engine = ScenarioEngine(load_scenario(STUDY / "airline-cancelled-wedding-flight.yaml"))
    call = engine.new_call()
    step = engine.reply(call, "Hello, thanks for calling, can I take your booking reference?")
    # understood as the question it ends on: the customer answers what the trainee asked
    assert step.intent == "identity_check"


def test_a_reply_that_ends_on_a_question_is_answered_as_that_question():
    engine = ScenarioEngine(load_scenario(resolve_scenario("cancellation-genuine-fix")))
    call = engine.new_call()
    text = "Sure, I'll sort your PAC. Before I do, can I ask why you're leaving?"
    assert engine.reply(call, text).intent == "ask_why"
    # a question that moves the call on wins over a statement that moves it too
    text = "Of course, I can sort your PAC code. Can I just ask why you want to leave?"
    assert engine.reply(engine.new_call(), text).intent == "ask_why"


def test_no_negates_what_follows_it_not_the_whole_clause():
    assert {"#split", "~#interest"} <= bag("i can split it over 3 months for u no interest")
    assert {"~#unable", "~reduce"} <= bag("There's no way I can reduce the bill")


def test_the_customer_asks_what_was_meant_then_understands_it_said_again():
    engine = ScenarioEngine(load_scenario(resolve_scenario("manager-from-the-first-line")))
    call = engine.new_call(start="listening")
    mood = call.mood
    first = engine.reply(call, "Honestly, nobody could do more than I can here.")
    assert first.intent is None
    assert first.customer_lines[0] in CLARIFY_LINES
    assert call.mood == mood  # unsure is not wrong: no cost
    again = engine.reply(call, "Honestly, my supervisor couldn't do any more here than I can.")
    assert again.intent == "refuse_escalation"


def test_a_different_reply_after_the_question_is_not_taken_for_the_first():
    engine = ScenarioEngine(load_scenario(resolve_scenario("manager-from-the-first-line")))
    call = engine.new_call(start="listening")
    engine.reply(call, "Honestly, nobody could do more than I can here.")
    step = engine.reply(call, "The weather is lovely today.")
    assert step.intent is None


def test_common_words_do_not_read_as_unrelated_concepts():
    # lemmas of concept words collide with everyday words ("passing" -> "pass"): a transfer
    # is not a bereavement, splitting a bill is not a fault, reading notes is not a meter
    assert not any(t.startswith("#") for t in bag("I will pass it along"))
    assert "#problem" not in bag("we can break it into monthly payments")
    assert "#meter_reading" not in bag("I have read your notes")
    assert "#lost_stolen" not in bag("you missed the appointment")
    assert "#problem" in bag("my router is broken")


def test_asides_and_irregular_past_forms_read_as_meant():
    assert "#interest" not in bag("Out of interest, what's gone wrong?")
    assert "~#interest" in bag("there's no interest on the plan")  # "no i..." is not "no, I"
    assert "go" in bag("what's gone wrong")  # not simplemma's "gan"


def test_a_handover_after_something_the_advisor_needs_first_is_put_off():
    from callsim.engine.language import defers

    assert defers("I can get a manager but I need to know what it's about first")
    assert not defers("I need to transfer you to billing")


def test_a_plain_transfer_is_not_swallowed_by_a_few_words_of_the_stages_own_reply():
    engine = ScenarioEngine(load_scenario(resolve_scenario("failed-identity-check")))
    text = "I'll pass you to the specialist team, they'll sort it."  # "sort it": acknowledge
    assert engine.reply(engine.new_call(), text).intent == "escalate"


def test_a_terse_transfer_hands_over():
    engine = ScenarioEngine(load_scenario(resolve_scenario("area-outage-no-eta")))
    assert engine.reply(engine.new_call(), "Putting you through to tech support.").intent == (
        "escalate"
    )
