"""The mentor's review as the trainee sees it (debrief, "Your calls"): comments and overrides.

Reads the store through its plain methods; a missing store or a store error means "no review
to show", never a broken debrief. Every mentor's words are shown verbatim (tui.text.plain).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from textual.content import Content

from callsim.sim.store import Comment, DimensionScore, StoreError
from callsim.sim.store_api import AppStoreAPI
from callsim.tui.text import join, plain, styled


@dataclass
class MentorNotes:
    """What the store holds of a mentor's review of one call."""

    by_turn: dict[int | None, list[Comment]] = field(default_factory=lambda: defaultdict(list))
    overrides: list[DimensionScore] = field(default_factory=list)
    reviewed: bool = False

    def __bool__(self) -> bool:
        return bool(self.by_turn or self.overrides or self.reviewed)


def mentor_notes(store: AppStoreAPI | None, call_id: str) -> MentorNotes:
    notes = MentorNotes()
    if store is None:
        return notes
    try:
        for comment in store.comments(call_id):
            notes.by_turn[comment.turn].append(comment)
        notes.overrides = [d for d in store.dimension_scores(call_id) if d.override is not None]
        notes.reviewed = store.summary(call_id).reviewed
    except StoreError:
        return MentorNotes()
    return notes


def _by(author: str | None) -> str:
    return f"Mentor {author}" if author else "Mentor"


def comment_line(comment: Comment, indent: str = "    ") -> Content:
    return join(indent, styled(f"✎ {_by(comment.author)}: ", "bold $accent"), plain(comment.text))


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def review_section(notes: MentorNotes) -> list[Content | str]:
    """The debrief's "Mentor's review" block: overrides with reasons, comments on the call."""
    if not notes:
        return []
    parts: list[Content | str] = ["\n", styled("Mentor's review", "bold"), "\n"]
    if notes.reviewed:
        parts += ["Review done.\n"]
    for d in notes.overrides:
        title = d.title or d.dimension
        parts += [
            plain(title),
            f": {number(d.auto)} → {number(d.override)} (",
            plain(d.reason),
            ")",
            styled(f" — {_by(d.author)}", "dim"),
            "\n",
        ]
    for comment in notes.by_turn.get(None, ()):
        parts += [comment_line(comment, ""), "\n"]
    turned = sorted(t for t in notes.by_turn if t is not None)
    if turned:
        parts += [f"Comments on turn{'s' if len(turned) > 1 else ''} ", ", ".join(map(str, turned))]
        parts += [" (in the Transcript tab)\n"]
    return parts
