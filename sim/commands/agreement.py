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
        description="Over the calls a mentor has marked reviewed, per rubric dimension a mentor "
        "scored (an override): the mean difference between the mentor's score and the "
        "auto-grade (positive: mentors score higher), the share within 10 points, and how many "
        "scores. A dimension left alone is not taken as agreement. Calls played from a script "
        "are left out unless --include-scripted.",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument(
        "--include-scripted",
        action="store_true",
        help="count calls played from a script (callsim run --script), left out by default",
    )
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    try:
        rows = store.agreement(include_scripted=args.include_scripted)
    except StoreError as exc:
        report(exc)
        return 1
    if args.json:
        json.dump([r.__dict__ for r in rows], sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print(
            "No mentor scores on reviewed calls yet: agreement counts the dimensions a mentor "
            "scored (an override in 'callsim review') on calls marked reviewed."
        )
        return 0
    names = [terminal_safe(r.title or r.dimension, keep_newlines=False) for r in rows]
    width = max(9, *(len(n) for n in names))
    print(f"{'DIMENSION':<{width}}  {'MEAN DIFF':>9}  {'WITHIN 10':>9}  {'SCORES':>6}")
    for name, r in zip(names, rows, strict=True):
        print(f"{name:<{width}}  {r.mean_difference:>+9.1f}  {r.within_10:>9.0%}  {r.count:>6}")
    print("\nOnly scores a mentor set count; a dimension left alone is not taken as agreement.")
    return 0
