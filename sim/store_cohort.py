"""A trainer's view of a cohort (issue 15, item 3): the team's weakest rubric areas and each
trainee's figures against targets, worked out from the store. Pure data, no printing:
`callsim cohort` shows it as text or JSON.

Who is in view
- SQLite (one person's file): every trainee with a call in it; there are no teams.
- PostgreSQL: with `--team T`, the trainees in that team (`people`, sim/store_admin.py);
  without, every trainee in `people` and everyone with a call. A mentor sees their own team
  (the database shows them no other team's calls); a trainee is refused (the database would
  show them only their own calls, which `callsim progress` already covers).

The figures, per trainee, over their ended calls since `since` (scripted calls left out;
each trainee's latest `CALLS` calls, read with `Store.progress`, the figures `callsim progress`
reads):
- first-contact resolution: the share of calls the grade counted as resolved first time
  (`kpis.first_contact_resolution`: ended resolved, or escalated where the scenario required
  escalation and the hand-over did not pass the customer off); an ungraded call counts when it
  ended resolved;
- handling time: the mean of each call's stored handling time (start to end), in minutes, and
  of its turns (the customer's and the trainee's lines together); against target as the mean
  of each call's time over its scenario's target time (calls whose scenario has none left out);
- satisfaction: the mean of the grade's 1-5 estimate, which comes from the customer's final
  mood (0-2: 5, up to 4: 4, up to 6: 3, up to 8: 2, above or hung up: 1);
- each rubric dimension: the mean of their latest `store_progress.RECENT` scores in the window
  (a mentor's override counts), as `callsim progress` gives it;
- last call: the day of their latest call (whatever `since` says); not practised when that is
  `TARGETS.idle_days` days ago or more, or never.
Per dimension, over the trainees who have a score in it: the mean and the spread (population
standard deviation) of those trainee means, each trainee counting once however many calls
they took, and how many are weak in it (a mean below `TARGETS.weak_below`). Weakest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from statistics import mean, pstdev
from typing import Any

from callsim.sim.store import ProgressPoint, Store, StoreError

#: Each trainee's latest calls that the figures are worked out over.
CALLS = 500


@dataclass(frozen=True)
class Targets:
    """What a trainee's figures are held against (one place: the docs quote these)."""

    first_contact: float = 70.0  # % of calls resolved first time, at least
    handling: float = 1.0  # mean handling time over the scenarios' targets, at most
    satisfaction: float = 4.0  # mean 1-5 estimate, at least
    weak_below: float = 50.0  # a dimension mean below this is weak (the rubric's fair band)
    idle_days: int = 7  # no call for this many days or more: not practising


TARGETS = Targets()


class CohortError(StoreError):
    """Why the cohort cannot be shown; `code` 2 for bad input, 1 for a refusal."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@dataclass
class TraineeFigures:
    trainee: str
    calls: int = 0
    first_contact: float | None = None  # % of calls
    handling_seconds: float | None = None
    turns: float | None = None
    handling_vs_target: float | None = None  # 1.0: on target on average
    satisfaction: float | None = None  # 1-5
    last_call: str | None = None  # YYYY-MM-DD
    days_since: int | None = None
    idle: bool = True
    dimensions: dict[str, float] = field(default_factory=dict)
    assignments: dict[str, int] = field(default_factory=dict)  # done, open, overdue

    def met(self, targets: Targets = TARGETS) -> dict[str, bool | None]:
        """Each figure against its target (None: no figure to judge)."""

        def judge(value: float | None, ok: bool) -> bool | None:
            return None if value is None else ok

        f, h, s = self.first_contact, self.handling_vs_target, self.satisfaction
        return {
            "first_contact": judge(f, f is not None and f >= targets.first_contact),
            "handling": judge(h, h is not None and h <= targets.handling),
            "satisfaction": judge(s, s is not None and s >= targets.satisfaction),
        }


@dataclass(frozen=True)
class DimensionFigures:
    dimension: str
    title: str
    mean: float
    spread: float
    trainees: int  # with a score in it
    weak: int


@dataclass
class Cohort:
    team: str | None
    since: str | None
    today: str
    targets: Targets
    dimensions: list[DimensionFigures]
    trainees: list[TraineeFigures]

    @property
    def idle(self) -> list[TraineeFigures]:
        return [t for t in self.trainees if t.idle]

    def as_json(self) -> dict[str, Any]:
        """The shape `callsim cohort --json` prints (docs/team.md; keys only ever added)."""
        return {
            "team": self.team,
            "since": self.since,
            "today": self.today,
            "targets": asdict(self.targets),
            "dimensions": [asdict(d) for d in self.dimensions],
            "trainees": [
                {
                    **{k: v for k, v in asdict(t).items()},
                    "met": t.met(self.targets),
                }
                for t in self.trainees
            ],
            "not_practising": [t.trainee for t in self.idle],
        }


def check_since(since: str | None) -> str | None:
    """`--since` as YYYY-MM-DD (CohortError saying what is wrong), or None."""
    if since is None:
        return None
    try:
        return date.fromisoformat(since.strip()).isoformat()
    except ValueError:
        raise CohortError(f"'{since}' is not a date: write it as YYYY-MM-DD") from None


def _accounts(store: Store) -> bool:
    """Whether a server store has the accounts tables (`callsim admin init` made them)."""
    return bool(store.server and store._read("SELECT to_regclass('people') IS NOT NULL")[0][0])


def team_trainees(store: Store, team: str) -> list[str]:
    """The trainees of a team on a team's server, sorted; CohortError (exit code 2) for a
    store without teams or a team it does not have."""
    if not store.server:
        raise CohortError(
            "teams are kept on a team's PostgreSQL store (callsim admin add-team); this "
            f"store is one person's file ({store.path}): leave --team out"
        )
    teams = []
    if _accounts(store):
        teams = [r[0] for r in store._read("SELECT name FROM teams ORDER BY name")]
    if team not in teams:
        known = f"the teams are: {', '.join(teams)}" if teams else "the store has no teams yet"
        raise CohortError(f"no team '{team}' ({known})")
    rows = store._read(
        "SELECT name FROM people WHERE team = :t AND role = 'trainee' ORDER BY name", {"t": team}
    )
    return [r[0] for r in rows]


def is_trainee(store: Store, name: str) -> bool | None:
    """On a server with accounts, whether `name` is a trainee there; None where there are no
    accounts (an SQLite file: anyone's name will do)."""
    if not _accounts(store):
        return None
    found = store._read("SELECT 1 FROM people WHERE name = :n AND role = 'trainee'", {"n": name})
    return bool(found)


def members(store: Store, team: str | None) -> tuple[str | None, list[str]]:
    """The team shown (a mentor's own when none was given) and the trainees in view, sorted;
    CohortError when the team is unknown or the login may not see it."""
    if not store.server:
        if team is not None:
            team_trainees(store, team)  # says why not
        return None, store.trainees()
    accounts = _accounts(store)
    me = store._read("SELECT current_user")[0][0]
    role, my_team = None, None
    if accounts:
        found = store._read("SELECT role, team FROM people WHERE name = :n", {"n": me})
        if found:
            role, my_team = found[0]
    if role == "trainee":
        raise CohortError(
            f"the cohort is for trainers and mentors, and {me} is a trainee: "
            f"'callsim progress {me}' shows your own figures",
            code=1,
        )
    if role == "mentor":
        if team is not None and team != my_team:
            raise CohortError(
                f"{me} mentors team {my_team}: the store shows you that team's calls only "
                "(leave --team out)",
                code=1,
            )
        team = my_team
    if team is not None:
        return team, team_trainees(store, team)
    people = set()
    if accounts:
        people = {r[0] for r in store._read("SELECT name FROM people WHERE role = 'trainee'")}
    return None, sorted(people | set(store.trainees()))


def figures(
    trainee: str,
    points: list[ProgressPoint],
    since: str | None,
    today: date,
    titles: Mapping[str, str],
    targets: Targets = TARGETS,
) -> TraineeFigures:
    """One trainee's figures from their calls (`Store.progress`, oldest first)."""
    from callsim.sim.store_progress import report

    out = TraineeFigures(trainee)
    if points:
        last = date.fromisoformat(points[-1].started_at[:10])
        out.last_call = last.isoformat()
        out.days_since = (today - last).days
        out.idle = out.days_since >= targets.idle_days
    window = [p for p in points if since is None or p.started_at[:10] >= since]
    out.calls = len(window)
    if not window:
        return out
    out.first_contact = 100 * mean(p.first_contact for p in window)
    out.handling_seconds = mean(p.duration_seconds for p in window)
    out.turns = mean(p.turns for p in window)
    ratios = [p.duration_seconds / p.target_seconds for p in window if p.target_seconds > 0]
    out.handling_vs_target = mean(ratios) if ratios else None
    rated = [p.satisfaction for p in window if p.satisfaction is not None]
    out.satisfaction = mean(rated) if rated else None
    trends = report(trainee, window, titles=dict(titles)).trends
    out.dimensions = {t.dimension: t.recent for t in trends}
    return out


def weakest(
    trainees: Iterable[TraineeFigures], titles: Mapping[str, str], targets: Targets = TARGETS
) -> list[DimensionFigures]:
    """Each dimension across the trainees scored in it, weakest (lowest mean) first."""
    by_dim: dict[str, list[float]] = {}
    for t in trainees:
        for dim, value in t.dimensions.items():
            by_dim.setdefault(dim, []).append(value)
    out = [
        DimensionFigures(
            dim,
            titles.get(dim, dim),
            mean(values),
            pstdev(values),
            len(values),
            sum(1 for v in values if v < targets.weak_below),
        )
        for dim, values in by_dim.items()
    ]
    return sorted(out, key=lambda d: (d.mean, d.dimension))


def cohort(
    store: Store,
    *,
    team: str | None = None,
    since: str | None = None,
    today: date | None = None,
    targets: Targets = TARGETS,
) -> Cohort:
    """The cohort in view of this store's login (see the module's notes)."""
    from callsim.sim.self_assessment import rubric_dimensions
    from callsim.sim.store_assignments import counts

    since = check_since(since)
    today = today or date.today()
    team, names = members(store, team)
    titles = dict(rubric_dimensions()) | store.dimension_titles()
    people = [
        figures(name, store.progress(name, limit=CALLS), since, today, titles, targets)
        for name in names
    ]
    found = counts(store, names, today)
    for t in people:
        t.assignments = found.get(t.trainee, {"done": 0, "open": 0, "overdue": 0})
    return Cohort(team, since, today.isoformat(), targets, weakest(people, titles, targets), people)
