"""`callsim cohort`: a trainer's view of a cohort, the training-needs analysis a quality team
does from call data: the rubric areas the trainees are weakest in, each trainee's first-contact
resolution, handling time and satisfaction against targets, and who has not practised lately.

The figures and who is in view: sim/store_cohort.py; the JSON shape: docs/team.md.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from callsim.sim.textsafe import json_text, terminal_safe

if TYPE_CHECKING:
    from callsim.sim.store_cohort import Cohort, TraineeFigures


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "cohort",
        help="a cohort's weakest rubric areas and each trainee's figures against targets",
        description="For the trainees in view (a team's, or every trainee in the store): per "
        "rubric dimension the cohort's mean, spread and how many are weak in it, weakest "
        "first; per trainee calls taken, first-contact resolution, handling time and "
        "satisfaction estimate against targets; who has not practised lately.",
    )
    p.add_argument("--team", metavar="TEAM", help="only this team's trainees (a team's server)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only calls started on or after this day")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_db_argument(p)
    p.set_defaults(func=run)


def _fail(message: str, code: int) -> int:
    print(f"callsim cohort: {terminal_safe(message, keep_newlines=False)}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_cohort import CohortError, check_since, cohort

    try:
        check_since(args.since)
    except CohortError as exc:
        return _fail(str(exc), exc.code)
    store = open_or_report(args, create=False)
    if store is None:
        return 1
    with store:
        try:
            found = cohort(store, team=args.team, since=args.since)
        except CohortError as exc:
            return _fail(str(exc), exc.code)
        except StoreError as exc:
            report(exc)
            return 1
    if args.json:
        print(json_text(found.as_json()))
    else:
        print(terminal_safe(text(found)))
    return 0


def _days(t: TraineeFigures) -> str:
    if t.days_since is None:
        return "never"
    if t.days_since <= 0:
        return "today"
    return "yesterday" if t.days_since == 1 else f"{t.days_since} days ago"


def _name(name: str, width: int = 16) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def text(c: Cohort) -> str:
    """The cohort as plain text that reads in 80 columns."""
    from callsim.sim.commands.progress import clock
    from callsim.sim.store_progress import RECENT

    tg = c.targets
    who = f"team {c.team}" if c.team else "every trainee in the store"
    n = len(c.trainees)
    head = f"Cohort: {who}, {n} trainee{'s' * (n != 1)}"
    head += f", calls since {c.since}" if c.since else ", all their calls"
    lines = [
        head,
        f"Targets: first-contact resolution {tg.first_contact:g}% or more, handling time at "
        f"most {tg.handling:.0%}",
        f"of the scenarios' targets on average, satisfaction {tg.satisfaction:.1f}/5 or more.",
        "",
    ]
    if not c.trainees:
        lines.append("No trainees to show: nobody has a call in this store yet.")
        return "\n".join(lines)
    lines.append(
        f"Weakest areas (each trainee's mean of their latest {RECENT} scores; weak: below "
        f"{tg.weak_below:g})"
    )
    if c.dimensions:
        lines.append(f"  {'Dimension':<36} {'Mean':>6} {'Spread':>7}  Weak")
        for d in c.dimensions:
            lines.append(
                f"  {_name(d.title, 36):<36} {d.mean:>6.1f} {d.spread:>7.1f}  "
                f"{d.weak} of {d.trainees}"
            )
    else:
        lines.append("  No graded calls in this window yet.")
    lines += ["", "Trainees (! misses its target)"]
    lines.append(
        f"  {'Trainee':<16} {'Calls':>5} {'FCR':>6} {'Time':>6} {'Turns':>6} "
        f"{'vs target':>9} {'Satisf.':>7}  Last call"
    )
    for t in c.trainees:
        mark = {k: "!" if ok is False else " " for k, ok in t.met(tg).items()}
        fcr = "- " if t.first_contact is None else f"{t.first_contact:.0f}%{mark['first_contact']}"
        time = "-" if t.handling_seconds is None else clock(t.handling_seconds)
        turns = "-" if t.turns is None else f"{t.turns:.1f}"
        vs = (
            "- "
            if t.handling_vs_target is None
            else f"{t.handling_vs_target:.0%}{mark['handling']}"
        )
        sat = "- " if t.satisfaction is None else f"{t.satisfaction:.1f}{mark['satisfaction']}"
        lines.append(
            f"  {_name(t.trainee):<16} {t.calls:>5} {fcr:>6} {time:>6} {turns:>6} {vs:>9} "
            f"{sat:>7}  {_days(t)}"
        )
    assigned = [t for t in c.trainees if sum(t.assignments.values())]
    if assigned:
        lines += ["", "Assignments (callsim assign --list for each one)"]
        for t in assigned:
            n = t.assignments
            overdue = f", {n['overdue']} overdue" if n.get("overdue") else ""
            lines.append(
                f"  {_name(t.trainee):<16} {n.get('done', 0)} done, {n.get('open', 0)} open"
                f"{overdue}"
            )
    idle = c.idle
    lines.append("")
    if idle:
        lines.append(f"Not practised in {tg.idle_days} days or more (today is {c.today}):")
        for t in idle:
            when = f"last call {t.last_call}" if t.last_call else "no call yet"
            lines.append(f"  {t.trainee} ({when})")
    else:
        lines.append(f"Everyone has practised in the last {tg.idle_days} days.")
    return "\n".join(lines)
