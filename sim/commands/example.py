"""`callsim example mark|unmark|list`: a mentor's saved calls offered to shadow.

A mentor marks a graded call as an example of how its scenario is handled well; trainees then
find it beside the scenario's model call in `callsim shadow` and the app's "Listen to a model
call" (sim/store_training.py keeps the marks).
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "example",
        help="mark a saved call as an example to shadow (or unmark, list)",
        description="Mark a reviewed, graded call as an example of its scenario: trainees can "
        "shadow it ('callsim shadow SCENARIO ID', or 'Listen to a model call' in the app).",
    )
    p.add_argument("action", choices=("mark", "unmark", "list"), help="what to do")
    p.add_argument(
        "id", metavar="ID", nargs="?", help="the call (or the start of its id); not for list"
    )
    p.add_argument("--mentor", metavar="NAME", help="your name, saved with the mark")
    p.add_argument("--scenario", metavar="ID", help="with list: only this scenario's examples")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_training import examples, mark_example, unmark_example
    from callsim.sim.trainee import TraineeError, clean_name

    if args.action == "list" and args.id is not None:
        print("callsim example: list takes no ID (--scenario ID narrows it)", file=sys.stderr)
        return 2
    if args.action != "list" and args.id is None:
        print(f"callsim example: {args.action} needs the call's ID", file=sys.stderr)
        return 2
    try:
        mentor = clean_name(args.mentor) if args.mentor is not None else None
    except TraineeError as exc:
        message = str(exc).replace("trainee", "mentor")
        print(f"callsim example: {terminal_safe(message)}", file=sys.stderr)
        return 2
    store = open_or_report(args, create=args.action == "list")
    if store is None:
        return 1
    with store:  # closed when the command is done
        try:
            if args.action == "mark":
                e = mark_example(store, args.id, mentor=mentor)
                print(
                    f"Call {e.call_id[:8]} is now an example of {terminal_safe(e.scenario_id)}: "
                    f"'callsim shadow {terminal_safe(e.scenario_id)} {e.call_id[:8]}' plays it."
                )
            elif args.action == "unmark":
                full = store.resolve_id(args.id)
                if unmark_example(store, full):
                    print(f"Call {full[:8]} is no longer an example.")
                else:
                    print(f"Call {full[:8]} was not marked as an example; nothing changed.")
            else:
                found = examples(store, args.scenario)
                for e in found:
                    score = f"{e.score:g}" if e.score is not None else "-"
                    by = f"  marked by {e.marked_by}" if e.marked_by else ""
                    line = (
                        f"{e.call_id[:8]}  {e.scenario_id}  {e.trainee or '-'}  "
                        f"{e.started_at[:16]}  {score}{by}"
                    )
                    print(terminal_safe(line))
                if not found:
                    print("No calls are marked as examples yet ('callsim example mark ID').")
        except StoreError as exc:
            report(exc)
            return 1
        return 0
