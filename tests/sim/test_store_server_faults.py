"""A team's store when things break mid-call (issue 15): a client killed with SIGKILL loses no
committed turn, and a server that goes away mid-call is reported, the call goes on, and the
call is saved whole once the server is back."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.resume import resume_session
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "broadband-down-repeat-caller"
LINES = [
    line
    for line in (ROOT / "tests" / "sim" / "scripts" / f"{SCENARIO}.good.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith(("/notes", "/action"))
]


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def said(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM turns WHERE speaker = 'trainee'").fetchone()
    return row[0]


def test_a_client_killed_mid_call_loses_no_committed_turn(pg_url):
    Store(pg_url).close()  # the schema, so that the count below can run from the start
    env = {**os.environ, "CALLSIM_DB": pg_url, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "callsim", "run", SCENARIO, "--script", "-", "--trainee", "kim"]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=env, text=True,
    )  # fmt: skip
    n = 3
    try:
        for k, line in enumerate(LINES[:n], start=1):
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            deadline = time.monotonic() + 60
            while said(pg_url) < k:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, f"line {k} never reached the store"
                time.sleep(0.02)
        proc.stdin.write(LINES[n] + "\n")  # killed while taking this one
        proc.stdin.flush()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    store = Store(pg_url)
    [call] = store.list_calls()
    transcript = store.transcript(call.id)
    replies = [t.text for t in transcript.turns if t.speaker == "trainee"]
    assert replies[:n] == LINES[:n] and len(replies) in (n, n + 1)
    session = resume_session(transcript, load_scenario(resolve_scenario(SCENARIO)), trainee="kim")
    store.recorder(session)
    session.finish("resumed after the client was killed")
    assert Store(pg_url).transcript(call.id).wrap_up == "resumed after the client was killed"


@pytest.fixture
def own_server(tmp_path):
    """A PostgreSQL server of this test's own (it is stopped and started): the CI hook run with
    its state in a private folder. Skipped where initdb is not installed."""
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("PostgreSQL's initdb is not installed: cannot start a server to stop")
    state = Path(f"/tmp/callsim-pg-own-{os.getpid()}-{time.monotonic_ns()}")
    env = {k: v for k, v in os.environ.items() if k not in ("CALLSIM_TEST_PG", "PGPASSFILE")}
    env["CALLSIM_PG_STATE"] = str(state)
    out = subprocess.run(
        ["bash", "-c", '. .ci/start.d/postgres.sh >&2; cat "$CALLSIM_PG_STATE/env"'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    found = dict(
        line.removeprefix("export ").split("=", 1)
        for line in out.stdout.splitlines()
        if "=" in line
    )
    found = {k: v.strip('"') for k, v in found.items()}
    runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    ctl = [*runas, f"{found['CALLSIM_PG_BIN']}/pg_ctl", "-D", found["CALLSIM_TEST_PG_DATA"], "-w"]
    old = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = found["PGPASSFILE"]
    try:
        yield found["CALLSIM_TEST_PG"], ctl
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", str(state)], timeout=60)
        if old is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = old


def test_a_server_lost_mid_call_is_reported_and_the_call_saved_when_it_returns(own_server):
    url, ctl = own_server
    store = Store(url)
    loaded = load_scenario(resolve_scenario(SCENARIO))
    session = CallSession(
        loaded, trainee="kim", tagger=lambda *a: Tagged([]), clock=SimulatedClock()
    )
    problems = []
    recorder = store.recorder(session, on_error=problems.append)
    session.say(LINES[0])
    subprocess.run([*ctl, "-m", "fast", "stop"], check=True, capture_output=True, timeout=60)
    session.say(LINES[1])  # the server is gone: said, not saved, and the call goes on
    session.say(LINES[2])
    assert problems and all("cannot reach the server" in str(p) for p in problems), problems
    assert recorder.failed is not None and not session.ended
    subprocess.run([*ctl, "-l", "/dev/null", "start"], check=True, capture_output=True, timeout=60)
    session.finish("saved once the server was back")
    assert session.saved is True and recorder.failed is None
    saved = Store(url).transcript(session.call_id)
    assert [t.text for t in saved.turns if t.speaker == "trainee"] == LINES[:3]
    assert saved.wrap_up == "saved once the server was back"
