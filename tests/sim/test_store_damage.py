"""A store file that is damaged, holds a bad row, or sits on a full disk: said plainly, read as
far as it can be, never written to when damaged, and nothing committed lost."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from callsim.engine.transcript import Transcript, Turn
from callsim.sim import store as store_module
from callsim.sim.cli import main
from callsim.sim.store import Store, StoreError

SCENARIO = "broadband-down-repeat-caller"
SCRIPT = ["I'm so sorry about this, that sounds really stressful", "/end"]


def transcript(i: int, trainee: str = "ann") -> Transcript:
    turns = [
        Turn(index=0, speaker="customer", text="It's down again.", at=0.0, stage="opening"),
        Turn(index=1, speaker="trainee", text=f"Sorry about that ({i}).", at=5.0, stage="opening"),
    ]
    return Transcript(
        call_id=f"call-{i:04d}",
        scenario_id=SCENARIO,
        scenario_version="1",
        trainee=trainee,
        started_at=f"2026-01-{1 + i % 28:02d}T09:{i % 60:02d}:00+00:00",
        ended_at=f"2026-01-{1 + i % 28:02d}T09:{i % 60:02d}:30+00:00",
        turns=turns,
    )


def filled(path: Path, calls: int = 12) -> Path:
    with Store(path) as store:
        store.bulk_save((transcript(i), None) for i in range(calls))
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def damage_index(path: Path, index: str) -> None:
    """Overwrite the page type of `index`'s root page, as a bad disk block would."""
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)
        ).fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size] = 0x07  # no b-tree page has this type
    path.write_bytes(bytes(data))


def test_a_damaged_store_is_read_but_never_written(capsys, tmp_path):
    db = filled(tmp_path / "calls.db")
    damage_index(db, "calls_reviewed")
    before = db.read_bytes()

    code, out, err = cli(capsys, "sessions", "--db", db)
    assert code == 0 and out.count("call-") == 12  # the calls are still listed
    assert "is damaged" in err and "btreeInitPage" in err and "read only" in err

    script = tmp_path / "script.txt"
    script.write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    code, out, err = cli(capsys, "run", SCENARIO, "--script", script, "--db", db)
    assert code == 1
    assert "is damaged" in err and "Nothing was written to it" in err and "--db" in err
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_a_large_store_is_checked_before_its_first_write(tmp_path, monkeypatch):
    db = filled(tmp_path / "calls.db")
    damage_index(db, "calls_reviewed")
    monkeypatch.setattr(store_module, "CHECK_AT_OPEN_BYTES", 0)  # every file counts as large
    store = Store(db)
    assert store.damage is None  # not checked yet: reading needs no check
    assert len(store.list_calls()) == 12
    with pytest.raises(StoreError, match="is damaged .* could not save the comment"):
        store.add_comment("call-0003", "Good opening.")
    assert store.damage is not None and "btreeInitPage" in store.damage


def test_one_row_with_bad_bytes_never_hides_the_others(capsys, tmp_path):
    db = filled(tmp_path / "calls.db")
    with sqlite3.connect(db) as conn:  # not UTF-8 text, and a blob where text belongs
        conn.execute("UPDATE calls SET trainee = CAST(x'ff41fe' AS TEXT) WHERE id = 'call-0004'")
        conn.execute("UPDATE calls SET scenario_id = x'00ff' WHERE id = 'call-0005'")
        conn.execute("UPDATE calls SET total_score = 'lots' WHERE id = 'call-0006'")
    conn.close()
    code, out, err = cli(capsys, "sessions", "--db", db)
    assert code == 0 and err == ""
    assert out.count("call-") == 12
    assert "\ufffdA\ufffd" in out
    code, out, _ = cli(capsys, "sessions", "--db", db, "--json")
    assert code == 0 and out.count('"id": "call-') == 12
    code, out, _ = cli(capsys, "show", "call-0004", "--db", db)
    assert code == 0 and "Sorry about that (4)." in out


def test_a_call_whose_record_is_damaged_is_named_and_the_rest_still_read(capsys, tmp_path):
    db = filled(tmp_path / "calls.db")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE turns SET data = '{\"index\": 1, ' WHERE call_id = 'call-0007' AND idx = 1"
        )
        conn.execute("UPDATE calls SET header = x'ff' WHERE id = 'call-0008'")
    conn.close()
    code, _, err = cli(capsys, "show", "call-0007", "--db", db)
    assert code == 1
    assert "call call-000 cannot be read" in err and "turn 1 is damaged" in err
    code, _, err = cli(capsys, "export", "call-0008", "--db", db, "--format", "json")
    assert code == 1 and "its record is damaged" in err
    assert cli(capsys, "show", "call-0009", "--db", db)[0] == 0
    assert cli(capsys, "sessions", "--db", db)[1].count("call-") == 12


def test_a_full_database_says_so_and_keeps_what_was_committed(tmp_path):
    db = filled(tmp_path / "calls.db", calls=3)
    store = Store(db)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    big = transcript(99).model_copy(
        update={"turns": [Turn(index=0, speaker="customer", text="x" * 19_000, at=0.0, stage="s")]}
    )
    with pytest.raises(StoreError) as full:
        store.bulk_save([(big.model_copy(update={"call_id": f"big-{i}"}), None) for i in range(40)])
    assert "is full" in str(full.value) and "Nothing already saved was lost" in str(full.value)
    store.close()
    assert [c.id for c in Store(db).list_calls()] == ["call-0002", "call-0001", "call-0000"]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB filesystem (tmpfs), where the machine lets us mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_says_the_disk_is_full_not_disk_io_error(capsys, tiny_disk, tmp_path):
    db = filled(tiny_disk / "calls.db", calls=3)
    filler = tiny_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)
    script = tmp_path / "script.txt"
    script.write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    code, _, err = cli(capsys, "run", SCENARIO, "--script", script, "--db", db)
    assert code == 1
    assert "disk holding the store" in err and "is full" in err
    assert "Nothing already saved was lost" in err and "disk I/O error" not in err
    filler.unlink()
    assert len(Store(db).list_calls()) == 3
