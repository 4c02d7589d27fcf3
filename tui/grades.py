"""Everything the debrief screen shows, gathered in one place.

The grade comes from `grading.grader.grade_transcript`; the debrief only lays out what it says.
When grading is not available in this install, the debrief shows what the transcript itself
records (outcome, handling time, mood) and says the grade is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from callsim.engine.loader import LoadedScenario
from callsim.engine.transcript import Transcript


@dataclass(frozen=True)
class Citation:
    """Turns that earned or lost points, why, and the words quoted."""

    turns: tuple[int, ...]
    points: str
    why: str
    quote: str | None = None
    quote_by: str | None = None
    try_: str | None = None


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
    grade: Any = None


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def call_summary(transcript: Transcript) -> list[tuple[str, str]]:
    outcome = transcript.outcome.value.replace("_", " ") if transcript.outcome else "open"
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


#: grade_transcript's shape: (transcript, loaded scenario) -> a Grade with .to_json().
Grader = Callable[[Transcript, LoadedScenario], Any]


def default_grader() -> Grader | None:
    try:
        from callsim.grading.grader import grade_transcript
    except ImportError:
        return None
    return grade_transcript


def debrief_for(
    transcript: Transcript, loaded: LoadedScenario, grader: Grader | None = None
) -> DebriefView:
    """Grade the call (slow: run it off the UI thread) and lay out the result."""
    view = DebriefView(summary=call_summary(transcript))
    grader = grader or default_grader()
    if grader is None:
        view.note = "Grading is not available in this install; showing the call's record only."
        return view
    grade = grader(transcript, loaded)
    view.grade = grade
    fill_from_grade(view, grade.to_json())
    return view


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _turns(item: dict[str, Any]) -> tuple[int, ...]:
    turns = item.get("turns") or ([item["turn"]] if isinstance(item.get("turn"), int) else [])
    return tuple(t for t in turns if isinstance(t, int))


def _points(value: Any) -> str:
    return f"{value:+g}" if isinstance(value, (int, float)) else ""


def _citation(item: dict[str, Any], why_key: str = "why") -> Citation:
    return Citation(
        turns=_turns(item),
        points=_points(item.get("points")),
        why=_text(item.get(why_key)),
        quote=item.get("quote"),
        quote_by=item.get("quote_by"),
        try_=item.get("try"),
    )


def _pct(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, (int, float)) else "n/a"


def _kpis(k: dict[str, Any]) -> list[tuple[str, str]]:
    """The grade's KPIs in words (definitions in docs/rubric.md)."""
    out: list[tuple[str, str]] = []
    handling = _clock(k.get("handling_seconds") or 0)
    if k.get("target_seconds"):
        verdict = "within target" if k.get("within_target") else "over target"
        out.append(
            (
                "Handling time",
                f"{handling} of {_clock(k['target_seconds'])} "
                f"({_pct(k.get('handling_vs_target'))}, {verdict})",
            )
        )
    else:
        out.append(("Handling time", handling))
    fcr = "yes" if k.get("first_contact_resolution") else "no"
    outcome = _text(k.get("outcome") or "open").replace("_", " ")
    extra = "; escalation was required" if k.get("escalation_required") else ""
    out.append(("First-contact resolution", f"{fcr} (call ended {outcome}{extra})"))
    out.append(
        (
            "Satisfaction estimate",
            f"{k.get('satisfaction_estimate')}/5 (mood {k.get('opening_mood')} → "
            f"{k.get('final_mood')})",
        )
    )
    rpq = k.get("reflections_per_question")
    out.append(
        (
            "Reflections per question",
            f"{rpq if rpq is not None else 'n/a'} "
            f"({k.get('reflections', 0)} reflections, {k.get('questions', 0)} questions)",
        )
    )
    out.append(
        (
            "Open questions",
            f"{_pct(k.get('open_question_share'))} "
            f"({k.get('open_questions', 0)} of {k.get('questions', 0)})",
        )
    )
    if k.get("hints_used"):
        out.append(("Hints used", str(k["hints_used"])))
    return out


def fill_from_grade(view: DebriefView, data: dict[str, Any]) -> None:
    """Lay out `Grade.to_json()` (grading/grader.py) for the debrief."""
    overall = f"{data.get('score')}/100 ({_text(data.get('band'))})"
    cap, uncapped = data.get("cap"), data.get("uncapped")
    if cap is not None and isinstance(uncapped, int) and cap < uncapped:
        overall += f", capped at {cap} by critical flags (would have been {uncapped})"
    view.overall = overall
    warnings = [_text(w) for w in data.get("warnings", ())]
    if warnings:
        view.note = "\n".join(warnings)
    for dim in data.get("dimensions", ()):
        score = dim.get("score")
        view.dimensions.append(
            DimensionView(
                name=_text(dim.get("title") or dim.get("id")),
                score="n/a (nothing in this call bore on it)"
                if score is None
                else f"{score} {_text(dim.get('band'))}",
                anchor=dim.get("anchor"),
                earned=tuple(_citation(c) for c in dim.get("earned", ())),
                lost=tuple(_citation(c) for c in dim.get("lost", ())),
            )
        )
    view.flags = [_citation(f, "message") for f in data.get("flags", ())]
    kpis = data.get("kpis")
    if isinstance(kpis, dict):
        view.kpis = _kpis(kpis)
    wrap = data.get("wrap_up") or {}
    if data.get("scenario_checked", True) and (wrap.get("required") or wrap.get("not_revealed")):
        if not wrap.get("written"):
            view.wrap_up.append("No notes were written.")
        if wrap.get("required"):
            view.wrap_up.append(
                f"Recorded {len(wrap.get('recorded', []))} of {len(wrap['required'])} facts "
                "the notes must record."
            )
        if wrap.get("missing"):
            view.wrap_up.append("Missing: " + ", ".join(map(_text, wrap["missing"])))
        if wrap.get("not_revealed"):
            view.wrap_up.append(
                "Records what was never said: " + ", ".join(map(_text, wrap["not_revealed"]))
            )
    view.feedback = [
        Citation(turns=_turns(f), points="", why=_text(f.get("text")), quote=f.get("quote"))
        for f in data.get("feedback", ())
    ]
