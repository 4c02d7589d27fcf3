"""The mentor's commands (sessions, show, export, import, progress, agreement), resume, and
what a user sees when the store file or an import file is not what it should be."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callsim.sim import store as store_module
from callsim.sim.cli import main
from callsim.sim.store import Store, schema_version

SCENARIO = "broadband-down-repeat-caller"
GOOD_CALL = [
    "I'm so sorry about this, that sounds really stressful",
    "So it's been down since Monday morning and you work from home?",
    "/action line_test",
    "I can book an engineer on Thursday between 8am and 1pm",
    "/action book_engineer Thursday 8am-1pm",
    "/notes down since monday, router lights red, tried restart",
    "/end",
]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "calls.db"


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def play(capsys, db, tmp_path, trainee="ann", lines=GOOD_CALL):
    script = tmp_path / f"script-{time.monotonic_ns()}.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = {c.id for c in Store(db).list_calls()} if db and Path(db).exists() else set()
    code, out, err = cli(capsys, "run", SCENARIO, "--script", script, "--db", db, "--trainee",
                         trainee)  # fmt: skip
    assert code == 0, err
    [new] = {c.id for c in Store(db).list_calls()} - before
    return new


def test_a_scripted_call_is_saved_graded_and_listed(capsys, db, tmp_path):
    call_id = play(capsys, db, tmp_path)
    play(capsys, db, tmp_path, trainee="bob")
    code, out, _ = cli(capsys, "sessions", "--db", db)
    assert code == 0 and call_id[:8] in out and "bob" in out
    header = out.splitlines()[0].split()
    assert header == ["ID", "WHEN", "TRAINEE", "SCENARIO", "MODE", "OUTCOME", "SCORE", "REVIEWED"]
    code, out, _ = cli(capsys, "sessions", "--db", db, "--trainee", "ann", "--json")
    [row] = json.loads(out)
    assert row["id"] == call_id and row["total_score"] is not None and row["reviewed"] is False
    code, out, _ = cli(capsys, "sessions", "--db", db, "--since", "2999-01-01")
    assert "No saved calls" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["sessions", "--db", str(db), "--since", "last tuesday"])
    assert exit_info.value.code == 2


def test_no_save_leaves_the_store_alone(capsys, db, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("hello\n/end\n")
    assert cli(capsys, "run", SCENARIO, "--script", script, "--db", db, "--no-save")[0] == 0
    assert not db.exists()


def test_show_gives_the_transcript_with_tags_and_the_grade(capsys, db, tmp_path):
    call_id = play(capsys, db, tmp_path)
    code, out, _ = cli(capsys, "show", call_id[:5], "--db", db)
    assert code == 0
    assert "Trainee: I'm so sorry about this" in out and "tags: " in out
    assert "Grade:" in out and "Wrap-up notes:" in out
    code, _, err = cli(capsys, "show", "zzzz", "--db", db)
    assert code == 1 and "no saved call" in err


def test_export_and_import_on_another_machine(capsys, db, tmp_path):
    a = play(capsys, db, tmp_path)
    b = play(capsys, db, tmp_path, trainee="bob")
    out_file = tmp_path / "a.json"
    assert cli(capsys, "export", a[:8], "--format", "json", "-o", out_file, "--db", db)[0] == 0
    folder = tmp_path / "exports"
    for fmt in ("md", "html", "csv", "json"):
        assert cli(capsys, "export", a, b, "--format", fmt, "-o", folder, "--db", db)[0] == 0
    assert len(list(folder.iterdir())) == 8
    other = tmp_path / "mentor.db"
    code, out, _ = cli(capsys, "import", out_file, *folder.glob("*.json"), "--db", other)
    assert code == 0 and out.count("imported") == 2 and out.count("already stored") == 1
    assert Store(other).transcript(a) == Store(db).transcript(a)
    assert Store(other).grade(a) == Store(db).grade(a)
    code, out, _ = cli(capsys, "import", out_file, "--db", other)
    assert code == 0 and "already stored" in out and Store(other).count() == 2


def test_a_bad_import_file_is_reported_and_nothing_stored_is_lost(capsys, db, tmp_path):
    call_id = play(capsys, db, tmp_path)
    good = tmp_path / "good.json"
    cli(capsys, "export", call_id, "--format", "json", "-o", good, "--db", db)
    other = tmp_path / "mentor.db"
    cli(capsys, "import", good, "--db", other)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "callsim-transcript", "call_id": ')
    package = tmp_path / "package.json"
    package.write_text('{"name": "left-pad", "version": "1.3.0"}')
    code, _, err = cli(capsys, "import", broken, package, tmp_path / "missing.json", "--db", other)
    assert code == 1
    assert "broken.json:1:" in err and "not valid JSON" in err
    assert "package.json: not a callsim transcript" in err
    assert "cannot read" in err
    assert Store(other).transcript(call_id) == Store(db).transcript(call_id)


# -- the store file itself ------------------------------------------------------------------------


def test_a_store_that_is_not_a_database(capsys, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n" * 50)
    code, _, err = cli(capsys, "sessions", "--db", notes)
    assert code == 1 and "not a callsim store" in err
    assert notes.read_text() == "my shopping list\n" * 50


def test_a_store_from_a_newer_callsim(capsys, db):
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    code, _, err = cli(capsys, "sessions", "--db", db)
    assert code == 1 and "newer callsim" in err


def test_a_store_where_no_file_can_be_written(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    script = tmp_path / "s.txt"
    script.write_text("hello\n")
    code, _, err = cli(capsys, "run", SCENARIO, "--script", script, "--db", blocker / "x.db")
    assert code == 1 and "cannot create the folder" in err and "--db" in err


def test_the_store_env_variable_chooses_the_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "env.db"))
    script = tmp_path / "s.txt"
    script.write_text("hello\n/end\n")
    assert cli(capsys, "run", SCENARIO, "--script", script)[0] == 0
    assert Store(tmp_path / "env.db").count() == 1


def test_a_full_disk_during_a_call(capsys, db, tmp_path, monkeypatch):
    first = play(capsys, db, tmp_path)
    real = store_module._turn_json

    def full(turn):
        if turn.index >= 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(turn)

    monkeypatch.setattr(store_module, "_turn_json", full)
    script = tmp_path / "s.txt"
    script.write_text("\n".join(GOOD_CALL))
    code, out, err = cli(capsys, "run", SCENARIO, "--script", script, "--db", db)
    assert code == 1
    assert "disk holding the store" in err and "full" in err and "goes on" in err
    assert "call ended" in out  # the call itself was played to the end
    monkeypatch.undo()
    assert Store(db).transcript(first).wrap_up  # the earlier call is intact


# -- trainee ------------------------------------------------------------------------------------


def test_line_mode_asks_the_trainee_once(capsys, db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Ann Smith\n/end\n\n"))
    assert cli(capsys, "run", SCENARIO, "--db", db)[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("/end\n\n"))
    code, out, _ = cli(capsys, "run", SCENARIO, "--db", db)
    assert code == 0 and "Who is training" not in out
    assert [c.trainee for c in Store(db).list_calls()] == ["Ann Smith", "Ann Smith"]
    monkeypatch.setenv("CALLSIM_TRAINEE", "Bo")
    monkeypatch.setattr(sys, "stdin", io.StringIO("/end\n\n"))
    cli(capsys, "run", SCENARIO, "--db", db)
    assert {c.trainee for c in Store(db).list_calls()} == {"Ann Smith", "Bo"}


# -- progress and agreement -------------------------------------------------------------------


def test_progress_and_agreement(capsys, db, tmp_path):
    ids = [play(capsys, db, tmp_path, lines=["hello", "/end"])]
    ids += [play(capsys, db, tmp_path) for _ in range(2)]
    # played from scripts, so counted only when asked (a trainee's own calls count anyway)
    code, out, _ = cli(capsys, "progress", "ann", "--db", db, "--include-scripted")
    assert code == 0
    assert "Progress of ann: 3 calls" in out and "Empathy" in out
    assert "First-contact resolution" in out and "Average handling time" in out
    assert "Weakest now" in out and "Development plan" in out
    # the plan names bundled scenarios (which ones depends on the library) with their difficulty
    plan = out.split("Development plan", 1)[1]
    assert re.search(r"- [a-z0-9-]+: .+ \(difficulty [1-5]/5\)", plan)
    code, _, err = cli(capsys, "progress", "nobody", "--db", db)
    assert code == 1 and "no finished calls by 'nobody' (trainees: ann)" in err
    code, out, _ = cli(capsys, "agreement", "--db", db)
    assert "No mentor scores on reviewed calls" in out
    store = Store(db)
    dims = store.dimension_scores(ids[1])
    scored = next(d for d in dims if d.auto is not None)
    store.set_override(ids[1], scored.dimension, min(100, scored.auto + 20), "missed the recap")
    store.mark_reviewed(ids[1])
    code, out, _ = cli(capsys, "agreement", "--db", db, "--json", "--include-scripted")
    row = next(r for r in json.loads(out) if r["dimension"] == scored.dimension)
    assert row["count"] == 1 and row["mean_difference"] > 0 and row["within_10"] == 0


# -- killed mid-call, then resumed ------------------------------------------------------------


def _turns_saved(db: Path) -> int:
    if not db.exists():
        return 0
    calls = Store(db).list_calls()
    return calls[0].turn_count if calls else 0


def test_a_killed_call_keeps_its_turns_and_can_be_resumed(db):
    env = {**os.environ, "CALLSIM_DB": str(db)}
    cmd = [sys.executable, "-m", "callsim", "run", SCENARIO, "--script", "-", "--trainee", "kim"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, text=True)  # fmt: skip
    sent = GOOD_CALL[:2]
    try:
        for n, line in enumerate(sent, start=1):
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            deadline = time.monotonic() + 30
            while _turns_saved(db) < 1 + 2 * n:  # opening line + (reply + answer) each
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "turns never reached the store"
                time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    store = Store(db)
    [call] = store.list_calls()
    saved = store.transcript(call.id)
    assert not call.ended and saved.trainee == "kim"
    assert [t.text for t in saved.trainee_turns()] == sent

    more = "\n".join([*GOOD_CALL[2:6], "/end", "engineer booked for Thursday", ""]) + "\n"
    done = subprocess.run([sys.executable, "-m", "callsim", "resume", call.id[:8]], input=more,
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Resuming call" in done.stdout and sent[0] in done.stdout
    resumed = Store(db).transcript(call.id)
    assert resumed.ended_at is not None and resumed.wrap_up == "engineer booked for Thursday"
    assert [t.text for t in resumed.trainee_turns()][:2] == sent
    assert [t.index for t in resumed.turns] == list(range(len(resumed.turns)))
    assert "line_test" in resumed.actions
    again = subprocess.run([sys.executable, "-m", "callsim", "resume", call.id[:8]], input="",
                           capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert again.returncode == 1 and "already ended" in again.stderr


def test_building_the_command_line_does_not_load_the_store():
    code = "import sys\nfrom callsim.sim.cli import build_parser\nbuild_parser()\n"
    code += "print(sorted(m for m in sys.modules if m in ('callsim.sim.store',"
    code += " 'callsim.sim.export')))"
    out = subprocess.run(  # from outside the repository: its folders are no top-level modules
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert out.stdout.strip() == "[]"
