"""The store as the command line uses it: `--db`, opening with a clear message, saving a call.

Kept apart from sim/store.py so the store itself prints nothing and knows no argparse.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from callsim.sim.textsafe import terminal_safe

if TYPE_CHECKING:  # sim.store imports pydantic: keep it out of building the parser
    from callsim.sim.session import CallSession
    from callsim.sim.store import CallRecorder, Store, StoreError

DB_ENV = "CALLSIM_DB"  # the same as sim.store.DB_ENV


def add_db_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH|URL",
        help=(
            "the store: a file, or a team's server as postgresql://USER@HOST:PORT/DB (the "
            f"password from PGPASSWORD or ~/.pgpass) (default: ${DB_ENV}, else callsim.db in "
            "your data folder)"
        ),
    )


def report(exc: StoreError, err: TextIO | None = None) -> None:
    print(f"callsim: {terminal_safe(str(exc), keep_newlines=False)}", file=err or sys.stderr)


def open_or_report(args: argparse.Namespace, *, create: bool = True) -> Store | None:
    """The store chosen by --db/CALLSIM_DB/the default, or None after printing why not (a
    damaged store opens to read only, with a warning)."""
    from callsim.sim.store import StoreError, open_store

    try:
        store = open_store(getattr(args, "db", None), create=create)
    except StoreError as exc:
        report(exc)
        return None
    if store.damage is not None:  # checked as it opened: reading goes on, writing will not
        print(
            f"callsim: warning: the store {terminal_safe(str(store.path))} is damaged (SQLite's "
            f"check found: {terminal_safe(store.damage, keep_newlines=False)}); it is open to "
            "read only and nothing will be written to it",
            file=sys.stderr,
        )
    return store


def start_saving(
    store: Store, session: CallSession, err: TextIO | None = None, *, source: str = "recorded"
) -> CallRecorder:
    """Save the call turn by turn from now on, and the graded call when `session.finish` runs;
    a failed write is reported once, not fatal (`session.saved` says how the end went).
    `source="scripted"` marks a call played from a script."""

    def warn(exc: StoreError) -> None:
        report(exc, err)
        if not session.ended:
            print(
                "callsim: the call goes on, but it is not being saved turn by turn",
                file=err or sys.stderr,
            )

    return store.recorder(session, on_error=warn, source=source)
