"""Every test runs with its own store and config folder, never the user's real data."""

import gc
import glob
import os
import subprocess
import uuid
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("callsim-home")
    monkeypatch.setenv("CALLSIM_DB", str(home / "callsim.db"))
    monkeypatch.setenv("CALLSIM_CONFIG_DIR", str(home / "config"))
    # no machine's /etc/callsim/config.toml reaches a test: a system file only where one is made
    monkeypatch.setenv("CALLSIM_SYSTEM_CONFIG", str(home / "system-config.toml"))
    monkeypatch.delenv("CALLSIM_TRAINEE", raising=False)


@pytest.fixture
def close_stores(monkeypatch):
    """Close every store the test opened (its own and the commands'), for test files that open
    many: an open store holds its file handles until the whole run ends."""
    from callsim.sim.store import Store

    opened: list = []
    real_init = Store.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(Store, "__init__", init)
    yield
    for store in opened:
        store.close()


@pytest.fixture(autouse=True, scope="module")
def _release_stores():
    """Stores a test dropped inside reference cycles keep their files open until the cyclic
    collector runs, which in a process this big is rare: collect after each test file so one
    run of the suite does not pile up thousands of open descriptors."""
    yield
    gc.collect()


# -- a real PostgreSQL server for the store tests (issue 15) -----------------------------------

ROOT = Path(__file__).resolve().parent.parent
NO_SERVER = (
    "no PostgreSQL server for the store tests: set CALLSIM_TEST_PG (.ci/start.d/postgres.sh "
    "starts one) or install PostgreSQL so that initdb is found"
)


@pytest.fixture(scope="session")
def pg_server() -> str | None:
    """The URL of a PostgreSQL superuser's database: CALLSIM_TEST_PG (CI sets it), else a
    throwaway server started by the same hook CI uses, when initdb exists here; else None."""
    url = os.environ.get("CALLSIM_TEST_PG", "").strip()
    if not url and glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        started = subprocess.run(
            [
                "bash",
                "-c",
                "set -euo pipefail; . .ci/start.d/postgres.sh >&2; "
                'echo "${CALLSIM_TEST_PG:-}"; echo "${PGPASSFILE:-}"',
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        lines = started.stdout.splitlines()
        if started.returncode == 0 and len(lines) == 2 and lines[0]:
            url = lines[0]
            os.environ["CALLSIM_TEST_PG"] = url
            os.environ["PGPASSFILE"] = lines[1]
    return url or None


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the test server (dropped afterwards), as a store URL."""
    if pg_server is None:
        pytest.skip(NO_SERVER)
    import psycopg

    name = "callsim_t_" + uuid.uuid4().hex[:12]
    # one connection for both ends: a test may change PGPASSWORD/PGPASSFILE in between
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield pg_server.rsplit("/", 1)[0] + "/" + name
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    """A store on each backend: an SQLite file, then a PostgreSQL database (skipped, saying
    why, only when no server was given and none can be started here)."""
    if request.param == "sqlite":
        return tmp_path / "calls.db"
    return request.getfixturevalue("pg_url")
