"""The behaviour tagger, as a trainee or mentor would notice it: TAGS.md in our own words."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from callsim.engine.models import TAG_NAMES
from callsim.grading.tagger import NearMiss, TagResult, explain_reply, tag_reply

FIXTURES = Path(__file__).parent / "fixtures" / "tagger_cases.jsonl"


def tags(text: str, customer: str | None = None, history: tuple[str, ...] = ()) -> set[str]:
    return set(tag_reply(text, customer, history).tags)


# --- each tag: what counts and what does not ----------------------------------------------------

COUNTS = [
    ("empathy", "That sounds exhausting, especially with a baby at home.", None),
    ("empathy", "I can hear how worried you are about the payment.", None),
    ("empathy", "I'm so sorry you've had no heating since the weekend.", None),
    ("reflection", "So the app logs you out every time you open your statements?",
     "The app logs me out whenever I open my statements."),
    ("reflection", "What I'm hearing is that the refund never reached your card.",
     "You said you'd refund me but nothing's come through."),
    ("reflection", "It sounds like you're feeling torn about giving up the car.",
     "I know I should sell the car but I love driving it."),
    ("open_question", "How has the outage affected your business?", None),
    ("open_question", "Could you talk me through what you see on the screen?", None),
    ("open_question", "Tell me a bit more about what happened at the desk.", None),
    ("closed_question", "Is the warning light still flashing?", None),
    ("closed_question", "Can I take the booking reference?", None),
    ("closed_question", "When did the payment leave your account?", None),
    ("escalation", "I'm going to pass this to our disputes team to review.", None),
    ("escalation", "Would you like me to put you through to a supervisor?", None),
    ("blame", "You should have read the booking conditions.", None),
    ("blame", "There's no need to shout at me.", None),
    ("blame", "That's your own fault for ignoring the reminder.", None),
    ("over_promise", "I promise this will never happen again.", None),
    ("over_promise", "You'll definitely get the whole amount back.", None),
    ("over_promise", "It'll be working by lunchtime, guaranteed.", None),
    ("timeline", "The refund will reach you within 5 working days.", None),
    ("timeline", "You'll see the adjustment on your next statement.", None),
    ("timeline", "A technician can come on Friday between 9 and 12.", None),
    ("options", "I can either reissue the card or move the money to your savings.", None),
    ("options", "You could pay online, or we can take it over the phone. Which suits you?", None),
    ("explain_steps", "First I'll cancel the old card, then I'll order a new one for you.", None),
    ("explain_steps", "I'll log the claim, and once it's approved, I'll transfer the money.",
     None),
    ("check_resolution", "Is there anything else I can help you with today?", None),
    ("check_resolution", "Does that sort the problem out for you?", None),
]

DOES_NOT_COUNT = [
    ("empathy", "Sorry for the wait, I've got your account up now.", None),
    ("empathy", "Sorry, could you repeat the postcode?", None),
    ("empathy", "I understand.", None),
    ("empathy", "I understand, but that is the policy.", None),
    ("empathy", "Oh dear, what a tragedy. How ever did you cope?", None),
    ("reflection", "What's the account number?", "My direct debit bounced."),
    ("reflection", "I can see your tariff is the Standard Variable.", "My bill is too high."),
    ("open_question", "Is the router switched on?", None),
    ("closed_question", "Isn't that great?", None),
    ("closed_question", "Let me know which one you'd like.", None),
    ("escalation", "Our support team is really good.", None),
    ("escalation", "I'll book an engineer to visit you.", None),
    ("blame", "I'm not able to refund that fee, but here's what I can do instead.", None),
    ("over_promise", "I can't guarantee a time, but I'll chase it today.", None),
    ("over_promise", "It usually takes about three days, though it can vary.", None),
    ("timeline", "We'll sort it out soon.", None),
    ("timeline", "I'll deal with this as quickly as possible.", None),
    ("options", "I'd recommend the larger data plan.", None),
    ("explain_steps", "Let me check that for you.", None),
    ("explain_steps", "I'll send the replacement today.", None),
    ("check_resolution", "Is the light on the box green or red?", None),
]


@pytest.mark.parametrize(("tag", "text", "customer"), COUNTS)
def test_tag_counts(tag: str, text: str, customer: str | None) -> None:
    assert tag in tags(text, customer)


@pytest.mark.parametrize(("tag", "text", "customer"), DOES_NOT_COUNT)
def test_tag_does_not_count(tag: str, text: str, customer: str | None) -> None:
    assert tag not in tags(text, customer)


# --- TAGS.md notes -------------------------------------------------------------------------------


def test_a_confirming_reflection_is_also_a_closed_question() -> None:
    got = tags("So it's been cutting out since Tuesday?", "It keeps cutting out since Tuesday.")
    assert {"reflection", "closed_question"} <= got


def test_a_pick_one_question_after_options_is_closed() -> None:
    got = tags("I can refund you or send a voucher. Which would you prefer?")
    assert {"options", "closed_question"} <= got
    assert "open_question" not in got


def test_anything_else_is_check_resolution_and_closed() -> None:
    assert {"check_resolution", "closed_question"} <= tags("Anything else I can do for you?")


def test_a_question_without_a_question_mark_is_a_question() -> None:
    assert "closed_question" in tags("what model is the printer")
    assert "open_question" in tags("what happens when you try to print")


def test_one_action_with_its_timing_is_timeline_only() -> None:
    got = tags("I'll post the new card today and it'll arrive within 3 working days.")
    assert "timeline" in got
    assert "explain_steps" not in got


def test_reflection_can_use_an_earlier_customer_line() -> None:
    earlier = ("I've been a customer for twelve years.",)
    got = tags("Twelve years with us, and this is how it ends up.", "Just cancel it.", earlier)
    assert "reflection" in got


def test_a_recap_of_the_advisors_own_actions_is_not_reflection() -> None:
    assert "reflection" not in tags(
        "So just to recap, I've raised the refund and added a note.", "Thanks."
    )


# --- negation and hedges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I can't guarantee it'll be fixed today.",
        "I cannot promise the engineer will come this week.",
        "There's no guarantee the claim will succeed.",
        "I can't promise it won't happen again, but I'll keep an eye on it.",
    ],
)
def test_negated_promises_are_not_over_promises(text: str) -> None:
    assert "over_promise" not in tags(text)


def test_not_sorry_is_not_empathy() -> None:
    assert "empathy" not in tags("I'm not sorry, you were told about the charge.")


def test_a_negated_option_is_not_an_option() -> None:
    assert "options" not in tags("I can't refund it or waive the fee.")


# --- sloppy typing does not change the answer ---------------------------------------------------

SLOPPY = [
    ("I'm so sorry you're still without internet.", "so sorry ur still without internet"),
    ("Is there anything else I can help you with?", "is there anything else i can help u with"),
    ("I can't guarantee it, but I'll call you tomorrow.",
     "i cant guarantee it but ill call u tmrw"),
    ("I guarantee it'll be fixed tonight.", "i guarentee itll be fixed tonite"),
    ("You should have read the terms.", "u should of read the terms"),
    ("What happens when you try to log in?", "what happens when u try to log in"),
    ("That must be really frustrating.", "that must be realy frustrating"),
    ("Could you walk me through what you did?", "cud u walk me thru what u did"),
]


@pytest.mark.parametrize(("clean", "sloppy"), SLOPPY)
def test_sloppy_typing_gives_the_same_tags(clean: str, sloppy: str) -> None:
    assert tags(clean) == tags(sloppy)
    assert tags(clean)  # the pair is about a real tag, not two empty answers


@pytest.mark.parametrize("text", [text for _, text, _ in COUNTS])
def test_case_and_punctuation_do_not_change_the_answer(text: str) -> None:
    expected = tags(text)
    lowered = text.lower()
    assert tags(lowered) == expected
    no_final_punct = text.rstrip(".!")
    assert tags(no_final_punct) == expected
    no_commas = text.replace(",", "")
    if "options" not in expected:  # commas separate the alternatives of a choice
        assert tags(no_commas) == expected


def test_missing_question_mark_still_finds_the_question() -> None:
    assert tags("Is the light on the router red?") == tags("is the light on the router red")


# --- evidence and determinism --------------------------------------------------------------------


@pytest.mark.parametrize("text", [text for _, text, _ in COUNTS + DOES_NOT_COUNT] + [
    "i guarentee itll be fixed tonite", "so sorry ur still without internet", "£45 — 8-1 on Thurs",
])
def test_evidence_is_a_substring_of_the_reply(text: str) -> None:
    result = tag_reply(text)
    assert set(result.evidence) == set(result.tags)
    for words in result.evidence.values():
        assert words and words in text


def test_tags_come_in_tag_names_order() -> None:
    result = tag_reply(
        "I'm so sorry, that sounds stressful. I can either refund you or send a new one. "
        "Which would you prefer?"
    )
    order = [TAG_NAMES.index(t) for t in result.tags]
    assert order == sorted(order)
    assert isinstance(result, TagResult)


def test_tagging_is_deterministic() -> None:
    text = "So the bill's gone up by £30. First I'll check it, then I'll call you by 5pm."
    customer = "My bill went up by £30."
    first = tag_reply(text, customer)
    assert all(tag_reply(text, customer) == first for _ in range(5))


@pytest.mark.parametrize("text", ["", "   ", "?", "...", "—", "\x1b[31m", "ok"])
def test_odd_input_does_not_crash(text: str) -> None:
    result = tag_reply(text)
    assert all(words in text for words in result.evidence.values())


def test_random_printable_text_does_not_crash() -> None:
    import random

    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + " .,?!'-£:;—"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))
        result = tag_reply(text, "".join(rng.choice(alphabet) for _ in range(20)))
        assert all(words in text for words in result.evidence.values())


# --- near misses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag", "reason"),
    [
        ("Sorry for the hold.", "empathy", "politeness"),
        ("I understand.", "empathy", "names no feeling"),
        ("I can't guarantee that.", "over_promise", "negated"),
        ("It'll be back soon.", "timeline", "vague"),
        ("I'd suggest a new router.", "options", "single proposal"),
        ("Let me check.", "explain_steps", "let me check"),
        ("Our billing team are great.", "escalation", "nothing is handed over"),
    ],
)
def test_explain_gives_near_miss_reasons(text: str, tag: str, reason: str) -> None:
    misses = explain_reply(text)
    assert all(isinstance(m, NearMiss) for m in misses)
    hits = [m for m in misses if m.tag == tag]
    assert hits, misses
    assert any(reason.lower() in m.reason.lower() for m in hits)
    assert all(m.words in text for m in misses)


def test_no_near_miss_for_a_tag_that_was_given() -> None:
    text = "I'm so sorry for the wait, that must have been really frustrating."
    assert "empathy" in tags(text)
    assert not [m for m in explain_reply(text) if m.tag == "empathy"]


# --- the labelled cases as a whole (regression guard) --------------------------------------------


def _macro_f1(rows: list[dict]) -> tuple[float, dict[str, float]]:
    per_tag = {}
    for tag in TAG_NAMES:
        tp = fp = fn = 0
        for row in rows:
            got = tag in tag_reply(row["text"], row.get("customer")).tags
            gold = tag in row["tags"]
            tp += got and gold
            fp += got and not gold
            fn += gold and not got
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        per_tag[tag] = 2 * p * r / (p + r) if p + r else 0.0
    return sum(per_tag.values()) / len(per_tag), per_tag


def test_own_labelled_cases_score_well() -> None:
    rows = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
    assert len(rows) >= 120
    assert all(set(row["tags"]) <= set(TAG_NAMES) for row in rows)
    macro, per_tag = _macro_f1(rows)
    assert macro >= 0.85, per_tag


def test_grading_does_not_import_ui_or_sim() -> None:
    import subprocess
    import sys

    code = (
        "import sys, callsim.grading.tagger, callsim.grading.language; "
        "bad = [m for m in sys.modules"
        " if re.match(r'(textual|callsim\\.tui|callsim\\.sim)(\\.|$)', m)]; "
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import re; " + code],
        capture_output=True, text=True, check=True, cwd="/",
    ).stdout.strip()
    assert out == "[]"


def test_evidence_has_no_leading_or_trailing_space() -> None:
    result = tag_reply("  Is the light green?  ")
    assert all(re.fullmatch(r"\S(?:.*\S)?", w, re.S) for w in result.evidence.values())
