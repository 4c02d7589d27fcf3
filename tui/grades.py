"""Everything the debrief screen shows, gathered in one place.

The grade is a `grading.grader.Grade` (fresh from `CallSession.finish`, or decoded by the store
with `Grade.from_json`); the debrief only lays out what it says, citing turns with the grade's
own `Citation` type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callsim.engine.transcript import Transcript
from callsim.grading.adjusted import AdjustedGrade
from callsim.grading.grader import Citation, Grade, KPIs
from callsim.sim.session import outcome_words


@dataclass(frozen=True)
class DimensionView:
    name: str
    score: str
    anchor: str | None = None
    earned: tuple[Citation, ...] = ()
    lost: tuple[Citation, ...] = ()


@dataclass
class DebriefView:
    """The debrief's content: the grade when there is one, the call's facts always."""

    summary: list[tuple[str, str]]
    overall: str | None = None
    dimensions: list[DimensionView] = field(default_factory=list)
    flags: list[Citation] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)
    wrap_up: list[str] = field(default_factory=list)
    feedback: list[Citation] = field(default_factory=list)
    note: str | None = None
    grade: Grade | None = None
    corrections: list[str] = field(default_factory=list)  # who changed what, when, why
    cleared_flags: list[str] = field(default_factory=list)


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def call_summary(transcript: Transcript) -> list[tuple[str, str]]:
    outcome = outcome_words(transcript.outcome)
    return [
        ("Outcome", outcome),
        (
            "Handling time",
            f"{_clock(transcript.duration_seconds)} (target {_clock(transcript.target_seconds)})",
        ),
        ("Customer mood", f"{transcript.opening_mood:.1f} → {transcript.final_mood:.1f} /10"),
        ("Mode", transcript.mode),
        ("Hints used", str(transcript.hints_used)),
    ]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _num(value: float) -> str:
    return f"{value:g}"


def _kpis(k: KPIs) -> list[tuple[str, str]]:
    """The grade's KPIs in words (definitions in docs/rubric.md)."""
    out: list[tuple[str, str]] = []
    handling = _clock(k.handling_seconds)
    if k.target_seconds:
        verdict = "within target" if k.within_target else "over target"
        out.append(
            (
                "Handling time",
                f"{handling} of {_clock(k.target_seconds)} "
                f"({_pct(k.handling_vs_target)}, {verdict})",
            )
        )
    else:
        out.append(("Handling time", handling))
    fcr = "yes" if k.first_contact_resolution else "no"
    why = f"call ended: {outcome_words(k.outcome)}" if k.outcome else "call not ended"
    extra = "; escalation was required" if k.escalation_required else ""
    out.append(("First-contact resolution", f"{fcr} ({why}{extra})"))
    out.append(
        (
            "Satisfaction estimate",
            f"{k.satisfaction_estimate}/5 (mood {_num(k.opening_mood)} → {_num(k.final_mood)})",
        )
    )
    rpq = k.reflections_per_question
    out.append(
        (
            "Reflections per question",
            f"{'n/a' if rpq is None else _num(rpq)} "
            f"({k.reflections} reflections, {k.questions} questions)",
        )
    )
    out.append(
        (
            "Open questions",
            f"{_pct(k.open_question_share)} ({k.open_questions} of {k.questions})",
        )
    )
    if k.hints_used:
        out.append(("Hints used", str(k.hints_used)))
    return out


def debrief_view(transcript: Transcript, adjusted: AdjustedGrade | None) -> DebriefView:
    """Lay out a call and its grade for the debrief (no grade yet: the call's record only).

    `adjusted` is the grade with any mentor's corrections (sim.corrections.shown_grade): its
    total is the one stated first, with the correction right under it."""
    grade = adjusted.auto if adjusted is not None else None
    view = DebriefView(summary=call_summary(transcript), grade=grade)
    if adjusted is None or grade is None:
        return view
    view.overall = adjusted.headline()
    view.corrections = adjusted.correction_lines()
    if grade.warnings:
        view.note = "\n".join(grade.warnings)
    mentor = {o.dimension: o for o in adjusted.corrections.overrides}
    for dim in grade.dimensions:
        score = (
            "n/a (nothing in this call bore on it)"
            if dim.score is None
            else f"{dim.score} {dim.band or ''}"
        )
        if dim.id in mentor:
            score = f"{score.rstrip()} (auto) → mentor {mentor[dim.id].score:g}"
        view.dimensions.append(
            DimensionView(
                name=dim.title or dim.id,
                score=score,
                anchor=dim.anchor,
                earned=dim.earned,
                lost=dim.lost,
            )
        )
    view.flags = [f.citation for f in adjusted.flags]
    view.cleared_flags = [f"{f.message} (turn {f.turn})" for f in adjusted.cleared]
    view.kpis = _kpis(grade.kpis)
    wrap = grade.wrap_up
    if grade.scenario_checked and (wrap.required or wrap.not_revealed):
        if not wrap.written:
            view.wrap_up.append("No notes were written.")
        if wrap.required:
            view.wrap_up.append(
                f"Recorded {len(wrap.recorded)} of {len(wrap.required)} facts "
                "the notes must record."
            )
        for fid in wrap.missing:
            view.wrap_up.append("Missing: " + wrap.describe(fid))
        for fid in wrap.not_revealed:
            view.wrap_up.append(
                "Records what nobody said or showed in this call: " + wrap.describe(fid)
            )
    view.feedback = [f.citation for f in grade.feedback]
    return view
