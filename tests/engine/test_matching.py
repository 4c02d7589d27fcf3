"""What a trainee notices of the matcher: the customer hears what they meant, not just the words."""

from __future__ import annotations

import pytest

from callsim.engine.matching import DEFAULT_FLOOR, DEFAULT_MARGIN, IntentMatcher, negated


def matcher(*intents: tuple[str, list[str], list[str]]) -> IntentMatcher:
    return IntentMatcher(intents)


REFUND_AND_REFUSE = matcher(
    ("refund", ["I can refund that for you", "I'll put the refund through now"], []),
    ("refuse", ["I cannot refund that", "I'm not able to give you a refund"], []),
)


@pytest.mark.parametrize(
    "reply, intent",
    [
        ("I can refund that", "refund"),
        ("I cannot refund that", "refuse"),
        ("I can't refund that", "refuse"),
        ("i cant refund that", "refuse"),
        ("I\u2019m unable to refund that", "refuse"),
    ],
)
def test_can_and_cannot_go_to_different_intents(reply, intent):
    assert REFUND_AND_REFUSE.match(reply).intent == intent


def test_a_not_example_vetoes_the_opposite_meaning():
    m = matcher(
        ("refund", ["I can refund that for you"], ["I cannot refund that"]),
        ("check", ["Let me check your account"], []),
    )
    assert m.match("I can refund that").intent == "refund"
    cannot = m.match("I cannot refund that")
    assert cannot.intent is None and cannot.vetoed_by == "I cannot refund that"
    assert m.match("I won't refund that").intent is None


def test_without_not_examples_negation_alone_keeps_cannot_from_matching_can():
    m = matcher(("refund", ["I can refund that for you"], []))
    assert m.match("I can refund that for you").intent == "refund"
    assert m.match("I cannot refund that for you").intent is None


def test_negated_fault_description_is_content_not_refusal():
    assert negated("I can't do that") and negated("We won't charge you") and negated("No.")
    assert not negated("It's still not working") and not negated("the router isn't syncing")


@pytest.mark.parametrize("reply", ["sorry", "Sorry.", "so sorry", "I'm sorry", "ok"])
def test_a_one_word_reply_does_not_match_a_long_example(reply):
    m = matcher(
        ("own_it", ["I'm so sorry you've had to call three times, I'll get this fixed today"], []),
        ("test", ["Let me run a line test on your connection now"], []),
    )
    assert m.match(reply).intent is None


def test_a_near_tie_between_two_intents_matches_neither():
    m = matcher(
        ("check_line", ["let me check the line for you"], []),
        ("check_bill", ["let me check the bill for you"], []),
    )
    tied = m.match("let me check the for you")
    assert tied.intent is None and tied.score >= DEFAULT_FLOOR
    assert tied.runner_up is not None and tied.score - tied.runner_up_score < DEFAULT_MARGIN
    assert tied.ambiguous
    clear = m.match("let me check the line for you")
    assert clear.intent == "check_line" and clear.runner_up == "check_bill"


def test_the_margin_is_what_separates_a_tie_from_a_match():
    intents = (
        ("a", ["please hold while I look"], []),
        ("b", ["please hold while I book"], []),
    )
    reply = "please hold while I look"
    assert IntentMatcher(intents).match(reply).intent == "a"
    assert IntentMatcher(intents, margin=50).match(reply).intent is None


@pytest.mark.parametrize(
    "reply", ["what's the weather like", "banana", "", "   ", "!!!", "\x1b[31m", "12345"]
)
def test_nothing_close_falls_back(reply):
    m = matcher(
        ("book", ["I will book an engineer for Thursday"], []),
        ("test", ["Let me run a line test"], []),
    )
    result = m.match(reply)
    assert result.intent is None and not result.ambiguous


@pytest.mark.parametrize(
    "reply",
    [
        "I will book an engineer for Thursday",
        "i will book an engineer for thursday",
        "I WILL BOOK AN ENGINEER FOR THURSDAY!!!",
        "i will book an engineer, for thursday",
        "i wil book an enginer for thursday",
        "ill book an engineer thursday",
        "ok so I will book an engineer for Thursday morning for you",
    ],
)
def test_sloppy_typing_still_matches(reply):
    m = matcher(
        ("book", ["I will book an engineer for Thursday"], []),
        ("test", ["Let me run a line test"], []),
    )
    assert m.match(reply).intent == "book"


def test_an_empty_matcher_matches_nothing():
    assert IntentMatcher([]).match("hello").intent is None


ESCALATE = ("escalate", ["I'll put you through now", "Let me put you through to my manager"], [])
RUN_TEST = ("run_test", ["let me run a test on your line"], [])


def test_a_reassurance_elsewhere_in_the_reply_does_not_turn_an_offer_into_a_refusal():
    m = matcher(RUN_TEST, ("refuse", ["I can't run a test today"], []))
    assert m.match("No problem at all, let me run a test on your line now").intent == "run_test"
    assert m.match("Sorry, I can't run a test today").intent == "refuse"


def test_a_short_example_is_not_matched_by_its_words_scattered_through_a_reply():
    m = matcher(ESCALATE, RUN_TEST)
    scattered = "Your phone runs through the broadband box now, so you must feel really cut off"
    assert m.match(scattered).intent is None
    assert m.match("I'm sorry, let me put you through to my manager").intent == "escalate"


def test_the_stage_own_reply_wins_a_close_call_against_an_anywhere_one():
    from callsim.engine.matching import StageMatcher

    own = matcher(
        ("agree_then_gather", ["I'll get you a manager, but can I take a few details first"], [])
    )
    stage = StageMatcher(own, matcher(ESCALATE))
    both = (
        "Yes, I'll get you a manager, but can I take a few details first?"
        " Let me put you through after"
    )
    assert stage.match(both).intent == "agree_then_gather"
    assert stage.match("Let me put you through to my manager").intent == "escalate"


def test_an_example_with_a_reassurance_matches_itself_and_its_not_example_still_vetoes():
    m = matcher(
        (
            "escalate",
            ["I'll explain everything to my manager so you don't have to go through it again"],
            ["I can't put you through to a manager"],
        )
    )
    said = "I'll explain everything to my manager so you don't have to go through it again"
    assert m.match(said).intent == "escalate"
    assert m.match("Sorry, I can't put you through to a manager").intent is None
