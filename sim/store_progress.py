"""A trainee's progress, worked out from the store: trends, indicators, weakest dimensions, plan.

Pure data in, data out (no printing), so `callsim progress` and the app's progress screen can
show the same thing.

Which scenarios train which dimension (the development plan's rule)
-------------------------------------------------------------------
A rubric dimension is put in a group by words in its id or title (the first group that
matches); a scenario's relevance to the group comes from what it asks of the trainee:

- escalation (escalat, handover, hand-over): escalation policy `required` or `avoid` (2);
  `allowed`, with the customer demanding a manager within 2 mood points of their opening (1).
- empathy (empath): opening mood 7+ (2) or 5+ (1); +1 for a `complaint`.
- tone (calm, tone, professional): opening mood 7+ (2) or 5+ (1); +1 when the customer hangs
  up within 3 points of their opening mood.
- listening (listen, reflect): one per key fact to reflect back (`expectations.key_facts`).
- clarifying (clarif, question): one per hidden fact to uncover (`facts`).
- problem (problem, solv, resol): one per required action (`expectations.required_actions`).
- expectations (expect, promise, timeline): 1 for a realistic timeline, +1 per forbidden promise.
- follow_up (follow, document, notes, wrap): one per fact the wrap-up notes must record.

A dimension in no group is trained by every scenario (relevance 1). For each of the weakest
dimensions, the plan lists the bundled scenarios with relevance above 0, easiest first
(difficulty, then higher relevance, then id), so a trainee builds up to the hard calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import mean

from callsim.engine.models import Scenario
from callsim.sim.store import ProgressPoint

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("escalation", ("escalat", "handover", "hand-over")),
    ("empathy", ("empath",)),
    ("tone", ("calm", "tone", "professional")),
    ("listening", ("listen", "reflect")),
    ("clarifying", ("clarif", "question")),
    ("problem", ("problem", "solv", "resol")),
    ("expectations", ("expect", "promise", "timeline")),
    ("follow_up", ("follow", "document", "notes", "wrap")),
)

RECENT = 10  # calls that count for "weakest now", and each side of a long trend


def group_of(dimension: str, title: str | None = None) -> str | None:
    words = f"{dimension} {title or ''}".lower()
    for group, keys in GROUPS:
        if any(k in words for k in keys):
            return group
    return None


def relevance(scenario: Scenario, group: str | None) -> int:
    """How much a scenario trains a dimension group (see the module's table)."""
    sc, exp, customer = scenario, scenario.expectations, scenario.customer
    if group is None:
        return 1
    if group == "escalation":
        if sc.escalation.policy in ("required", "avoid"):
            return 2
        demanding = sc.escalation.on_manager_demand and (
            customer.demands_manager_at - customer.mood <= 2
        )
        return 1 if demanding else 0
    if group in ("empathy", "tone"):
        score = 2 if customer.mood >= 7 else 1 if customer.mood >= 5 else 0
        if group == "empathy" and sc.category.value == "complaint":
            score += 1
        if group == "tone" and customer.hangs_up_at - customer.mood <= 3:
            score += 1
        return score
    if group == "listening":
        return len(exp.key_facts)
    if group == "clarifying":
        return len(sc.facts)
    if group == "problem":
        return len(exp.required_actions)
    if group == "expectations":
        return (1 if exp.timeline else 0) + len(exp.forbidden_promises)
    if group == "follow_up":
        return len(exp.wrap_up_must_record)
    return 1


@dataclass(frozen=True)
class Comparison:
    """A trend in two numbers: the mean of the earliest calls against the mean of the latest.

    From 2 * RECENT calls on, the first RECENT against the last RECENT; with fewer, the first
    half against the second (an odd count leaves the middle call out); one call has no trend
    (`window` 0, `earlier` and `later` both its value).
    """

    earlier: float
    later: float
    window: int  # calls on each side
    calls: int  # calls it was worked out over

    @property
    def change(self) -> float | None:
        return self.later - self.earlier if self.window else None


def compare(values: Sequence[float]) -> Comparison | None:
    """The earliest of `values` (oldest first) against the latest; None when there are none."""
    if not values:
        return None
    window = RECENT if len(values) >= 2 * RECENT else len(values) // 2
    if window == 0:
        return Comparison(values[0], values[0], 0, 1)
    return Comparison(mean(values[:window]), mean(values[-window:]), window, len(values))


@dataclass(frozen=True)
class Trend:
    dimension: str
    title: str
    scores: list[float]  # oldest first, one per graded call
    recent: float  # mean of the last RECENT scores

    @property
    def comparison(self) -> Comparison | None:
        return compare(self.scores)


@dataclass(frozen=True)
class Step:
    """One scenario in the development plan."""

    dimension: str
    scenario_id: str
    title: str
    difficulty: int
    relevance: int
    taken: int


@dataclass
class Report:
    trainee: str
    calls: int
    trends: list[Trend] = field(default_factory=list)
    fcr: list[float] = field(default_factory=list)  # per bucket, 0-100
    handling: list[float] = field(default_factory=list)  # per bucket, seconds
    satisfaction: list[float] = field(default_factory=list)  # per bucket, 1-5
    # the same indicators' trends, call by call (see Comparison)
    fcr_trend: Comparison | None = None
    handling_trend: Comparison | None = None
    satisfaction_trend: Comparison | None = None
    weakest: list[Trend] = field(default_factory=list)
    plan: list[Step] = field(default_factory=list)


def buckets(values: Sequence[float], count: int) -> list[float]:
    """`values` averaged into at most `count` consecutive groups (order kept)."""
    if len(values) <= count:
        return list(values)
    size = len(values) / count
    return [mean(values[int(i * size) : int((i + 1) * size)]) for i in range(count)]


def report(
    trainee: str,
    points: Sequence[ProgressPoint],
    scenarios: Iterable[Scenario] = (),
    *,
    titles: dict[str, str] | None = None,
    width: int = 12,
    weakest: int = 3,
    plan_size: int = 4,
) -> Report:
    """Trends and indicators over `points` (oldest first), in at most `width` time buckets."""
    titles = titles or {}
    out = Report(trainee, len(points))
    by_dim: dict[str, list[float]] = {}
    for p in points:
        for dim, score in p.dimensions.items():
            by_dim.setdefault(dim, []).append(score)
    for dim, scores in sorted(by_dim.items()):
        out.trends.append(Trend(dim, titles.get(dim, dim), scores, mean(scores[-RECENT:])))
    ended = [p for p in points if p.outcome is not None]
    chunk = max(1, -(-len(ended) // width))  # calls per bucket
    groups = [ended[i : i + chunk] for i in range(0, len(ended), chunk)]
    out.fcr = [100 * mean(p.first_contact for p in g) for g in groups]
    out.handling = [mean(p.duration_seconds for p in g) for g in groups]
    out.satisfaction = [
        mean(s) for g in groups if (s := [p.satisfaction for p in g if p.satisfaction is not None])
    ]
    out.fcr_trend = compare([100.0 * p.first_contact for p in ended])
    out.handling_trend = compare([p.duration_seconds for p in ended])
    out.satisfaction_trend = compare([p.satisfaction for p in ended if p.satisfaction is not None])
    out.weakest = sorted(out.trends, key=lambda t: (t.recent, t.dimension))[:weakest]
    taken: dict[str, int] = {}
    for p in points:
        taken[p.scenario_id] = taken.get(p.scenario_id, 0) + 1
    library = list(scenarios)
    for trend in out.weakest:
        group = group_of(trend.dimension, trend.title)
        ranked = sorted(
            ((sc, relevance(sc, group)) for sc in library),
            key=lambda x: (x[0].difficulty, -x[1], x[0].id),
        )
        out.plan += [
            Step(trend.dimension, sc.id, sc.title, sc.difficulty, rel, taken.get(sc.id, 0))
            for sc, rel in ranked
            if rel > 0
        ][:plan_size]
    return out


def bundled_library() -> list[Scenario]:
    """The bundled scenarios that load cleanly (a broken one is left out of plans)."""
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.sim.scenario_paths import bundled_scenarios

    out = []
    for path in bundled_scenarios():
        try:
            out.append(load_scenario(path).scenario)
        except ScenarioError:
            continue
    return out
