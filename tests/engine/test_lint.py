"""Lint: warnings a trainer sees for a scenario that loads but would play badly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callsim.engine.lint import MAX_LINE_CHARS
from callsim.engine.loader import load_scenario
from callsim.sim.scenario_paths import bundled_scenarios

BASE = """\
format: 1
id: lint-me
title: Lint me
category: billing
difficulty: 2
version: "1"
target_seconds: 300
briefing: A customer was charged twice.
goal: Refund the second charge.
customer:
  name: Sam
  persona: Calm but firm.
  mood: 5
facts:
  paid_twice:
    summary: paid twice on the 3rd
    says: It came out twice on the 3rd.
    asked_by:
      - When were you charged?
start: opening
stages:
  opening:
    customer: I was charged twice this month.
    responses:
      - intent: refund
        to: done
      - intent: sympathise
    fallback:
      say: Sorry, what?
      mood: 1
  done:
    ending: resolved
    customer: Thanks, bye.
intents:
  refund:
    examples:
      - I will refund the second charge today
      - the duplicate payment is going back to your card
      - I've put the money back through for you
      - you'll get that extra payment returned
      - reimbursing the double charge now
      - I'm crediting what we took twice
  sympathise:
    examples:
      - I'm so sorry about that, it must be really stressful
      - what a worry for you
      - that's awful when money's tight
      - I can imagine how upsetting that was
      - no wonder you're fed up
      - that must have been a nasty shock
"""

POSITION = re.compile(r"^lint-me\.yaml:(\d+):(\d+): warning: ")


def warnings(text: str) -> list[str]:
    loaded = load_scenario("lint-me.yaml", text)
    return [str(w) for w in loaded.warnings]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln]
    return hits[nth - 1]


def test_a_clean_scenario_has_no_warnings():
    assert warnings(BASE) == []


def test_an_intent_with_few_examples_is_warned_about():
    text = BASE.replace("      - what a worry for you\n", "").replace(
        "      - no wonder you're fed up\n", ""
    )
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, '  sympathise:') + 1}:5: warning: ")
    assert "intent 'sympathise' has 4 example(s): give it at least 6" in w


def test_near_copies_of_an_example_are_pointed_at():
    text = BASE.replace(
        "      - what a worry for you\n",
        "      - what a worry for you\n      - what a worry for you!\n",
    )
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, 'what a worry for you!')}:9: warning: ")
    assert "near copy of examples[1]" in w


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.name)
def test_bundled_scenarios_have_no_warnings(path: Path):
    assert [str(w) for w in load_scenario(path).warnings] == []


def test_the_same_intent_twice_in_a_stage_is_pointed_at_the_second():
    text = BASE.replace(
        "      - intent: sympathise\n",
        "      - intent: sympathise\n      - intent: refund\n        to: opening\n",
    )
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, 'intent: refund', 2)}:17: warning: ")
    assert "intent 'refund' is listed twice in stage 'opening'" in w
    assert "never used" in w


def test_intents_the_matcher_confuses_are_named_with_the_example():
    text = BASE.replace(
        "      - I'm so sorry about that, it must be really stressful\n",
        "      - I'm so sorry about that, it must be really stressful\n"
        "      - I will refund the second charge today\n",
    )
    (w,) = warnings(text)
    assert POSITION.match(w)
    assert "intents 'sympathise' and 'refund' are confused at stage 'opening'" in w or (
        "intents 'refund' and 'sympathise' are confused at stage 'opening'" in w
    )
    assert "I will refund the second charge today" in w


def test_an_example_vetoed_by_its_own_not_example_is_reported():
    text = BASE.replace(
        "      - I'm crediting what we took twice\n",
        "      - I'm crediting what we took twice\n"
        "    not:\n      - I will refund the second charge today\n",
    )
    (w,) = warnings(text)
    assert "vetoed by its own 'not' example" in w


def test_a_stage_with_no_fallback_is_warned_about_at_its_key():
    text = BASE.replace("    fallback:\n      say: Sorry, what?\n      mood: 1\n", "")
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, '  opening:')}:3: warning: ")
    assert "stage 'opening' has no fallback" in w


def test_one_line_for_a_customer_arriving_calm_or_angry_needs_variants():
    text = (
        BASE.replace(
            "      - intent: sympathise\n",
            "      - intent: sympathise\n        to: middle\n        mood: -1.5\n",
        )
        .replace(
            "    fallback:\n      say: Sorry, what?\n      mood: 1\n",
            "    fallback:\n      say: Sorry, what?\n      mood: 2\n      to: middle\n",
        )
        .replace(
            "  done:\n",
            "  middle:\n    customer: Right, so what now?\n    responses:\n"
            "      - intent: refund\n        to: done\n    fallback:\n      say: Well?\n"
            "  done:\n",
        )
    )
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, 'Right, so what now?')}:15: warning: ")
    assert "stage 'middle' is reached at clearly different moods" in w
    assert "-1.5 by sympathise at 'opening'" in w and "+2 by fallback at 'opening'" in w
    varied = text.replace(
        "    customer: Right, so what now?\n",
        "    customer:\n      - say: Right, so what now?\n        max_mood: 5\n"
        "      - say: WELL? What now?\n",
    )
    assert warnings(varied) == []


def test_a_stage_entered_at_similar_moods_needs_no_variants():
    text = BASE.replace("        to: done\n", "        to: done\n        mood: -1\n")
    assert warnings(text) == []


def test_an_intent_no_stage_lists_is_unused():
    spare = [
        "something else entirely",
        "a different matter",
        "not this at all",
        "elsewhere",
        "unrelated business",
        "the other thing",
    ]
    text = BASE + "  spare:\n    examples:\n" + "".join(f"      - {e}\n" for e in spare)
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, '  spare:')}:3: warning: ")
    assert "intent 'spare' is not listed in any stage's responses" in w


def test_a_fact_no_question_can_bring_out_is_unused():
    text = BASE.replace("      - When were you charged?\n", "      - The date, please.\n")
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, '  paid_twice:')}:3: warning: ")
    assert "fact 'paid_twice' can never come out" in w
    revealed = text.replace(
        "start: opening\n",
        "actions:\n  check:\n    label: Check\n    result: Two payments.\n"
        "    reveals: [paid_twice]\nstart: opening\n",
    )
    assert warnings(revealed) == []


def test_an_over_long_customer_line_is_warned_about():
    long = "word " * (MAX_LINE_CHARS // 5 + 5)
    text = BASE.replace("customer: Thanks, bye.", f"customer: {long.strip()}")
    (w,) = warnings(text)
    assert w.startswith(f"lint-me.yaml:{line_of(text, 'word word')}:15: warning: ")
    assert f"over {MAX_LINE_CHARS}" in w


def test_warnings_do_not_stop_a_scenario_loading_and_validate_prints_them(tmp_path, capsys):
    from callsim.sim.cli import main

    path = tmp_path / "lint-me.yaml"
    path.write_text(BASE.replace("    fallback:\n      say: Sorry, what?\n      mood: 1\n", ""))
    code = main(["validate", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: warning: stage 'opening'", out[0])
    assert out[-1] == "1 file checked: 0 errors, 1 warning"
