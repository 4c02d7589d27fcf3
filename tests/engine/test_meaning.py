"""The customer understands what a reply means, in words the trainer did not write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import ScenarioError, load_scenario
from callsim.engine.meaning import Reader, raw_words
from callsim.sim.phrasings import Report, check, read_phrasings
from callsim.sim.scenario_paths import resolve_scenario

ROOT = Path(__file__).resolve().parents[2]
GOOD = Path(__file__).parent / "fixtures" / "good" / "minimal.yaml"


def first_reply(scenario_id: str, stage: str, text: str, *, meaning: bool = True) -> str | None:
    engine = ScenarioEngine(load_scenario(resolve_scenario(scenario_id)), meaning=meaning)
    call = engine.new_call(start=stage)
    return engine.reply(call, text).intent


@pytest.mark.parametrize(
    ("stage", "text", "intent"),
    [
        # other words for the same thing, through lemmas and the concept library
        ("opening", "I'll investigate the payments for you", "look_into_payments"),
        ("opening", "I'm going to dig into those transactions", "look_into_payments"),
    ],
)
def test_replies_in_other_words_are_understood(stage, text, intent):
    assert first_reply("double-charge-october", stage, text) == intent
    assert first_reply("double-charge-october", stage, text, meaning=False) != intent


@pytest.mark.parametrize(
    ("stage", "text", "intent"),
    [
        ("confirmed", "refnd sorted, shud land in 3-5 wrking days", "refund"),
        ("refunded", "ur card is deleted off the acct now", "card_removed"),
    ],
)
def test_text_speak_and_slips_are_understood(stage, text, intent):
    assert first_reply("double-charge-october", stage, text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "the refund won't be there today",  # negated with a thing as the subject
        "no, the card hasn't been removed from the account",
        "I haven't raised a refund",
    ],
)
def test_a_negated_statement_never_reads_as_its_positive(text):
    stage = "refunded" if "card" in text else "confirmed"
    got = first_reply("double-charge-october", stage, text)
    assert got not in {"promise_today", "refund", "card_removed"}


def test_contractions_and_text_speak_are_undone():
    assert raw_words("I won't, u can't, gonna") == [
        "i",
        "will",
        "not",
        "you",
        "can",
        "not",
        "going",
        "to",
    ]


def test_slips_are_corrected_towards_the_scenarios_own_words_only():
    reader = Reader(vocabulary=["I'll raise a refund for the overpayment"])
    assert reader.corrected("refnd") == "refund"
    assert reader.corrected("overpaymnet") == "overpayment"
    assert reader.corrected("house") == "house"  # a real word stays, even if the scenario has none


def test_a_scenario_adds_its_own_concepts(tmp_path):
    loaded = load_scenario(GOOD)
    stage = loaded.scenario.start
    intent = next(r.intent for r in loaded.scenario.stages[stage].responses)
    example = loaded.intent(intent).examples[0]
    words = [w for w in raw_words(example) if w.isalpha() and len(w) > 3]
    # each of the example's words gets a private synonym no library knows
    private = {w: f"zq{chr(ord('a') + i)}flux" for i, w in enumerate(words)}
    reply = " ".join(private.get(w, w) for w in raw_words(example))
    groups = "".join(f"  own_{i}: [{w}, {p}]\n" for i, (w, p) in enumerate(private.items()))
    own = tmp_path / "own.yaml"
    own.write_text(GOOD.read_text(encoding="utf-8") + "\nconcepts:\n" + groups, encoding="utf-8")
    with_concepts = ScenarioEngine(load_scenario(own))
    assert with_concepts.reply(with_concepts.new_call(), reply).intent == intent
    without = ScenarioEngine(loaded)
    assert without.reply(without.new_call(), reply).intent != intent


def test_a_bad_concepts_block_is_refused_with_its_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.read_text(encoding="utf-8") + "\nconcepts:\n  Bad Id: [x]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert any("Bad Id" in str(p) for p in info.value.problems)


#: Measured on the held-out replies (docs/matching.md): recall 0.847, false accepts 0.021. The
#: targets are 0.90 and 0.02; the floor stops recall sliding back while the gap is closed.
HELDOUT_RECALL_FLOOR = 0.84
FALSE_ACCEPT_CEILING = 0.025


def _understood(files, scenario_of) -> Report:
    """Every reply of these phrasing files checked, as one report."""
    results: list = []
    for path in files:
        loaded = load_scenario(scenario_of(path))
        with path.open(encoding="utf-8") as fh:
            phrasings, problems = read_phrasings(fh, str(path), loaded)
        assert not problems, problems
        results += check(loaded, phrasings).results
    return Report(tuple(results))


def _sizes(report: Report) -> tuple[int, int]:
    """(replies meant as an intent, replies meant as nothing)."""
    none = sum(c.phrasing.expected is None for c in report.results)
    return len(report.results) - none, none


def test_held_out_replies_are_understood_at_least_as_well_as_measured():
    files = sorted((ROOT / "tests" / "phrasings" / "heldout").glob("*.jsonl"))
    report = _understood(files, lambda p: resolve_scenario(p.stem))
    meant, none = _sizes(report)
    assert meant > 1500 and none > 400
    assert report.recall >= HELDOUT_RECALL_FLOOR
    assert report.false_accept_rate <= FALSE_ACCEPT_CEILING


#: Measured on the four scenarios nobody tuned (tests/untuned): recall 0.735, false accepts
#: 0.018 (2 of 110). The target is 0.85.
UNTUNED_RECALL_FLOOR = 0.725
UNTUNED_FALSE_ACCEPT_CEILING = 0.03


#: Measured on the three study scenarios (tests/untuned/study, written by a trainer new to
#: callsim, replies by another writer): recall 0.844, false accepts 0.028 (3 of 108).
STUDY_RECALL_FLOOR = 0.835
STUDY_FALSE_ACCEPT_CEILING = 0.03


@pytest.mark.parametrize(
    ("folder", "least_meant", "floor", "ceiling"),
    [
        ("untuned", 600, UNTUNED_RECALL_FLOOR, UNTUNED_FALSE_ACCEPT_CEILING),
        ("untuned/study", 700, STUDY_RECALL_FLOOR, STUDY_FALSE_ACCEPT_CEILING),
    ],
)
def test_scenarios_written_by_others_are_understood_at_least_as_well_as_measured(
    folder, least_meant, floor, ceiling
):
    # four never read while tuning, and three read to study what goes wrong on others' work
    where = ROOT / "tests" / folder
    files = sorted((where / "phrasings").glob("*.jsonl"))
    report = _understood(files, lambda p: where / "scenarios" / f"{p.stem}.yaml")
    meant, none = _sizes(report)
    assert meant > least_meant and none > 100
    assert report.recall >= floor
    assert report.false_accept_rate <= ceiling


def test_phrasing_sets_are_well_formed():
    for path in sorted((ROOT / "tests" / "phrasings").rglob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            obj = json.loads(line)
            assert {"stage", "text", "expected_intent"} <= set(obj), f"{path}:{n}"
