"""A grade with a mentor's corrections applied: the one place the adjusted total is computed.

A mentor reviewing a call can override a dimension's score (with a reason) and clear a critical
flag the grader raised by mistake (with a reason). The trainee and the mentor should then see
the corrected total first, everywhere (debrief, `callsim show`, exports, lists of calls), with
the auto-grade beside it: "mentor-adjusted 68/100 (fair) (auto 40)". Every surface calls
`adjust`, so the arithmetic is the grader's own (weighted mean of the dimensions that bore on
the call, capped by the lowest cap of the flags still standing) and cannot drift between them.

Pure Python: no store, no UI. The store reads the corrections (`Corrections`); this module only
applies them to a `Grade`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callsim.grading.grader import Grade, RaisedFlag
from callsim.grading.rubric import Bands, default_rubric


@dataclass(frozen=True)
class DimensionOverride:
    """A mentor's score for one dimension and why the auto-grade was wrong."""

    dimension: str
    score: float
    reason: str
    author: str | None = None
    at: str | None = None  # UTC ISO time it was saved


@dataclass(frozen=True)
class ClearedFlag:
    """A critical flag a mentor judged raised by mistake: it no longer caps the total."""

    flag: str
    reason: str
    author: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Corrections:
    """Everything a mentor changed in one call's grade."""

    overrides: tuple[DimensionOverride, ...] = ()
    cleared_flags: tuple[ClearedFlag, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.overrides or self.cleared_flags)

    @property
    def authors(self) -> list[str]:
        """Who made the corrections, each once, in the order they are listed."""
        seen: list[str] = []
        for item in (*self.overrides, *self.cleared_flags):
            if item.author and item.author not in seen:
                seen.append(item.author)
        return seen

    @property
    def latest(self) -> str | None:
        """When the last correction was saved (UTC ISO), if the store recorded it."""
        times = [i.at for i in (*self.overrides, *self.cleared_flags) if i.at]
        return max(times) if times else None


@dataclass(frozen=True)
class Change:
    """One line of "what the mentor changed", in the rubric's own words."""

    what: str  # e.g. "Empathy 40 -> 75" or "cleared critical flag: blamed ... (capped at 60)"
    reason: str
    author: str | None
    at: str | None


@dataclass(frozen=True)
class AdjustedGrade:
    """The grade shown first: the auto-grade with the mentor's corrections applied."""

    auto: Grade
    corrections: Corrections
    score: int
    uncapped: int
    cap: int | None
    band: str
    flags: tuple[RaisedFlag, ...]  # the flags still standing
    cleared: tuple[RaisedFlag, ...] = ()
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def adjusted(self) -> bool:
        """A mentor changed something that bears on this grade."""
        return bool(self.changes)

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.cap < self.uncapped

    def headline(self) -> str:
        """The total as the debrief, `callsim show` and the exports state it first."""
        if self.adjusted:
            text = f"mentor-adjusted {self.score}/100 ({self.band}) (auto {self.auto.score})"
        else:
            text = f"{self.score}/100 ({self.band})"
        if self.capped:
            text += f", capped at {self.cap} by critical flags (would have been {self.uncapped})"
        return text

    def short(self) -> str:
        """The total in a list of calls: "68 (auto 40)", or "40" when nobody corrected it."""
        return f"{self.score} (auto {self.auto.score})" if self.adjusted else str(self.score)

    def correction_lines(self) -> list[str]:
        """Who changed what, when and why, then the total before and after (plain text)."""
        return correction_lines(self)

    def dimension_score(self, dim_id: str) -> float | None:
        """The score that counts for one dimension: the mentor's when there is one."""
        for o in self.corrections.overrides:
            if o.dimension == dim_id:
                return o.score
        try:
            return self.auto.dimension(dim_id).score
        except KeyError:
            return None


def _band(score: float, bands: Bands) -> str:
    if score >= bands.good:
        return "good"
    if score >= bands.fair:
        return "fair"
    return "poor"


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def rubric_bands(grade: Grade) -> Bands:
    """The band boundaries the grade was made with: the bundled rubric's when it is the one
    named, else the rubric format's defaults (a grade does not store its boundaries)."""
    rubric = default_rubric()
    return rubric.bands if grade.rubric_id == rubric.id else Bands()


def adjust(grade: Grade, corrections: Corrections, bands: Bands | None = None) -> AdjustedGrade:
    """Apply a mentor's overrides and cleared flags to a grade, the way the grader totals.

    An override of a dimension the grade does not have changes nothing (its weight is unknown);
    a cleared flag the grade did not raise changes nothing. With nothing that bears on the
    grade, the grade's own figures are kept exactly (an imported grade may round differently).
    """
    bands = bands or rubric_bands(grade)
    dims = {d.id: d for d in grade.dimensions}
    overrides = {o.dimension: o for o in corrections.overrides if o.dimension in dims}
    raised = {f.id for f in grade.flags}
    cleared_ids = {c.flag: c for c in corrections.cleared_flags if c.flag in raised}
    changes: list[Change] = []
    for d in grade.dimensions:
        o = overrides.get(d.id)
        if o is not None and o.score != d.score:
            what = f"{d.title or d.id} {_number(d.score)} -> {_number(o.score)}"
            changes.append(Change(what, o.reason, o.author, o.at))
    for f in grade.flags:
        c = cleared_ids.get(f.id)
        if c is not None:
            what = (
                f"cleared the critical flag '{f.message}' (turn {f.turn}; it capped the "
                f"total at {f.cap})"
            )
            changes.append(Change(what, c.reason, c.author, c.at))
    if not changes:
        return AdjustedGrade(
            grade, corrections, grade.score, grade.uncapped, grade.cap, grade.band, grade.flags
        )
    weight = 0.0
    total = 0.0
    for d in grade.dimensions:
        o = overrides.get(d.id)
        score = o.score if o is not None else d.score
        if score is None:
            continue
        weight += d.weight
        total += score * d.weight
    uncapped = round(total / weight) if weight else 0
    standing = tuple(f for f in grade.flags if f.id not in cleared_ids)
    cap = min((f.cap for f in standing), default=None)
    score = min(uncapped, cap) if cap is not None else uncapped
    return AdjustedGrade(
        auto=grade,
        corrections=corrections,
        score=score,
        uncapped=uncapped,
        cap=cap,
        band=_band(score, bands),
        flags=standing,
        cleared=tuple(f for f in grade.flags if f.id in cleared_ids),
        changes=tuple(changes),
    )


def when_text(at: str | None) -> str | None:
    """A stored UTC ISO time as "2026-12-03 14:02 UTC" (as stored when it does not parse)."""
    if not at:
        return None
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def who_when(author: str | None, at: str | None) -> str:
    """ "Mentor Ann Lee, 2026-12-03 14:02 UTC" (the parts the store recorded)."""
    parts = [f"Mentor {author}" if author else "Mentor"]
    stamp = when_text(at)
    if stamp:
        parts.append(stamp)
    return ", ".join(parts)


def correction_lines(adjusted: AdjustedGrade) -> list[str]:
    """The mentor's correction in plain words, for the top of a debrief or a saved call:
    who, when, what changed and their reason, then the total before and after."""
    if not adjusted.adjusted:
        return []
    out = []
    for change in adjusted.changes:
        out.append(f"{who_when(change.author, change.at)}: {change.what}. Reason: {change.reason}")
    out.append(f"Grade {adjusted.auto.score} -> {adjusted.score} with these corrections.")
    return out
