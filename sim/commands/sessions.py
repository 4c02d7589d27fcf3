"""`callsim sessions`: the saved calls, newest first, filtered by trainee, scenario or date.

A page at a time (`PAGE` calls, `--page N` for the next ones, `--all` for every one), so a
store of a team's year of calls answers at once instead of printing 100,000 lines.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from callsim.sim.textsafe import json_text, terminal_safe

if TYPE_CHECKING:
    from callsim.grading.adjusted import AdjustedGrade
    from callsim.sim.store import DimensionScore

#: Calls listed at a time unless --limit or --all says otherwise.
PAGE = 50


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "sessions",
        help="list saved calls (newest first)",
        description="List saved calls: id, when, trainee, scenario, mode, outcome, total score "
        "and whether a mentor has reviewed it. Use the id (or its start) with show, export, "
        "resume.",
    )
    p.add_argument("--trainee", metavar="T", help="only this trainee's calls")
    p.add_argument("--scenario", metavar="S", help="only calls of this scenario id")
    p.add_argument(
        "--since",
        metavar="DATE",
        type=since_date,
        help="only calls started on or after DATE (YYYY-MM-DD or an ISO time; local time)",
    )
    p.add_argument(
        "--limit", metavar="N", type=positive, default=PAGE, help=f"list N calls (default {PAGE})"
    )
    p.add_argument("--page", metavar="P", type=positive, default=1, help="list page P (from 1)")
    p.add_argument("--all", action="store_true", help="list every matching call")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    add_db_argument(p)
    p.set_defaults(func=run)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return value


def since_date(text: str) -> str:
    """An ISO date or time as UTC ISO; a date or time without a zone is local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the mentor's local time
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def when(started_at: str) -> str:
    """A stored UTC time shown in local time, to the minute."""
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started_at[:16]


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import ID_PREFIX_SHOWN, StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    filters = {"trainee": args.trainee, "scenario": args.scenario, "since": args.since}
    limit = None if args.all else args.limit
    offset = 0 if args.all else (args.page - 1) * args.limit
    try:
        calls = store.list_calls(**filters, limit=limit, offset=offset)
        total = len(calls) if args.all else store.count_calls(**filters)
    except StoreError as exc:
        report(exc)
        return 1
    more = ""
    if not args.all and (offset > 0 or total > offset + len(calls)):
        shown = f"{offset + 1:,}-{offset + len(calls):,}" if calls else "none"
        more = f"calls {shown} of {total:,} shown, newest first"
        if total > offset + len(calls):
            more += f"; --page {args.page + 1} for the next {args.limit:,}, --all for every one"
    from callsim.sim.corrections import mentor_adjusted

    adjusted = mentor_adjusted(store, calls)
    if args.json:
        try:
            rows = [
                _with_dimensions(
                    _with_adjusted(c.as_json(), adjusted.get(c.id)), store.dimension_scores(c.id)
                )
                for c in calls
            ]
        except StoreError as exc:
            report(exc)
            return 1
        print(json_text(rows))
        if more:
            print(f"callsim sessions: {more}", file=sys.stderr)
        return 0
    if not calls:
        if total:
            print(f"No calls on page {args.page} ({total:,} match; --page 1 lists the first).")
        else:
            print(f"No saved calls match (store: {terminal_safe(str(store.path))}).")
        return 0
    from callsim.engine.models import outcome_words

    rows = [("ID", "WHEN", "TRAINEE", "SCENARIO", "MODE", "OUTCOME", "SCORE", "REVIEWED")]
    for c in calls:
        outcome = outcome_words(c.outcome, short=True, none="") if c.ended else "open"
        rows.append(
            (
                c.id[:ID_PREFIX_SHOWN],
                when(c.started_at),
                c.trainee or "-",
                c.scenario_id,
                c.mode + (", scripted" if c.source == "scripted" else ""),
                outcome,
                adjusted[c.id].short()
                if c.id in adjusted
                else ("-" if c.total_score is None else f"{c.total_score:g}"),
                "yes" if c.reviewed else "",
            )
        )
    rows = [tuple(terminal_safe(v, keep_newlines=False) for v in r) for r in rows]
    widths = [min(32, max(len(r[i]) for r in rows)) for i in range(len(rows[0]))]
    for r in rows:
        cells = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(r, widths, strict=True)]
        print("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip())
    if more:
        print(f"({more})")
    return 0


def _with_dimensions(row: dict, scores: list[DimensionScore]) -> dict:
    """A call's JSON with each rubric dimension's auto score and the mentor's, if any (an
    ungraded call has none)."""
    row["dimensions"] = [
        {
            "dimension": s.dimension,
            "title": s.title or s.dimension,
            "score": s.auto,
            "mentor_score": s.override,
        }
        for s in scores
    ]
    return row


def _with_adjusted(row: dict, adjusted: AdjustedGrade | None) -> dict:
    """A call's JSON with the score a mentor's corrections give it (null: none)."""
    row["mentor_adjusted_score"] = None if adjusted is None else adjusted.score
    return row
