"""A trainee's development plan: goals a mentor sets, and how far each has come (issue 17).

Two kinds of goal:
- a rubric dimension to reach a score (a number, or a band: fair 50, good 75 in the default
  rubric) by a date: met when the mean of the trainee's latest `RECENT` calls that scored the
  dimension (a mentor's override counts) is at the score;
- a number of calls at a difficulty or above by a date: met when the trainee has finished that
  many calls of scenarios that hard (scripted calls never count).

A goal past its date and not met is overdue. The goals live in the store's `goals` table
(schema version 4, sim/store_schema.py), read and written with SQLAlchemy Core as the store
does, the same on the SQLite store and the team's PostgreSQL one. Pure data, no printing:
`callsim goal`, `callsim progress` and the app's home screen show it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import mean
from typing import Any, Literal

from callsim.sim.store import Store, StoreError, T, now_utc, sa  # T, sa: imported at first use

#: A dimension goal is judged on the mean of this many latest calls that scored it.
RECENT = 3
MAX_CALLS = 1000


def _store(store: Any) -> Store:
    return store if isinstance(store, Store) else store.store


@dataclass(frozen=True)
class Goal:
    id: str
    trainee: str
    kind: Literal["dimension", "calls"]
    dimension: str | None
    level: float | None
    difficulty: int | None
    calls: int | None
    due: str | None
    set_by: str | None
    created_at: str

    def describe(self, titles: Mapping[str, str] | None = None) -> str:
        """The goal in words: 'Empathy at 75 or above by 2026-12-31'."""
        by = f" by {self.due}" if self.due else ""
        if self.kind == "dimension":
            title = (titles or {}).get(self.dimension or "", self.dimension)
            return f"{title} at {self.level:g} or above{by}"
        n = self.calls or 0
        return f"{n} call{'s' * (n != 1)} at difficulty {self.difficulty} or above{by}"


_COLUMNS = ("id", "trainee", "kind", "dimension", "level", "difficulty", "calls", "due")
_COLUMNS += ("set_by", "created_at")


def _select() -> sa.Select:
    return sa.select(*(T.goals.c[name] for name in _COLUMNS))


def _goal(row: Sequence[Any]) -> Goal:
    gid, trainee, kind, dim, level, difficulty, calls, due, set_by, created = row
    return Goal(
        str(gid),
        str(trainee),
        "calls" if kind == "calls" else "dimension",
        dim,
        float(level) if level is not None else None,
        int(difficulty) if difficulty is not None else None,
        int(calls) if calls is not None else None,
        due,
        set_by,
        str(created),
    )


def level_value(level: str, bands: Any = None) -> float:
    """A goal's score: a number 0-100, or a band's name (fair, good). ValueError otherwise."""
    if bands is None:
        from callsim.grading.rubric import default_rubric

        bands = default_rubric().bands
    named = {"fair": float(bands.fair), "good": float(bands.good)}
    if level.strip().lower() in named:
        return named[level.strip().lower()]
    try:
        value = float(level)
    except ValueError:
        raise ValueError(f"'{level}' is not a level: give a score 0-100, fair or good") from None
    if not 0 <= value <= 100:
        raise ValueError(f"a level is a score from 0 to 100, not {value:g}")
    return value


def check_due(due: str | None) -> str | None:
    """The date as YYYY-MM-DD (ValueError saying what is wrong), or None."""
    if due is None:
        return None
    try:
        return date.fromisoformat(due.strip()).isoformat()
    except ValueError:
        raise ValueError(f"'{due}' is not a date: write it as YYYY-MM-DD") from None


def set_goal(
    store: Any,
    trainee: str,
    *,
    dimension: str | None = None,
    level: float | None = None,
    difficulty: int | None = None,
    calls: int | None = None,
    due: str | None = None,
    mentor: str | None = None,
) -> Goal:
    """Add a goal for a trainee: a `dimension` with its `level`, or `calls` at a `difficulty`.
    StoreError says what is wrong with it."""
    from callsim.grading.rubric import default_rubric

    dims = default_rubric().dimensions
    if (dimension is None) == (calls is None):
        raise StoreError("a goal is either a dimension to reach a level, or a number of calls")
    if dimension is not None:
        if dimension not in dims:
            raise StoreError(
                f"no rubric dimension '{dimension}' (the dimensions are: {', '.join(dims)})"
            )
        if level is None or not 0 <= level <= 100:
            raise StoreError("a dimension goal needs a level: a score 0-100, fair or good")
        kind = "dimension"
    else:
        if calls is None or not 1 <= calls <= MAX_CALLS:
            raise StoreError(f"a calls goal needs a number of calls from 1 to {MAX_CALLS}")
        if difficulty is None or not 1 <= difficulty <= 5:
            raise StoreError("a calls goal needs a difficulty from 1 to 5")
        kind = "calls"
    try:
        due = check_due(due)
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    row = {
        "id": uuid.uuid4().hex,
        "trainee": trainee,
        "kind": kind,
        "dimension": dimension,
        "level": level if kind == "dimension" else None,
        "difficulty": difficulty if kind == "calls" else None,
        "calls": calls,
        "due": due,
        "set_by": mentor,
        "created_at": now_utc(),
    }
    s = _store(store)
    with s._write("save the goal") as conn:
        conn.execute(sa.insert(T.goals).values(row))
    return _goal([row[name] for name in _COLUMNS])


def goals(store: Any, trainee: str) -> list[Goal]:
    """The trainee's goals, oldest first."""

    def build() -> Any:
        g = T.goals.c
        return _select().where(g.trainee == sa.bindparam("trainee")).order_by(g.created_at, g.id)

    rows = _store(store)._query("goals-of", build, {"trainee": trainee})
    return [_goal(r) for r in rows]


def remove_goal(store: Any, goal_id: str) -> Goal:
    """Take a goal away by (the start of) its id."""
    s = _store(store)
    prefix = goal_id.strip().lower()
    if not prefix or not all(c in "0123456789abcdef" for c in prefix):
        raise StoreError(f"'{goal_id}' is not a goal id ('callsim goal list TRAINEE' shows them)")
    g = T.goals.c
    rows = s._read(_select().where(g.id >= prefix, g.id < prefix + "g"))
    if not rows:
        raise StoreError(f"no goal has an id starting '{prefix}'")
    if len(rows) > 1:
        raise StoreError(f"{len(rows)} goals have ids starting '{prefix}': give more of it")
    goal = _goal(rows[0])
    with s._write("remove the goal") as conn:
        conn.execute(sa.delete(T.goals).where(T.goals.c.id == goal.id))
    return goal


# -- how far each goal has come ----------------------------------------------------------------

State = Literal["met", "in progress", "overdue", "not started"]


@dataclass(frozen=True)
class GoalStatus:
    goal: Goal
    state: State
    value: float | None  # the recent mean score, or the calls done
    target: float

    def now(self) -> str:
        """How far it has come: '62.5 over the latest 3 calls that scored it', '3 of 5 calls'."""
        if self.goal.kind == "dimension":
            if self.value is None:
                return "not scored yet"
            return f"{self.value:.1f} over the latest {RECENT} calls that scored it"
        return f"{int(self.value or 0)} of {int(self.target)} calls"

    def words(self, titles: Mapping[str, str] | None = None) -> str:
        """'Empathy at 75 or above by 2026-12-31: in progress (62.5 over the latest 3 calls
        that scored it)'."""
        return f"{self.goal.describe(titles)}: {self.state} ({self.now()})"


def goal_status(
    goal: Goal,
    points: Sequence[Any],
    difficulty_of: Mapping[str, int],
    today: date | None = None,
) -> GoalStatus:
    """How far a goal has come over the trainee's calls (`ProgressPoint`s, oldest first);
    `difficulty_of` maps scenario ids to their difficulty."""
    today = today or date.today()
    if goal.kind == "dimension":
        scores = [p.dimensions[goal.dimension] for p in points if goal.dimension in p.dimensions]
        value = mean(scores[-RECENT:]) if scores else None
        target = goal.level or 0.0
        met = value is not None and value >= target
    else:
        value = float(
            sum(1 for p in points if difficulty_of.get(p.scenario_id, 0) >= (goal.difficulty or 0))
        )
        target = float(goal.calls or 0)
        met = value >= target
    if met:
        state: State = "met"
    elif goal.due is not None and date.fromisoformat(goal.due) < today:
        state = "overdue"
    elif not value:
        state = "not started"
    else:
        state = "in progress"
    return GoalStatus(goal, state, value, target)


def statuses(
    store: Any, trainee: str, library: Iterable[Any], today: date | None = None
) -> list[GoalStatus]:
    """Every goal of a trainee with its status, from the store's progress of their calls."""
    found = goals(store, trainee)
    if not found:
        return []
    points = _store(store).progress(trainee)
    difficulty_of = {sc.id: sc.difficulty for sc in library}
    return [goal_status(g, points, difficulty_of, today) for g in found]


def plan_for_goals(
    open_goals: Sequence[GoalStatus], library: Sequence[Any], titles: Mapping[str, str]
) -> list[tuple[str, list[Any]]]:
    """Scenarios to practise for each goal not met, easiest first: those that train the goal's
    dimension (the development plan's rule, sim/store_progress.py), or those at the goal's
    difficulty."""
    from callsim.sim.store_progress import group_of, relevance

    out = []
    for st in open_goals:
        g = st.goal
        if st.state == "met":
            continue
        if g.kind == "dimension":
            group = group_of(g.dimension or "", titles.get(g.dimension or ""))
            picks = [sc for sc in library if relevance(sc, group) > 0]
            picks.sort(key=lambda sc: (sc.difficulty, -relevance(sc, group), sc.id))
        else:
            picks = sorted(
                (sc for sc in library if sc.difficulty >= (g.difficulty or 0)),
                key=lambda sc: (sc.difficulty, sc.id),
            )
        out.append((g.describe(titles), picks[:4]))
    return out
