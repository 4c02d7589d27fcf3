"""`callsim share` and `callsim peer`: peer review of calls their owners chose to share.

`callsim share ID --with NAME` (the owner; `--stop` takes it back), then the colleague runs
`callsim peer list`, `callsim peer show ID` and `callsim peer comment ID TEXT [--turn N]`.
Nobody can read or comment on a call not shared with them; a peer never changes a score.
The owner reads peer comments apart from the mentor's in `callsim show ID` and the debrief.
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "peer",
        help="review calls colleagues shared with you: list, show ID, comment ID TEXT",
        description="Peer review: list the calls shared with you, read one, comment on a turn "
        "(--turn N) or on the whole call. Comments are kept verbatim; scores never change.",
    )
    p.add_argument("action", choices=("list", "show", "comment"), help="what to do")
    p.add_argument("id", metavar="ID", nargs="?", help="the shared call (show, comment)")
    p.add_argument("text", metavar="TEXT", nargs="?", help="the comment (comment)")
    p.add_argument("--turn", type=int, metavar="N", help="with comment: about turn N")
    p.add_argument("--trainee", metavar="NAME", help="you (default: the saved trainee name)")
    add_db_argument(p)
    p.set_defaults(func=run_peer)


def _me(args: argparse.Namespace, command: str) -> str | None:
    from callsim.sim.trainee import TraineeError, resolve_trainee

    try:
        me = resolve_trainee(args.trainee, ask=None)
    except TraineeError as exc:
        print(f"callsim {command}: --trainee: {terminal_safe(str(exc))}", file=sys.stderr)
        return None
    if not me:
        print(f"callsim {command}: who are you? Give --trainee NAME", file=sys.stderr)
    return me


def run_share(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_peer import share, unshare
    from callsim.sim.trainee import TraineeError, clean_name

    me = _me(args, "share")
    if me is None:
        return 2
    try:
        peer = clean_name(args.peer)
    except TraineeError as exc:
        print(f"callsim share: --with: {terminal_safe(str(exc))}", file=sys.stderr)
        return 2
    store = open_or_report(args, create=False)
    if store is None:
        return 1
    with store:  # closed when the command is done
        try:
            if args.stop:
                full = store.resolve_id(args.id)
                done = unshare(store, full, me, peer)
                said = "no longer shared" if done else "was not shared"
                print(terminal_safe(f"Call {full[:8]} {said} with {peer}."))
            else:
                full = share(store, args.id, me, peer)
                print(
                    terminal_safe(
                        f"Call {full[:8]} is shared with {peer}: 'callsim peer show "
                        f"{full[:8]}' lets them read it and comment."
                    )
                )
        except StoreError as exc:
            report(exc)
            return 1
        return 0


def peer_lines(comments) -> list[str]:
    """Peer comments as plain lines, the whole call's first."""
    out = []
    for c in comments:
        where = "the whole call" if c.turn is None else f"turn {c.turn}"
        out.append(f"  {c.author} on {where}: {c.text}")
    return out


def peer_section(store, call_id: str) -> list[str]:
    """`callsim show`'s lines on what colleagues said about the call (none: no lines)."""
    from callsim.sim.store_peer import peer_comments, shared_with

    comments = peer_comments(store, call_id)
    peers = shared_with(store, call_id)
    out = []
    if peers:
        out += ["", "Shared for peer review with: " + ", ".join(peers)]
    if comments:
        out += ["", "Colleagues' comments (peer review; they do not change the grade):"]
        out += peer_lines(comments)
    return [terminal_safe(line) for line in out]


def run_peer(args: argparse.Namespace) -> int:
    from callsim.sim.commands.show import render
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_peer import (
        add_peer_comment,
        calls_shared_with,
        check_shared,
        peer_comments,
    )

    me = _me(args, "peer")
    if me is None:
        return 2
    if args.action == "list" and (args.id or args.text):
        print("callsim peer: list takes no ID", file=sys.stderr)
        return 2
    if args.action != "list" and not args.id:
        print(f"callsim peer: {args.action} needs the call's ID", file=sys.stderr)
        return 2
    if args.action == "comment" and not args.text:
        print("callsim peer: comment needs the TEXT", file=sys.stderr)
        return 2
    if args.action != "comment" and (args.text or args.turn is not None):
        print("callsim peer: TEXT and --turn go with comment", file=sys.stderr)
        return 2
    store = open_or_report(args, create=False)
    if store is None:
        return 1
    with store:  # closed when the command is done
        try:
            if args.action == "list":
                calls = calls_shared_with(store, me)
                for c in calls:
                    line = f"{c.id[:8]}  {c.trainee or '-'}  {c.scenario_id}  {c.started_at[:16]}"
                    print(terminal_safe(line))
                if not calls:
                    print(terminal_safe(f"No calls are shared with {me} yet."))
            elif args.action == "show":
                full = check_shared(store, args.id, me)
                lines = render(store.transcript(full), store.grade(full))
                mine = [c for c in peer_comments(store, full) if c.author == me]
                if mine:
                    lines += ["", "Your comments:", *peer_lines(mine)]
                print("\n".join(terminal_safe(line) for line in lines))
            else:
                c = add_peer_comment(store, args.id, me, args.text, turn=args.turn)
                where = "the whole call" if c.turn is None else f"turn {c.turn}"
                print(terminal_safe(f"Comment saved on {where} of call {c.call_id[:8]}."))
        except StoreError as exc:
            report(exc)
            return 1
        return 0
