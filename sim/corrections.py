"""The grade every surface shows first: the stored grade with the mentor's corrections applied.

The arithmetic is `grading.adjusted.adjust`; this module only fetches what it needs from the
store (the grade, the overrides and cleared flags) so the debrief, `callsim show`, the exports,
`callsim sessions` and the app's lists all show the same "68 (auto 40)".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from callsim.sim.store import StoreError

if TYPE_CHECKING:
    from callsim.grading.adjusted import AdjustedGrade, Corrections
    from callsim.grading.grader import Grade
    from callsim.sim.store import CallSummary


class CorrectionsSource(Protocol):
    """What these helpers read of a store (`Store` and the app's `AppStoreAPI` both offer it)."""

    def grade(self, call_id: str) -> Grade | None: ...

    def corrections(self, call_id: str) -> Corrections: ...

    def corrected_calls(self) -> set[str]: ...


def adjusted_grade(
    store: CorrectionsSource, call_id: str, grade: Grade | None = None
) -> AdjustedGrade | None:
    """The call's grade with its mentor's corrections (None: the call is ungraded).

    `grade` saves reading it again when the caller already has it. Raises StoreError.
    """
    from callsim.grading.adjusted import adjust

    grade = grade if grade is not None else store.grade(call_id)
    if grade is None:
        return None
    return adjust(grade, store.corrections(call_id))


def shown_grade(store: CorrectionsSource | None, call_id: str, grade: Grade) -> AdjustedGrade:
    """The grade a debrief states first: with the mentor's corrections when the store has
    any (a store that cannot be read, or none, shows the grade as graded)."""
    from callsim.grading.adjusted import Corrections, adjust

    if store is not None:
        try:
            return adjust(grade, store.corrections(call_id))
        except StoreError:
            pass
    return adjust(grade, Corrections())


def mentor_adjusted(
    store: CorrectionsSource, calls: Iterable[CallSummary]
) -> dict[str, AdjustedGrade]:
    """The adjusted grade of each listed call a mentor corrected (only those are re-read);
    a call whose grade cannot be read is left out (its auto total still shows)."""
    calls = list(calls)
    try:
        corrected = store.corrected_calls()
    except StoreError:
        return {}
    out: dict[str, AdjustedGrade] = {}
    for c in calls:
        if c.id in corrected and c.total_score is not None:
            try:
                adjusted = adjusted_grade(store, c.id)
            except StoreError:
                continue  # opening the call says why
            if adjusted is not None and adjusted.adjusted:
                out[c.id] = adjusted
    return out


def shown_scores(store: CorrectionsSource, calls: Iterable[CallSummary]) -> dict[str, str]:
    """Each call's score as a list shows it: "68 (auto 40)" where a mentor corrected the
    grade, the total where nobody did, "-" when ungraded."""
    calls = list(calls)
    adjusted = mentor_adjusted(store, calls)
    out = {c.id: "-" if c.total_score is None else f"{c.total_score:g}" for c in calls}
    out.update({cid: a.short() for cid, a in adjusted.items()})
    return out


def shown_score(store: CorrectionsSource, call: CallSummary) -> str:
    return shown_scores(store, [call])[call.id]


def adjusted_score(store: CorrectionsSource, call: CallSummary) -> float | None:
    """The total that counts for one call: the mentor-adjusted one, else the auto-grade's."""
    if call.total_score is None:
        return None
    try:
        if call.id not in store.corrected_calls():
            return call.total_score
        adjusted = adjusted_grade(store, call.id)
    except StoreError:
        return call.total_score
    return call.total_score if adjusted is None else adjusted.score


class _Lister(CorrectionsSource, Protocol):
    def last_score(self, scenario_id: str, trainee: str | None = ...) -> float | None: ...

    def list_calls(
        self, *, trainee: str | None = ..., scenario: str | None = ..., limit: int | None = ...
    ) -> list[CallSummary]: ...


def last_score(store: _Lister, scenario_id: str, trainee: str | None) -> float | None:
    """The home screen's score for a scenario: the trainee's latest graded call of it, with a
    mentor's corrections applied when there are any."""
    auto = store.last_score(scenario_id, trainee)
    if auto is None:
        return None
    try:
        calls = store.list_calls(trainee=trainee, scenario=scenario_id, limit=20)
    except StoreError:
        return auto
    latest = [c for c in calls if c.trainee == trainee and c.total_score is not None]
    return adjusted_score(store, latest[0]) if latest else auto
