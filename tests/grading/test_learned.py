"""The learned second opinion on the tagger (grading/learned.py) and `callsim tag --learned`."""

from __future__ import annotations

import io
import json
import sys

import pytest

from callsim.engine.models import TAG_NAMES
from callsim.grading import learned
from callsim.grading.tagger import tag_reply
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


def test_doubting_the_customer_is_blame_with_the_model_though_the_rules_miss_it():
    assert "blame" not in tag_reply(DOUBTING).tags
    assert "blame" in tag_reply(DOUBTING, learned=True).tags


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
        json.dumps({"format": 2, "tags": [], "bias": [], "weights": {}}),
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
    assert "empathy" in again.tag("so sorry, that sounds stressful", None, ())
    assert "empathy" not in again.tag("your bill please", None, ())
