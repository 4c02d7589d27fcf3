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
    p.add_argument("--trainee", help="who is taking the calls (saved with every call)")
    from sim.store_cli import add_db_argument

    add_db_argument(p)


def run(args: argparse.Namespace) -> int:
    dirs = [Path(d) for d in getattr(args, "scenarios", []) or []]
    for d in dirs:
        if not d.exists():
            print(f"callsim: no such folder: {terminal_safe(str(d))}", file=sys.stderr)
            return 1
    opened = open_app_store(args)
    if opened is None:
        return 1
    store, trainee = opened
    from tui.app import CallsimApp  # Textual is imported only when the app opens

    app = CallsimApp(scenario_dirs=dirs, trainee=trainee, store=store)
    store.on_error = lambda message: app.notify(message, severity="error", timeout=15)
    app.run()
    return 0


def open_app_store(args: argparse.Namespace):
    """(AppStore, trainee name) for --db/CALLSIM_DB and --trainee, or None after saying why."""
    from sim.app_store import AppStore
    from sim.store_cli import open_or_report
    from sim.trainee import TraineeError, resolve_trainee

    try:
        trainee = resolve_trainee(getattr(args, "trainee", None))
    except TraineeError as exc:
        print(f"callsim: {terminal_safe(str(exc))}", file=sys.stderr)
        return None
    store = open_or_report(args)
    return None if store is None else (AppStore(store), trainee)
