"""Accounts and roles on a team's PostgreSQL store, enforced by the database itself (issue 15).

Each person connects as their own PostgreSQL role (LOGIN), a member of one group role:
- `callsim_trainee`: reads and writes only their own calls (`calls.trainee` is their role's
  name) and what hangs off them, and reads the mentors' comments, overrides and cleared flags
  on them; cannot write a review.
- `callsim_mentor`: reads the calls of the trainees in their team and writes reviews (comments,
  overrides, cleared flags, the reviewed mark: only those two columns of a call); cannot
  change a transcript.
- `callsim_trainer`: reads every call (cohort figures) and manages goals, level unlocks and
  assignments (a mentor reads their team's assignments, a trainee their own).
- `callsim_admin`: everything (it owns nothing more than the others; `admin init` is run by the
  database's owner or a superuser, which row-level security does not restrict).
Row-level security policies on every table that names a call decide which rows a role sees;
table and column grants decide what it may do with them. Nothing here is checked by callsim:
a trainee's direct SQL meets the same refusals (tests/sim/test_store_roles.py).

On SQLite (one person's file) access is the file's; these commands refuse an SQLite store.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from callsim.sim import store_schema as T
from callsim.sim.store import Store, StoreError, now_utc

ROLES = ("trainee", "mentor", "trainer", "admin")
GROUP = {r: f"callsim_{r}" for r in ROLES}
#: A person's name is their database role's name: letters, digits, _ . - (no quoting games).
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,62}")

#: Tables that name a call in `call_id`: a row is visible when its call is.
CALL_TABLES = (
    "turns",
    "dimension_scores",
    "overrides",
    "comments",
    "cleared_flags",
    "examples",
    "self_assessments",
    "shares",
    "peer_comments",
)
#: The review a mentor writes (a trainee reads them on their own calls).
REVIEW_TABLES = ("overrides", "comments", "cleared_flags", "examples")
#: What a trainee writes about their own call.
OWN_TABLES = ("turns", "dimension_scores", "self_assessments", "shares")

_ACCOUNTS = """
CREATE TABLE IF NOT EXISTS teams (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('trainee', 'mentor', 'trainer', 'admin')),
    team TEXT REFERENCES teams(name),
    created_at TEXT NOT NULL
);
-- whether `who` is in the team of `me` (the policies pass current_user): SECURITY DEFINER,
-- so it reads people whatever the caller may read
CREATE OR REPLACE FUNCTION callsim_in_team_of(who TEXT, me TEXT) RETURNS BOOLEAN
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT EXISTS (SELECT 1 FROM public.people p WHERE p.name = who
                         AND p.team = (SELECT team FROM public.people WHERE name = me)) $$;
"""


def _server(store: Store) -> None:
    if not store.server:
        raise StoreError(
            "accounts and roles are for a team's PostgreSQL store (--db postgresql://...); "
            "an SQLite store is one person's file, and access to it is the file's"
        )


def _quote(store: Store, name: str) -> str:
    return store._engine.dialect.identifier_preparer.quote(name)


def _statements(store: Store) -> list[str]:
    """The roles, grants and row-level security policies, each statement idempotent."""
    q = lambda n: _quote(store, n)  # noqa: E731
    out = []
    for group in GROUP.values():
        out.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
            f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$"
        )
    everyone = ", ".join(GROUP.values())
    out.append(f"GRANT USAGE ON SCHEMA public TO {everyone}")
    out.append(f"GRANT SELECT ON alembic_version, teams, people TO {everyone}")
    out.append(f"GRANT EXECUTE ON FUNCTION callsim_in_team_of(TEXT, TEXT) TO {everyone}")
    out.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {everyone}")
    admin = GROUP["admin"]
    out.append(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {admin}")
    trainee, mentor, trainer = GROUP["trainee"], GROUP["mentor"], GROUP["trainer"]
    # calls: a trainee's own; a mentor's team; a trainer's and an admin's all
    own = ", ".join(c.name for c in T.calls.c if c.name not in ("reviewed_at", "reviewed_by"))
    out.append(f"GRANT SELECT, INSERT ON calls TO {trainee}")
    out.append(f"GRANT UPDATE ({own}) ON calls TO {trainee}")  # not the mentor's mark
    out.append(f"GRANT SELECT ON calls TO {mentor}, {trainer}")
    out.append(f"GRANT UPDATE (reviewed_at, reviewed_by) ON calls TO {mentor}")
    visible = "EXISTS (SELECT 1 FROM calls c WHERE c.id = call_id)"  # the calls' own policies
    policies = {
        "calls": [
            ("own", "ALL", trainee, "trainee = current_user", "trainee = current_user"),
            ("team", "SELECT", mentor, "callsim_in_team_of(trainee, current_user)", None),
            (
                "review",
                "UPDATE",
                mentor,
                "callsim_in_team_of(trainee, current_user)",
                "callsim_in_team_of(trainee, current_user)",
            ),
            ("all", "SELECT", trainer, "true", None),
            ("admin", "ALL", admin, "true", "true"),
        ],
    }
    for table in CALL_TABLES:
        rules = [
            ("read", "SELECT", everyone, visible, None),
            ("admin", "ALL", admin, "true", "true"),
        ]
        out.append(f"GRANT SELECT ON {table} TO {trainee}, {mentor}, {trainer}")
        if table in OWN_TABLES:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {trainee}")
            for verb in ("INSERT", "UPDATE", "DELETE"):
                check = None if verb == "DELETE" else visible
                using = None if verb == "INSERT" else visible
                rules.append((f"own_{verb.lower()}", verb, trainee, using, check))
        if table in REVIEW_TABLES:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {mentor}")
            for verb in ("INSERT", "UPDATE", "DELETE"):
                check = None if verb == "DELETE" else visible
                using = None if verb == "INSERT" else visible
                rules.append((f"review_{verb.lower()}", verb, mentor, using, check))
        if table == "peer_comments":
            out.append(f"GRANT INSERT ON {table} TO {trainee}")
            rules.append(("peer_insert", "INSERT", trainee, None, "author = current_user"))
        policies[table] = rules
    for table in ("goals", "unlocks"):
        out.append(f"GRANT SELECT ON {table} TO {trainee}, {mentor}, {trainer}")
        out.append(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {mentor}, {trainer}")
        policies[table] = [
            ("own", "SELECT", trainee, "trainee = current_user", None),
            (
                "team",
                "ALL",
                mentor,
                "callsim_in_team_of(trainee, current_user)",
                "callsim_in_team_of(trainee, current_user)",
            ),
            ("all", "ALL", trainer, "true", "true"),
            ("admin", "ALL", admin, "true", "true"),
        ]
    # assignments: a trainer's (and an admin's) to manage; a mentor reads their team's, a
    # trainee their own
    out.append(f"GRANT SELECT ON assignments TO {trainee}, {mentor}, {trainer}")
    out.append(f"GRANT INSERT, UPDATE, DELETE ON assignments TO {trainer}")
    policies["assignments"] = [
        ("own", "SELECT", trainee, "trainee = current_user", None),
        ("team", "SELECT", mentor, "callsim_in_team_of(trainee, current_user)", None),
        ("all", "ALL", trainer, "true", "true"),
        ("admin", "ALL", admin, "true", "true"),
    ]
    for table, rules in policies.items():
        out.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, verb, to, using, check in rules:
            policy = q(f"callsim_{name}")
            out.append(f"DROP POLICY IF EXISTS {policy} ON {table}")
            sql = f"CREATE POLICY {policy} ON {table} FOR {verb} TO {to}"
            if using is not None:
                sql += f" USING ({using})"
            if check is not None:
                sql += f" WITH CHECK ({check})"
            out.append(sql)
    return out


def init(store: Store) -> None:
    """Create (or bring up to date) the accounts tables, the group roles and the policies on a
    server store whose schema `Store` has just created or upgraded."""
    _server(store)
    with store._write("set up accounts and roles") as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7140816)"))
        conn.exec_driver_sql(_ACCOUNTS)
        for statement in _statements(store):
            conn.exec_driver_sql(statement)


def _check_name(name: str, what: str) -> None:
    if not NAME.fullmatch(name):
        raise StoreError(
            f"a {what}'s name is a letter then letters, digits, '_', '.' or '-' (up to 63): "
            f"'{name}' is not"
        )


def add_team(store: Store, team: str) -> None:
    _server(store)
    _check_name(team, "team")
    with store._write("add the team") as conn:
        conn.execute(
            sa.text("INSERT INTO teams (name, created_at) VALUES (:n, :at) ON CONFLICT DO NOTHING"),
            {"n": team, "at": now_utc()},
        )


def add_person(store: Store, name: str, role: str, *, team: str | None = None) -> None:
    """A person: their LOGIN role in the role's group, and their row in `people`. The password
    is the database's business (`ALTER ROLE name PASSWORD ...` or psql's `\\password name`):
    callsim never takes one on its command line."""
    _server(store)
    _check_name(name, "person")
    if role not in ROLES:
        raise StoreError(f"a role is one of {', '.join(ROLES)}, not '{role}'")
    if role in ("trainee", "mentor") and not team:
        raise StoreError(f"a {role} belongs to a team: give --team")
    who = _quote(store, name)
    with store._write("add the person") as conn:
        if (
            team is not None
            and not conn.execute(
                sa.text("SELECT 1 FROM teams WHERE name = :t"), {"t": team}
            ).first()
        ):
            raise StoreError(f"no team '{team}': add it first with 'callsim admin add-team'")
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
        if not exists.first():
            conn.exec_driver_sql(f"CREATE ROLE {who} LOGIN")
        for other in GROUP.values():
            conn.exec_driver_sql(f"REVOKE {other} FROM {who}")
        conn.exec_driver_sql(f"GRANT {GROUP[role]} TO {who}")
        conn.execute(
            sa.text(
                "INSERT INTO people (name, role, team, created_at) VALUES (:n, :r, :t, :at) "
                "ON CONFLICT (name) DO UPDATE SET role = excluded.role, team = excluded.team"
            ),
            {"n": name, "r": role, "t": team, "at": now_utc()},
        )


def people(store: Store) -> list[tuple[str, str, str | None]]:
    _server(store)
    rows: list[Any] = store._read("SELECT name, role, team FROM people ORDER BY team, name")
    return [tuple(r) for r in rows]
