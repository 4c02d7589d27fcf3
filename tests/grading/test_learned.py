"""The learned reading beside the tagger's rules (grading/learned.py), `callsim tag --learned`."""

from __future__ import annotations

import io
import json
import sys

import pytest

from callsim.engine.models import TAG_NAMES
from callsim.grading import learned
from callsim.grading.tagger import tag_by_rules, tag_reply
from callsim.sim.cli import main

DOUBTING = (
    "are you sure youre not looking at the wrong statement? these things are usually a bank "
    "error"
)


def test_the_shipped_model_loads_and_knows_every_tag():
    model = learned.shipped_model()
    assert model is not None
    assert set(model.tags) == set(TAG_NAMES)
    assert len(model.weights) > 1000
    assert set(model.trust.values()) <= {"model", "rules", "either"}


def test_doubting_the_customer_is_blame_as_graded_and_by_the_rules():
    assert "blame" in tag_reply(DOUBTING).tags  # the default: rules and model, as graded
    assert "blame" in tag_reply(DOUBTING, learned=True).tags
    assert "blame" in tag_by_rules(DOUBTING).tags  # "are you sure you're not ..." (issue 13)


#: TAGS.md: informal empathy that names the impact; the rules have no cue for it.
INFORMAL = "that's rubbish when you'd planned your whole morning round it"


def test_the_model_reads_informal_empathy_the_rules_miss():
    assert tag_by_rules(INFORMAL).tags == ()
    assert tag_reply(INFORMAL, learned=False).tags == ()
    assert tag_reply(INFORMAL).tags == ("empathy",)


def test_callsim_tag_rules_reads_without_the_model(monkeypatch, capsys):
    line = json.dumps({"id": 1, "text": INFORMAL})
    monkeypatch.setattr(sys, "stdin", io.StringIO(line + "\n"))
    assert main(["tag", "--rules"]) == 0
    assert json.loads(capsys.readouterr().out)["tags"] == []
    monkeypatch.setattr(sys, "stdin", io.StringIO(line + "\n"))
    assert main(["tag"]) == 0
    assert json.loads(capsys.readouterr().out)["tags"] == ["empathy"]


def test_callsim_tag_learned_reads_with_the_model(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"id": 1, "text": DOUBTING}) + "\n"))
    assert main(["tag", "--learned"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == 1 and "blame" in out["tags"]
    assert out["evidence"]["blame"] in DOUBTING


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": 1, "tags": [], "bias": [], "weights": {}}),  # an older model's
        json.dumps({"format": 2, "tags": ["empathy"], "bias": [0.0], "weights": {},
                    "thresholds": {"empathy": 1.5}}),
        json.dumps({"format": 1, "tags": ["empathy"], "bias": [0.0], "weights": {"w:x": [1, 2]}}),
        json.dumps({"format": 1, "tags": ["nonsense"], "bias": [0.0], "weights": {}}),
        '{"format": 1, "tags": ["empathy"], "bias": [NaN], "weights": {}}',
    ],
)
def test_a_damaged_model_file_is_refused(text):
    with pytest.raises((ValueError, KeyError, TypeError)):
        learned.TagModel.from_json(text)


def test_training_learns_a_tag_from_its_words_and_round_trips():
    rows = [
        (learned.features("I am so sorry, that sounds awful", None, ()), frozenset({"empathy"})),
        (learned.features("that must be so stressful", None, ()), frozenset({"empathy"})),
        (learned.features("your account number please", None, ()), frozenset()),
        (learned.features("the bill is on the way", None, ()), frozenset()),
    ] * 5
    model = learned.train(rows, tags=("empathy",), min_count=1)
    again = learned.TagModel.from_json(model.to_json())
    assert "empathy" in again.found(learned.features("so sorry, that sounds stressful", None, ()))
    assert "empathy" not in again.found(learned.features("your bill please", None, ()))


@pytest.mark.parametrize(
    "text",
    [
        "I'm so sorry you've been without water since Monday, that must be exhausting.",
        "So you were charged twice for October, let me look.",
        "Is there anything else I can help you with today?",
        "What happens when you try to log in?",
        "I can either send an engineer on Thursday or post a new router, whichever suits you.",
        "You should have read the terms, it's all in the letter!",
        "I'll pass this to my team leader now, with a summary of what we've tried.",
        "I guarantee it'll be fixed by 5pm - it won't happen again.",
    ],
)
def test_careless_typing_reads_the_same_as_careful_typing(text):
    # one sentence each: where a writer ends sentences, the rules still see where (and a typed
    # question mark still asks), so a reply of several sentences may read differently
    # carelessly; bench/train_tagger.py measures how often (docs/rubric.md)
    careless = learned.careless(text)
    assert careless != text and "?" not in careless and careless == careless.lower()
    assert tag_reply(careless, learned=True).tags == tag_reply(text, learned=True).tags
    assert tag_reply(text, learned=True).tags  # each is about a real tag


def test_the_model_does_not_read_a_negated_promise_as_one():
    assert "over_promise" in tag_reply("I promise it'll be fixed today", learned=True).tags
    for neg in ("never", "have not", "haven't"):
        said = f"I {neg} promised it'll be fixed today"
        assert "over_promise" not in tag_reply(said, learned=True).tags


def test_no_reflection_from_the_model_without_the_customers_words():
    # "so ..." opens many playbacks; with nothing of the customer's in it, it plays nothing back
    assert "reflection" not in tag_reply(
        "So just to recap, I've raised the refund and added a note.", "Thanks.", learned=True
    ).tags
    earlier = ("I've been a customer for twelve years.",)
    got = tag_reply("Twelve years with us, and this is how it ends up.", "Just cancel it.",
                    earlier, learned=True)
    assert "reflection" in got.tags  # a playback of an earlier line, which only the rules see


def test_careless_keeps_commas_and_marks_inside_words_and_numbers():
    # a careless typist drops capitals, apostrophes and question marks far more than commas
    assert learned.careless("It's at 06:40, £3.95 (8-12)... OK?") == "its at 06:40, £3.95 8-12 ok"
    assert learned.unpunctuated("It's at 06:40, £3.95 (8-12)... OK?") == (
        "it's at 06:40 £3.95 8-12 ok"
    )


def test_the_shipped_model_says_whose_reading_counts_for_every_tag():
    model = learned.shipped_model()
    assert model is not None
    assert set(model.trust) == set(TAG_NAMES)
    assert all(0 < model.thresholds.get(t, learned.THRESHOLD) < 1 for t in TAG_NAMES)
