"""A grade as plain text for the terminal debrief and `callsim grade`.

Plain text only: the caller makes it terminal-safe (quotes are the trainee's and the customer's
own words, so they may hold anything). Every line that gives or takes points names its turn.
"""

from __future__ import annotations

from callsim.engine.models import outcome_words
from callsim.engine.transcript import Transcript
from callsim.grading.adjusted import Corrections, adjust, correction_lines
from callsim.grading.grader import Citation, Grade, KPIs

_WIDTH = 30


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}m {s % 60:02d}s"


def _citation(c: Citation, sign: str) -> str:
    turns = ", ".join(str(t) for t in c.turns) if len(c.turns) > 1 else str(c.turn)
    label = "turns" if len(c.turns) > 1 else "turn"
    points = f"{c.points:+g}"
    line = f"    {sign} {label} {turns} ({points}): {c.why}"
    if c.quote:
        who = {"trainee": "you", "customer": "customer", "notes": "notes", "action": "action"}
        line += f'\n        {who.get(c.quote_by or "", "")}: "{c.quote}"'
    return line


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _ratio(value: float | None, none: str) -> str:
    return none if value is None else f"{value:.2f}"


def _kpi_lines(k: KPIs) -> list[str]:
    lines = []
    if k.target_seconds:
        pct = f"{k.handling_vs_target:.0%}" if k.handling_vs_target is not None else "n/a"
        verdict = "within target" if k.within_target else "over target"
        lines.append(
            f"  {'Handling time':<{_WIDTH}}{_duration(k.handling_seconds)} against a target of "
            f"{_duration(k.target_seconds)} ({pct}, {verdict})"
        )
    else:
        lines.append(f"  {'Handling time':<{_WIDTH}}{_duration(k.handling_seconds)} (no target)")
    fcr = "yes" if k.first_contact_resolution else "no"
    why = f"call ended: {outcome_words(k.outcome)}" if k.outcome else "call not ended"
    if k.escalation_required:
        why += "; escalation was required"
    lines.append(f"  {'First-contact resolution':<{_WIDTH}}{fcr} ({why})")
    lines.append(
        f"  {'Satisfaction estimate':<{_WIDTH}}{k.satisfaction_estimate}/5 "
        f"(customer's mood {k.opening_mood:.1f} -> {k.final_mood:.1f} out of 10)"
    )
    lines.append(
        f"  {'Reflections per question':<{_WIDTH}}"
        f"{_ratio(k.reflections_per_question, 'n/a (no questions)')} "
        f"({_n(k.reflections, 'reflection')}, {_n(k.questions, 'question')})"
    )
    share = (
        "n/a (no questions)" if k.open_question_share is None else f"{k.open_question_share:.0%}"
    )
    lines.append(
        f"  {'Open questions':<{_WIDTH}}{share} "
        f"({k.open_questions} of {_n(k.questions, 'question')})"
    )
    if k.hints_used:
        lines.append(f"  {'Hints used':<{_WIDTH}}{k.hints_used}")
    return lines


def format_report(
    grade: Grade, transcript: Transcript | None = None, corrections: Corrections | None = None
) -> str:
    """The debrief: total, dimensions with the turns behind them, flags, KPIs, notes, tips.

    With a mentor's `corrections`, the mentor-adjusted total comes first and the correction
    (who, when, what changed, why) right under it; a cleared flag is no longer listed.
    """
    out: list[str] = []
    title = transcript.scenario_title if transcript is not None else ""
    adjusted = adjust(grade, corrections or Corrections())
    out.append(f"Grade: {adjusted.headline()}")
    lines = correction_lines(adjusted)
    if lines:
        out.append("Mentor's correction:")
        out += [f"  {line}" for line in lines]
    out.append(
        f"Scenario: {title or grade.scenario_id}   Rubric: {grade.rubric_title} ({grade.rubric_id})"
    )
    for w in grade.warnings:
        out.append(f"Note: {w}")

    if adjusted.flags:
        out.append("")
        out.append("Critical flags")
        for f in adjusted.flags:
            out.append(f"  ! turn {f.turn}: {f.message} (caps the total at {f.cap})")
            if f.quote:
                who = "you" if f.quote_by == "trainee" else (f.quote_by or "")
                out.append(f'      {who}: "{f.quote}"')

    overrides = {o.dimension: o for o in adjusted.corrections.overrides}
    out.append("")
    out.append("Dimensions")
    for d in grade.dimensions:
        if d.score is None:
            out.append(f"  {d.title:<{_WIDTH}} n/a  (nothing in this call bore on it)")
            continue
        out.append(f"  {d.title:<{_WIDTH}}{d.score:>4}  {d.band}  (weight {d.weight:g})")
        mentor = overrides.get(d.id)
        if mentor is not None:
            out.append(f"      mentor: {mentor.score:g} ({mentor.reason})")
        if d.anchor:
            out.append(f"      {d.anchor}")
        for c in d.earned:
            out.append(_citation(c, "+"))
        for c in d.lost:
            out.append(_citation(c, "-"))

    out.append("")
    out.append("KPIs")
    out.extend(_kpi_lines(grade.kpis))

    w = grade.wrap_up
    if grade.scenario_checked and (w.required or w.not_revealed):
        out.append("")
        out.append("Wrap-up notes")
        if not w.written:
            out.append("  no notes were written")
        if w.required:
            out.append(
                f"  recorded {len(w.recorded)} of {_n(len(w.required), 'fact')} the customer "
                "gave that the notes must record"
            )
        for fid in w.missing:
            out.append(f"  missing: {w.describe(fid)}")
        for fid in w.not_revealed:
            out.append(
                f"  warning: records what nobody said or showed in this call: {w.describe(fid)}"
            )

    if grade.feedback:
        out.append("")
        out.append("What to try next time")
        for i, f in enumerate(grade.feedback, 1):
            out.append(f"  {i}. {f.text}")
    return "\n".join(out)
