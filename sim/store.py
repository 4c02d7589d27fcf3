"""Saved calls: one SQLite file holding every call, its turns, its grade and the mentor's review.

Why SQLite and how it is used
- One file, by default `platformdirs.user_data_dir("callsim")/callsim.db`; `--db PATH` or the
  `CALLSIM_DB` environment variable choose another (`resolve_db_path`).
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
  second one wait for the first.
- The schema carries a version (`PRAGMA user_version`); `MIGRATIONS[n]` takes a file from
  version n to n+1. A file from a newer callsim is refused, never downgraded.

Every failure the user can meet (not a database, a newer schema, a read-only location, a full
disk, a damaged file) is raised as `StoreError` with a message fit to print; a failed write is
rolled back and leaves what was already stored as it was.

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
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callsim.engine.transcript import Transcript, Turn

if TYPE_CHECKING:  # grading (rapidfuzz, the rubric) is imported only to read a grade
    from callsim.engine.loader import LoadedScenario
    from callsim.grading.adjusted import Corrections
    from callsim.grading.grader import Grade
    from callsim.sim.session import CallSession

DB_ENV = "CALLSIM_DB"
DB_FILENAME = "callsim.db"
BUSY_TIMEOUT_MS = 10_000
ID_PREFIX_SHOWN = 8
#: A store up to this size is checked (SQLite's quick_check) as it is opened; a larger one
#: before its first write (the check reads the whole file: about 1 GB a second when cached).
CHECK_AT_OPEN_BYTES = 32 * 2**20
#: With less free space than this, SQLite's "disk I/O error" means the disk is full.
NEARLY_FULL_BYTES = 8 * 2**20


class StoreError(Exception):
    """A store problem said the way a user can act on it (no traceback)."""


# ---------------------------------------------------------------------------------------------
# Schema and migrations

_V1 = """
CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    trainee TEXT,
    scenario_id TEXT NOT NULL,
    scenario_version TEXT NOT NULL,
    scenario_hash TEXT NOT NULL DEFAULT '',
    scenario_path TEXT NOT NULL DEFAULT '',
    rubric TEXT,
    mode TEXT NOT NULL,
    started_at TEXT NOT NULL,          -- UTC, ISO 8601, for ordering and --since
    ended_at TEXT,
    duration_seconds REAL NOT NULL DEFAULT 0,
    target_seconds INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    final_mood REAL,
    wrap_up TEXT,
    header TEXT NOT NULL,              -- the Transcript without its turns, as JSON
    turn_count INTEGER NOT NULL DEFAULT 0,
    grade TEXT,                        -- the grade JSON, once graded
    total_score REAL,
    graded_at TEXT,
    source TEXT NOT NULL DEFAULT 'recorded',   -- recorded | imported (| scripted: SOURCES)
    saved_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewed_by TEXT
);
CREATE INDEX calls_trainee_started ON calls(trainee, started_at);
CREATE INDEX calls_scenario_started ON calls(scenario_id, started_at);
CREATE INDEX calls_started ON calls(started_at);
CREATE INDEX calls_reviewed ON calls(reviewed_at) WHERE reviewed_at IS NOT NULL;

CREATE TABLE turns (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    data TEXT NOT NULL,                -- the Turn as JSON (defaults left out)
    PRIMARY KEY (call_id, idx)
) WITHOUT ROWID;

CREATE TABLE dimension_scores (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    dimension TEXT NOT NULL,
    title TEXT,
    score REAL,
    PRIMARY KEY (call_id, dimension)
) WITHOUT ROWID;

CREATE TABLE overrides (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    dimension TEXT NOT NULL,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    author TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (call_id, dimension)
) WITHOUT ROWID;

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    turn INTEGER,                      -- NULL: about the whole call
    text TEXT NOT NULL,
    author TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX comments_call ON comments(call_id, turn);
"""

Migration = Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Migration:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return apply


#: Version 2: a critical flag a mentor cleared (judged raised by mistake), with the reason.
_V2 = """
CREATE TABLE cleared_flags (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    flag TEXT NOT NULL,
    reason TEXT NOT NULL,
    author TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (call_id, flag)
) WITHOUT ROWID;
"""

#: Where a call came from (`calls.source`). `scripted` is a call played from a script
#: (`callsim run --script`), not taken by the trainee: progress and agreement leave it out
#: unless asked. It is a value of the version 1 column, so it needed no migration: a store
#: from before it opens unchanged, its calls all count as before (nothing marked them), and
#: an older callsim reads a store holding scripted calls (it counts them, as it always did).
SOURCES = ("recorded", "imported", "scripted")

#: Version 3 (the training loop, issue 17; queries in sim/store_training.py): a mentor's calls
#: marked as examples of a scenario to shadow, and the trainee's self-assessment of a call
#: (a rating per rubric dimension as JSON, and what they would do differently).
_V3 = """
CREATE TABLE examples (
    call_id TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
    scenario_id TEXT NOT NULL,
    marked_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX examples_scenario ON examples(scenario_id, created_at);

CREATE TABLE self_assessments (
    call_id TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
    ratings TEXT NOT NULL,             -- {"dimension": "poor" | "fair" | "good"} as JSON
    differently TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
"""

#: Version 4 (issue 17, goals; queries in sim/store_goals.py): a mentor's goals for a trainee,
#: either a rubric dimension to reach a score by a date, or a number of calls at a difficulty.
_V4 = """
CREATE TABLE goals (
    id TEXT PRIMARY KEY,
    trainee TEXT NOT NULL,
    kind TEXT NOT NULL,                -- dimension | calls
    dimension TEXT,                    -- kind dimension: the rubric dimension ...
    level REAL,                        -- ... and the score (0-100) to reach
    difficulty INTEGER,                -- kind calls: at this difficulty or above ...
    calls INTEGER,                     -- ... this many calls
    due TEXT,                          -- YYYY-MM-DD, or NULL for no date
    set_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX goals_trainee ON goals(trainee, created_at);
"""

#: Version 5 (issue 17, earned difficulty; queries in sim/levels.py): a difficulty level a
#: mentor opened by hand for a trainee before they earned it.
_V5 = """
CREATE TABLE unlocks (
    trainee TEXT NOT NULL,
    difficulty INTEGER NOT NULL,
    unlocked_by TEXT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (trainee, difficulty)
);
"""

#: MIGRATIONS[n] upgrades a store from schema version n to n+1; append, never edit.
MIGRATIONS: list[Migration] = [
    _script(_V1),
    _script(_V2),
    _script(_V3),
    _script(_V4),
    _script(_V5),
]
OUR_TABLES = {
    "calls",
    "turns",
    "dimension_scores",
    "overrides",
    "comments",
    "cleared_flags",
    "examples",
    "self_assessments",
    "goals",
    "unlocks",
}


def schema_version() -> int:
    return len(MIGRATIONS)


# ---------------------------------------------------------------------------------------------
# Where the store lives


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("callsim")) / DB_FILENAME


def resolve_db_path(given: str | os.PathLike[str] | None = None) -> Path:
    """`--db PATH`, else `CALLSIM_DB`, else the user's data directory."""
    if given:
        return Path(given).expanduser()
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_db_path()


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


_SUMMARY_COLUMNS = (
    "id, started_at, trainee, scenario_id, mode, outcome, total_score, "
    "reviewed_at IS NOT NULL, ended_at IS NOT NULL, turn_count, source"
)


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


class Store:
    """One open store file. Safe to share between threads of one process (calls are serialised)."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True):
        self.path = Path(path)
        self._lock = threading.RLock()
        #: What SQLite's quick_check found wrong with the file (then nothing is written to it),
        #: None when it found nothing or has not run yet (`check`).
        self.damage: str | None = None
        self._checked = False
        if not create and not self.path.exists():
            raise StoreError(f"no store at {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the store {self.path}: {exc.strerror or exc}. "
                f"Choose another file with --db PATH or {DB_ENV}."
            ) from None
        try:
            self._conn = sqlite3.connect(
                str(self.path),
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise _explain(exc, self.path, "open it") from None
        self._conn.text_factory = _lenient_text
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._setup()
                if self.path.stat().st_size <= CHECK_AT_OPEN_BYTES:
                    self.check()
                break
            except sqlite3.OperationalError as exc:
                # Switching a new file to WAL, or opening one while another process recovers
                # it, can answer "locked" at once without waiting on busy_timeout: try again.
                busy = "locked" in str(exc).lower() or "busy" in str(exc).lower()
                if busy and time.monotonic() < deadline:
                    time.sleep(0.02)
                    continue
                self._conn.close()
                raise _explain(exc, self.path, "open it") from None
            except sqlite3.Error as exc:
                self._conn.close()
                raise _explain(exc, self.path, "open it") from None
            except StoreError:
                self._conn.close()
                raise

    # -- opening ------------------------------------------------------------------------------

    def _setup(self) -> None:
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
        if version < newest:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        """Run the forward migrations in one transaction (all or nothing)."""
        with self._write("upgrade its schema") as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]  # another process?
            for step in range(current, schema_version()):
                MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA user_version = {schema_version()}")

    def check(self) -> str | None:
        """SQLite's quick_check of the whole file, run once per open store: what it found wrong
        (then the store is kept to read only), or None."""
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
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One short write transaction; any SQLite failure rolls back and becomes a StoreError."""
        with self._lock:
            try:
                damaged = self.check() is not None
            except sqlite3.Error as exc:
                raise _explain(exc, self.path, doing) from None
            if damaged:
                raise StoreError(
                    f"the store {self.path} is damaged (SQLite's check found: {self.damage}), "
                    f"so it is open to read only: could not {doing}. Nothing was written to it. "
                    + _KEEP_A_COPY
                )
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _explain(exc, self.path, doing) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if isinstance(exc, sqlite3.Error):
                    raise _explain(exc, self.path, doing) from None
                raise

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _explain(exc, self.path, "read it") from None

    # -- writing calls ------------------------------------------------------------------------

    def _upsert_header(
        self, conn: sqlite3.Connection, transcript: Transcript, *, source: str, replace: bool
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
        cols = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        if replace:
            updates = ", ".join(
                f"{c} = excluded.{c}" for c in row if c not in ("id", "source", "saved_at")
            )
            conflict = f"DO UPDATE SET {updates}"
        else:
            conflict = "DO NOTHING"
        conn.execute(f"INSERT INTO calls ({cols}) VALUES ({marks}) ON CONFLICT(id) {conflict}", row)

    def _insert_turns(
        self, conn: sqlite3.Connection, call_id: str, turns: Iterable[Turn], *, replace: bool
    ) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        conn.executemany(
            f"{verb} INTO turns (call_id, idx, speaker, data) VALUES (?, ?, ?, ?)",
            [(call_id, t.index, t.speaker, _turn_json(t)) for t in turns],
        )

    def _write_grade(self, conn: sqlite3.Connection, call_id: str, grade: Grade) -> None:
        conn.execute(
            "UPDATE calls SET grade = ?, total_score = ?, rubric = ?, graded_at = ? WHERE id = ?",
            (
                json.dumps(grade.to_json(), ensure_ascii=False),
                grade.score,
                grade.rubric_id,
                now_utc(),
                call_id,
            ),
        )
        conn.execute("DELETE FROM dimension_scores WHERE call_id = ?", (call_id,))
        conn.executemany(
            "INSERT OR REPLACE INTO dimension_scores (call_id, dimension, title, score) "
            "VALUES (?, ?, ?, ?)",
            [(call_id, d.id, d.title, d.score) for d in grade.dimensions],
        )

    def save_call(self, transcript: Transcript, grade: Grade | None = None) -> None:
        """Save a whole call (header, every turn, the grade if given) in one transaction.

        Used when a call is finished: it overwrites what the per-turn recorder wrote for the
        same call id with the final record (outcome, notes, times).
        """
        with self._write("save the call") as conn:
            self._upsert_header(conn, transcript, source="recorded", replace=True)
            self._insert_turns(conn, transcript.call_id, transcript.turns, replace=True)
            conn.execute(
                "DELETE FROM turns WHERE call_id = ? AND idx >= ?",
                (transcript.call_id, len(transcript.turns)),
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
                "SELECT 1 FROM calls WHERE id = ?", (transcript.call_id,)
            ).fetchone()
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
            conn.executemany(
                "INSERT OR REPLACE INTO turns (call_id, idx, speaker, data) VALUES (?, ?, ?, ?)",
                [(call_id, t.index, t.speaker, _turn_json(t)) for t in turns],
            )
            self._touch(conn, call_id, turns)

    def _touch(self, conn: sqlite3.Connection, call_id: str, turns: Sequence[Turn] = ()) -> None:
        moods = [t.mood_after for t in turns if t.mood_after is not None]
        conn.execute(
            "UPDATE calls SET turn_count = (SELECT count(*) FROM turns WHERE call_id = :id)"
            + (
                ", final_mood = coalesce(:mood, final_mood), "
                "duration_seconds = max(duration_seconds, :at)"
                if turns
                else ""
            )
            + " WHERE id = :id",
            {
                "id": call_id,
                "mood": moods[-1] if moods else None,
                "at": max((t.at for t in turns), default=0),
            },
        )

    # -- finding calls ------------------------------------------------------------------------

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one call whose id starts with `prefix`."""
        prefix = prefix.strip()
        if not prefix:
            raise StoreError("give a call id (or the start of one); 'callsim sessions' lists them")
        # a range on the primary key (an index), not substr(): a look-up, not a scan of every
        # call; "+started_at" keeps the planner off the started_at index for the ordering
        top = _after(prefix)
        rows = self._read(
            "SELECT id FROM calls WHERE id >= ? AND "
            + ("id < ?" if top is not None else "substr(id, 1, ?) = ?")
            + " ORDER BY +started_at LIMIT 6",
            (prefix, top) if top is not None else (prefix, len(prefix), prefix),
        )
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
        where, params = self._filters(trainee, scenario, since, reviewed)
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM calls{where}"
            " ORDER BY started_at DESC, rowid DESC" + (" LIMIT ? OFFSET ?" if limit else "")
        )
        if limit:
            params += [limit, max(0, offset)]
        return [_summary(r) for r in self._read(sql, params)]

    def count_calls(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        since: str | None = None,
        reviewed: bool | None = None,
    ) -> int:
        """How many calls `list_calls` with the same filters would list without a limit."""
        where, params = self._filters(trainee, scenario, since, reviewed)
        return int(self._read(f"SELECT count(*) FROM calls{where}", params)[0][0])

    @staticmethod
    def _filters(
        trainee: str | None, scenario: str | None, since: str | None, reviewed: bool | None = None
    ) -> tuple[str, list[Any]]:
        where, params = [], []
        if trainee is not None:
            where.append("trainee = ?")
            params.append(trainee)
        if scenario is not None:
            where.append("scenario_id = ?")
            params.append(scenario)
        if since is not None:
            where.append("started_at >= ?")
            params.append(utc_iso(since))
        if reviewed is not None:
            where.append("reviewed_at IS NOT NULL" if reviewed else "reviewed_at IS NULL")
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def summary(self, call_id: str) -> CallSummary:
        return self._summary(self.resolve_id(call_id))

    def _summary(self, call_id: str) -> CallSummary:
        r = self._read(f"SELECT {_SUMMARY_COLUMNS} FROM calls WHERE id = ?", (call_id,))[0]
        return _summary(r)

    def transcript(self, call_id: str) -> Transcript:
        """The stored call as a Transcript. For an interrupted call, mood and time so far."""
        full = self.resolve_id(call_id)
        rows = self._read("SELECT header, ended_at FROM calls WHERE id = ?", (full,))
        header, ended_at = rows[0]
        turns = self._read("SELECT idx, data FROM turns WHERE call_id = ? ORDER BY idx", (full,))
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
        raw = self._read("SELECT grade FROM calls WHERE id = ?", (full,))[0][0]
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
        rows = self._read(
            "SELECT total_score FROM calls WHERE scenario_id = ? AND trainee IS ? "
            "AND total_score IS NOT NULL ORDER BY started_at DESC, rowid DESC LIMIT 1",
            (scenario_id, trainee),
        )
        return rows[0][0] if rows else None

    def count(self) -> int:
        return self._read("SELECT count(*) FROM calls")[0][0]

    # -- the mentor's review ------------------------------------------------------------------

    def add_comment(
        self, call_id: str, text: str, *, turn: int | None = None, author: str | None = None
    ) -> int:
        if not text.strip():
            raise StoreError("a comment needs some text")
        full = self.resolve_id(call_id)
        with self._write("save the comment") as conn:
            if (
                turn is not None
                and not conn.execute(
                    "SELECT 1 FROM turns WHERE call_id = ? AND idx = ?", (full, turn)
                ).fetchone()
            ):
                raise StoreError(f"call {full[:ID_PREFIX_SHOWN]} has no turn {turn}")
            cur = conn.execute(
                "INSERT INTO comments (call_id, turn, text, author, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (full, turn, text, author, now_utc()),
            )
            return int(cur.lastrowid or 0)

    def comments(self, call_id: str) -> list[Comment]:
        full = self.resolve_id(call_id)
        return [
            Comment(*r)
            for r in self._read(
                "SELECT id, call_id, turn, text, author, created_at FROM comments "
                "WHERE call_id = ? ORDER BY coalesce(turn, -1), id",
                (full,),
            )
        ]

    def delete_comment(self, comment_id: int) -> None:
        with self._write("delete the comment") as conn:
            conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))

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
        with self._write("save the override") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO overrides "
                "(call_id, dimension, score, reason, author, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (full, dimension, float(score), reason, author, now_utc()),
            )

    def clear_override(self, call_id: str, dimension: str) -> None:
        full = self.resolve_id(call_id)
        with self._write("remove the override") as conn:
            conn.execute(
                "DELETE FROM overrides WHERE call_id = ? AND dimension = ?", (full, dimension)
            )

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
                "UPDATE calls SET reviewed_at = ?, reviewed_by = ? WHERE id = ?",
                (now_utc() if done else None, reviewer if done else None, full),
            )

    # -- a mentor's corrections of the grade (grading/adjusted.py applies them) --------------

    def clear_flag(
        self, call_id: str, flag: str, reason: str, *, author: str | None = None
    ) -> None:
        """A mentor clears a critical flag raised by mistake: it no longer caps the total."""
        if not reason.strip():
            raise StoreError("clearing a critical flag needs a reason (why it was raised wrongly)")
        full = self.resolve_id(call_id)
        with self._write("clear the critical flag") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO cleared_flags (call_id, flag, reason, author, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (full, flag, reason, author, now_utc()),
            )

    def restore_flag(self, call_id: str, flag: str) -> None:
        full = self.resolve_id(call_id)
        with self._write("restore the critical flag") as conn:
            conn.execute("DELETE FROM cleared_flags WHERE call_id = ? AND flag = ?", (full, flag))

    def corrections(self, call_id: str) -> Corrections:
        """The mentor's overrides and cleared flags of one call, with who and when."""
        from callsim.grading.adjusted import ClearedFlag, Corrections, DimensionOverride

        full = self.resolve_id(call_id)
        overrides = tuple(
            DimensionOverride(r[0], float(r[1]), r[2], r[3], r[4])
            for r in self._read(
                "SELECT dimension, score, reason, author, created_at FROM overrides "
                "WHERE call_id = ? ORDER BY created_at, dimension",
                (full,),
            )
            if _number(r[1]) is not None
        )
        cleared = tuple(
            ClearedFlag(r[0], r[1], r[2], r[3])
            for r in self._read(
                "SELECT flag, reason, author, created_at FROM cleared_flags "
                "WHERE call_id = ? ORDER BY created_at, flag",
                (full,),
            )
        )
        return Corrections(overrides, cleared)

    def corrected_calls(self) -> set[str]:
        """Ids of the calls a mentor has overridden a score of or cleared a flag of."""
        return {
            r[0]
            for r in self._read(
                "SELECT call_id FROM overrides UNION SELECT call_id FROM cleared_flags"
            )
        }

    # -- progress and agreement ---------------------------------------------------------------

    def scenario_ids(self) -> list[str]:
        """The scenarios that have saved calls, by id (read from an index, not every call)."""
        rows = self._read("SELECT DISTINCT scenario_id FROM calls ORDER BY scenario_id")
        return [t for (value,) in rows if (t := _text(value))]

    def trainees(self) -> list[str]:
        return [
            r[0]
            for r in self._read(
                "SELECT DISTINCT trainee FROM calls WHERE trainee IS NOT NULL ORDER BY trainee"
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
        scripted = "" if include_scripted else " AND source <> 'scripted'"
        calls = self._read(
            "SELECT id, started_at, scenario_id, outcome, duration_seconds, target_seconds, "
            "final_mood, total_score, json_extract(grade, '$.kpis.satisfaction_estimate'), "
            "json_extract(grade, '$.kpis.first_contact_resolution') FROM calls "
            f"WHERE trainee = ? AND ended_at IS NOT NULL{scripted} "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (trainee, limit),
        )
        scores: dict[str, dict[str, float]] = {}
        for call_id, dim, score in self._read(
            "SELECT d.call_id, d.dimension, coalesce(o.score, d.score) FROM "
            f"(SELECT id FROM calls WHERE trainee = ? AND ended_at IS NOT NULL{scripted} "
            " ORDER BY started_at DESC, rowid DESC LIMIT ?) c "
            "JOIN dimension_scores d ON d.call_id = c.id "
            "LEFT JOIN overrides o ON o.call_id = d.call_id AND o.dimension = d.dimension",
            (trainee, limit),
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
                )
            )
        return points

    def dimension_titles(self) -> dict[str, str]:
        """Each dimension's title as the grades gave it (for labels)."""
        rows = self._read(
            "SELECT dimension, max(title) FROM dimension_scores "
            "WHERE title IS NOT NULL GROUP BY dimension"
        )
        return {d: t for d, t in rows}

    def agreement(self, *, include_scripted: bool = False) -> list[Agreement]:
        """Per dimension: a mentor's score minus the auto-grade, on calls marked reviewed
        (calls played from a script only when `include_scripted`).

        Only what a mentor actually scored counts (an override of a dimension the auto-grade
        scored, on a call whose review is done); a dimension left alone is not taken as
        agreement, since nobody may have looked at it. Ordered by the rubric's title.
        """
        rows = self._read(
            "SELECT d.dimension, max(d.title), count(*), avg(o.score - d.score), "
            "avg(abs(o.score - d.score) <= 10) "
            "FROM calls c JOIN overrides o ON o.call_id = c.id JOIN dimension_scores d "
            "ON d.call_id = o.call_id AND d.dimension = o.dimension "
            "WHERE c.reviewed_at IS NOT NULL AND d.score IS NOT NULL"
            + ("" if include_scripted else " AND c.source <> 'scripted'")
            + " GROUP BY d.dimension"
        )
        out = [Agreement(r[0], r[2], r[3], r[4], r[1] or r[0]) for r in rows]
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
    """The store at `--db PATH`/`CALLSIM_DB`/the user's data directory."""
    return Store(resolve_db_path(path), create=create)
