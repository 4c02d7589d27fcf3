"""The trainee's view of a call beside the grade, and how well the two agree over time.

After the wrap-up notes the trainee rates each rubric dimension poor, fair or good (the rubric's
own bands) and says in a line what they would do differently (sim/store_training.py keeps it).
Here a rating is set beside the band the grade gives the dimension: the same band is a match; a
better one is rating yourself higher than the grade, a worse one lower. Over many calls that
says whether a trainee sees their own calls as the rubric does, which is what reflection
practice is for. A mentor's override of a dimension counts instead of the auto-grade. Pure data:
no printing, no UI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from callsim.sim.store_training import RATINGS, SelfAssessment

if TYPE_CHECKING:
    from callsim.grading.grader import Grade
    from callsim.grading.rubric import Bands, Rubric
    from callsim.sim.store import ProgressPoint


def rubric_dimensions(rubric: Rubric | None = None) -> list[tuple[str, str]]:
    """(id, title) of each dimension the trainee rates: the rubric's, in its order."""
    if rubric is None:
        from callsim.grading.rubric import default_rubric

        rubric = default_rubric()
    return [(dim_id, dim.title) for dim_id, dim in rubric.dimensions.items()]


def band_of(score: float | None, bands: Bands | None = None) -> str | None:
    """The band a score falls in (None for a dimension the call did not bear on)."""
    if score is None:
        return None
    if bands is None:
        from callsim.grading.rubric import default_rubric

        bands = default_rubric().bands
    return "good" if score >= bands.good else "fair" if score >= bands.fair else "poor"


def verdict(rating: str | None, band: str | None) -> str | None:
    """ "matches", "higher" (the trainee rated it better than the grade) or "lower"; None when
    either side is missing."""
    if rating not in RATINGS or band not in RATINGS:
        return None
    diff = RATINGS.index(rating) - RATINGS.index(band)  # type: ignore[arg-type]
    return "matches" if diff == 0 else "higher" if diff > 0 else "lower"


@dataclass(frozen=True)
class Beside:
    """One dimension: the trainee's rating beside the grade's score and band."""

    dimension: str
    title: str
    rating: str | None
    score: float | None
    band: str | None

    @property
    def verdict(self) -> str | None:
        return verdict(self.rating, self.band)

    def words(self) -> str:
        """The comparison as the debrief says it."""
        v = self.verdict
        if self.rating is None:
            return "you did not rate it"
        if v is None:
            return f"you: {self.rating} (not graded in this call)"
        said = {
            "matches": "matches the grade",
            "higher": "you rated it higher than the grade",
            "lower": "you rated it lower than the grade",
        }[v]
        return f"you: {self.rating} ({said})"


def beside_grade(
    assessment: SelfAssessment | None,
    grade: Grade,
    overrides: Mapping[str, float] | None = None,
    bands: Bands | None = None,
) -> list[Beside]:
    """Each graded dimension with the trainee's rating beside it (a mentor's score wins)."""
    ratings = assessment.ratings if assessment is not None else {}
    overrides = overrides or {}
    out = []
    for dim in grade.dimensions:
        score = overrides.get(dim.id, dim.score)
        out.append(Beside(dim.id, dim.title, ratings.get(dim.id), score, band_of(score, bands)))
    return out


@dataclass(frozen=True)
class CallMatch:
    call_id: str
    started_at: str
    rated: int  # dimensions both rated and graded
    matched: int
    higher: tuple[str, ...] = ()  # dimensions rated above the grade
    lower: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.matched / self.rated if self.rated else 0.0


@dataclass(frozen=True)
class Calibration:
    """How a trainee's self-assessments matched the grade, call by call, oldest first."""

    calls: list[CallMatch] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return sum(c.rated for c in self.calls)

    @property
    def matched(self) -> int:
        return sum(c.matched for c in self.calls)

    @property
    def higher(self) -> Counter[str]:
        return Counter(d for c in self.calls for d in c.higher)

    @property
    def lower(self) -> Counter[str]:
        return Counter(d for c in self.calls for d in c.lower)

    def halves(self) -> tuple[float, float] | None:
        """The share matched over the earlier and the later half of the calls (2+ calls)."""
        if len(self.calls) < 2:
            return None
        mid = len(self.calls) // 2
        early, late = self.calls[:mid], self.calls[mid:]
        share = [
            sum(c.matched for c in part) / max(1, sum(c.rated for c in part))
            for part in (early, late)
        ]
        return share[0], share[1]


def calibration(
    points: Sequence[ProgressPoint],
    assessments: Mapping[str, SelfAssessment],
    bands: Bands | None = None,
) -> Calibration:
    """Match each assessed call's ratings against its per-dimension scores (a mentor's override
    already counts in `ProgressPoint.dimensions`)."""
    out = []
    for p in points:
        a = assessments.get(p.call_id)
        if a is None:
            continue
        results = [
            (dim, verdict(rating, band_of(p.dimensions.get(dim), bands)))
            for dim, rating in a.ratings.items()
        ]
        results = [(d, v) for d, v in results if v is not None]
        if not results:
            continue
        out.append(
            CallMatch(
                p.call_id,
                p.started_at,
                rated=len(results),
                matched=sum(v == "matches" for _, v in results),
                higher=tuple(d for d, v in results if v == "higher"),
                lower=tuple(d for d, v in results if v == "lower"),
            )
        )
    return Calibration(out)


def calibration_lines(cal: Calibration, titles: Mapping[str, str], chart: str) -> list[str]:
    """`callsim progress`'s section on self-assessment (`chart` draws the per-call shares)."""
    if not cal.calls:
        return [
            "Self-assessment: none yet (after a call's notes, rate each dimension poor, fair "
            "or good before the debrief)."
        ]
    n = len(cal.calls)
    out = [
        f"Self-assessment: {n} call{'s' if n != 1 else ''} rated; your ratings matched the "
        f"grade on {cal.matched} of {cal.rated} dimensions ({cal.matched / cal.rated:.0%})"
    ]
    out.append(f"  matched per call (0-100%)  {chart}")
    halves = cal.halves()
    if halves is not None:
        early, late = halves
        out.append(f"  earlier calls {early:.0%} -> later calls {late:.0%}")
    high, low = sum(cal.higher.values()), sum(cal.lower.values())
    out.append(f"  rated higher than the grade {high} time{'s' * (high != 1)}, lower {low}")
    if cal.higher:
        dim, times = cal.higher.most_common(1)[0]
        out.append(f"  most often rated too high: {titles.get(dim, dim)} ({times}x)")
    if cal.lower:
        dim, times = cal.lower.most_common(1)[0]
        out.append(f"  most often rated too low: {titles.get(dim, dim)} ({times}x)")
    return out


# -- line mode ---------------------------------------------------------------------------------

_ANSWERS = {"p": "poor", "f": "fair", "g": "good", "poor": "poor", "fair": "fair", "good": "good"}


def ask(
    read: Callable[[str], str],
    write: Callable[[str], None],
    dimensions: Sequence[tuple[str, str]] | None = None,
) -> SelfAssessment | None:
    """Line mode's self-assessment: a rating per dimension, then one line; every answer can be
    left out (Enter), `s` skips the rest, end of input stops asking. None when nothing given."""
    from callsim.sim.store_training import DIFFERENTLY_MAX

    write(
        "\nAssess yourself before the debrief: rate each part of the call p (poor), f (fair) "
        "or g (good). Enter leaves one out; s skips the rest."
    )
    ratings: dict[str, str] = {}
    for dim, title in dimensions if dimensions is not None else rubric_dimensions():
        while True:
            try:
                answer = read(f"{title}> ").strip().lower()
            except (EOFError, StopIteration):  # input ended (or a reader of lines ran out)
                return SelfAssessment(ratings) if ratings else None
            if answer in ("s", "skip"):
                return SelfAssessment(ratings) if ratings else None
            if not answer or answer in _ANSWERS:
                break
            write("  p, f or g (Enter leaves it out, s skips the rest)")
        if answer:
            ratings[dim] = _ANSWERS[answer]
    while True:
        try:
            line = read("What would you do differently next time? (one line; Enter skips)> ")
        except (EOFError, StopIteration):
            line = ""
        if len(line) <= DIFFERENTLY_MAX:
            break
        write(f"  That is {len(line):,} characters; keep it to {DIFFERENTLY_MAX}.")
    found = SelfAssessment(ratings, line.strip())
    return None if found.empty else found


def beside_lines(beside: Sequence[Beside], differently: str = "") -> list[str]:
    """The trainee's view beside the grade as plain lines (line mode, after the debrief)."""
    rated = [b for b in beside if b.rating is not None]
    out = ["", "Your view beside the grade:"]
    verdicts = [b.verdict for b in rated if b.verdict is not None]
    if verdicts:
        out.append(
            f"  matched on {verdicts.count('matches')} of {len(verdicts)} dimensions "
            f"(higher on {verdicts.count('higher')}, lower on {verdicts.count('lower')})"
        )
    for b in rated:
        grade = f"{b.score:g} ({b.band})" if b.score is not None else "not graded"
        out.append(f"  {b.title}: grade {grade}; {b.words()}")
    if differently:
        out.append(f"  What you would do differently: {differently}")
    return out
