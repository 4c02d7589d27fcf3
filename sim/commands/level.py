"""`callsim level status|unlock|lock TRAINEE [N]`: earned difficulty (sim/levels.py).

With the trainer's `levels.yaml` in place, difficulty levels open as a trainee passes assessment
calls at the level below; `status` says which are open and what opens the rest, and a mentor
can open a level by hand (`unlock`) or take that back (`lock`).
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "level",
        help="earned difficulty: which levels a trainee has open; a mentor opens one by hand",
        description="Difficulty levels open as a trainee passes assessment calls at the level "
        "below, by the rules in levels.yaml (pass_mark, passes, open) in callsim's config folder "
        "or the file CALLSIM_LEVELS names. Without that file every level is open.",
    )
    p.add_argument("action", choices=("status", "unlock", "lock"), help="what to do")
    p.add_argument("trainee", metavar="TRAINEE")
    p.add_argument("difficulty", metavar="N", type=int, nargs="?", help="the level (1-5)")
    p.add_argument("--mentor", metavar="NAME", help="your name, saved with the unlock")
    p.add_argument("--reason", default="", metavar="TEXT", help="why it is opened early")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.engine.yamlsafe import FileProblems
    from callsim.sim.levels import LEVELS, levels_for, levels_path, relock, unlock
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_progress import bundled_library
    from callsim.sim.trainee import TraineeError, clean_name

    if (args.action == "status") != (args.difficulty is None):
        need = "takes no level" if args.action == "status" else "needs the level N (1-5)"
        print(f"callsim level: {args.action} {need}", file=sys.stderr)
        return 2
    if args.difficulty is not None and args.difficulty not in LEVELS:
        print("callsim level: a difficulty level is from 1 to 5", file=sys.stderr)
        return 2
    try:
        trainee = clean_name(args.trainee)
        mentor = clean_name(args.mentor) if args.mentor is not None else None
    except TraineeError as exc:
        print(f"callsim level: {terminal_safe(str(exc))}", file=sys.stderr)
        return 2
    store = open_or_report(args, create=args.action != "lock")
    if store is None:
        return 1
    with store:  # closed when the command is done
        try:
            if args.action == "unlock":
                unlock(store, trainee, args.difficulty, mentor=mentor, reason=args.reason)
                print(terminal_safe(f"Difficulty {args.difficulty} is open for {trainee}."))
                return 0
            if args.action == "lock":
                if relock(store, trainee, args.difficulty):
                    print(
                        terminal_safe(
                            f"Difficulty {args.difficulty} for {trainee} is earned again."
                        )
                    )
                else:
                    print(
                        terminal_safe(
                            f"No mentor had opened difficulty {args.difficulty} for "
                            f"{trainee}; nothing changed."
                        )
                    )
                return 0
            levels = levels_for(store, trainee, bundled_library())
        except StoreError as exc:
            report(exc)
            return 1
        except FileProblems as exc:
            for problem in exc.problems:
                print(terminal_safe(str(problem)), file=sys.stderr)
            return 1
        if levels.config is None:
            print(f"Every level is open: earned difficulty is off (no {levels_path()}).")
            return 0
        c = levels.config
        print(
            terminal_safe(
                f"Levels of {trainee} (pass mark {c.pass_mark}, {c.passes} passes to "
                "open the next level):"
            )
        )
        for level in LEVELS:
            passed = levels.passes.get(level, 0)
            if level in levels.by_hand:
                by = levels.by_hand[level]
                state = f"open (by a mentor{f', {by}' if by else ''})"
            elif levels.is_open(level):
                state = "open"
            else:
                state = "locked"
            line = f"  {level}: {state}; {passed} assessment pass{'es' * (passed != 1)}"
            print(terminal_safe(line))
            why = levels.why_locked(level)
            if why and levels.is_open(level - 1):
                print(terminal_safe(f"     {why}"))
        return 0
