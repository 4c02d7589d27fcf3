"""`callsim goal set|list|remove`: a mentor's goals for a trainee (their development plan).

A goal is a rubric dimension to reach a level by a date (`--dimension empathy --level good
--by 2026-12-31`), or a number of calls at a difficulty or above (`--calls 5 --difficulty 3`).
`callsim progress` and the app's home screen show how far each has come (sim/store_goals.py).
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "goal",
        help="set, list or remove a trainee's goals (a dimension's level, or calls at a level)",
        description="A mentor's goals for a trainee. set TRAINEE with --dimension and --level, "
        "or with --calls and --difficulty, optionally --by DATE; list TRAINEE; remove ID.",
    )
    p.add_argument("action", choices=("set", "list", "remove"), help="what to do")
    p.add_argument("who", metavar="TRAINEE|ID", help="the trainee (set, list) or a goal's id")
    p.add_argument("--dimension", metavar="ID", help="a rubric dimension, e.g. empathy")
    p.add_argument("--level", metavar="LEVEL", help="the score to reach: 0-100, fair or good")
    p.add_argument("--calls", type=int, metavar="N", help="how many calls to take")
    p.add_argument("--difficulty", type=int, metavar="N", help="at this difficulty (1-5) or above")
    p.add_argument("--by", metavar="YYYY-MM-DD", help="the date to reach it by")
    p.add_argument("--mentor", metavar="NAME", help="your name, saved with the goal")
    add_db_argument(p)
    p.set_defaults(func=run)


def _fail(message: str, code: int = 2) -> int:
    print(f"callsim goal: {terminal_safe(message)}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_goals import check_due, level_value, remove_goal, set_goal, statuses
    from callsim.sim.trainee import TraineeError, clean_name

    given = [o for o in ("dimension", "level", "calls", "difficulty", "by") if getattr(args, o)]
    if args.action != "set" and given:
        return _fail(f"--{given[0]} goes with set")
    level = None
    if args.action == "set":
        if (args.dimension is None) == (args.calls is None):
            return _fail("set takes --dimension ID --level LEVEL, or --calls N --difficulty N")
        if args.dimension is not None and (args.level is None or args.difficulty is not None):
            return _fail("a dimension goal takes --level (and no --difficulty)")
        if args.calls is not None and (args.difficulty is None or args.level is not None):
            return _fail("a calls goal takes --difficulty (and no --level)")
        try:
            level = level_value(args.level) if args.level is not None else None
            check_due(args.by)
        except ValueError as exc:
            return _fail(str(exc))
    try:
        mentor = clean_name(args.mentor) if args.mentor is not None else None
        who = clean_name(args.who) if args.action != "remove" else args.who
    except TraineeError as exc:
        return _fail(str(exc))
    store = open_or_report(args, create=args.action == "set")
    if store is None:
        return 1
    with store:  # closed when the command is done
        from callsim.sim.self_assessment import rubric_dimensions
        from callsim.sim.store_progress import bundled_library

        titles = dict(rubric_dimensions()) | store.dimension_titles()
        try:
            if args.action == "set":
                goal = set_goal(
                    store,
                    who,
                    dimension=args.dimension,
                    level=level,
                    difficulty=args.difficulty,
                    calls=args.calls,
                    due=args.by,
                    mentor=mentor,
                )
                print(terminal_safe(f"Goal {goal.id[:8]} for {who}: {goal.describe(titles)}"))
            elif args.action == "remove":
                goal = remove_goal(store, who)
                print(
                    terminal_safe(
                        f"Removed goal {goal.id[:8]} of {goal.trainee}: {goal.describe(titles)}"
                    )
                )
            else:
                found = statuses(store, who, bundled_library())
                for st in found:
                    by = f" (set by {st.goal.set_by})" if st.goal.set_by else ""
                    print(terminal_safe(f"{st.goal.id[:8]}  {st.words(titles)}{by}"))
                if not found:
                    print(terminal_safe(f"{who} has no goals yet ('callsim goal set {who} ...')."))
        except StoreError as exc:
            report(exc)
            return 1
        return 0
