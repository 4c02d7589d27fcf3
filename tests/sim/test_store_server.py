"""A team's store on a PostgreSQL server (issue 15): what goes wrong is said plainly, what is
stored comes back verbatim, and calls move between a trainee's file and the server.

The server tests run against a real PostgreSQL (`pg_url`, tests/conftest.py); the tests of a
URL that is wrong or a server that is not there need none.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import psycopg
import pytest

from callsim.engine.transcript import Transcript, Turn
from callsim.sim.cli import main
from callsim.sim.store import Store, StoreError, schema_version

NASTY = 'Robert\'); DROP TABLE calls; -- [red]x[/] %s %(x)s :id ? \\ "quoted" ü 👍'


def call(call_id: str, trainee: str | None = "ann", turns: int = 3) -> Transcript:
    return Transcript(
        call_id=call_id,
        scenario_id="broadband-down-repeat-caller",
        scenario_version="1.0",
        trainee=trainee,
        started_at="2026-01-05T10:00:00+00:00",
        ended_at="2026-01-05T10:05:00+00:00",
        turns=[
            Turn(
                index=i,
                speaker="customer" if i % 2 == 0 else "trainee",
                text=f"line {i}",
                at=i,
                stage="opening",
            )
            for i in range(turns)
        ],
    )


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a URL that cannot be used, a server that is not there -------------------------------------


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://", "does not name a server and a database"),
        ("postgresql://ann@127.0.0.1:5432/", "does not name a server and a database"),
        ("postgresql://ann@127.0.0.1:notaport/db", "not one callsim can use"),
        ("postgresql://ann@127.0.0.1:5432/a/b", "does not name a server and a database"),
    ],
)
def test_a_wrong_url_is_one_clear_message(capsys, url, said):
    code, out, err = run(capsys, "sessions", "--db", url)
    assert code == 1 and out == ""
    assert said in err and err.count("\n") == 1, err


def test_a_password_in_the_url_is_refused_and_not_repeated(capsys, monkeypatch):
    url = "postgresql://ann:hunter2@127.0.0.1:5432/callsim"
    code, _, err = run(capsys, "sessions", "--db", url)
    assert code == 1 and "PGPASSWORD or ~/.pgpass" in err and "hunter2" not in err
    monkeypatch.setenv("CALLSIM_DB", url)  # nor from the environment
    code, _, err = run(capsys, "sessions")
    assert code == 1 and "holds a password" in err and "hunter2" not in err


def test_a_server_that_is_down_is_said_to_be_unreachable(capsys):
    url = f"postgresql://ann@127.0.0.1:{free_port()}/callsim"
    code, out, err = run(capsys, "sessions", "--db", url)
    assert code == 1 and out == ""
    assert "cannot reach the server of the store" in err and "is it running" in err, err


def test_a_server_that_is_down_is_said_so_by_the_command_itself(tmp_path):
    """The whole command in its own process: one line, exit 1, no traceback."""
    url = f"postgresql://ann@127.0.0.1:{free_port()}/callsim"
    done = subprocess.run(
        [sys.executable, "-m", "callsim", "sessions", "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("callsim: cannot reach the server") and "Traceback" not in (
        done.stderr
    )


# -- on a real server --------------------------------------------------------------------------


def test_a_wrong_password_is_said_to_be_refused(capsys, monkeypatch, pg_url):
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    code, _, err = run(capsys, "sessions", "--db", pg_url)
    assert code == 1 and "refused the password" in err and "not-the-password" not in err


def test_no_password_at_all_says_where_to_give_it(capsys, monkeypatch, pg_url, tmp_path):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    code, _, err = run(capsys, "sessions", "--db", pg_url)
    assert code == 1 and "wants a password" in err and "PGPASSWORD" in err


def test_a_database_that_does_not_exist(capsys, pg_url):
    code, _, err = run(capsys, "sessions", "--db", pg_url + "_missing")
    assert code == 1 and "no such database" in err


def test_a_server_store_from_a_newer_callsim_is_refused_untouched(capsys, pg_url):
    Store(pg_url).save_call(call("kept-0001"))
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StoreError, match="newer callsim.*schema 99"):
        Store(pg_url)
    code, _, err = run(capsys, "sessions", "--db", pg_url)
    assert code == 1 and "newer callsim" in err
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099",)]
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (1,)


def test_a_new_server_store_is_created_at_the_newest_schema(pg_url):
    store = Store(pg_url)
    assert store.version == schema_version()
    assert store.count() == 0 and store.list_calls() == []


def test_open_without_create_does_not_make_a_schema(pg_url):
    with pytest.raises(StoreError, match="no callsim store"):
        Store(pg_url, create=False)


def test_sql_looking_text_is_stored_verbatim(any_db):
    store = Store(any_db)
    transcript = call("nasty-0001", trainee=NASTY)
    transcript = transcript.model_copy(
        update={
            "wrap_up": NASTY,
            "turns": [
                *transcript.turns[:2],
                transcript.turns[2].model_copy(update={"text": NASTY}),
            ],
        }
    )
    store.save_call(transcript)
    store.add_comment("nasty", NASTY, turn=1, author=NASTY)
    store.set_override("nasty", NASTY, 50, NASTY, author=NASTY)
    store.clear_flag("nasty", NASTY, NASTY, author=NASTY)
    again = Store(any_db)
    assert again.transcript("nasty-0001") == transcript
    assert again.list_calls(trainee=NASTY)[0].trainee == NASTY
    [comment] = again.comments("nasty")
    assert (comment.text, comment.author) == (NASTY, NASTY)
    assert again.overrides("nasty")[NASTY].reason == NASTY
    assert again.corrections("nasty").cleared_flags[0].flag == NASTY
    assert again.count() == 1  # the calls table is still there


def test_calls_move_from_a_file_to_the_server_and_back_without_duplicates(capsys, tmp_path, pg_url):
    """A trainee who practised offline uploads their calls; importing twice adds nothing."""
    laptop = tmp_path / "laptop.db"
    offline = Store(laptop)
    for n in range(3):
        offline.save_call(call(f"{n}ffline-call"))
    out = tmp_path / "up"
    code, _, err = run(
        capsys, "export", "--trainee", "ann", "--format", "json", "-o", str(out),
        "--db", str(laptop),
    )  # fmt: skip
    assert code == 0, err
    files = sorted(str(p) for p in out.glob("*.json"))
    assert len(files) == 3
    for _ in range(2):
        code, _, err = run(capsys, "import", *files, "--db", pg_url)
        assert code == 0, err
    server = Store(pg_url)
    assert server.count() == 3
    assert {c.id for c in server.list_calls()} == {f"{n}ffline-call" for n in range(3)}
    assert server.transcript("1ffline-call") == offline.transcript("1ffline-call")
    # and back down to another machine's file
    code, _, err = run(
        capsys, "export", "2ffline-call", "--format", "json", "-o", str(tmp_path / "c.json"),
        "--db", pg_url,
    )  # fmt: skip
    assert code == 0, err
    other = tmp_path / "other.db"
    for _ in range(2):
        assert run(capsys, "import", str(tmp_path / "c.json"), "--db", str(other))[0] == 0
    assert Store(other).count() == 1
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["call_id"] == "2ffline-call"
