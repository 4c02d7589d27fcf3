"""`callsim review [ID]`: the mentor's review screens on the saved calls.

Opens the list of calls (filter by trainee, scenario, reviewed) or, with ID, that call: the
transcript with tags and score contributions beside the rubric; comments per turn, overrides
with a reason, and the review-done mark are saved to the store as they are made.
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "review",
        help="review saved calls in the app: comment on turns, override scores, mark done",
        description="The mentor's review screens. Without ID, a list of saved calls to pick "
        "from; with ID (or the start of one), that call.",
    )
    p.add_argument("id", metavar="ID", nargs="?", help="open this call (or the start of its id)")
    p.add_argument("--mentor", metavar="NAME", help="your name, saved with your comments")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.app_store import AppStore
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.trainee import TraineeError, clean_name

    try:
        mentor = clean_name(args.mentor) if args.mentor is not None else None
    except TraineeError as exc:
        message = str(exc).replace("trainee", "mentor")
        print(f"callsim review: {terminal_safe(message)}", file=sys.stderr)
        return 1
    store = open_or_report(args)
    if store is None:
        return 1
    call_id = None
    if args.id is not None:
        try:
            call_id = store.resolve_id(args.id)
        except StoreError as exc:
            report(exc)
            return 1
    from callsim.tui.review import ReviewApp  # Textual is imported only when the app opens

    app_store = AppStore(store)
    app = ReviewApp(store=app_store, mentor=mentor, open_call=call_id)
    app_store.on_error = lambda message: app.notify(
        message, severity="error", timeout=15, markup=False
    )
    app.run()
    return 0
