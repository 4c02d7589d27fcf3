"""The training loop's records in the store (issue 17): example calls and self-assessments.

Kept apart from sim/store.py so the store's own module stays about calls; the tables are the
store's schema version 3 (`_V3` there). Each function takes the `Store` (or the app's
`AppStore`, which wraps one) and uses its short write transactions, so a failure is a
`StoreError` said the way a user can act on it, like every other store write.

- examples: a mentor marks a saved, graded call as an example of how its scenario is handled
  well; shadowing offers it beside the scenario's own model call (`mark_example`,
  `unmark_example`, `examples`).
- self-assessments: the trainee's rating of each rubric dimension (poor, fair, good) and one line
  on what they would do differently, saved with the call (`save_self_assessment`,
  `self_assessment`, `self_assessments` for progress).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from callsim.sim.store import (  # T, sa: imported at first use
    ID_PREFIX_SHOWN,
    Store,
    StoreError,
    T,
    now_utc,
    sa,
)

#: A trainee's rating of one rubric dimension: the rubric's own bands, worst first.
RATINGS = ("poor", "fair", "good")
#: How long the "what would you do differently" line may be.
DIFFERENTLY_MAX = 500


def _store(store: Any) -> Store:
    """The `Store` itself, given it or the app's `AppStore` wrapping one."""
    return store if isinstance(store, Store) else store.store


@dataclass(frozen=True)
class Example:
    call_id: str
    scenario_id: str
    trainee: str | None
    started_at: str
    score: float | None
    marked_by: str | None
    marked_at: str


def mark_example(store: Any, call_id: str, *, mentor: str | None = None) -> Example:
    """Mark a saved call as an example of its scenario (a graded call only: the shadow shows
    the points each reply earned)."""
    s = _store(store)
    full = s.resolve_id(call_id)
    summary = s.summary(full)
    if summary.total_score is None:
        raise StoreError(
            f"call {full[:ID_PREFIX_SHOWN]} has no grade (it was cut off or is still being "
            "graded), so it cannot be an example to shadow"
        )
    row = {
        "call_id": full,
        "scenario_id": summary.scenario_id,
        "marked_by": mentor,
        "created_at": now_utc(),
    }
    with s._write("mark the call as an example") as conn:
        stmt = s._insert(T.examples).values(row)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["call_id"],
                set_={k: stmt.excluded[k] for k in ("scenario_id", "marked_by", "created_at")},
            )
        )
    return next(e for e in examples(s) if e.call_id == full)


def unmark_example(store: Any, call_id: str) -> bool:
    """The call is no longer offered to shadow; False when it was not an example."""
    s = _store(store)
    full = s.resolve_id(call_id)
    with s._write("remove the example mark") as conn:
        deleted = conn.execute(sa.delete(T.examples).where(T.examples.c.call_id == full))
        return deleted.rowcount > 0


def is_example(store: Any, call_id: str) -> bool:
    s = _store(store)
    e = T.examples.c
    return bool(s._read(sa.select(e.call_id).where(e.call_id == call_id)))


def examples(store: Any, scenario_id: str | None = None) -> list[Example]:
    """Calls marked as examples (of one scenario, or all), newest mark first."""
    s = _store(store)
    e, c = T.examples.c, T.calls.c
    stmt = (
        sa.select(e.call_id, e.scenario_id, c.trainee, c.started_at, c.total_score, e.marked_by)
        .add_columns(e.created_at)
        .join_from(T.examples, T.calls, c.id == e.call_id)
        .order_by(e.created_at.desc(), e.call_id)
    )
    if scenario_id:
        stmt = stmt.where(e.scenario_id == scenario_id)
    return [Example(*r) for r in s._read(stmt)]


# -- self-assessment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfAssessment:
    """The trainee's own view of a call: a rating per rubric dimension they rated, and one line
    on what they would do differently (either may be empty: every part is skippable)."""

    ratings: dict[str, str] = field(default_factory=dict)
    differently: str = ""

    @property
    def empty(self) -> bool:
        return not self.ratings and not self.differently.strip()


def check_self_assessment(assessment: SelfAssessment) -> str | None:
    """Why it cannot be saved, in words for the trainee, or None."""
    for dim, rating in assessment.ratings.items():
        if rating not in RATINGS:
            return f"'{dim}' is rated '{rating}': a rating is one of {', '.join(RATINGS)}"
    if len(assessment.differently) > DIFFERENTLY_MAX:
        return (
            f"What you would do differently is {len(assessment.differently):,} characters; "
            f"keep it to one line of at most {DIFFERENTLY_MAX}."
        )
    return None


def save_self_assessment(store: Any, call_id: str, assessment: SelfAssessment) -> None:
    """Save (or replace) the trainee's self-assessment of a call; the text is kept verbatim."""
    problem = check_self_assessment(assessment)
    if problem is not None:
        raise StoreError(problem)
    s = _store(store)
    full = s.resolve_id(call_id)
    row = {
        "call_id": full,
        "ratings": json.dumps(assessment.ratings),
        "differently": assessment.differently,
        "created_at": now_utc(),
    }
    with s._write("save your self-assessment") as conn:
        stmt = s._insert(T.self_assessments).values(row)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["call_id"],
                set_={k: stmt.excluded[k] for k in ("ratings", "differently", "created_at")},
            )
        )


def _decode(ratings: str | None, differently: str | None) -> SelfAssessment:
    try:
        data = json.loads(ratings or "{}")
    except ValueError:
        data = {}
    clean = {str(k): v for k, v in (data.items() if isinstance(data, dict) else ()) if v in RATINGS}
    return SelfAssessment(clean, differently or "")


def self_assessment(store: Any, call_id: str) -> SelfAssessment | None:
    s = _store(store)
    a = T.self_assessments.c
    rows = s._read(sa.select(a.ratings, a.differently).where(a.call_id == call_id))
    return _decode(*rows[0]) if rows else None


def self_assessments(store: Any, call_ids: list[str]) -> dict[str, SelfAssessment]:
    """The self-assessments of these calls (those that have one), by call id."""
    s = _store(store)
    out: dict[str, SelfAssessment] = {}
    a = T.self_assessments.c
    for start in range(0, len(call_ids), 500):  # SQLite's limit on parameters
        chunk = call_ids[start : start + 500]
        for call_id, ratings, differently in s._read(
            sa.select(a.call_id, a.ratings, a.differently).where(a.call_id.in_(chunk))
        ):
            out[call_id] = _decode(ratings, differently)
    return out
