"""What the app and its screens call on the store: exactly this, typed.

`tui/` holds a `AppStoreAPI` (the store wrapped by `sim.app_store.AppStore`, which reports a
failed write of the trainee's call instead of raising it; tests may pass a plain `Store`, which
raises). Every other failure is a `sim.store.StoreError`, which the screens catch by that class.
Kept to the calls the screens make, so another backend (PostgreSQL for a team) knows what it
must offer the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from callsim.engine.loader import LoadedScenario
    from callsim.engine.transcript import Transcript
    from callsim.grading.adjusted import Corrections
    from callsim.grading.grader import Grade
    from callsim.sim.session import CallSession
    from callsim.sim.store import CallRecorder, CallSummary, Comment, DimensionScore, ProgressPoint


class AppStoreAPI(Protocol):
    """The store as the trainee's and the mentor's apps use it."""

    # -- the trainee's call -----------------------------------------------------------------

    def recorder_for(
        self, call_id: str, loaded: LoadedScenario, *, mode: str = ..., trainee: str | None = ...
    ) -> CallRecorder | None:
        """A recorder for a call about to start (None: the store could not start it)."""
        ...

    def recorder(self, session: CallSession) -> CallRecorder | None:
        """Save a resumed call turn by turn from where it was cut off."""
        ...

    def last_score(self, scenario_id: str, trainee: str | None = ...) -> float | None: ...

    # -- saved calls ------------------------------------------------------------------------

    def list_calls(
        self,
        *,
        trainee: str | None = ...,
        scenario: str | None = ...,
        since: str | None = ...,
        reviewed: bool | None = ...,
        limit: int | None = ...,
        offset: int = ...,
    ) -> list[CallSummary]:
        """Newest first; `limit` and `offset` give one page (a store may hold 100,000)."""
        ...

    def count_calls(
        self,
        *,
        trainee: str | None = ...,
        scenario: str | None = ...,
        since: str | None = ...,
        reviewed: bool | None = ...,
    ) -> int:
        """How many calls `list_calls` with the same filters lists without a limit."""
        ...

    def scenario_ids(self) -> list[str]: ...

    def trainees(self) -> list[str]: ...

    def resolve_id(self, prefix: str) -> str: ...

    def summary(self, call_id: str) -> CallSummary: ...

    def transcript(self, call_id: str) -> Transcript: ...

    def grade(self, call_id: str) -> Grade | None: ...

    # -- the mentor's review ----------------------------------------------------------------

    def comments(self, call_id: str) -> list[Comment]: ...

    def dimension_scores(self, call_id: str) -> list[DimensionScore]: ...

    def add_comment(
        self, call_id: str, text: str, *, turn: int | None = ..., author: str | None = ...
    ) -> int: ...

    def set_override(
        self, call_id: str, dimension: str, score: float, reason: str, *, author: str | None = ...
    ) -> None: ...

    def clear_override(self, call_id: str, dimension: str) -> None: ...

    def mark_reviewed(
        self, call_id: str, *, reviewer: str | None = ..., done: bool = ...
    ) -> None: ...

    def clear_flag(
        self, call_id: str, flag: str, reason: str, *, author: str | None = ...
    ) -> None: ...

    def restore_flag(self, call_id: str, flag: str) -> None: ...

    def corrections(self, call_id: str) -> Corrections: ...

    def corrected_calls(self) -> set[str]: ...

    # -- progress ---------------------------------------------------------------------------

    def progress(self, trainee: str, *, limit: int = ...) -> list[ProgressPoint]: ...

    def dimension_titles(self) -> dict[str, str]: ...
