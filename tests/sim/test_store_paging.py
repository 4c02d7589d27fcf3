"""Many saved calls: a call found by its id or the start of it, `sessions` a page at a time,
and one transaction (one commit) for each reply and the customer's answer to it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from callsim.engine.loader import load_scenario
from callsim.engine.transcript import Transcript, Turn
from callsim.sim.cli import main
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store, StoreError

SCENARIO = "broadband-down-repeat-caller"


def transcript(call_id: str, minute: int) -> Transcript:
    return Transcript(
        call_id=call_id,
        scenario_id=SCENARIO,
        scenario_version="1",
        trainee="ann",
        started_at=f"2026-02-01T{minute // 60:02d}:{minute % 60:02d}:00+00:00",
        turns=[Turn(index=0, speaker="customer", text="Hello?", at=0.0, stage="opening")],
    )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "calls.db"
    with Store(path) as store:
        store.bulk_save((transcript(f"c{i:03d}x", i), None) for i in range(120))
        odd = ["café-1", "café-2", "z\U0010ffff", "\U0010ffff\U0010ffffend", "a\ud7ffb"]
        store.bulk_save((transcript(cid, 200 + i), None) for i, cid in enumerate(odd))
    return path


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_a_call_is_found_by_its_id_or_any_unique_start_of_it(db):
    store = Store(db)
    assert store.resolve_id("c042x") == "c042x"
    assert store.resolve_id("café-2") == "café-2"
    assert store.resolve_id("z") == "z\U0010ffff"
    assert store.resolve_id("\U0010ffff") == "\U0010ffff\U0010ffffend"
    assert store.resolve_id("a\ud7ff") == "a\ud7ffb"
    with pytest.raises(StoreError, match=r"'c04' starts more than one call id \(c040x, c041x"):
        store.resolve_id("c04")
    with pytest.raises(StoreError, match="'café' starts more than one"):
        store.resolve_id("café")
    with pytest.raises(StoreError, match="no saved call has an id starting 'c999'"):
        store.resolve_id("c999")


def test_sessions_lists_a_page_at_a_time(capsys, db):
    code, out, _ = cli(capsys, "sessions", "--db", db)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 50 + 1  # header, the newest 50, where they sit
    assert lines[1].startswith("a\ud7ffb")  # the newest first
    assert (
        lines[-1]
        == "(calls 1-50 of 125 shown, newest first; --page 2 for the next 50, --all for every one)"
    )

    code, out, _ = cli(capsys, "sessions", "--db", db, "--page", "3")
    lines = out.splitlines()
    assert len(lines) == 1 + 25 + 1 and lines[-2].startswith("c000x")
    assert lines[-1] == "(calls 101-125 of 125 shown, newest first)"

    code, out, _ = cli(capsys, "sessions", "--db", db, "--all")
    assert len(out.splitlines()) == 1 + 125

    code, out, err = cli(capsys, "sessions", "--db", db, "--limit", "10", "--json")
    assert [c["id"] for c in json.loads(out)][-1] == "c115x"
    assert "calls 1-10 of 125 shown" in err and "--page 2" in err

    code, out, _ = cli(capsys, "sessions", "--db", db, "--page", "9")
    assert "No calls on page 9 (125 match" in out

    with pytest.raises(SystemExit):
        main(["sessions", "--db", str(db), "--limit", "none"])
    assert "is not a whole number" in capsys.readouterr().err


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def test_each_reply_and_its_answer_are_one_commit(tmp_path):
    store = Store(tmp_path / "calls.db")
    session = CallSession(
        load_scenario(resolve_scenario(SCENARIO)),
        tagger=lambda text, customer=None, history=(): Tagged([]),
        clock=SimulatedClock(),
    )
    store.recorder(session)
    commits: list[str] = []
    store._conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    replies = [
        "I'm so sorry it's still not working, I'm going to take ownership of this",
        "Let me run a line test on your connection",
        "What's the weather like there?",
    ]
    for reply in replies:
        before = len(commits)
        turns = session.say(reply)
        assert len(turns) >= 2  # the reply and the customer's answer...
        assert len(commits) == before + 1  # ...saved in one transaction
        other = Store(tmp_path / "calls.db").transcript(session.call_id)
        assert [t.text for t in other.turns] == [t.text for t in session.turns]
