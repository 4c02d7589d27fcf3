"""`callsim sessions`: the saved calls, newest first, filtered by trainee, scenario or date."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from callsim.sim.textsafe import json_text, terminal_safe


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
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    add_db_argument(p)
    p.set_defaults(func=run)


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
    try:
        calls = store.list_calls(trainee=args.trainee, scenario=args.scenario, since=args.since)
    except StoreError as exc:
        report(exc)
        return 1
    if args.json:
        print(json_text([c.as_json() for c in calls]))
        return 0
    if not calls:
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
                c.mode,
                outcome,
                "-" if c.total_score is None else f"{c.total_score:g}",
                "yes" if c.reviewed else "",
            )
        )
    rows = [tuple(terminal_safe(v, keep_newlines=False) for v in r) for r in rows]
    widths = [min(32, max(len(r[i]) for r in rows)) for i in range(len(rows[0]))]
    for r in rows:
        cells = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(r, widths, strict=True)]
        print("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip())
    return 0
