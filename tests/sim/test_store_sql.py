"""The SQL kept compiled for SQLite (sim/store_sql.py) is what SQLAlchemy compiles today."""

from __future__ import annotations

import pprint

from callsim.engine.loader import load_scenario
from callsim.sim import store as store_module
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Prepared, Store
from callsim.sim.store_assignments import assignments
from callsim.sim.store_goals import goals
from callsim.sim.store_sql import SQLITE


class Tagged:
    tags: list[str] = []
    evidence: dict[str, str] = {}


def no_tags(text, customer=None, history=()):
    return Tagged()


def compiled_by_sqlalchemy(tmp_path, monkeypatch) -> dict[str, Prepared]:
    """Every named statement a call's start runs, compiled by SQLAlchemy, by name."""
    monkeypatch.setattr(store_module, "USE_PRECOMPILED", False)
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    with Store(tmp_path / "calls.db") as store:
        recorder = store.recorder_for("call-1", loaded, trainee="ann")  # as the app starts one
        session = CallSession(
            loaded, tagger=no_tags, clock=SimulatedClock(), call_id="call-1", recorder=recorder
        )
        session.say("hello, how can I help?")
        other = CallSession(loaded, tagger=no_tags, clock=SimulatedClock(), trainee="ann")
        store.recorder(other)  # as a resumed or scripted call is saved
        store.save_call(session.transcript())
        for trainee in ("ann", None):
            store.list_calls(trainee=trainee, limit=50)  # the calls offered to resume
            store.last_score(loaded.scenario.id, trainee)
        store.list_calls(trainee="ann")  # earned levels
        goals(store, "ann")
        assignments(store, ["ann"])
        return dict(store._compiled)


def test_the_sql_kept_compiled_is_what_sqlalchemy_compiles(tmp_path, monkeypatch):
    now = compiled_by_sqlalchemy(tmp_path, monkeypatch)
    assert set(SQLITE) <= set(now), f"not run any more: {sorted(set(SQLITE) - set(now))}"
    changed = {name: now[name] for name in SQLITE if now[name] != SQLITE[name]}
    assert not changed, "sim/store_sql.py is out of date; SQLITE = " + pprint.pformat(now)


def test_a_store_runs_the_kept_sql_without_sqlalchemy(tmp_path):
    """Fresh interpreter: a new call saved and the home screen's reads on an existing store."""
    import subprocess
    import sys

    Store(tmp_path / "calls.db").close()
    code = (
        "import sys\n"
        "from callsim.engine.loader import load_scenario\n"
        "from callsim.sim.scenario_paths import resolve_scenario\n"
        "from callsim.sim.store import Store\n"
        "from callsim.sim.store_goals import goals\n"
        "from callsim.sim.store_assignments import assignments\n"
        f"store = Store({str(tmp_path / 'calls.db')!r})\n"
        "loaded = load_scenario(resolve_scenario('broadband-down-repeat-caller'))\n"
        "store.recorder_for('call-1', loaded, trainee='ann')\n"
        "print(len(store.list_calls(trainee='ann', limit=50)), store.last_score('x', 'ann'))\n"
        "print(goals(store, 'ann'), assignments(store, ['ann']), 'sqlalchemy' in sys.modules)\n"
        "store.summary('call-1')\n"  # a statement not kept: SQLAlchemy comes in, as before
        "print('sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["1", "None", "[]", "[]", "False", "True"]


def test_last_score_and_the_call_list_by_trainee_or_none(any_db):
    """The statements now take their values as parameters: a call with no trainee is found by
    None (IS NULL), on both backends."""
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    with Store(any_db) as store:
        for call_id, trainee in (("c-ann", "ann"), ("c-none", None)):
            session = CallSession(
                loaded, tagger=no_tags, clock=SimulatedClock(), call_id=call_id, trainee=trainee
            )
            store.recorder(session)
            session.say("hello, how can I help?")
            session.end()
            session.finish()
        sid = loaded.scenario.id
        assert store.last_score(sid, None) is not None
        assert store.last_score(sid, "ann") is not None
        assert store.last_score(sid, "bob") is None
        assert [c.id for c in store.list_calls(trainee="ann", limit=50)] == ["c-ann"]
        assert {c.id for c in store.list_calls(limit=1, offset=1)} <= {"c-ann", "c-none"}
        assert len(store.list_calls(scenario=sid, since="2000-01-01")) == 2
        assert store.count_calls(trainee="ann", scenario=sid) == 1
