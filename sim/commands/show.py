"""`callsim show ID`: one saved call: the transcript with its tags, and the grade."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from callsim.sim.textsafe import terminal_safe

if TYPE_CHECKING:
    from callsim.engine.transcript import Transcript
    from callsim.grading.adjusted import Corrections
    from callsim.grading.grader import Grade
    from callsim.sim.store import Comment, DimensionScore


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "show",
        help="show a saved call: transcript with tags, and the grade",
        description="Show a saved call. ID may be the start of an id, as long as only one "
        "call's id starts with it.",
    )
    p.add_argument("id", metavar="ID", help="the call's id (or the start of it)")
    add_db_argument(p)
    p.set_defaults(func=run)


def render(
    transcript: Transcript,
    grade: Grade | None,
    overrides: Iterable[DimensionScore] | Corrections = (),
    comments: Sequence[Comment] = (),
) -> list[str]:
    """The call as plain-terminal lines (every text made inert by terminal_safe)."""
    from callsim.sim.export import (
        SPEAKERS,
        _comments_by_turn,
        clock,
        grade_view,
        header_facts,
        number,
        turn_details,
        turn_text,
    )

    t = transcript
    out = [f"{k + ':':<15}{v}" for k, v in header_facts(t)]
    out.append("")
    notes = _comments_by_turn(comments)
    for turn in t.turns:
        who = SPEAKERS.get(turn.speaker, turn.speaker)
        out.append(f"[{clock(turn.at)}] #{turn.index} {who}: {turn_text(turn)}")
        details = turn_details(turn)
        if details:
            out.append("          (" + "; ".join(details) + ")")
        for c in notes.get(turn.index, ()):
            out.append(f"          mentor{f' {c.author}' if c.author else ''}: {c.text}")
    out += ["", "Wrap-up notes:", t.wrap_up if t.wrap_up else "  (none)"]
    for c in notes.get(None, ()):
        out.append(f"Mentor{f' {c.author}' if c.author else ''}: {c.text}")
    out.append("")
    view = grade_view(grade, overrides)
    if view is None:
        out.append("Not graded.")
        return [terminal_safe(line) for line in out]
    out.append(f"Grade: {view.headline}")
    if view.corrections:
        out.append("Mentor's correction:")
        out += [f"  {line}" for line in view.corrections]
    out += [f"  Note: {n}" for n in view.notes]  # e.g. as graded on the other machine
    width = max((len(s.title) for s in view.scores), default=10)
    for s in view.scores:
        line = f"  {s.title:<{width}}  {number(s.auto):>5}"
        if s.override is not None:
            line += f"  mentor: {number(s.override)} ({s.reason})"
        out.append(line)
    for title, items in (("Critical flags", view.flags), ("Feedback", view.feedback)):
        if items:
            out.append(f"{title}:")
            out += [f"  - {i}" for i in items]
    if view.kpis:
        out.append("Indicators:")
        out += [f"  {k}: {v}" for k, v in view.kpis]
    return [terminal_safe(line) for line in out]


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    try:
        call_id = store.resolve_id(args.id)
        lines = render(
            store.transcript(call_id),
            store.grade(call_id),
            store.corrections(call_id),
            store.comments(call_id),
        )
        from callsim.sim.commands.peer import peer_section

        lines += peer_section(store, call_id)  # colleagues' comments, apart from the mentor's
    except StoreError as exc:
        report(exc)
        return 1
    print("\n".join(lines))
    return 0
