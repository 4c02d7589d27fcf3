"""The store as the trainee's app uses it: a failed write is told, never raised into the UI.

A full disk or a store another program holds must not end a call the trainee is taking: the
call goes on, the app shows the message (`on_error`), and what was saved stays saved. Anything
not wrapped here (the mentor's screens' reads and writes) passes straight to the `Store`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from callsim.sim.store import CallRecorder, Store, StoreError

if TYPE_CHECKING:
    from callsim.engine.loader import LoadedScenario
    from callsim.engine.transcript import Transcript
    from callsim.sim.session import CallSession


class AppStore:
    """`Store` plus the app's seams (tui/app.py) with failures reported to `on_error`."""

    def __init__(self, store: Store, on_error: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.on_error = on_error
        self._told: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def report(self, exc: StoreError) -> None:
        message = str(exc)
        if self.on_error is not None and message not in self._told:
            self._told.add(message)  # once per problem, not once per turn
            self.on_error(message)

    def listener_for(
        self,
        call_id: str,
        loaded: LoadedScenario,
        *,
        mode: str = "practice",
        trainee: str | None = None,
    ) -> CallRecorder | None:
        try:
            recorder = self.store.listener_for(call_id, loaded, mode=mode, trainee=trainee)
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

    def save_call(self, transcript: Transcript, grade: Any = None) -> bool:
        try:
            self.store.save_call(transcript, grade)
        except StoreError as exc:
            self.report(exc)
            return False
        return True

    def last_score(self, scenario_id: str, trainee: str | None = None) -> float | None:
        try:
            return self.store.last_score(scenario_id, trainee)
        except StoreError as exc:
            self.report(exc)
            return None
