"""The first write that needs SQLAlchemy on a store opened with sqlite3 alone keeps what the
same transaction already wrote (SQLAlchemy's first connect ends its set-up with a rollback)."""

from __future__ import annotations

from callsim.engine.loader import load_scenario
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store


class _Tagged:
    tags: list = []
    evidence: dict = {}


def test_a_first_call_on_a_freshly_opened_store_is_saved_ended(tmp_path):
    db = tmp_path / "calls.db"
    Store(db).close()
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    store = Store(db)  # sqlite3 alone until a statement needs SQLAlchemy
    session = CallSession(
        loaded, trainee="ana", tagger=lambda *a: _Tagged(), clock=SimulatedClock(),
        call_id="first-call",
    )
    store.recorder(session)
    session.say("I'm so sorry, when did it first go down?")
    session.end()
    session.write_notes("notes of ana")
    store.save_call(session.transcript())
    store.close()
    with Store(db) as again:
        summary = again.summary("first-call")
        assert summary.ended and summary.trainee == "ana"
        assert again.transcript("first-call").wrap_up == "notes of ana"
