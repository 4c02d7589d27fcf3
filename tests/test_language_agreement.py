"""The engine, the tagger and the grader read one reply alike (one module for language basics).

Before they shared `callsim.engine.language`, the matcher took "I havent refunded it" as saying
it was refunded while the tagger read the negation, the grader counted "I havent promised it'll
be fixed today" as that promise, and the call missed a question asked after a ';' or a line
break that the tagger (and so the grader's question count) heard.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim.engine.loader import load_scenario
from callsim.engine.matching import IntentMatcher, negated
from callsim.grading.grader import grade_transcript, makes_promise
from callsim.grading.tagger import tag_reply
from callsim.sim.session import CallSession, SimulatedClock

GOOD = Path(__file__).parent / "engine" / "fixtures" / "good"

#: The same negation, typed the ways trainees type it.
NEGATIONS = ["haven't", "havent", "have not", "mustn't", "never"]


@pytest.mark.parametrize("neg", NEGATIONS)
def test_a_negated_reply_is_negated_for_the_matcher_the_tagger_and_the_grader(neg):
    matcher = IntentMatcher(
        [
            ("refunded", ["I have refunded the second payment"], []),
            ("check", ["Let me check your account"], []),
        ]
    )
    assert matcher.match("I have refunded the second payment").intent == "refunded"
    said = f"I {neg} refunded the second payment"
    assert negated(said)
    assert matcher.match(said).intent is None  # the customer is not told it was refunded

    reply = f"I {neg} promised it'll be fixed today"
    assert not makes_promise(reply, "it'll be fixed today", 85)  # no forbidden promise
    assert "over_promise" not in tag_reply(reply).tags
    assert "over_promise" in tag_reply("I promise it'll be fixed today").tags


@pytest.mark.parametrize(
    "reply",
    [
        "Let me look at the account; when were you charged",
        "Let me look at the account\nwhen were you charged",
        "Let me look at the account\u2026 when were you charged",
    ],
)
def test_the_call_and_the_grader_agree_which_sentence_asks(reply):
    loaded = load_scenario(GOOD / "double-charge.yaml")
    session = CallSession(loaded, clock=SimulatedClock())
    session.say(reply)
    turn = next(t for t in session.turns if t.speaker == "trainee")
    assert turn.revealed == ["charged_twice"]  # the call heard the question
    assert "closed_question" in turn.tags  # so did the tagger
    grade = grade_transcript(session.transcript(), loaded)
    assert grade.kpis.questions == 1  # and the grader counts it
