"""Roles on a team's PostgreSQL store are held by the database (issue 15, item 2): a trainee's
own login, with direct SQL or through callsim, reads and changes only their own calls; a mentor
reviews their team's calls and cannot touch a transcript; a trainer reads every call."""

from __future__ import annotations

import psycopg
import pytest

from callsim.engine.transcript import Transcript, Turn
from callsim.sim import store_admin
from callsim.sim.cli import main
from callsim.sim.store import Store, StoreError

ANN, BOB, CAT, MO, TESS = "t15_ann", "t15_bob", "t15_cat", "t15_mo", "t15_tess"
PASSWORD = "pw-for-tests"


def call(call_id: str, trainee: str) -> Transcript:
    return Transcript(
        call_id=call_id,
        scenario_id="broadband-down-repeat-caller",
        scenario_version="1.0",
        trainee=trainee,
        started_at="2026-01-05T10:00:00+00:00",
        ended_at="2026-01-05T10:05:00+00:00",
        turns=[
            Turn(index=0, speaker="customer", text="It's down.", at=0, stage="opening"),
            Turn(index=1, speaker="trainee", text="I'm sorry.", at=3, stage="opening"),
        ],
    )


@pytest.fixture
def team(pg_url, capsys):
    """A server store set up with `callsim admin`: teams north and south, two trainees and a
    mentor in north, a trainee in south, a trainer; one call each trainee took."""
    assert main(["admin", "init", "--db", pg_url]) == 0
    for name in ("north", "south"):
        assert main(["admin", "add-team", name, "--db", pg_url]) == 0
    for name, role, where in (
        (ANN, "trainee", "north"),
        (BOB, "trainee", "north"),
        (CAT, "trainee", "south"),
        (MO, "mentor", "north"),
        (TESS, "trainer", None),
    ):
        argv = ["admin", "add-person", name, "--role", role, "--db", pg_url]
        assert main(argv + (["--team", where] if where else [])) == 0, capsys.readouterr().err
    with psycopg.connect(pg_url, autocommit=True) as admin:  # the password is the DBA's business
        for name in (ANN, BOB, CAT, MO, TESS):
            admin.execute(f"ALTER ROLE {name} PASSWORD '{PASSWORD}'")
    owner = Store(pg_url)
    for who in (ANN, BOB, CAT):
        owner.save_call(call(f"{who}-call", who))
    capsys.readouterr()
    return pg_url


def as_(url: str, who: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{who}@", 1)


def sql(url: str, who: str) -> psycopg.Connection:
    return psycopg.connect(as_(url, who), password=PASSWORD, autocommit=True)


@pytest.fixture
def as_person(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)


def test_a_trainee_reads_and_changes_only_their_own_calls_with_direct_sql(team):
    with sql(team, ANN) as ann:
        assert ann.execute("SELECT id FROM calls").fetchall() == [(f"{ANN}-call",)]
        assert {r[0] for r in ann.execute("SELECT call_id FROM turns")} == {f"{ANN}-call"}
        changed = ann.execute(
            "UPDATE calls SET wrap_up = 'mine now' WHERE trainee = %s", (BOB,)
        ).rowcount
        assert changed == 0
        assert (
            ann.execute(
                "UPDATE turns SET data = '{}' WHERE call_id = %s", (f"{BOB}-call",)
            ).rowcount
            == 0
        )
        assert ann.execute("DELETE FROM turns WHERE call_id = %s", (f"{BOB}-call",)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            ann.execute(
                "INSERT INTO turns (call_id, idx, speaker, data) VALUES (%s, 9, 'trainee', '{}')",
                (f"{BOB}-call",),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            ann.execute("UPDATE calls SET trainee = %s WHERE trainee = %s", (BOB, ANN))
        # a review is the mentor's: not on her own call either
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ann.execute(
                "INSERT INTO comments (call_id, text, created_at) VALUES (%s, 'great', 'now')",
                (f"{ANN}-call",),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ann.execute("UPDATE calls SET reviewed_at = 'now' WHERE trainee = %s", (ANN,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ann.execute("DELETE FROM overrides")
    with psycopg.connect(team) as owner:  # nothing of Bob's changed
        row = owner.execute("SELECT wrap_up, trainee FROM calls WHERE id = %s", (f"{BOB}-call",))
        assert row.fetchone() == (None, BOB)
        assert owner.execute(
            "SELECT count(*) FROM turns WHERE call_id = %s", (f"{BOB}-call",)
        ).fetchone() == (2,)


def test_a_trainee_through_callsim_sees_their_own_calls_and_is_refused_a_review(team, as_person):
    ann = Store(as_(team, ANN))
    assert [c.id for c in ann.list_calls()] == [f"{ANN}-call"]
    with pytest.raises(StoreError, match="no saved call"):
        ann.transcript(f"{BOB}-call")
    with pytest.raises(StoreError, match="does not allow you to save the comment"):
        ann.add_comment(f"{ANN}-call", "I was great")
    ann.save_call(call(f"{ANN}-second", ANN))  # taking calls works
    assert ann.count() == 2
    with pytest.raises(StoreError, match="does not allow you"):
        ann.save_call(call(f"{ANN}-as-bob", BOB))  # not under someone else's name


def test_a_mentor_reviews_their_team_and_cannot_touch_a_transcript(team, as_person):
    mo = Store(as_(team, MO))
    assert {c.id for c in mo.list_calls()} == {f"{ANN}-call", f"{BOB}-call"}  # not Cat's
    mo.add_comment(f"{ANN}-call", "Good opening", turn=1, author=MO)
    mo.set_override(f"{ANN}-call", "empathy", 80, "named the impact", author=MO)
    mo.mark_reviewed(f"{ANN}-call", reviewer=MO)
    with pytest.raises(StoreError, match="does not allow you"):
        mo.save_call(call(f"{ANN}-call", ANN))  # rewriting the transcript
    with sql(team, MO) as direct:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            direct.execute("UPDATE turns SET data = '{}'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            direct.execute("UPDATE calls SET wrap_up = 'x'")
        assert (
            direct.execute(
                "INSERT INTO comments (call_id, text, created_at) SELECT %s, 'x', 'now' "
                "WHERE EXISTS (SELECT 1 FROM calls WHERE id = %s)",
                (f"{CAT}-call", f"{CAT}-call"),
            ).rowcount
            == 0
        )  # another team's call is not there to comment on
    # the trainee sees the mentor's review of her call
    ann = Store(as_(team, ANN))
    assert [(c.text, c.author) for c in ann.comments(f"{ANN}-call")] == [("Good opening", MO)]
    assert ann.overrides(f"{ANN}-call")["empathy"].effective == 80
    assert ann.list_calls()[0].reviewed
    assert Store(as_(team, BOB)).comments(f"{BOB}-call") == []


def test_a_trainer_reads_every_call_and_writes_none(team, as_person):
    tess = Store(as_(team, TESS))
    assert tess.count() == 3
    with pytest.raises(StoreError, match="does not allow you"):
        tess.add_comment(f"{CAT}-call", "x")


def test_admin_refuses_an_sqlite_store_and_bad_names(tmp_path, capsys):
    assert main(["admin", "init", "--db", str(tmp_path / "c.db")]) == 1
    assert "one person's file" in capsys.readouterr().err
    with pytest.raises(StoreError, match="is not"):
        store_admin._check_name("ann; DROP ROLE postgres", "person")
