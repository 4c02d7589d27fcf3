"""`callsim assign`: a trainer assigns a scenario to a trainee or a team, due by a date; lists
and removes assignments. What counts as done and overdue: sim/store_assignments.py.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "assign",
        help="assign a scenario to a trainee or a team by a date; list or remove assignments",
        description="SCENARIO --to NAME|--team T --due DATE assigns a scenario (a bundled id "
        "or a file); --list [--trainee NAME] lists assignments, done, open or overdue; "
        "--remove ID removes one. Done: the trainee finished a call of that scenario after "
        "it was assigned.",
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help="a scenario id or file")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--to", metavar="NAME", help="the trainee")
    who.add_argument("--team", metavar="TEAM", help="every trainee of a team (a team's server)")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="the day it is due by")
    p.add_argument("--trainer", metavar="NAME", help="your name, saved with the assignment")
    p.add_argument("--list", action="store_true", help="list assignments")
    p.add_argument("--trainee", metavar="NAME", help="with --list: only this trainee's")
    p.add_argument("--remove", metavar="ID", help="remove the assignment with this id")
    add_db_argument(p)
    p.set_defaults(func=run)


def _fail(message: str, code: int = 2) -> int:
    print(f"callsim assign: {terminal_safe(message, keep_newlines=False)}", file=sys.stderr)
    return code


def _usage(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of options, or None."""
    if args.list or args.remove:
        if args.list and args.remove:
            return "give --list or --remove, not both"
        extra = [o for o in ("scenario", "to", "team", "due", "trainer") if getattr(args, o)]
        if extra:
            what = "SCENARIO" if extra[0] == "scenario" else f"--{extra[0]}"
            return f"{what} goes with assigning, not with --{'list' if args.list else 'remove'}"
        if args.remove and args.trainee:
            return "--trainee goes with --list"
        prefix = (args.remove or "").strip().lower()
        if args.remove and (len(prefix) < 4 or prefix.strip("0123456789abcdef")):
            return f"'{args.remove}' is not an assignment id ('callsim assign --list' shows them)"
        return None
    if args.trainee:
        return "--trainee goes with --list"
    if not args.scenario:
        return "give SCENARIO --to NAME|--team T --due DATE, or --list, or --remove ID"
    if not (args.to or args.team):
        return "say who it is for: --to NAME or --team T"
    if not args.due:
        return "give the day it is due by: --due YYYY-MM-DD"
    return None


def _due(text: str) -> str:
    try:
        due = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date: write it as YYYY-MM-DD") from None
    if due < date.today():
        raise ValueError(f"the due date {due.isoformat()} has already passed")
    return due.isoformat()


def _scenario_id(name: str) -> str:
    """The id of a bundled scenario or a scenario file (ValueError saying what is wrong)."""
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.sim.scenario_paths import resolve_scenario

    path = resolve_scenario(name)
    if path is None:
        raise ValueError(f"no scenario '{name}' (a bundled scenario's id, or a file)")
    try:
        return load_scenario(path).scenario.id
    except ScenarioError as exc:
        raise ValueError(f"{path} has errors, so it cannot be assigned: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.trainee import TraineeError, clean_name

    problem = _usage(args)
    if problem:
        return _fail(problem)
    try:
        names = {
            o: clean_name(getattr(args, o))
            for o in ("to", "trainer", "trainee")
            if getattr(args, o) is not None
        }
        due = _due(args.due) if args.due else None
        scenario = _scenario_id(args.scenario) if args.scenario else None
    except (TraineeError, ValueError) as exc:
        return _fail(str(exc))
    assigning = scenario is not None
    store = open_or_report(args, create=assigning)
    if store is None:
        return 1
    with store:
        try:
            if args.list:
                return _list(store, names.get("trainee"))
            if args.remove:
                from callsim.sim.store_assignments import remove

                gone = remove(store, args.remove)
                print(
                    terminal_safe(
                        f"Removed assignment {gone.id[:8]}: {gone.scenario_id} for "
                        f"{gone.trainee}, due {gone.due}"
                    )
                )
                return 0
            return _assign(store, scenario or "", names, args.team, due or "")
        except StoreError as exc:
            code = getattr(exc, "code", None)
            if code is not None:  # a CohortError: an unknown team, a store without teams
                return _fail(str(exc), code)
            report(exc)
            return 1


def _assign(store, scenario: str, names: dict[str, str], team: str | None, due: str) -> int:
    from callsim.sim.store_assignments import assign
    from callsim.sim.store_cohort import is_trainee, team_trainees

    if team is not None:
        trainees = team_trainees(store, team)
        if not trainees:
            return _fail(f"team {team} has no trainees to assign it to")
    else:
        trainees = [names["to"]]
        if is_trainee(store, names["to"]) is False:
            return _fail(f"{names['to']} is not a trainee in this store ('callsim admin people')")
    made = assign(store, scenario, trainees, due, team=team, by=names.get("trainer"))
    for x in made:
        print(terminal_safe(f"Assigned {scenario} to {x.trainee}, due {due} (id {x.id[:8]})"))
    return 0


def _list(store, trainee: str | None) -> int:
    from callsim.sim.store_assignments import assignments

    found = assignments(store, [trainee] if trainee else None)
    if not found:
        who = f"{trainee} has" if trainee else "There are"
        print(terminal_safe(f"{who} no assignments ('callsim assign SCENARIO --to NAME ...')."))
        return 0
    today = date.today()
    for x in found:
        by = f" (from {x.assigned_by})" if x.assigned_by else ""
        team = f" [team {x.team}]" if x.team else ""
        print(
            terminal_safe(
                f"{x.id[:8]}  {x.trainee}  {x.scenario_id}  {x.words(today)}{team}{by}",
                keep_newlines=False,
            )
        )
    return 0
