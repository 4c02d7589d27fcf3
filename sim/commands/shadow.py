"""`callsim shadow SCENARIO [CASE]`: listen to a model call, annotated turn by turn.

In a terminal the call plays at reading pace (Ctrl+C stops it); piped or redirected it prints at
once as plain text: each turn's speaker and words, the customer's mood, and beside each advisor
reply the behaviours heard and the rubric points earned (sim/shadow.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "shadow",
        help="listen to a model call of a scenario, with the mood and what each reply earns",
        description="Play a scenario's model call: its good test case, or with CASE another "
        "test case or a saved call a mentor marked as an example ('callsim example list'). "
        "In a terminal it plays at reading pace; piped, it prints at once.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or a bundled id")
    p.add_argument(
        "case",
        metavar="CASE",
        nargs="?",
        help="a test case id, or (the start of) the id of a call marked as an example",
    )
    p.add_argument("--list", action="store_true", help="list the model calls there are, play none")
    add_db_argument(p)
    p.set_defaults(func=run)


def _store(args: argparse.Namespace):
    """The store for examples: the one asked for (reported if it cannot open), else the usual
    one if it exists (shadowing never creates a store)."""
    from callsim.sim.store import StoreError, open_store
    from callsim.sim.store_cli import open_or_report

    if args.db:
        return open_or_report(args, create=False) or False
    try:
        return open_store(None, create=False)
    except StoreError:
        return None


def run(
    args: argparse.Namespace,
    *,
    sleep: Callable[[float], None] = time.sleep,
    paced: bool | None = None,
) -> int:
    from callsim.sim.commands.run import load_or_report
    from callsim.sim.linewrap import printer
    from callsim.sim.shadow import (
        ShadowError,
        ending,
        find_source,
        heading,
        model_call,
        sources,
        turn_lines,
    )
    from callsim.sim.store import StoreError

    loaded = load_or_report(args.scenario)
    if loaded is None:
        return 1
    store = _store(args)
    if store is False:
        return 1
    try:
        write = printer()
        try:
            if args.list:
                offered = sources(loaded, store)
                for s in offered:
                    write(terminal_safe(f"{s.id if s.kind == 'case' else s.id[:8]}  {s.label}"))
                if not offered:
                    from callsim.sim.shadow import no_model_call

                    print(
                        f"callsim shadow: {terminal_safe(no_model_call(loaded))}", file=sys.stderr
                    )
                    return 1
                return 0
            source = find_source(loaded, args.case, store) if args.case else None
            call = model_call(loaded, source, store=store)
        except (ShadowError, StoreError) as exc:
            print(f"callsim shadow: {terminal_safe(str(exc))}", file=sys.stderr)
            return 1
        if paced is None:
            paced = sys.stdout.isatty()
        for line in heading(call):
            write(terminal_safe(line))
        if paced:
            write("(playing at reading pace; Ctrl+C stops)\n")
        for turn in call.turns:
            for line in turn_lines(call, turn):
                write(terminal_safe(line))
            if paced:
                sys.stdout.flush()
                sleep(turn.pause)
        for line in ending(call):
            write(terminal_safe(line))
        return 0
    finally:  # the examples' store, if one was opened
        if store is not None:
            store.close()
