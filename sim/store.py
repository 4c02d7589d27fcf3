"""Saved calls: every call, its turns, its grade and the mentor's review, in one store.

Two backends behind one `Store`, written once with SQLAlchemy Core (sim/store_schema.py holds
the tables; sim/store_migrations.py their history as Alembic operations):
- an SQLite file, the default for one person: `platformdirs.user_data_dir("callsim")/callsim.db`,
  or `--db PATH` / the `CALLSIM_DB` environment variable / `db` in config.toml (`resolve_db`);
- a PostgreSQL server for a team: `--db postgresql://USER@HOST:PORT/DB` (the same variable).
  The password comes from `PGPASSWORD` or `~/.pgpass`, as for every libpq program; a URL
  holding one is refused, so it never sits in a shell history or a process list.
SQLAlchemy is imported by the first statement it has to build (about 0.2 s of CPU): an SQLite
file opens with sqlite3 alone, and the statements a call's start runs (its header, its turns,
the resume check, the home screen's last scores and goals) are kept compiled for SQLite in
sim/store_sql.py. Alembic is imported only to create or upgrade a schema, psycopg only for a
server: commands that never open a store pay for none.

Why SQLite and how it is used
- Each turn is committed as it is recorded (`Store.recorder`), so a crash or a closed terminal
  loses at most the reply being typed.
- Journal mode WAL with `synchronous=FULL`. In WAL mode NORMAL already survives a killed
  process (a commit is in the WAL file before `COMMIT` returns); what it can lose is the last
  few commits on a power cut or an OS crash. FULL adds one fsync per commit, and our commits are
  human-paced (a turn every few seconds; imports commit once per file, the bulk path once per
  batch), so the fsync costs nothing a user could notice while "at most the reply being typed"
  then holds for a power cut too.
- Several processes may write at once (the app and `callsim run` on one machine, a mentor
  importing): every write is one short `BEGIN IMMEDIATE` transaction (the write lock is taken up
  front, so two writers queue instead of failing on a lock upgrade) and `busy_timeout` makes the
  second one wait for the first. Reads run outside a transaction, as they did with sqlite3.
- The schema carries a version: Alembic's `alembic_version` table, mirrored in `PRAGMA
  user_version` (all a file from before Alembic has: it is stamped and upgraded on first open,
  nothing lost). A store from a newer callsim is refused, never downgraded.

On PostgreSQL each operation takes a pooled connection (checked before use, so a server that
went away and came back is reconnected to) and every write is one transaction; the schema is
created or upgraded under an advisory lock, so two clients opening a new server at once do not
race.

Every failure the user can meet (not a database, a newer schema, a read-only location, a full
disk, a damaged file, a server that is down or refuses the password) is raised as `StoreError`
with a message fit to print; a failed write is rolled back and leaves what was already stored
as it was.

- A store is checked with SQLite's `quick_check` before anything is written to it: at open when
  the file is small (`CHECK_AT_OPEN_BYTES`; about 40 ms), else before the first write of the
  process (about 0.2 s a 10,000 calls). A damaged store is kept to read only: every write is
  refused with what the check found (`Store.damage`), and nothing is written to it.
- Reading is lenient row by row: text that is not UTF-8, or a value of the wrong type in one
  row, is shown with replacement characters rather than stopping the list of calls, and a call
  whose stored record cannot be read is a message naming it, never a traceback.
- Each reply is one transaction: the session records a trainee's reply and the customer's answer
  inside `CallRecorder.batch()`, and they are committed together (whole or not at all).

What the mentor's screens use (all plain methods, no UI):
- `list_calls(trainee=, scenario=, since=, reviewed=, limit=, offset=)` -> `CallSummary` rows,
  newest first, a page at a time; `count_calls(...)` how many match; `scenario_ids()` the
  scenarios that have calls (a filter's choices, without reading every call).
- `transcript(call_id)` -> the `Transcript`; `grade(call_id)` -> the `Grade` (decoded from its
  stored JSON by `Grade.from_json`) or None.
- comments per turn: `add_comment(call_id, text, turn=None, author=None)`, `comments(call_id)`,
  `delete_comment(comment_id)`.
- dimension overrides with a reason: `set_override(call_id, dimension, score, reason,
  author=None)`, `clear_override(call_id, dimension)`, `overrides(call_id)`; `dimension_scores
  (call_id)` gives the auto score and any override side by side.
- the review done flag: `mark_reviewed(call_id, reviewer=None, done=True)`; `CallSummary.reviewed`.
- critical flags a mentor judged raised by mistake: `clear_flag(call_id, flag, reason,
  author=None)`, `restore_flag(call_id, flag)`; `corrections(call_id)` gives the overrides and
  cleared flags with who and when, which `grading.adjusted.adjust` applies to the grade
  (`sim.corrections` does it for every surface); `corrected_calls()` says which calls have any.
- progress: `progress(trainee, limit=500)` -> `ProgressPoint`s, oldest first, each with the
  per-dimension scores (a mentor's override wins over the auto-grade), outcome, handling time
  and final mood; `agreement()` -> per-dimension agreement between mentors and the auto-grade.
  Both leave out calls played from a script (`source` scripted) unless asked.
The app reaches all of this through `sim.store_api.AppStoreAPI` (a Protocol). A call is saved
by its `CallRecorder` (`recorder(session)` or `recorder_for(call_id, loaded, mode=, trainee=)`):
each turn as it is said, then the graded call from `CallSession.finish`.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callsim.engine.transcript import Transcript, Turn
from callsim.sim.lazy import LazyModule

if TYPE_CHECKING:  # grading (rapidfuzz, the rubric) is imported only to read a grade
    from callsim.engine.loader import LoadedScenario
    from callsim.grading.adjusted import Corrections
    from callsim.grading.grader import Grade
    from callsim.sim.session import CallSession
    from callsim.sim.store_migrations import Migration

DB_ENV = "CALLSIM_DB"
DB_FILENAME = "callsim.db"
BUSY_TIMEOUT_MS = 10_000
#: How long connecting to a team's server may take before it is said to be unreachable.
CONNECT_TIMEOUT_S = 10
ID_PREFIX_SHOWN = 8
#: A store up to this size is checked (SQLite's quick_check) as it is opened; a larger one
#: before its first write (the check reads the whole file: about 1 GB a second when cached).
CHECK_AT_OPEN_BYTES = 32 * 2**20
#: Run the SQL kept compiled in sim/store_sql.py (a test turns it off to compile it again).
USE_PRECOMPILED = True
#: A statement compiled for SQLite: its SQL, the names of its parameters in order, and the
#: values of those it holds itself (a literal in the statement, not given when it runs).
Prepared = tuple[str, tuple[str, ...], dict[str, Any]]
#: With less free space than this, SQLite's "disk I/O error" means the disk is full.
NEARLY_FULL_BYTES = 8 * 2**20
#: Taken (per transaction) while a PostgreSQL schema is created or upgraded.
MIGRATION_LOCK = 0x63616C6C  # "call"


class StoreError(Exception):
    """A store problem said the way a user can act on it (no traceback)."""


# ---------------------------------------------------------------------------------------------
# Schema versions (the migrations themselves are in sim/store_migrations.py)

#: Where a call came from (`calls.source`). `scripted` is a call played from a script
#: (`callsim run --script`), not taken by the trainee: progress and agreement leave it out
#: unless asked. It is a value of the version 1 column, so it needed no migration: a store
#: from before it opens unchanged, its calls all count as before (nothing marked them), and
#: an older callsim reads a store holding scripted calls (it counts them, as it always did).
SOURCES = ("recorded", "imported", "scripted")

# SQLAlchemy and the table definitions, imported at their first use (sim/lazy.py): a command
# that never opens the store, and an SQLite store running only the statements kept compiled in
# sim/store_sql.py (the way to a call screen), do not pay for importing them.
sa: Any = LazyModule("sqlalchemy")
T: Any = LazyModule("callsim.sim.store_schema")


def __getattr__(name: str) -> Any:
    """`MIGRATIONS` and `OUR_TABLES` read from sim/store_migrations.py when first asked for."""
    if name in ("MIGRATIONS", "OUR_TABLES"):
        from callsim.sim import store_migrations

        return getattr(store_migrations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _migrations() -> list[Migration]:
    """MIGRATIONS[n] upgrades a store from schema version n to n+1 (a test may set its own)."""
    found = globals().get("MIGRATIONS")
    if found is None:
        from callsim.sim.store_migrations import MIGRATIONS as found
    return found


def schema_version() -> int:
    return len(_migrations())


# ---------------------------------------------------------------------------------------------
# Where the store lives

SERVER_SCHEMES = ("postgresql", "postgres")


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("callsim")) / DB_FILENAME


def is_server_url(target: object) -> bool:
    """Whether `--db`/`CALLSIM_DB` names a team's server rather than a file."""
    return isinstance(target, str) and target.split(":", 1)[0].lower() in SERVER_SCHEMES


def resolve_db(given: str | os.PathLike[str] | None = None) -> Path | str:
    """`--db`, else `CALLSIM_DB`, else `db` in config.toml (sim/config.py), else the user's
    data directory: a file's path, or a server's URL as given (checked when opened)."""
    from callsim.sim.config import setting

    value = setting("db", given).value  # the option, the variable, then the config files
    if not value:
        return default_db_path()
    if is_server_url(value):
        return str(value)
    return Path(value).expanduser()


def resolve_db_path(given: str | os.PathLike[str] | None = None) -> Path:
    """`--db PATH`, else `CALLSIM_DB`, else the user's data directory (a file store)."""
    found = resolve_db(given)
    if isinstance(found, str):
        raise StoreError(f"{found} names a server, not a store file")
    return found


def server_url(given: str) -> str:
    """The SQLAlchemy URL for `postgresql://USER@HOST:PORT/DB`, or a StoreError saying what is
    wrong with it. A password in the URL is refused: it belongs in PGPASSWORD or ~/.pgpass."""
    from urllib.parse import urlsplit, urlunsplit

    shape = "postgresql://USER@HOST:PORT/DATABASE"
    try:
        parts = urlsplit(given)
        port = parts.port
    except ValueError as exc:
        raise StoreError(
            f"the store URL is not one callsim can use ({exc}); write {shape}"
        ) from None
    if parts.password is not None:
        raise StoreError(
            "the store URL holds a password: callsim does not take one on the command line or "
            "in CALLSIM_DB (it would be in your shell history and the process list). Remove it "
            f"from the URL ({shape}) and give it in PGPASSWORD or ~/.pgpass."
        )
    database = parts.path.lstrip("/")
    if not parts.hostname or not database or "/" in database:
        raise StoreError(
            f"the store URL '{given}' does not name a server and a database: write {shape}"
        )
    netloc = (f"{parts.username}@" if parts.username else "") + parts.hostname
    if ":" in parts.hostname:  # an IPv6 address
        netloc = (f"{parts.username}@" if parts.username else "") + f"[{parts.hostname}]"
    if port is not None:
        netloc += f":{port}"
    return urlunsplit(("postgresql+psycopg", netloc, "/" + database, parts.query, ""))


# ---------------------------------------------------------------------------------------------
# Records handed to callers


@dataclass(frozen=True)
class CallSummary:
    id: str
    started_at: str
    trainee: str | None
    scenario_id: str
    mode: str
    outcome: str | None
    total_score: float | None
    reviewed: bool
    ended: bool
    turn_count: int
    source: str

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    title: str | None
    auto: float | None
    override: float | None = None
    reason: str | None = None
    author: str | None = None

    @property
    def effective(self) -> float | None:
        return self.override if self.override is not None else self.auto


@dataclass(frozen=True)
class Comment:
    id: int
    call_id: str
    turn: int | None
    text: str
    author: str | None
    created_at: str


@dataclass(frozen=True)
class ProgressPoint:
    call_id: str
    started_at: str
    scenario_id: str
    outcome: str | None
    duration_seconds: float
    target_seconds: int
    final_mood: float | None
    total_score: float | None
    dimensions: dict[str, float] = field(default_factory=dict)
    satisfaction: float | None = None  # the grade's 1-5 estimate; None when ungraded
    first_contact: bool = False
    turns: int = 0  # the call's lines, the customer's and the trainee's together


@dataclass(frozen=True)
class Agreement:
    dimension: str
    count: int
    mean_difference: float
    within_10: float
    title: str | None = None  # the rubric's name for the dimension


# ---------------------------------------------------------------------------------------------
# Helpers


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def utc_iso(value: str | None) -> str | None:
    """An ISO time as UTC ISO (so text order is time order); unparseable values kept as given."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def _explain(exc: sqlite3.Error, path: Path, doing: str) -> StoreError:
    text = str(exc).lower()
    where = str(path)
    # A full disk is SQLITE_FULL when a page cannot be added, but "disk I/O error" when the
    # WAL or its index cannot grow (opening the store, say): tell them apart by the free space.
    if "disk is full" in text or ("disk i/o error" in text and _nearly_full(path)):
        return StoreError(
            f"the disk holding the store {where} is full: could not {doing}. "
            "Nothing already saved was lost; free some space and try again."
        )
    if "malformed" in text or "corrupt" in text:
        return StoreError(
            f"the store {where} is damaged (SQLite: {exc}): could not {doing}. "
            "Nothing was written to it. " + _KEEP_A_COPY
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(
            f"cannot write the store {where} (a read-only location?): could not {doing}. "
            f"Choose another file with --db PATH or {DB_ENV}."
        )
    if "not a database" in text or "file is encrypted" in text:
        return StoreError(f"{where} is not a callsim store (not an SQLite database, or damaged)")
    if "locked" in text or "busy" in text:
        return StoreError(
            f"the store {where} stayed busy (another callsim is writing): could not {doing}; "
            "try again."
        )
    return StoreError(f"store {where}: could not {doing}: {exc}")


def _explain_server(exc: BaseException, where: str, doing: str) -> StoreError:
    """A PostgreSQL or connection failure in words (the driver's first line kept as detail)."""
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    text = str(exc).lower()
    state = getattr(exc, "sqlstate", None) or ""
    if "password authentication failed" in text or state == "28P01":
        return StoreError(
            f"the server of the store {where} refused the password: could not {doing}. "
            "Check PGPASSWORD or your ~/.pgpass entry for this server and user."
        )
    if "no password supplied" in text or "password is required" in text:
        return StoreError(
            f"the server of the store {where} wants a password: could not {doing}. Give it "
            "in PGPASSWORD or ~/.pgpass (never in the URL)."
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return StoreError(f"the server has no such database: {where} ({detail})")
    if state.startswith("28") or ("role" in text and "does not exist" in text):
        return StoreError(f"the server of the store {where} did not let you in: {detail}")
    if state == "42501" or "permission denied" in text or "row-level security" in text:
        return StoreError(
            f"the store {where} does not allow you to {doing} (refused by the database: {detail})"
        )
    if state.startswith("08") or any(
        w in text
        for w in (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "server closed the connection",
            "connection is closed",
            "terminating connection",
            "could not translate host name",
            "name or service not known",
            "consuming input failed",
        )
    ):
        return StoreError(
            f"cannot reach the server of the store {where} (is it running, and is the address "
            f"right?): could not {doing}. Nothing already saved was lost. ({detail})"
        )
    if state == "53100" or "no space left" in text:
        return StoreError(f"the server of the store {where} is out of disk: could not {doing}")
    return StoreError(f"store {where}: could not {doing}: {detail}")


_KEEP_A_COPY = (
    "Keep a copy of the file, and choose another store with --db PATH or "
    f"{DB_ENV} ('sqlite3 FILE .recover' can rescue what a damaged one still holds)."
)


def _lenient_text(raw: bytes) -> str:
    """Stored text as str; bytes that are not UTF-8 (a damaged or hand-edited row) are shown
    as replacement characters instead of failing the whole read."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def _text(value: Any) -> str | None:
    """A column that should hold text, whatever one damaged row holds instead."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _summary(r: Sequence[Any]) -> CallSummary:
    """A `calls` row (id, started_at, trainee, scenario_id, mode, outcome, total_score,
    reviewed, ended, turn_count, source) as a CallSummary, read leniently."""
    count = r[9] if isinstance(r[9], int) and not isinstance(r[9], bool) else 0
    return CallSummary(
        _text(r[0]) or "",
        _text(r[1]) or "",
        _text(r[2]),
        _text(r[3]) or "",
        _text(r[4]) or "",
        _text(r[5]),
        _number(r[6]),
        bool(r[7]),
        bool(r[8]),
        count,
        _text(r[10]) or "",
    )


def _summary_columns() -> list[Any]:
    c = T.calls.c
    return [
        c.id,
        c.started_at,
        c.trainee,
        c.scenario_id,
        c.mode,
        c.outcome,
        c.total_score,
        c.reviewed_at.is_not(None),
        c.ended_at.is_not(None),
        c.turn_count,
        c.source,
    ]


def _after(prefix: str) -> str | None:
    """The least text above every text starting with `prefix` (the top of an indexed range),
    or None when there is none (a prefix of nothing but U+10FFFF)."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if 0xD800 <= last <= 0xDFFF:  # surrogates cannot be stored: skip past them
            last = 0xE000
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return None


def _turn_json(turn: Turn) -> str:
    return turn.model_dump_json(exclude_defaults=True)


def _header_json(transcript: Transcript) -> str:
    return transcript.model_dump_json(exclude={"turns"})


# ---------------------------------------------------------------------------------------------
# The store


def _database_error(exc: BaseException) -> bool:
    """Whether `exc` is the database's (sqlite3's, or the driver's through SQLAlchemy, which
    is not imported just to ask)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return isinstance(exc, sqlite3.Error) or (
        errors is not None and isinstance(exc, errors.DBAPIError)
    )


class _JoiningConnection:
    """What `Store._file_write` yields: the compiled statements never touch it (`_run` runs
    them on sqlite3); the first other use makes SQLAlchemy's connection, which joins the
    transaction already begun (its "begin" listener adds no second BEGIN)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._sa: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._sa is None:
            store = self._store
            first = store._held is None
            if first:
                # SQLAlchemy's first connect sets its dialect up and then rolls back, which
                # would undo what this transaction already wrote (a call's end, say)
                dialect = store._engine.dialect
                dialect.do_rollback = lambda _connection: None
            try:
                with store._connection() as conn:  # the held one: it outlives this block
                    self._sa = conn
            finally:
                if first:
                    del dialect.do_rollback
        return getattr(self._sa, name)

    def commit(self) -> None:
        (self._sa or self._store._conn).commit()

    def rollback(self) -> None:
        (self._sa or self._store._conn).rollback()


class Store:
    """One open store: an SQLite file or a PostgreSQL database. Safe to share between threads
    of one process (calls are serialised)."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True):
        self.server = is_server_url(path)
        #: The file, or for a server its URL as given (it holds no password): for messages.
        self.path: Path | str = str(path) if self.server else Path(path)
        self._lock = threading.RLock()
        #: What SQLite's quick_check found wrong with the file (then nothing is written to it),
        #: None when it found nothing or has not run yet (`check`); always None on a server.
        self.damage: str | None = None
        self._checked = self.server
        self._writing = False
        self._stmts: dict[str, Any] = {}
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._held: Any = None  # SQLite: the one connection, held while the store is open
        self._conn: Any = None  # SQLite: the sqlite3 connection under it
        self._sa_engine: Any = None  # SQLite: made when a statement first needs SQLAlchemy
        self._opened = False
        if self.server:
            self._open_server(str(path), create=create)
            self.dialect = self._engine.dialect.name
        else:
            self._open_file(Path(path), create=create)
            self.dialect = "sqlite"
        self._opened = True

    @property
    def _insert(self) -> Any:
        """The dialect's INSERT (it has ON CONFLICT)."""
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert

    @property
    def _engine(self) -> Any:
        """SQLAlchemy's engine; for a file, over its one sqlite3 connection, made (and
        SQLAlchemy imported) when a statement first needs it."""
        if self._sa_engine is None and self._conn is not None:
            conn = self._conn
            engine = sa.create_engine(
                "sqlite+pysqlite://", creator=lambda: conn, poolclass=sa.pool.StaticPool
            )
            me = weakref.ref(self)  # no cycle Store -> engine -> listener -> Store: see __del__

            @sa.event.listens_for(engine, "begin")
            def begin(connection: Any) -> None:  # reads run outside a transaction, as before
                store = me()
                if store is not None and store._writing:
                    conn.execute("BEGIN IMMEDIATE")

            self._sa_engine = engine
        return self._sa_engine

    # -- opening ------------------------------------------------------------------------------

    def _open_file(self, path: Path, *, create: bool) -> None:
        if not create and not path.exists():
            raise StoreError(f"no store at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the store {path}: {exc.strerror or exc}. "
                f"Choose another file with --db PATH or {DB_ENV}."
            ) from None
        try:
            conn = sqlite3.connect(
                str(path),
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise _explain(exc, path, "open it") from None
        conn.text_factory = _lenient_text
        self._conn = conn
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._setup_file()
                if path.stat().st_size <= CHECK_AT_OPEN_BYTES:
                    self.check()
                break
            except sqlite3.OperationalError as exc:
                # Switching a new file to WAL, or opening one while another process recovers
                # it, can answer "locked" at once without waiting on busy_timeout: try again.
                busy = "locked" in str(exc).lower() or "busy" in str(exc).lower()
                if busy and time.monotonic() < deadline:
                    time.sleep(0.02)
                    continue
                self.close()
                raise _explain(exc, path, "open it") from None
            except sqlite3.Error as exc:
                self.close()
                raise _explain(exc, path, "open it") from None
            except StoreError:
                self.close()
                raise

    def _setup_file(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        newest = schema_version()
        if version > newest:
            raise StoreError(
                f"{self.path} was written by a newer callsim (store schema {version}; this "
                f"callsim knows up to {newest}). Upgrade callsim to open it; the file was not "
                "changed."
            )
        if version == 0:
            from callsim.sim.store_migrations import OUR_TABLES

            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if tables - OUR_TABLES:
                raise StoreError(
                    f"{self.path} is an SQLite database of another program, not a callsim store"
                )
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. a read-only location that cannot hold the WAL
            raise StoreError(
                f"cannot write the store {self.path} (a read-only location?). "
                f"Choose another file with --db PATH or {DB_ENV}."
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        stamped = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if version < newest or not stamped:  # a file from before Alembic is stamped too
            self._migrate(version)

    def _open_server(self, given: str, *, create: bool) -> None:
        url = server_url(given)
        try:
            import psycopg  # noqa: F401  (the driver, only for a server)
        except ImportError:
            raise StoreError(
                "a team's store on PostgreSQL needs the driver psycopg: install callsim with "
                "its 'team' extra (pip install 'callsim[team]')"
            ) from None
        self._sa_engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=4,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "callsim"},
        )
        try:
            version = self._server_version()
        except sa.exc.DBAPIError as exc:
            self._engine.dispose()
            raise _explain_server(exc.orig or exc, self.path, "open it") from None
        newest = schema_version()
        if version > newest:
            self._engine.dispose()
            raise StoreError(
                f"the store {self.path} was written by a newer callsim (store schema {version}; "
                f"this callsim knows up to {newest}). Upgrade callsim to use it; nothing was "
                "changed."
            )
        if version < newest:
            if version == 0 and not create:
                self._engine.dispose()
                raise StoreError(f"no callsim store in {self.path} (run 'callsim admin init')")
            try:
                self._migrate(version)
            except StoreError:
                self._engine.dispose()
                raise

    def _server_version(self) -> int:
        """The schema version of a server's store: 0 when it has none yet; -1 when it holds
        another program's Alembic history (refused)."""
        with self._engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT to_regclass('alembic_version')")).scalar()
            if exists is None:
                return 0
            revision = conn.execute(sa.select(T.alembic_version.c.version_num)).scalar()
        if revision is None:
            return 0
        if not str(revision).isdigit():
            raise StoreError(
                f"{self.path} holds another program's tables (Alembic revision {revision}), "
                "not a callsim store"
            )
        return int(revision)

    def _migrate(self, version: int) -> None:
        """Run the forward migrations in one transaction (all or nothing)."""
        from callsim.sim.store_migrations import upgrade

        steps = _migrations()
        self._engine  # noqa: B018  (Alembic runs on SQLAlchemy's connection: make it first)
        with self._write("upgrade its schema") as conn:
            if self.server:  # one client creates or upgrades it; the others wait, then see it
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
                current = self._version_in(conn)
            else:  # another process may have upgraded it since we looked
                current = conn.exec_driver_sql("PRAGMA user_version").scalar()
            if current > len(steps):
                raise StoreError(
                    f"{self.path} was upgraded by a newer callsim meanwhile (store schema "
                    f"{current}); upgrade callsim to use it"
                )
            newest = upgrade(conn, current, steps)  # no steps left: stamps alembic_version
            if not self.server:
                conn.exec_driver_sql(f"PRAGMA user_version = {newest}")

    def _version_in(self, conn: Any) -> int:
        # pg_tables, not to_regclass: a scan sees a table another client committed while we
        # waited on the advisory lock (the relation cache may not have heard of it yet)
        found = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'alembic_version' "
                "AND schemaname = current_schema()"
            )
        ).scalar()
        if not found:
            return 0
        revision = conn.execute(sa.select(T.alembic_version.c.version_num)).scalar()
        return int(revision) if revision and str(revision).isdigit() else 0

    def check(self) -> str | None:
        """SQLite's quick_check of the whole file, run once per open store: what it found wrong
        (then the store is kept to read only), or None. A server checks itself: None."""
        with self._lock:
            if not self._checked:
                try:
                    rows = self._conn.execute("PRAGMA quick_check(20)").fetchall()
                    found = [
                        line.strip()
                        for r in rows
                        if r[0] != "ok"
                        for line in str(r[0]).splitlines()
                        if line.strip() and not line.startswith("***")  # "*** in database"
                    ]
                except sqlite3.DatabaseError as exc:
                    if not any(w in str(exc).lower() for w in ("malformed", "corrupt")):
                        raise  # busy, say: not a finding about the file
                    found = [str(exc)]  # so damaged the check cannot run
                self.damage = "; ".join(found)[:500] or None
                self._checked = True
            return self.damage

    def close(self) -> None:
        if not hasattr(self, "_lock"):  # __init__ failed before there was anything to close
            return
        with self._lock:
            if self._held is not None:
                self._held.close()
                self._held = None
            engine = self._sa_engine
            if engine is not None:
                engine.dispose()
            if self._conn is not None:
                self._conn.close()
            self._opened = False

    def __del__(self) -> None:
        # A store dropped without close() gives its file or its server connections back at
        # once, as sqlite3 did: SQLAlchemy's engine and pool hold reference cycles, which
        # would keep them open until the cyclic collector runs (hundreds of open files).
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        """The store's schema version (the number of migrations it has run)."""
        if not self.server:
            return self._conn.execute("PRAGMA user_version").fetchone()[0]
        with self._lock, self._engine.connect() as conn:
            return self._version_in(conn)

    # -- transactions -------------------------------------------------------------------------

    def _explain(self, exc: BaseException, doing: str) -> StoreError:
        orig = getattr(exc, "orig", None) or exc
        if isinstance(orig, sqlite3.Error):
            return _explain(orig, Path(self.path), doing)
        return _explain_server(orig, str(self.path), doing)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self._held is None and self._opened and not self.server:
            self._held = self._engine.connect()
        if self._held is not None:
            yield self._held
        else:  # a server, or a file still being opened
            with self._engine.connect() as conn:
                yield conn

    @contextmanager
    def _write(self, doing: str) -> Iterator[Any]:
        """One short write transaction on an SQLAlchemy connection; any database failure rolls
        back and becomes a StoreError."""
        with self._lock:
            if not self.server:
                try:
                    damaged = self.check() is not None
                except sqlite3.Error as exc:
                    raise _explain(exc, Path(self.path), doing) from None
                if damaged:
                    raise StoreError(
                        f"the store {self.path} is damaged (SQLite's check found: "
                        f"{self.damage}), so it is open to read only: could not {doing}. "
                        "Nothing was written to it. " + _KEEP_A_COPY
                    )
                if self._sa_engine is None:
                    with self._file_write(doing) as conn:
                        yield conn
                    return
            try:
                with self._connection() as conn:
                    self._writing = True
                    try:
                        conn.begin()
                    finally:
                        self._writing = False
                    try:
                        yield conn
                        conn.commit()
                    except BaseException:
                        try:
                            conn.rollback()
                        except sa.exc.DBAPIError:
                            pass
                        raise
            except sa.exc.DBAPIError as exc:
                raise self._explain(exc, doing) from None
            except sqlite3.Error as exc:  # PRAGMAs run on the sqlite3 connection itself
                raise self._explain(exc, doing) from None

    @contextmanager
    def _file_write(self, doing: str) -> Iterator[Any]:
        """`_write` on a file before SQLAlchemy is needed: BEGIN IMMEDIATE on the sqlite3
        connection, where the compiled statements run (`_run`); a statement that needs
        SQLAlchemy makes its connection, which joins this transaction (`_JoiningConnection`)."""
        conn = _JoiningConnection(self)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.commit()
            except BaseException:
                try:
                    conn.rollback()
                except Exception as exc:
                    if not _database_error(exc):
                        raise
                raise
        except Exception as exc:
            if _database_error(exc):
                raise self._explain(exc, doing) from None
            raise

    def _prepared(self, name: str, build: Callable[[], Any]) -> Prepared:
        """(SQL, names of its parameters in order, values of those the statement holds itself)
        of a named statement for SQLite: compiled once per process, or read from
        sim/store_sql.py without importing SQLAlchemy."""
        found = self._compiled.get(name)
        if found is None:
            from callsim.sim.store_sql import SQLITE

            found = SQLITE.get(name) if USE_PRECOMPILED else None
            if found is None:
                compiled = self._stmt(name, build).compile(dialect=self._engine.dialect)
                names = tuple(compiled.positiontup or ())
                held = {n: compiled.params[n] for n in names if not compiled.binds[n].required}
                found = (compiled.string, names, held)
            self._compiled[name] = found
        return found

    @staticmethod
    def _values(prepared: Prepared, params: dict[str, Any]) -> tuple[Any, ...]:
        _, names, held = prepared
        return tuple(params[n] if n in params else held[n] for n in names)

    def _query(self, name: str, build: Callable[[], Any], params: dict[str, Any]) -> list:
        """Rows of a named query built once (`_stmt`): on SQLite, its compiled SQL run on
        sqlite3 (`_prepared`); the parameters are the statement's bind parameters by name."""
        if self._conn is None:
            return self._read(self._stmt(name, build), params)
        prepared = self._prepared(name, build)
        with self._lock:
            try:
                return self._conn.execute(prepared[0], self._values(prepared, params)).fetchall()
            except sqlite3.Error as exc:
                raise _explain(exc, Path(self.path), "read it") from None

    def _read(self, stmt: Any, params: Sequence[Any] | dict[str, Any] | None = None) -> list:
        """Rows of a query (an SQLAlchemy statement, or SQL text with :named parameters)."""
        if isinstance(stmt, str):
            stmt = sa.text(stmt)
        with self._lock:
            try:
                with self._connection() as conn:
                    try:
                        return conn.execute(stmt, params).all()
                    finally:
                        conn.rollback()
            except sa.exc.DBAPIError as exc:
                raise self._explain(exc, "read it") from None

    def _stmt(self, name: str, build: Callable[[], Any]) -> Any:
        """A statement built once per store (the hot paths: a turn, a call's header)."""
        found = self._stmts.get(name)
        if found is None:
            found = self._stmts[name] = build()
        return found

    def _run(self, conn: Any, name: str, build: Callable[[], Any], params: Any) -> None:
        """Run a statement of the per-turn path, built once per store (`_stmt`). On SQLite it
        is also compiled once, by SQLAlchemy's SQLite dialect, and run on the sqlite3
        connection inside the open transaction: going through SQLAlchemy's execution each
        time made saving a reply cost 1.7x the CPU time it did with sqlite3 alone."""
        if self._conn is None:
            conn.execute(self._stmt(name, build), params)
            return
        prepared = self._prepared(name, build)
        sql = prepared[0]
        if isinstance(params, list):
            self._conn.executemany(sql, [self._values(prepared, p) for p in params])
        else:
            self._conn.execute(sql, self._values(prepared, params))

    # -- writing calls ------------------------------------------------------------------------

    def _upsert_header(
        self, conn: Any, transcript: Transcript, *, source: str, replace: bool
    ) -> None:
        t = transcript
        row = {
            "id": t.call_id,
            "trainee": t.trainee,
            "scenario_id": t.scenario_id,
            "scenario_version": t.scenario_version,
            "scenario_hash": t.scenario_hash,
            "scenario_path": t.scenario_path,
            "mode": t.mode,
            "started_at": utc_iso(t.started_at) or "",
            "ended_at": utc_iso(t.ended_at),
            "duration_seconds": t.duration_seconds,
            "target_seconds": t.target_seconds,
            "outcome": t.outcome.value if t.outcome else None,
            "final_mood": t.final_mood,
            "wrap_up": t.wrap_up,
            "header": _header_json(t),
            "turn_count": len(t.turns),
            "source": source,
            "saved_at": now_utc(),
        }

        def build() -> Any:
            stmt = self._insert(T.calls).values({c: sa.bindparam(c) for c in row})
            if not replace:
                return stmt.on_conflict_do_nothing(index_elements=["id"])
            kept = ("id", "source", "saved_at")
            return stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={c: stmt.excluded[c] for c in row if c not in kept},
            )

        self._run(conn, f"header-{replace}", build, row)

    def _insert_turns(
        self, conn: Any, call_id: str, turns: Iterable[Turn], *, replace: bool
    ) -> None:
        rows = [
            {"call_id": call_id, "idx": t.index, "speaker": t.speaker, "data": _turn_json(t)}
            for t in turns
        ]
        if not rows:
            return

        def build() -> Any:
            stmt = self._insert(T.turns)
            if not replace:
                return stmt.on_conflict_do_nothing(index_elements=["call_id", "idx"])
            return stmt.on_conflict_do_update(
                index_elements=["call_id", "idx"],
                set_={"speaker": stmt.excluded.speaker, "data": stmt.excluded.data},
            )

        self._run(conn, f"turns-{replace}", build, rows)

    def _write_grade(self, conn: Any, call_id: str, grade: Grade) -> None:
        c = T.calls.c
        conn.execute(
            sa.update(T.calls)
            .where(c.id == call_id)
            .values(
                grade=json.dumps(grade.to_json(), ensure_ascii=False),
                total_score=grade.score,
                rubric=grade.rubric_id,
                graded_at=now_utc(),
            )
        )
        d = T.dimension_scores
        conn.execute(sa.delete(d).where(d.c.call_id == call_id))
        rows = {
            dim.id: {
                "call_id": call_id,
                "dimension": dim.id,
                "title": dim.title,
                "score": dim.score,
            }
            for dim in grade.dimensions
        }  # the last of a repeated dimension wins, as INSERT OR REPLACE did
        if rows:
            conn.execute(sa.insert(d), list(rows.values()))

    def save_call(self, transcript: Transcript, grade: Grade | None = None) -> None:
        """Save a whole call (header, every turn, the grade if given) in one transaction.

        Used when a call is finished: it overwrites what the per-turn recorder wrote for the
        same call id with the final record (outcome, notes, times).
        """
        with self._write("save the call") as conn:
            self._upsert_header(conn, transcript, source="recorded", replace=True)
            self._insert_turns(conn, transcript.call_id, transcript.turns, replace=True)
            t = T.turns.c
            conn.execute(
                sa.delete(T.turns).where(
                    t.call_id == transcript.call_id, t.idx >= len(transcript.turns)
                )
            )
            if grade is not None:
                self._write_grade(conn, transcript.call_id, grade)

    def save_grade(self, call_id: str, grade: Grade) -> None:
        """Store a grade and its dimension scores (a call graded after it was saved)."""
        full = self.resolve_id(call_id)
        with self._write("save the grade") as conn:
            self._write_grade(conn, full, grade)

    def import_call(self, transcript: Transcript, grade: Grade | None = None) -> bool:
        """Add a call sent from elsewhere; False (and nothing changed) if its id is stored."""
        with self._write("import the call") as conn:
            exists = conn.execute(
                sa.select(T.calls.c.id).where(T.calls.c.id == transcript.call_id)
            ).first()
            if exists:
                return False
            self._upsert_header(conn, transcript, source="imported", replace=False)
            self._insert_turns(conn, transcript.call_id, transcript.turns, replace=False)
            if grade is not None:
                self._write_grade(conn, transcript.call_id, grade)
        return True

    def bulk_save(
        self, calls: Iterable[tuple[Transcript, Grade | None]], *, batch: int = 500
    ) -> int:
        """Many finished calls, `batch` per transaction (fills, benchmarks); returns how many."""
        count = 0
        pending: list[tuple[Transcript, Grade | None]] = []

        def flush() -> None:
            with self._write("save calls") as conn:
                for transcript, grade in pending:
                    self._upsert_header(conn, transcript, source="recorded", replace=True)
                    self._insert_turns(conn, transcript.call_id, transcript.turns, replace=True)
                    if grade is not None:
                        self._write_grade(conn, transcript.call_id, grade)
            pending.clear()

        for item in calls:
            pending.append(item)
            count += 1
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        return count

    # -- per-turn recording -------------------------------------------------------------------

    def recorder(
        self,
        session: CallSession,
        *,
        on_error: Callable[[StoreError], None] | None = None,
        source: str = "recorded",
    ) -> CallRecorder:
        """Start saving `session` now (the call row and the turns so far) and turn by turn.

        Becomes `session.recorder`, so `session.finish` saves the graded call here too.
        Resuming a stored call: turns already stored are kept. `source="scripted"` marks a
        call played from a script (the mark stays when the finished call is saved).
        """
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
        rec = CallRecorder(self, session.call_id, on_error=on_error)
        transcript = session.transcript()
        with self._write("start saving the call") as conn:
            self._upsert_header(conn, transcript, source=source, replace=False)
            self._insert_turns(conn, session.call_id, transcript.turns, replace=False)
            self._touch(conn, session.call_id)
        session.recorder = rec
        return rec

    def recorder_for(
        self,
        call_id: str,
        loaded: LoadedScenario,
        *,
        mode: str = "practice",
        trainee: str | None = None,
    ) -> CallRecorder:
        """A recorder for a call about to start (the row is made now): the session's
        `recorder=` (the app makes its sessions this way)."""
        sc = loaded.scenario
        header = Transcript(
            call_id=call_id,
            scenario_id=sc.id,
            scenario_version=sc.version,
            scenario_title=sc.title,
            scenario_hash=loaded.content_hash,
            scenario_path=loaded.path,
            trainee=trainee,
            mode=mode,  # type: ignore[arg-type]
            started_at=now_utc(),
            target_seconds=sc.target_seconds,
            opening_mood=float(sc.customer.mood),
            final_mood=float(sc.customer.mood),
        )
        with self._write("start saving the call") as conn:
            self._upsert_header(conn, header, source="recorded", replace=False)
        return CallRecorder(self, call_id)

    def record_turn(self, call_id: str, turn: Turn) -> None:
        """Commit one turn (and the call's running mood and time) in its own transaction."""
        self.record_turns(call_id, [turn])

    def record_turns(self, call_id: str, turns: Sequence[Turn]) -> None:
        """Commit turns said together (a reply and the customer's answer) in one transaction:
        all of them are stored, or none."""
        if not turns:
            return
        what = f"turn {turns[0].index}" + (f"-{turns[-1].index}" if len(turns) > 1 else "")
        with self._write(f"save {what}") as conn:
            self._insert_turns(conn, call_id, turns, replace=True)
            self._touch(conn, call_id, turns)

    def _touch(self, conn: Any, call_id: str, turns: Sequence[Turn] = ()) -> None:
        moods = [t.mood_after for t in turns if t.mood_after is not None]

        def build(with_turns: bool) -> Any:
            c = T.calls.c
            counted = (
                sa.select(sa.func.count())
                .select_from(T.turns)
                .where(T.turns.c.call_id == sa.bindparam("cid"))
                .scalar_subquery()
            )
            values: dict[str, Any] = {"turn_count": counted}
            if with_turns:
                at = sa.bindparam("at", type_=sa.Float)
                values["final_mood"] = sa.func.coalesce(
                    sa.bindparam("mood", type_=sa.Float), c.final_mood
                )
                values["duration_seconds"] = sa.case(
                    (c.duration_seconds > at, c.duration_seconds), else_=at
                )
            return sa.update(T.calls).where(c.id == sa.bindparam("cid")).values(values)

        params: dict[str, Any] = {"cid": call_id}
        if turns:
            params["mood"] = moods[-1] if moods else None
            params["at"] = float(max(t.at for t in turns))
        self._run(conn, f"touch-{bool(turns)}", lambda: build(bool(turns)), params)

    # -- finding calls ------------------------------------------------------------------------

    def _order(self) -> list[Any]:
        """Newest first: by start time, then the later saved of two started the same second."""
        return [T.calls.c.started_at.desc(), T.order_key(self.dialect).desc()]

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one call whose id starts with `prefix`."""
        prefix = prefix.strip()
        if not prefix:
            raise StoreError("give a call id (or the start of one); 'callsim sessions' lists them")
        # a range on the primary key (an index), not substr(): a look-up, not a scan of every
        # call; "+started_at" keeps SQLite's planner off the started_at index for the ordering
        # (PostgreSQL keeps ids in the "C" collation, so the range is the same there)
        c = T.calls.c
        top = _after(prefix)
        where = [c.id >= prefix]
        if top is not None:
            where.append(c.id < top)
        else:
            where.append(sa.func.substr(c.id, 1, len(prefix)) == prefix)
        order = sa.literal_column("+calls.started_at") if self.dialect == "sqlite" else c.started_at
        rows = self._read(sa.select(c.id).where(*where).order_by(order).limit(6))
        rows = [(_text(r[0]) or "",) for r in rows]
        if not rows:
            raise StoreError(f"no saved call has an id starting '{prefix}' in {self.path}")
        if len(rows) > 1:
            shown = ", ".join(r[0][: max(len(prefix) + 4, ID_PREFIX_SHOWN)] for r in rows[:5])
            more = ", ..." if len(rows) > 5 else ""
            raise StoreError(
                f"'{prefix}' starts more than one call id ({shown}{more}); give more of it"
            )
        return rows[0][0]

    def ids_near(self, short: str) -> list[str]:
        """Stored ids that start with `short`, or that `short` starts with (index look-ups, not a
        scan): what an import checks so that every short id still names one call."""
        c = T.calls.c
        top = _after(short)
        starting = sa.select(c.id).where(c.id >= short)
        if top is not None:
            starting = starting.where(c.id < top)
        ids = [r[0] for r in self._read(starting.limit(6))]
        shorter = [short[:n] for n in range(1, len(short))]
        if shorter:
            ids += [r[0] for r in self._read(sa.select(c.id).where(c.id.in_(shorter)))]
        return ids

    def list_calls(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        since: str | None = None,
        reviewed: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CallSummary]:
        """Calls newest first; `since` is an ISO date or time (UTC unless it says otherwise);
        `reviewed` True lists the calls a mentor marked done, False the others.

        `limit` and `offset` page through them (`count_calls` says how many there are). A row
        holding damaged text is listed with replacement characters, never hides the others.
        """
        params = self._filter_params(trainee, scenario, since)
        params.update(limit=limit, offset=max(0, offset))
        name = f"calls:{','.join(sorted(params))}:{reviewed}:{bool(limit)}"

        def build() -> Any:
            where = self._filters(params, reviewed)
            stmt = sa.select(*_summary_columns()).where(*where).order_by(*self._order())
            if limit:
                stmt = stmt.limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
            return stmt

        return [_summary(r) for r in self._query(name, build, params)]

    def count_calls(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        since: str | None = None,
        reviewed: bool | None = None,
    ) -> int:
        """How many calls `list_calls` with the same filters would list without a limit."""
        params = self._filter_params(trainee, scenario, since)
        stmt = (
            sa.select(sa.func.count()).select_from(T.calls).where(*self._filters(params, reviewed))
        )
        return int(self._read(stmt, params)[0][0])

    @staticmethod
    def _filter_params(
        trainee: str | None, scenario: str | None, since: str | None
    ) -> dict[str, Any]:
        """The filters given, as the bind parameters `_filters` names."""
        given = {"trainee": trainee, "scenario": scenario, "since": since}
        params = {k: v for k, v in given.items() if v is not None}
        if since is not None:
            params["since"] = utc_iso(since)
        return params

    @staticmethod
    def _filters(params: dict[str, Any], reviewed: bool | None = None) -> list[Any]:
        """WHERE clauses for `_filter_params`, with bind parameters (so a statement is built
        and compiled once for each set of filters, whatever their values)."""
        c = T.calls.c
        where: list[Any] = []
        if "trainee" in params:
            where.append(c.trainee == sa.bindparam("trainee"))
        if "scenario" in params:
            where.append(c.scenario_id == sa.bindparam("scenario"))
        if "since" in params:
            where.append(c.started_at >= sa.bindparam("since"))
        if reviewed is not None:
            where.append(c.reviewed_at.is_not(None) if reviewed else c.reviewed_at.is_(None))
        return where

    def summary(self, call_id: str) -> CallSummary:
        return self._summary(self.resolve_id(call_id))

    def _summary(self, call_id: str) -> CallSummary:
        stmt = sa.select(*_summary_columns()).where(T.calls.c.id == call_id)
        return _summary(self._read(stmt)[0])

    def transcript(self, call_id: str) -> Transcript:
        """The stored call as a Transcript. For an interrupted call, mood and time so far."""
        full = self.resolve_id(call_id)
        c, t = T.calls.c, T.turns.c
        header, ended_at = self._read(sa.select(c.header, c.ended_at).where(c.id == full))[0]
        turns = self._read(sa.select(t.idx, t.data).where(t.call_id == full).order_by(t.idx))
        try:
            data = json.loads(header)
            data["turns"] = []
        except (ValueError, TypeError, RecursionError) as exc:
            raise self._unreadable(full, "its record", exc) from None
        for idx, raw in turns:
            try:
                data["turns"].append(json.loads(raw))
            except (ValueError, TypeError, RecursionError) as exc:
                raise self._unreadable(full, f"turn {idx}", exc) from None
        try:
            transcript = Transcript.model_validate(data)
        except (ValueError, RecursionError) as exc:  # pydantic's ValidationError is a ValueError
            raise self._unreadable(full, "its record", exc) from None
        if ended_at is None and transcript.turns:
            last = transcript.turns[-1]
            moods = [t.mood_after for t in transcript.turns if t.mood_after is not None]
            transcript = transcript.model_copy(
                update={
                    "final_mood": moods[-1] if moods else transcript.final_mood,
                    "duration_seconds": last.at,
                }
            )
        return transcript

    def _unreadable(self, call_id: str, part: str, exc: Exception) -> StoreError:
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        return StoreError(
            f"call {call_id[:ID_PREFIX_SHOWN]} cannot be read from {self.path}: {part} is "
            f"damaged ({detail}); the other calls are not affected"
        )

    def grade(self, call_id: str) -> Grade | None:
        """The call's grade, decoded once here (`Grade.from_json`); None if it is ungraded."""
        full = self.resolve_id(call_id)
        raw = self._read(sa.select(T.calls.c.grade).where(T.calls.c.id == full))[0][0]
        if not raw:
            return None
        from callsim.grading.grader import Grade, GradeFormatError

        try:
            return Grade.from_json(raw)
        except (GradeFormatError, ValueError, TypeError) as exc:
            raise StoreError(
                f"the grade stored with call {full[:ID_PREFIX_SHOWN]} in {self.path} is not "
                f"one callsim can read ({exc}); re-grade the call with 'callsim grade'"
            ) from None

    def last_score(self, scenario_id: str, trainee: str | None = None) -> float | None:
        """The app's home screen: the latest graded total for this scenario (and trainee)."""

        def build() -> Any:
            c = T.calls.c
            return (
                sa.select(c.total_score)
                .where(
                    c.scenario_id == sa.bindparam("scenario"),
                    c.trainee.is_not_distinct_from(sa.bindparam("trainee")),
                    c.total_score.is_not(None),
                )
                .order_by(*self._order())
                .limit(sa.bindparam("limit"))
                .offset(sa.bindparam("offset"))  # SQLite's dialect adds one anyway
            )

        params = {"scenario": scenario_id, "trainee": trainee, "limit": 1, "offset": 0}
        rows = self._query("last-score", build, params)
        return rows[0][0] if rows else None

    def count(self) -> int:
        return self._read(sa.select(sa.func.count()).select_from(T.calls))[0][0]

    # -- the mentor's review ------------------------------------------------------------------

    def add_comment(
        self, call_id: str, text: str, *, turn: int | None = None, author: str | None = None
    ) -> int:
        if not text.strip():
            raise StoreError("a comment needs some text")
        full = self.resolve_id(call_id)
        t = T.turns.c
        with self._write("save the comment") as conn:
            if (
                turn is not None
                and not conn.execute(
                    sa.select(t.idx).where(t.call_id == full, t.idx == turn)
                ).first()
            ):
                raise StoreError(f"call {full[:ID_PREFIX_SHOWN]} has no turn {turn}")
            result = conn.execute(
                sa.insert(T.comments).values(
                    call_id=full, turn=turn, text=text, author=author, created_at=now_utc()
                )
            )
            return int(result.inserted_primary_key[0] or 0)

    def comments(self, call_id: str) -> list[Comment]:
        full = self.resolve_id(call_id)
        m = T.comments.c
        return [
            Comment(*r)
            for r in self._read(
                sa.select(m.id, m.call_id, m.turn, m.text, m.author, m.created_at)
                .where(m.call_id == full)
                .order_by(sa.func.coalesce(m.turn, -1), m.id)
            )
        ]

    def delete_comment(self, comment_id: int) -> None:
        with self._write("delete the comment") as conn:
            conn.execute(sa.delete(T.comments).where(T.comments.c.id == comment_id))

    def set_override(
        self,
        call_id: str,
        dimension: str,
        score: float,
        reason: str,
        *,
        author: str | None = None,
    ) -> None:
        """A mentor's score for one dimension, replacing the auto-grade's in progress views."""
        if not reason.strip():
            raise StoreError("an override needs a reason (what the auto-grade missed)")
        if not 0 <= score <= 100:
            raise StoreError("an override score is between 0 and 100")
        full = self.resolve_id(call_id)
        row = {
            "call_id": full,
            "dimension": dimension,
            "score": float(score),
            "reason": reason,
            "author": author,
            "created_at": now_utc(),
        }
        with self._write("save the override") as conn:
            stmt = self._insert(T.overrides).values(row)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["call_id", "dimension"],
                    set_={k: stmt.excluded[k] for k in ("score", "reason", "author", "created_at")},
                )
            )

    def clear_override(self, call_id: str, dimension: str) -> None:
        full = self.resolve_id(call_id)
        o = T.overrides.c
        with self._write("remove the override") as conn:
            conn.execute(sa.delete(T.overrides).where(o.call_id == full, o.dimension == dimension))

    def overrides(self, call_id: str) -> dict[str, DimensionScore]:
        return {d.dimension: d for d in self.dimension_scores(call_id) if d.override is not None}

    def dimension_scores(self, call_id: str) -> list[DimensionScore]:
        """Auto score and any override per dimension (overrides of unscored dimensions too)."""
        full = self.resolve_id(call_id)
        rows = self._read(
            "SELECT d.dimension, d.title, d.score, o.score, o.reason, o.author "
            "FROM dimension_scores d LEFT JOIN overrides o "
            "ON o.call_id = d.call_id AND o.dimension = d.dimension WHERE d.call_id = :id "
            "UNION ALL "
            "SELECT o.dimension, NULL, NULL, o.score, o.reason, o.author FROM overrides o "
            "WHERE o.call_id = :id AND o.dimension NOT IN "
            "(SELECT dimension FROM dimension_scores WHERE call_id = :id)",
            {"id": full},
        )
        return [DimensionScore(*r) for r in rows]

    def mark_reviewed(
        self, call_id: str, *, reviewer: str | None = None, done: bool = True
    ) -> None:
        full = self.resolve_id(call_id)
        with self._write("mark the review") as conn:
            conn.execute(
                sa.update(T.calls)
                .where(T.calls.c.id == full)
                .values(
                    reviewed_at=now_utc() if done else None,
                    reviewed_by=reviewer if done else None,
                )
            )

    # -- a mentor's corrections of the grade (grading/adjusted.py applies them) --------------

    def clear_flag(
        self, call_id: str, flag: str, reason: str, *, author: str | None = None
    ) -> None:
        """A mentor clears a critical flag raised by mistake: it no longer caps the total."""
        if not reason.strip():
            raise StoreError("clearing a critical flag needs a reason (why it was raised wrongly)")
        full = self.resolve_id(call_id)
        row = {
            "call_id": full,
            "flag": flag,
            "reason": reason,
            "author": author,
            "created_at": now_utc(),
        }
        with self._write("clear the critical flag") as conn:
            stmt = self._insert(T.cleared_flags).values(row)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["call_id", "flag"],
                    set_={k: stmt.excluded[k] for k in ("reason", "author", "created_at")},
                )
            )

    def restore_flag(self, call_id: str, flag: str) -> None:
        full = self.resolve_id(call_id)
        f = T.cleared_flags.c
        with self._write("restore the critical flag") as conn:
            conn.execute(sa.delete(T.cleared_flags).where(f.call_id == full, f.flag == flag))

    def corrections(self, call_id: str) -> Corrections:
        """The mentor's overrides and cleared flags of one call, with who and when."""
        from callsim.grading.adjusted import ClearedFlag, Corrections, DimensionOverride

        full = self.resolve_id(call_id)
        o, f = T.overrides.c, T.cleared_flags.c
        overrides = tuple(
            DimensionOverride(r[0], float(r[1]), r[2], r[3], r[4])
            for r in self._read(
                sa.select(o.dimension, o.score, o.reason, o.author, o.created_at)
                .where(o.call_id == full)
                .order_by(o.created_at, o.dimension)
            )
            if _number(r[1]) is not None
        )
        cleared = tuple(
            ClearedFlag(r[0], r[1], r[2], r[3])
            for r in self._read(
                sa.select(f.flag, f.reason, f.author, f.created_at)
                .where(f.call_id == full)
                .order_by(f.created_at, f.flag)
            )
        )
        return Corrections(overrides, cleared)

    def corrected_calls(self) -> set[str]:
        """Ids of the calls a mentor has overridden a score of or cleared a flag of."""
        return {
            r[0]
            for r in self._read(
                sa.union(sa.select(T.overrides.c.call_id), sa.select(T.cleared_flags.c.call_id))
            )
        }

    # -- progress and agreement ---------------------------------------------------------------

    def scenario_ids(self) -> list[str]:
        """The scenarios that have saved calls, by id (read from an index, not every call)."""
        c = T.calls.c
        rows = self._read(sa.select(c.scenario_id).distinct().order_by(c.scenario_id))
        return [t for (value,) in rows if (t := _text(value))]

    def trainees(self) -> list[str]:
        c = T.calls.c
        return [
            r[0]
            for r in self._read(
                sa.select(c.trainee).distinct().where(c.trainee.is_not(None)).order_by(c.trainee)
            )
        ]

    def progress(
        self, trainee: str, *, limit: int = 500, include_scripted: bool = False
    ) -> list[ProgressPoint]:
        """The trainee's latest `limit` ended calls, oldest first, with per-dimension scores.

        Calls played from a script (`source` scripted) are left out unless `include_scripted`:
        a trainer testing a scenario under a trainee's name is not the trainee's progress.

        A mentor's override wins over the auto-grade. `satisfaction` is the grade's 1-5
        estimate (`kpis.satisfaction_estimate`); `first_contact` is the grade's
        `kpis.first_contact_resolution`, or for an ungraded call whether it ended resolved.
        """
        c = T.calls.c
        where = [c.trainee == trainee, c.ended_at.is_not(None)]
        if not include_scripted:
            where.append(c.source != "scripted")
        calls = self._read(
            sa.select(
                c.id,
                c.started_at,
                c.scenario_id,
                c.outcome,
                c.duration_seconds,
                c.target_seconds,
                c.final_mood,
                c.total_score,
                T.grade_kpi(self.dialect, "satisfaction_estimate"),
                T.grade_kpi(self.dialect, "first_contact_resolution"),
                c.turn_count,
            )
            .where(*where)
            .order_by(*self._order())
            .limit(limit)
        )
        latest = sa.select(c.id).where(*where).order_by(*self._order()).limit(limit).subquery()
        d, o = T.dimension_scores, T.overrides
        scores: dict[str, dict[str, float]] = {}
        for call_id, dim, score in self._read(
            sa.select(d.c.call_id, d.c.dimension, sa.func.coalesce(o.c.score, d.c.score))
            .select_from(latest)
            .join(d, d.c.call_id == latest.c.id)
            .outerjoin(o, (o.c.call_id == d.c.call_id) & (o.c.dimension == d.c.dimension))
        ):
            if score is not None:
                scores.setdefault(call_id, {})[dim] = score
        points = []
        for r in reversed(calls):
            fcr = r[3] == "resolved" if r[9] is None else bool(r[9])
            points.append(
                ProgressPoint(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    scores.get(r[0], {}),
                    _number(r[8]),
                    fcr,
                    r[10] if isinstance(r[10], int) else 0,
                )
            )
        return points

    def dimension_titles(self) -> dict[str, str]:
        """Each dimension's title as the grades gave it (for labels)."""
        d = T.dimension_scores.c
        rows = self._read(
            sa.select(d.dimension, sa.func.max(d.title))
            .where(d.title.is_not(None))
            .group_by(d.dimension)
        )
        return {dim: title for dim, title in rows}

    def agreement(self, *, include_scripted: bool = False) -> list[Agreement]:
        """Per dimension: a mentor's score minus the auto-grade, on calls marked reviewed
        (calls played from a script only when `include_scripted`).

        Only what a mentor actually scored counts (an override of a dimension the auto-grade
        scored, on a call whose review is done); a dimension left alone is not taken as
        agreement, since nobody may have looked at it. Ordered by the rubric's title.
        """
        rows = self._read(
            "SELECT d.dimension, max(d.title), count(*), avg(o.score - d.score), "
            "avg(CASE WHEN abs(o.score - d.score) <= 10 THEN 1.0 ELSE 0.0 END) "
            "FROM calls c JOIN overrides o ON o.call_id = c.id JOIN dimension_scores d "
            "ON d.call_id = o.call_id AND d.dimension = o.dimension "
            "WHERE c.reviewed_at IS NOT NULL AND d.score IS NOT NULL"
            + ("" if include_scripted else " AND c.source <> 'scripted'")
            + " GROUP BY d.dimension"
        )
        out = [Agreement(r[0], r[2], float(r[3]), float(r[4]), r[1] or r[0]) for r in rows]
        return sorted(out, key=lambda a: (a.title or a.dimension).lower())


class CallRecorder:
    """Saves one call: each turn as the session records it, then the finished call (`save`).

    A failed write (a full disk, say) never stops the call: the trainee keeps talking, the
    failure goes to `on_error` (once per problem), and `failed` says the saved record is
    incomplete until a later `save` of the whole call succeeds.

    The session records a reply and the customer's answer inside `batch()`: one transaction
    (one fsync) a reply instead of one a turn, and a reply is stored whole or not at all.
    """

    def __init__(
        self,
        store: Store,
        call_id: str,
        *,
        on_error: Callable[[StoreError], None] | None = None,
    ):
        self.store = store
        self.call_id = call_id
        self.on_error = on_error
        self.failed: StoreError | None = None
        self._pending: list[Turn] | None = None  # turns held for the open batch

    def _failed(self, exc: StoreError) -> None:
        if self.on_error is not None and (self.failed is None or str(self.failed) != str(exc)):
            self.on_error(exc)
        self.failed = exc

    def __call__(self, turn: Turn) -> None:
        if self._pending is not None:
            self._pending.append(turn)
            return
        try:
            self.store.record_turn(self.call_id, turn)
        except StoreError as exc:
            self._failed(exc)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Turns recorded inside the block are committed together when it ends."""
        if self._pending is not None:  # already inside one: it commits them
            yield
            return
        self._pending = []
        try:
            yield
        finally:
            turns, self._pending = self._pending, None
            try:
                self.store.record_turns(self.call_id, turns)
            except StoreError as exc:
                self._failed(exc)

    def save(self, transcript: Transcript, grade: Grade | None = None) -> bool:
        """The whole call (end time, notes, outcome, every turn; the grade if given) at once."""
        try:
            self.store.save_call(transcript, grade)
        except StoreError as exc:
            self._failed(exc)
            return False
        self.failed = None
        return True


def open_store(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """The store at `--db`/`CALLSIM_DB` (a file or a server's URL)/the user's data directory."""
    return Store(resolve_db(path), create=create)
