"""`callsim app` (and `callsim` with no arguments): the trainee's full-screen app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "app",
        help="open the trainee's app (the default when callsim runs with no command)",
        description="Pick a scenario, take the call, write the notes and see the debrief.",
    )
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also list the scenarios in DIR (repeatable)",
    )
    p.add_argument("--trainee", help="who is taking the calls")


def run(args: argparse.Namespace) -> int:
    from tui.app import CallsimApp  # Textual is imported only when the app opens

    dirs = [Path(d) for d in getattr(args, "scenarios", []) or []]
    for d in dirs:
        if not d.exists():
            print(f"callsim: no such folder: {terminal_safe(str(d))}", file=sys.stderr)
            return 1
    CallsimApp(scenario_dirs=dirs, trainee=getattr(args, "trainee", None)).run()
    return 0
