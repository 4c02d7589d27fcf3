"""`callsim share ID --with NAME [--stop]`: share one of your calls with a colleague for peer
review (the colleague's side is `callsim peer`, in sim/commands/peer.py)."""

from __future__ import annotations

import argparse

from callsim.sim.commands.peer import run_share


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "share",
        help="share one of your calls with a colleague for peer review (--stop to take it back)",
        description="Share a call you took with a colleague, who can then read it and comment "
        "on its turns ('callsim peer'). Only the trainee who took a call can share it.",
    )
    p.add_argument("id", metavar="ID", help="your call (or the start of its id)")
    p.add_argument("--with", dest="peer", metavar="NAME", required=True, help="the colleague")
    p.add_argument("--stop", action="store_true", help="stop sharing it with them")
    p.add_argument("--trainee", metavar="NAME", help="you (default: the saved trainee name)")
    add_db_argument(p)
    p.set_defaults(func=run_share)
