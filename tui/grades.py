"""Everything the debrief screen shows, gathered in one place.

The grade comes from `grading.grader.grade_transcript`; the debrief only lays out what it says.
When grading is not available in this install, the debrief shows what the transcript itself
records (outcome, handling time, mood) and says the grade is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.loader import LoadedScenario
from engine.transcript import Transcript


@dataclass(frozen=True)
class Citation:
    turn: int | None
    text: str


@dataclass(frozen=True)
class DimensionView:
    name: str
    score: str
    earned: tuple[Citation, ...] = ()
    lost: tuple[Citation, ...] = ()


@dataclass
class DebriefView:
    """The debrief's content: the grade when there is one, the call's facts always."""

    summary: list[tuple[str, str]]
    overall: str | None = None
    dimensions: list[DimensionView] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
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
        from grading.grader import grade_transcript
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


def _citations(items: Any) -> tuple[Citation, ...]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            turn = item.get("turn", item.get("index"))
            out.append(
                Citation(
                    turn if isinstance(turn, int) else None,
                    _text(item.get("why") or item.get("reason") or item.get("text")),
                )
            )
        else:
            out.append(Citation(None, _text(item)))
    return tuple(out)


def fill_from_grade(view: DebriefView, data: dict[str, Any]) -> None:
    """Map the grade's JSON onto the debrief."""
    score = data.get("score", data.get("overall"))
    if score is not None:
        view.overall = f"{score}"
    for dim in data.get("dimensions", ()):
        view.dimensions.append(
            DimensionView(
                name=_text(dim.get("title") or dim.get("name") or dim.get("id")),
                score=_text(dim.get("score")),
                earned=_citations(dim.get("earned")),
                lost=_citations(dim.get("lost")),
            )
        )
    view.flags = [
        _text(f.get("message") if isinstance(f, dict) else f) for f in data.get("flags", ())
    ]
    kpis = data.get("kpis", {})
    if isinstance(kpis, dict):
        view.kpis = [(k.replace("_", " "), _text(v)) for k, v in kpis.items()]
    view.feedback = [
        _text(f.get("text") if isinstance(f, dict) else f) for f in data.get("feedback", ())
    ]
