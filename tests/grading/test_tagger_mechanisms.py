"""Tagger defects found by the grade-level scripts (issue 13), each fixed by a general mechanism:
the sentence from the script, other wordings of the same act, and look-alikes that must not
change. Checked with the tagger calls are graded with and with the rules alone, as written and
typed carelessly."""

from __future__ import annotations

import pytest

from callsim.grading.learned import careless, unpunctuated
from callsim.grading.tagger import tag_by_rules, tag_reply

READINGS = {
    "graded": lambda text: set(tag_reply(text).tags),
    "rules": lambda text: set(tag_by_rules(text).tags),
    "graded, careless": lambda text: set(tag_reply(careless(text)).tags),
}


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text",
    [
        "I'll tell her everything first, so you won't have to go through it again.",
        "You won't need to explain it all again, it's on your notes.",
        "You'll never have to repeat your story to anyone else.",
    ],
)
def test_sparing_the_customer_a_retelling_is_not_a_guarantee(reading, text):
    # the advisor controls this (notes, a briefed colleague): TAGS.md's over_promise is a
    # guarantee of what an advisor cannot know or control
    assert "over_promise" not in READINGS[reading](text)


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text",
    ["This will never happen again.", "You won't have any more problems with it again.",
     "You won't have to call us again, I promise."],
)
def test_never_again_about_the_fault_is_still_a_guarantee(reading, text):
    assert "over_promise" in READINGS[reading](text)


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text",
    [
        "You've probably just misread your bank statement, we don't charge people twice.",
        "You must have misread the letter.",
        "You're probably confusing it with last month's bill.",
        "Are you sure you're not looking at the wrong statement?",
    ],
)
def test_doubting_what_the_customer_read_is_blame(reading, text):
    assert "blame" in READINGS[reading](text)


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text",
    [
        "Don't worry if you've forgotten your PIN, I can reset it.",
        "I might have misread that, sorry. Could you say the number again?",
        "It's easy to get these two bills mixed up, the dates are so close.",
    ],
)
def test_owning_a_slip_or_reassuring_is_not_blame(reading, text):
    assert "blame" not in READINGS[reading](text)


@pytest.mark.parametrize("reading", READINGS)
def test_a_time_stays_a_timeline_when_a_past_clause_follows_it(reading):
    said = "I've logged a priority fault, and the fix target is 1:24pm today, four hours from " \
        "when it was logged."
    assert "timeline" in READINGS[reading](said)
    assert "timeline" in READINGS[reading](unpunctuated(said))


@pytest.mark.parametrize("reading", READINGS)
def test_a_time_in_the_past_is_still_not_a_timeline(reading):
    assert "timeline" not in READINGS[reading]("The engineer came on Monday at 3pm.")
    assert "timeline" not in READINGS[reading]("We rang at 9:24 when the line went down.")


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text", ["Is that everything for today?", "Was that everything you needed?",
             "Have we covered everything?", "Will that be all for now?"],
)
def test_asking_whether_that_is_everything_checks_resolution(reading, text):
    assert {"check_resolution", "closed_question"} <= READINGS[reading](text)


@pytest.mark.parametrize("reading", READINGS)
def test_asking_about_everything_on_a_bill_does_not_check_resolution(reading):
    assert "check_resolution" not in READINGS[reading]("Is that everything on the bill?")


def test_a_comma_typed_after_a_greeting_keeps_the_question_open():
    # the careless reading keeps commas: "Hello, can you tell me ..." is a request to describe
    for text in ("Hello, can you tell me what happened from the beginning?",
                 "hello can you tell me what happened from the beginning"):
        got = set(tag_reply(text).tags)
        assert "open_question" in got and "closed_question" not in got, text


@pytest.mark.parametrize("reading", READINGS)
def test_a_reply_that_does_not_address_the_customer_is_not_blame_by_the_model(reading):
    # the learned model once read this as blame ("needs", "this time"); blame is aimed at the
    # customer, so without "you" or "your" only the rules' own cues ("calm down") give it
    assert "blame" not in READINGS[reading]("It needs a signature this time, so it can't be "
                                            "left outside.")
    assert "blame" in READINGS[reading]("Calm down.")


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text",
    [
        "Well the tracking shows it was delivered, so someone at your address must have taken "
        "it in.",
        "It was probably someone in your household who signed for it.",
        "It must have been somebody at your house.",
    ],
)
def test_guessing_the_customers_household_took_it_is_blame(reading, text):
    # TAGS.md: doubting the customer's account is blame, however politely it is put
    assert "blame" in READINGS[reading](text)


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize(
    "text",
    [
        "Someone at your address will need to sign for it.",
        "It will be someone at your address who signs for the replacement.",
        "I'll ask the courier whether someone at your address was offered it.",
    ],
)
def test_naming_someone_at_the_customers_address_is_not_blame(reading, text):
    assert "blame" not in READINGS[reading](text)
