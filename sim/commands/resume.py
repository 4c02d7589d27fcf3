"""`callsim resume ID`: carry on a call that was cut off (a crash, a closed terminal).

The engine is deterministic, so replaying the stored replies and actions brings the customer
back to the same stage, mood and facts (`sim.session.replay`); the call then goes on in line
mode and is still saved turn by turn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from sim.store_cli import add_db_argument

    p = sub.add_parser(
        "resume",
        help="carry on a call that was cut off, in line mode",
        description="Replay a saved call that did not finish and carry on from its last turn.",
    )
    p.add_argument("id", metavar="ID", help="the call's id (or the start of it)")
    add_db_argument(p)
    p.set_defaults(func=run)


def err(message: str) -> int:
    print(f"callsim resume: {terminal_safe(message, keep_newlines=False)}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from engine.call import CallError
    from sim.commands.run import format_turn, interactive, load_or_report
    from sim.session import replay
    from sim.store import StoreError
    from sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    try:
        call_id = store.resolve_id(args.id)
        transcript = store.transcript(call_id)
    except StoreError as exc:
        report(exc)
        return 1
    if transcript.ended_at is not None:
        return err(f"call {call_id[:8]} has already ended; 'callsim show {call_id[:8]}' shows it")
    where = transcript.scenario_path
    loaded = load_or_report(where if where and Path(where).is_file() else transcript.scenario_id)
    if loaded is None:
        return 1
    if transcript.scenario_hash and loaded.content_hash != transcript.scenario_hash:
        return err(
            f"the scenario {loaded.path} has changed since call {call_id[:8]} started, so "
            "replaying it would not bring the customer back to the same place"
        )
    upto = transcript.turns[-1].index + 1 if transcript.turns else 0
    try:
        session = replay(
            loaded, transcript, upto, call_id=transcript.call_id, started_at=transcript.started_at
        )
    except CallError as exc:
        return err(str(exc))
    for old, new in zip(transcript.turns, session.turns, strict=False):
        if (old.speaker, old.text) != (new.speaker, new.text):
            return err(
                f"replaying call {call_id[:8]} no longer gives the same call (turn {old.index} "
                "differs: the scenario's intents or the tagger changed); it cannot be resumed"
            )
    print(f"Resuming call {call_id[:8]} ({terminal_safe(transcript.scenario_id)}):")
    for turn in session.turns:
        print(format_turn(turn))
    return interactive(
        loaded, trainee=transcript.trainee, mode=transcript.mode, store=store, session=session
    )
