"""`callsim resume ID`: carry on a call that was cut off (a crash, a closed terminal).

The engine is deterministic, so replaying the stored replies and actions brings the customer
back to the same stage, mood and facts (sim/resume.py, which the app's "Your calls" screen uses
too); the call then goes on in line mode and is still saved turn by turn. The scenario is
found among the bundled scenarios and `--scenarios DIR`; a call recorded on this machine also at
the file it was taken on, if that file is unchanged. An imported call's own data never names a
file to open.
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "resume",
        help="carry on a call that was cut off, in line mode",
        description="Replay a saved call that did not finish and carry on from its last turn.",
    )
    p.add_argument("id", metavar="ID", help="the call's id (or the start of it)")
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also look for the call's scenario in DIR (repeatable; the bundled ones always)",
    )
    add_db_argument(p)
    p.set_defaults(func=run)


def err(message: str) -> int:
    print(f"callsim resume: {terminal_safe(message, keep_newlines=False)}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from callsim.sim.commands.run import format_turn, interactive
    from callsim.sim.resume import ResumeError, resume_session
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    try:
        call_id = store.resolve_id(args.id)
        transcript = store.transcript(call_id)
        recorded_here = store.summary(call_id).source == "recorded"
    except StoreError as exc:
        report(exc)
        return 1
    from callsim.sim.config import scenario_dirs

    dirs = scenario_dirs(args.scenarios)  # --scenarios, else config.toml's
    try:
        session = resume_session(transcript, extra_dirs=dirs, recorded_here=recorded_here)
    except ResumeError as exc:
        for problem in exc.problems:
            print(terminal_safe(problem, keep_newlines=False), file=sys.stderr)
        return err(str(exc))
    from callsim.sim.linewrap import printer

    write = printer()
    write(f"Resuming call {call_id[:8]} ({terminal_safe(transcript.scenario_id)}):")
    for turn in session.turns:
        write(format_turn(turn))
    return interactive(
        session.loaded,
        trainee=transcript.trainee,
        mode=transcript.mode,
        write=write,
        store=store,
        session=session,
    )
