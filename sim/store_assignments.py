"""Assignments (issue 15, item 3): a trainer assigns a scenario to a trainee, or to a team,
due by a date. Pure data, no printing: `callsim assign`, `callsim cohort` and the trainee's
home screen show them.

- Assigning to a team makes one assignment per trainee in the team at that moment (someone who
  joins later is not assigned it), so each trainee's is done or overdue on its own.
- An assignment is done when the trainee has finished a call of that scenario (any ending)
  that started after it was assigned; calls played from a script never count. Not done and
  past its due date, it is overdue; else it is open.

The `assignments` table is the store's schema version 7 (sim/store_migrations.py); on a team's
PostgreSQL store trainers manage them and a trainee reads only their own (sim/store_admin.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from callsim.sim.store import Store, StoreError, T, now_utc, sa  # T, sa: imported at first use

State = Literal["done", "open", "overdue"]


def _store(store: Any) -> Store:
    return store if isinstance(store, Store) else store.store


@dataclass(frozen=True)
class Assignment:
    id: str
    trainee: str
    scenario_id: str
    team: str | None
    due: str  # YYYY-MM-DD
    assigned_by: str | None
    created_at: str
    done_call: str | None = None  # the first call that completed it
    done_at: str | None = None  # when that call started (UTC ISO)

    def state(self, today: date | None = None) -> State:
        if self.done_call is not None:
            return "done"
        return "overdue" if self.due < (today or date.today()).isoformat() else "open"

    def words(self, today: date | None = None) -> str:
        """'due 2026-12-10', 'overdue (due 2026-12-01)', 'done 2026-12-04 (call 1a2b3c4d)'."""
        state = self.state(today)
        if state == "done":
            return f"done {(self.done_at or '')[:10]} (call {(self.done_call or '')[:8]})"
        return f"overdue (due {self.due})" if state == "overdue" else f"due {self.due}"


def assign(
    store: Any,
    scenario_id: str,
    trainees: Sequence[str],
    due: str,
    *,
    team: str | None = None,
    by: str | None = None,
) -> list[Assignment]:
    """Assign the scenario to each trainee (all in one transaction)."""
    if not trainees:
        raise StoreError(
            f"team {team} has no trainees to assign it to" if team else "no trainee given"
        )
    created = now_utc()
    rows = [
        {
            "id": uuid.uuid4().hex,
            "trainee": name,
            "scenario_id": scenario_id,
            "team": team,
            "due": due,
            "assigned_by": by,
            "created_at": created,
        }
        for name in trainees
    ]
    with _store(store)._write("save the assignment") as conn:
        conn.execute(sa.insert(T.assignments), rows)
    return [Assignment(**r) for r in rows]


def _done_call(which: str) -> sa.ScalarSelect:
    """The first finished call that completes each assignment row: its id or its start."""
    a, c = T.assignments.c, T.calls.c
    column = c.id if which == "id" else c.started_at
    return (
        sa.select(column)
        .where(
            c.trainee == a.trainee,
            c.scenario_id == a.scenario_id,
            c.ended_at.is_not(None),
            c.source != "scripted",
            c.started_at >= a.created_at,
        )
        .order_by(c.started_at, c.id)
        .limit(1)
        .scalar_subquery()
    )


def assignments(store: Any, trainees: Iterable[str] | None = None) -> list[Assignment]:
    """The assignments of these trainees (all the login may read without), by trainee then due
    date, each with the call that completed it, if any."""

    def build() -> Any:
        a = T.assignments.c
        return sa.select(
            a.id,
            a.trainee,
            a.scenario_id,
            a.team,
            a.due,
            a.assigned_by,
            a.created_at,
            _done_call("id"),
            _done_call("started_at"),
        ).order_by(a.trainee, a.due, a.created_at, a.id)

    s = _store(store)
    names = None if trainees is None else list(trainees)
    if names is not None and len(names) == 1:  # the home screen's (kept compiled for SQLite)
        one = s._query(
            "assignments-of",
            lambda: build().where(T.assignments.c.trainee == sa.bindparam("trainee")),
            {"trainee": names[0]},
        )
        return [Assignment(*r) for r in one]
    stmt = build()
    a = T.assignments.c
    if names is None:
        rows = s._read(stmt)
    else:
        rows = []
        for start in range(0, len(names), 500):  # SQLite's limit on parameters
            rows += s._read(stmt.where(a.trainee.in_(names[start : start + 500])))
    return [Assignment(*r) for r in rows]


def open_first(found: Iterable[Assignment], today: date | None = None) -> list[Assignment]:
    """Not done yet, overdue first, then by due date (what a trainee should take next)."""
    waiting = [x for x in found if x.state(today) != "done"]
    return sorted(waiting, key=lambda x: (x.state(today) != "overdue", x.due, x.scenario_id))


def counts(
    store: Any, trainees: Sequence[str], today: date | None = None
) -> dict[str, dict[str, int]]:
    """Per trainee with any: how many assignments are done, open and overdue."""
    out: dict[str, dict[str, int]] = {}
    for x in assignments(store, trainees):
        tally = out.setdefault(x.trainee, {"done": 0, "open": 0, "overdue": 0})
        tally[x.state(today)] += 1
    return out


def remove(store: Any, assignment_id: str) -> Assignment:
    """Remove the assignment whose id starts with `assignment_id` (4 characters or more)."""
    prefix = assignment_id.strip().lower()
    if len(prefix) < 4 or any(ch not in "0123456789abcdef" for ch in prefix):
        raise StoreError(
            f"'{assignment_id}' is not an assignment id ('callsim assign --list' shows them)"
        )
    s = _store(store)
    matches = _by_prefix(s, prefix)
    if not matches:
        raise StoreError(f"no assignment has an id starting '{prefix}'")
    if len(matches) > 1:
        raise StoreError(f"{len(matches)} assignments have ids starting '{prefix}': give more")
    found = matches[0]
    with s._write("remove the assignment") as conn:
        gone = conn.execute(sa.delete(T.assignments).where(T.assignments.c.id == found.id))
        if gone.rowcount == 0:  # the database let us read it but not delete it
            raise StoreError(
                f"the store {s.path} does not allow you to remove the assignment "
                "(trainers manage assignments)"
            )
    return found


def _by_prefix(s: Store, prefix: str) -> list[Assignment]:
    a = T.assignments.c
    rows = s._read(
        sa.select(a.id, a.trainee, a.scenario_id, a.team, a.due, a.assigned_by, a.created_at)
        .where(a.id >= prefix, a.id < prefix + "g")
        .limit(2)
    )
    return [Assignment(*r) for r in rows]
