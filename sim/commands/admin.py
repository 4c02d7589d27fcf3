"""`callsim admin init|add-team|add-person|people`: a team's PostgreSQL store, its group roles,
row-level security policies, teams and people (sim/store_admin.py; docs/team.md).

Run by the database's owner (or a superuser): `init` creates or upgrades the schema and sets up
the roles and policies (run it again after upgrading callsim); `add-person NAME --role ROLE
[--team T]` makes a login role that the database then holds to what that role may see and do.
"""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "admin",
        help="set up a team's PostgreSQL store: schema, roles, teams and people",
        description="A team's store on PostgreSQL (run as its owner). init: create or upgrade "
        "the schema, the roles callsim_trainee, callsim_mentor, callsim_trainer and "
        "callsim_admin, and the row-level security policies; add-team NAME; add-person NAME "
        "--role trainee|mentor|trainer|admin [--team T] (a login role: set its password in "
        "the database, e.g. psql's \\password NAME); people: list them.",
    )
    p.add_argument("action", choices=("init", "add-team", "add-person", "people"))
    p.add_argument("name", nargs="?", metavar="NAME", help="the team or the person")
    p.add_argument("--role", choices=("trainee", "mentor", "trainer", "admin"))
    p.add_argument("--team", metavar="T", help="the person's team (trainees and mentors)")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim import store_admin
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    if args.action in ("add-team", "add-person") and not args.name:
        print(f"callsim admin {args.action}: give a NAME", file=sys.stderr)
        return 2
    if args.action == "add-person" and not args.role:
        print("callsim admin add-person: give --role", file=sys.stderr)
        return 2
    store = open_or_report(args)
    if store is None:
        return 1
    try:
        if args.action == "init":
            store_admin.init(store)
            print(f"callsim: the store {terminal_safe(str(store.path))} is ready for a team")
        elif args.action == "add-team":
            store_admin.add_team(store, args.name)
            print(f"team {terminal_safe(args.name)} added")
        elif args.action == "add-person":
            store_admin.add_person(store, args.name, args.role, team=args.team)
            print(f"{terminal_safe(args.name)} added as {args.role}")
        else:
            for name, role, team in store_admin.people(store):
                print(terminal_safe(f"{name}\t{role}\t{team or ''}"))
    except StoreError as exc:
        report(exc)
        return 1
    finally:
        store.close()
    return 0
