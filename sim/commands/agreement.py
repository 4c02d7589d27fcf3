"""`callsim agreement`: how far mentors' scores are from the auto-grade, per dimension."""

from __future__ import annotations

import argparse
import json
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "agreement",
        help="mentor overrides vs the auto-grade, per rubric dimension",
        description="Over the calls a mentor has marked reviewed, per rubric dimension: the mean "
        "difference between the mentor's score and the auto-grade (positive: mentors score "
        "higher), the share within 10 points, and how many calls. A dimension the mentor did "
        "not override on a reviewed call counts as agreement.",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    try:
        rows = store.agreement()
    except StoreError as exc:
        report(exc)
        return 1
    if args.json:
        json.dump([r.__dict__ for r in rows], sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print("No reviewed calls yet: a mentor marks a call reviewed once its review is done.")
        return 0
    width = max(9, *(len(r.dimension) for r in rows))
    print(f"{'DIMENSION':<{width}}  {'MEAN DIFF':>9}  {'WITHIN 10':>9}  {'CALLS':>5}")
    for r in rows:
        print(
            f"{terminal_safe(r.dimension, keep_newlines=False):<{width}}  "
            f"{r.mean_difference:>+9.1f}  {r.within_10:>9.0%}  {r.count:>5}"
        )
    return 0
