"""A call killed at any turn keeps every turn it had said, and carries on from there.

Twenty headless calls (`python -m callsim run SCENARIO --script - --db DB`, fed line by line) are
killed with SIGKILL: each after a seeded random number N of lines has reached the store, while
line N+1 is being taken. Each store then holds the N lines intact (and line N+1 whole or not
at all), in order, and the call resumes from it (sim.resume, what `callsim resume` runs) and is
finished and saved.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from callsim.sim.resume import resume_session
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store

SCENARIO = "broadband-down-repeat-caller"
LINES = [
    line
    for line in (Path(__file__).parent.parent / "sim" / "scripts" / f"{SCENARIO}.good.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("/notes")
]
RUNS = 20
AT_ONCE = 5  # calls running together (2 cores: start-up dominates)
WAIT = 60.0  # seconds a line may take to reach the store before the test gives up


def said(db: Path) -> int:
    """Trainee replies and actions stored so far (0 before the store exists)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FROM turns WHERE speaker IN ('trainee', 'action')"
            ).fetchone()
    except sqlite3.OperationalError:  # not created yet
        return 0
    return row[0]


def kill_after(db: Path, n: int) -> None:
    env = {**os.environ, "CALLSIM_DB": str(db), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "callsim", "run", SCENARIO, "--script", "-", "--db", str(db)]
    proc = subprocess.Popen(
        [*cmd, "--trainee", "kim"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        for k, line in enumerate(LINES[:n], start=1):
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            deadline = time.monotonic() + WAIT
            while said(db) < k:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, f"line {k} never reached the store"
                time.sleep(0.01)
        proc.stdin.write(LINES[n] + "\n")  # killed while taking this one
        proc.stdin.flush()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_calls_killed_at_random_turns_keep_them_and_resume(tmp_path):
    rng = random.Random(20261123)
    plan = [(tmp_path / f"call-{i}.db", rng.randint(1, len(LINES) - 2)) for i in range(RUNS)]
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        list(pool.map(lambda job: kill_after(*job), plan))

    from callsim.engine.loader import load_scenario

    loaded = load_scenario(resolve_scenario(SCENARIO))
    for db, n in plan:
        store = Store(db)
        [call] = store.list_calls()
        transcript = store.transcript(call.id)
        assert transcript.ended_at is None and transcript.trainee == "kim"
        assert [t.index for t in transcript.turns] == list(range(len(transcript.turns)))
        kept = [t for t in transcript.turns if t.speaker in ("trainee", "action")]
        texts = [t.text if t.speaker == "trainee" else t.action for t in kept]
        sent = [line if not line.startswith("/action") else line.split()[1] for line in LINES]
        assert texts[:n] == sent[:n], (db.name, n)
        assert len(kept) in (n, n + 1), (db.name, n, len(kept))  # the last: whole or absent

        session = resume_session(transcript, loaded, trainee="kim")
        # the replay gives back every stored turn (and the customer's answer to a reply that
        # was stored just before the kill, when that answer was not)
        replayed = [(t.speaker, t.text) for t in session.turns]
        assert replayed[: len(transcript.turns)] == [(t.speaker, t.text) for t in transcript.turns]
        store.recorder(session)
        session.say("Is there anything else I can help with today?")
        session.end()
        session.write_notes("resumed after a crash")
        store.save_call(session.transcript(), None)
        again = Store(db).transcript(call.id)
        assert again.ended_at is not None and again.wrap_up == "resumed after a crash"
        # every stored turn as it was (times aside: a replay re-times the customer's lines)
        before = [t.model_dump(exclude={"at"}) for t in transcript.turns]
        assert [t.model_dump(exclude={"at"}) for t in again.turns[: len(before)]] == before
