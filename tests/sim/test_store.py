"""The store: calls saved turn by turn, graded, reviewed; and every way the file can go wrong."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from callsim.engine.loader import load_scenario
from callsim.grading.grader import Grade, grade_transcript
from callsim.sim import store as store_module
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store, StoreError

SCENARIO = "broadband-down-repeat-caller"


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def stub_tagger(text, customer=None, history=()):
    return Tagged(["empathy"] if "sorry" in text.lower() else [])


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(resolve_scenario(SCENARIO))


@pytest.fixture
def db(tmp_path):
    return tmp_path / "calls.db"


def new_session(loaded, **kw):
    kw.setdefault("trainee", "ann")
    return CallSession(loaded, tagger=stub_tagger, clock=SimulatedClock(), **kw)


def finished_call(store, loaded, replies=("I'm so sorry about this",), graded=True, **kw):
    """A call saved turn by turn, then whole with its real grade by `Store.save_call`."""
    session = new_session(loaded, **kw)
    store.recorder(session)
    for reply in replies:
        session.say(reply)
    session.end()
    session.write_notes("down since Monday")
    store.save_call(session.transcript(), real_grade(session) if graded else None)
    return session


def real_grade(session) -> Grade:
    return grade_transcript(session.transcript(), session.loaded)


def test_each_turn_is_on_disk_as_soon_as_it_is_said(loaded, any_db):
    store = Store(any_db)
    session = new_session(loaded)
    store.recorder(session)
    session.say("I'm so sorry it's still down")
    # another process opening the file now sees the call so far
    other = Store(any_db)
    [summary] = other.list_calls()
    assert summary.id == session.call_id and not summary.ended
    saved = other.transcript(session.call_id)
    assert [t.text for t in saved.turns] == [t.text for t in session.turns]
    assert saved.turns[1].tags == ["empathy"]
    assert saved.final_mood == session.mood


def test_a_finished_call_keeps_its_notes_outcome_and_grade(loaded, any_db):
    store = Store(any_db)
    session = finished_call(store, loaded)
    [summary] = store.list_calls(trainee="ann")
    grade = real_grade(session)
    assert summary.ended and summary.outcome == "unresolved"
    assert summary.total_score == grade.score
    assert store.transcript(session.call_id[:6]) == session.transcript()
    assert store.grade(session.call_id) == grade  # the same typed grade back
    assert {d.dimension: d.auto for d in store.dimension_scores(session.call_id)} == {
        d.id: d.score for d in grade.dimensions
    }


def test_finishing_a_session_saves_the_ended_call_its_notes_and_grade(loaded, any_db):
    store = Store(any_db)
    session = new_session(loaded)
    store.recorder(session)
    session.say("I'm so sorry about this")
    grade = session.finish("Down since Monday; engineer booked")
    assert session.saved is True
    [summary] = Store(any_db).list_calls()
    saved = Store(any_db).transcript(session.call_id)
    assert summary.ended and saved.ended_at is not None and saved.outcome is not None
    assert saved.wrap_up == "Down since Monday; engineer booked"
    assert summary.total_score == grade.score
    assert Store(any_db).grade(session.call_id) == grade


def test_a_stored_grade_callsim_cannot_read_is_a_store_error(loaded, any_db):
    store = Store(any_db)
    session = finished_call(store, loaded)
    with store._write("damage the grade") as conn:
        conn.execute(
            sa.text("UPDATE calls SET grade = :grade WHERE id = :id"),
            {"grade": '{"score": 62}', "id": session.call_id},
        )
    with pytest.raises(StoreError, match=f"grade stored with call {session.call_id[:8]}.*rubric"):
        store.grade(session.call_id)


def test_a_grade_can_come_later(loaded, any_db):
    store = Store(any_db)
    session = finished_call(store, loaded, graded=False)
    assert store.grade(session.call_id) is None
    grade = real_grade(session)
    store.save_grade(session.call_id, grade)
    assert store.list_calls()[0].total_score == grade.score
    assert store.grade(session.call_id) == grade


def test_filters_and_id_prefixes(loaded, any_db):
    store = Store(any_db)
    a = finished_call(store, loaded, trainee="ann", call_id="aaaa1111")
    finished_call(store, loaded, trainee="bob", call_id="aaaa2222")
    assert [c.id for c in store.list_calls(trainee="ann")] == [a.call_id]
    assert store.list_calls(scenario="nope") == []
    assert len(store.list_calls(since="2000-01-01")) == 2
    assert store.list_calls(since="2999-01-01") == []
    assert store.resolve_id("aaaa1") == "aaaa1111"
    with pytest.raises(StoreError, match="more than one"):
        store.resolve_id("aaaa")
    with pytest.raises(StoreError, match="no saved call"):
        store.resolve_id("zz")


def test_review_comments_overrides_and_agreement(loaded, any_db):
    store = Store(any_db)
    session = finished_call(store, loaded)
    auto = {d.id: d.score for d in real_grade(session).dimensions if d.score is not None}
    cid = session.call_id
    store.add_comment(cid, "Good opening", turn=1, author="mo")
    store.add_comment(cid, "Overall: solid", author="mo")
    with pytest.raises(StoreError, match="no turn 99"):
        store.add_comment(cid, "x", turn=99)
    assert [(c.turn, c.text) for c in store.comments(cid)] == [
        (None, "Overall: solid"),
        (1, "Good opening"),
    ]
    with pytest.raises(StoreError, match="reason"):
        store.set_override(cid, "empathy", 90, "  ")
    store.set_override(cid, "empathy", 85, "named the impact of working from home", author="mo")
    assert store.overrides(cid)["empathy"].effective == 85
    assert store.agreement() == []  # not reviewed yet
    store.mark_reviewed(cid, reviewer="mo")
    assert store.list_calls()[0].reviewed
    by_dim = {a.dimension: a for a in store.agreement()}
    assert by_dim["empathy"].mean_difference == 85 - auto["empathy"]
    assert by_dim["empathy"].within_10 == (abs(85 - auto["empathy"]) <= 10)
    assert by_dim["empathy"].title == "Empathy"
    assert "calm_tone" not in by_dim  # left alone: not counted as agreement
    # progress uses the mentor's score
    [point] = store.progress("ann")
    assert point.dimensions == {**auto, "empathy": 85}


def test_importing_the_same_call_twice_keeps_one(loaded, any_db, tmp_path):
    source = Store(tmp_path / "elsewhere.db")
    session = finished_call(source, loaded)
    transcript, grade = session.transcript(), real_grade(session)
    store = Store(any_db)
    assert store.import_call(transcript, grade) is True
    assert store.import_call(transcript, grade) is False
    assert store.grade(transcript.call_id) == grade
    assert store.count() == 1 and store.list_calls()[0].source == "imported"


# -- schema versions --------------------------------------------------------------------------


def test_a_v1_store_upgrades_when_a_newer_migration_exists(loaded, any_db, monkeypatch):
    session = finished_call(Store(any_db), loaded)

    def v2(op):  # an Alembic operation, as every migration is
        op.add_column("calls", sa.Column("team", sa.Text))
        op.execute("UPDATE calls SET team = 'north'")

    newest = len(store_module.MIGRATIONS)
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, v2])
    store = Store(any_db)
    assert store.version == newest + 1
    assert store.transcript(session.call_id) == session.transcript()
    assert store._read("SELECT team FROM calls") == [("north",)]


def test_a_failing_migration_leaves_the_store_as_it_was(loaded, any_db, monkeypatch):
    session = finished_call(Store(any_db), loaded)

    def broken(op):
        op.add_column("calls", sa.Column("team", sa.Text))
        op.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, broken])
    with pytest.raises(StoreError):
        Store(any_db)
    monkeypatch.undo()
    store = Store(any_db)
    assert store.version == len(store_module.MIGRATIONS)
    assert store.transcript(session.call_id) == session.transcript()


def test_a_v1_store_gets_the_cleared_flags_table_and_keeps_its_reviews(loaded, db, monkeypatch):
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    old = Store(db)
    session = finished_call(old, loaded)
    old.set_override(session.call_id, "empathy", 90, "named the impact", author="mo")
    old.close()
    monkeypatch.undo()
    store = Store(db)
    assert store.version == store_module.schema_version()  # 2 and on
    assert store.corrections(session.call_id).overrides[0].score == 90
    store.clear_flag(session.call_id, "blamed_customer", "reassurance, not blame", author="mo")
    assert [c.flag for c in store.corrections(session.call_id).cleared_flags] == [
        "blamed_customer"
    ]


def test_a_store_from_a_newer_callsim_is_refused_untouched(db):
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer callsim.*schema 99"):
        Store(db)
    assert db.read_bytes() == before


# -- files that are not what they should be ----------------------------------------------------


def test_a_file_that_is_not_a_database(db):
    db.write_text("these are my notes, not a database\n" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a callsim store"):
        Store(db)
    assert db.read_bytes() == before


def test_another_programs_database(db):
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="another program"):
        Store(db)


def test_a_location_that_cannot_hold_a_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        Store(blocker / "calls.db")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="read-only"):
            Store(folder / "calls.db")
    finally:
        folder.chmod(0o700)


def test_a_read_only_store_file_says_so(loaded, db, monkeypatch):
    store = Store(db)
    session = finished_call(store, loaded)
    store._conn.execute("PRAGMA query_only = ON")  # as a file SQLite may only read
    with pytest.raises(StoreError, match="read-only"):
        store.mark_reviewed(session.call_id)
    store._conn.execute("PRAGMA query_only = OFF")
    assert not store.list_calls()[0].reviewed


def test_a_full_disk_fails_the_write_and_keeps_what_was_stored(loaded, db):
    store = Store(db)
    first = finished_call(store, loaded)
    pages = store._read("PRAGMA page_count")[0][0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    big = ["I'm so sorry " + "about this " * 1500] * 3
    with pytest.raises(StoreError, match="full.*Nothing already saved was lost"):
        finished_call(store, loaded, replies=big)
    again = Store(db)
    assert again.transcript(first.call_id) == first.transcript()


def test_a_full_disk_mid_call_does_not_stop_the_call(loaded, db):
    store = Store(db)
    session = new_session(loaded)
    errors = []
    recorder = store.recorder(session, on_error=errors.append)
    store._conn.execute(f"PRAGMA max_page_count = {store._read('PRAGMA page_count')[0][0]}")
    session.say("I'm so sorry " + "about this " * 1500)
    session.say("When did it start?")
    assert len(errors) == 1 and "full" in str(errors[0]) and recorder.failed
    assert len(session.turns) >= 4  # the trainee kept talking
    assert Store(db).transcript(session.call_id).turns[0].speaker == "customer"


# -- two writers -------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os
    import sys
    import time
    from dataclasses import dataclass, field
    from callsim.engine.loader import load_scenario
    from callsim.sim.scenario_paths import resolve_scenario
    from callsim.sim.session import CallSession, SimulatedClock
    from callsim.sim.store import Store

    @dataclass
    class Tagged:
        tags: list
        evidence: dict = field(default_factory=dict)

    db, who, calls, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    store = Store(db)
    print("ready", flush=True)
    while not os.path.exists(go):  # both start writing together
        time.sleep(0.01)
    for n in range(calls):
        s = CallSession(loaded, trainee=who, tagger=lambda *a: Tagged([]), clock=SimulatedClock())
        store.recorder(s)
        s.say("I'm so sorry about this")
        s.say("When did it first go down?")
        s.finish("down since Monday")  # graded, and saved whole by its recorder
    print("done")
    """
)


def test_two_processes_writing_at_once_both_succeed(any_db, tmp_path):
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(any_db), who, "15", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("ann", "bob")
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    store = Store(any_db)
    assert len(store.list_calls(trainee="ann")) == 15
    assert len(store.list_calls(trainee="bob")) == 15
    assert all(c.ended and c.turn_count >= 5 for c in store.list_calls())


def test_the_apps_seams_save_a_call_turn_by_turn(loaded, any_db):
    store = Store(any_db)
    recorder = store.recorder_for("app-call-1", loaded, mode="assessment", trainee="ann")
    session = new_session(loaded, call_id="app-call-1", mode="assessment", recorder=recorder)
    session.say("I'm so sorry about this")
    assert Store(any_db).transcript("app-call-1").turns[1].text == "I'm so sorry about this"
    grade = session.finish()
    assert store.last_score(loaded.scenario.id, "ann") == grade.score
    assert store.last_score(loaded.scenario.id, "bob") is None
    assert store.list_calls()[0].mode == "assessment"
