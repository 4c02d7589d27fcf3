"""The store as the trainee's app uses it: a failed write is told, never raised into the UI.

A full disk or a store another program holds must not end a call the trainee is taking: the
call goes on, the app shows the message (`on_error`), and what was saved stays saved. The
mentor's screens' reads and writes pass straight to the `Store` (they raise `StoreError`, which
the screens catch). Implements `sim.store_api.AppStoreAPI`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from callsim.sim.store import (
    CallRecorder,
    CallSummary,
    Comment,
    DimensionScore,
    ProgressPoint,
    Store,
    StoreError,
)

if TYPE_CHECKING:
    from callsim.engine.loader import LoadedScenario
    from callsim.engine.transcript import Transcript
    from callsim.grading.adjusted import Corrections
    from callsim.grading.grader import Grade
    from callsim.sim.session import CallSession


class AppStore:
    """`Store` for the app: the trainee's call's saves report failures to `on_error`."""

    def __init__(self, store: Store, on_error: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.on_error = on_error
        self._told: set[str] = set()

    def report(self, exc: StoreError) -> None:
        message = str(exc)
        if self.on_error is not None and message not in self._told:
            self._told.add(message)  # once per problem, not once per turn
            self.on_error(message)

    # -- the trainee's call (failures told, not raised) -------------------------------------

    def recorder_for(
        self,
        call_id: str,
        loaded: LoadedScenario,
        *,
        mode: str = "practice",
        trainee: str | None = None,
    ) -> CallRecorder | None:
        try:
            recorder = self.store.recorder_for(call_id, loaded, mode=mode, trainee=trainee)
        except StoreError as exc:
            self.report(exc)
            return None
        recorder.on_error = self.report
        return recorder

    def recorder(self, session: CallSession) -> CallRecorder | None:
        """Save a resumed call turn by turn from where it was cut off."""
        try:
            return self.store.recorder(session, on_error=self.report)
        except StoreError as exc:
            self.report(exc)
            return None

    def last_score(self, scenario_id: str, trainee: str | None = None) -> float | None:
        try:
            return self.store.last_score(scenario_id, trainee)
        except StoreError as exc:
            self.report(exc)
            return None

    # -- everything else: the store's own methods (they raise StoreError) -------------------

    def list_calls(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        since: str | None = None,
        reviewed: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CallSummary]:
        return self.store.list_calls(
            trainee=trainee,
            scenario=scenario,
            since=since,
            reviewed=reviewed,
            limit=limit,
            offset=offset,
        )

    def count_calls(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        since: str | None = None,
        reviewed: bool | None = None,
    ) -> int:
        return self.store.count_calls(
            trainee=trainee, scenario=scenario, since=since, reviewed=reviewed
        )

    def scenario_ids(self) -> list[str]:
        return self.store.scenario_ids()

    def trainees(self) -> list[str]:
        return self.store.trainees()

    def resolve_id(self, prefix: str) -> str:
        return self.store.resolve_id(prefix)

    def summary(self, call_id: str) -> CallSummary:
        return self.store.summary(call_id)

    def transcript(self, call_id: str) -> Transcript:
        return self.store.transcript(call_id)

    def grade(self, call_id: str) -> Grade | None:
        return self.store.grade(call_id)

    def comments(self, call_id: str) -> list[Comment]:
        return self.store.comments(call_id)

    def dimension_scores(self, call_id: str) -> list[DimensionScore]:
        return self.store.dimension_scores(call_id)

    def add_comment(
        self, call_id: str, text: str, *, turn: int | None = None, author: str | None = None
    ) -> int:
        return self.store.add_comment(call_id, text, turn=turn, author=author)

    def set_override(
        self, call_id: str, dimension: str, score: float, reason: str, *, author: str | None = None
    ) -> None:
        self.store.set_override(call_id, dimension, score, reason, author=author)

    def clear_override(self, call_id: str, dimension: str) -> None:
        self.store.clear_override(call_id, dimension)

    def mark_reviewed(
        self, call_id: str, *, reviewer: str | None = None, done: bool = True
    ) -> None:
        self.store.mark_reviewed(call_id, reviewer=reviewer, done=done)

    def clear_flag(
        self, call_id: str, flag: str, reason: str, *, author: str | None = None
    ) -> None:
        self.store.clear_flag(call_id, flag, reason, author=author)

    def restore_flag(self, call_id: str, flag: str) -> None:
        self.store.restore_flag(call_id, flag)

    def corrections(self, call_id: str) -> Corrections:
        return self.store.corrections(call_id)

    def corrected_calls(self) -> set[str]:
        return self.store.corrected_calls()

    def progress(self, trainee: str, *, limit: int = 500) -> list[ProgressPoint]:
        return self.store.progress(trainee, limit=limit)

    def dimension_titles(self) -> dict[str, str]:
        return self.store.dimension_titles()
