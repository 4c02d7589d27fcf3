"""A mentor's corrections applied to a grade the grader's way (grading/adjusted.py): the
weighted mean with the mentor's scores, capped only by the flags still standing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callsim.grading.adjusted import ClearedFlag, Corrections, DimensionOverride, adjust
from callsim.grading.grader import DimensionGrade as Dim
from callsim.grading.grader import Grade, RaisedFlag, grade_transcript


def flag(fid: str, cap: int, turn: int = 3) -> RaisedFlag:
    return RaisedFlag(fid, f"the {fid} flag", cap, turn, None, None, "try otherwise")


@pytest.fixture
def grade() -> Grade:
    """Weights 1, 1 and 2 with scores 40, 60, 70 (mean 60); one dimension n/a; two flags."""
    from callsim.engine.transcript import Transcript

    real = grade_transcript(
        Transcript(
            call_id="c" * 12,
            scenario_id="s",
            scenario_version="1",
            mode="practice",
            started_at="2026-12-03T14:00:00+00:00",
        )
    )
    dims = (
        Dim("calm_tone", "Calm and professional tone", 1, 40, "poor", None),
        Dim("empathy", "Empathy", 1, 60, "fair", None),
        Dim("problem_solving", "Problem solving", 2, 70, "fair", None),
        Dim("escalation", "Escalation", 1, None, None, None),
    )
    return replace(
        real,
        score=40,
        uncapped=60,
        cap=40,
        band="poor",
        dimensions=dims,
        flags=(flag("blamed_customer", 60), flag("customer_hung_up", 40)),
    )


def test_no_corrections_keep_the_grade_as_graded(grade):
    adjusted = adjust(grade, Corrections())
    assert (adjusted.score, adjusted.adjusted) == (40, False)
    assert (
        adjusted.headline() == "40/100 (poor), capped at 40 by critical flags (would have been 60)"
    )
    assert adjusted.short() == "40"


def test_an_override_reweighs_the_total_and_the_lowest_standing_cap_still_holds(grade):
    # empathy 60 -> 100: (40 + 100 + 2*70) / 4 = 70, still capped at 40 by the hang-up
    c = Corrections(
        (DimensionOverride("empathy", 100, "named the impact", "Mo", "2026-12-03T14:02:09+00:00"),)
    )
    adjusted = adjust(grade, c)
    assert (adjusted.uncapped, adjusted.cap, adjusted.score) == (70, 40, 40)
    assert adjusted.headline().startswith("mentor-adjusted 40/100 (poor) (auto 40), capped at 40")
    [line, total] = adjusted.correction_lines()
    assert line == ("Mentor Mo, 2026-12-03 14:02 UTC: Empathy 60 -> 100. Reason: named the impact")
    assert total == "Grade 40 -> 40 with these corrections."


def test_clearing_flags_lifts_their_caps_one_by_one(grade):
    one = Corrections(cleared_flags=(ClearedFlag("customer_hung_up", "the line dropped", "Mo"),))
    adjusted = adjust(grade, one)
    assert (adjusted.cap, adjusted.score, adjusted.band) == (60, 60, "fair")
    assert [f.id for f in adjusted.flags] == ["blamed_customer"]
    both = Corrections(
        cleared_flags=(
            ClearedFlag("customer_hung_up", "the line dropped"),
            ClearedFlag("blamed_customer", "'not your fault' is reassurance"),
        )
    )
    adjusted = adjust(grade, both)
    assert (adjusted.cap, adjusted.score) == (None, 60)
    assert adjusted.headline() == "mentor-adjusted 60/100 (fair) (auto 40)"
    assert adjusted.short() == "60 (auto 40)"


def test_a_dimension_the_call_did_not_bear_on_counts_once_a_mentor_scores_it(grade):
    c = Corrections(
        (DimensionOverride("escalation", 100, "handed over well"),),
        (ClearedFlag("customer_hung_up", "x"), ClearedFlag("blamed_customer", "y")),
    )
    assert adjust(grade, c).score == 68  # (40 + 60 + 2 * 70 + 100) / 5


def test_corrections_that_bear_on_nothing_change_nothing(grade):
    c = Corrections(
        (DimensionOverride("empathy", 60, "agree"), DimensionOverride("no_such", 5, "?")),
        (ClearedFlag("never_raised", "?"),),
    )
    adjusted = adjust(grade, c)
    assert not adjusted.adjusted and adjusted.score == 40 and adjusted.correction_lines() == []
