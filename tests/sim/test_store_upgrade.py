"""A store file written before the store moved to SQLAlchemy and Alembic (issue 15) opens with
nothing lost: it is stamped with the Alembic revision its `PRAGMA user_version` says, upgraded
to the newest schema in one transaction, and reads and writes as before.

The old files are built here from the schema SQL callsim used up to then (copied verbatim, one
string per version) and filled with plain SQL, as that callsim wrote them: no binary fixtures.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from callsim.engine.transcript import Transcript, Turn
from callsim.sim.store import Store, StoreError, schema_version

#: The schema SQL of versions 1-6 as sim/store.py held it before Alembic (commit a28ab3c and
#: the peer-review tables after it). Never edit: these are what files out there contain.
OLD_SCHEMA = [
    """
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
""",
    """
CREATE TABLE cleared_flags (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    flag TEXT NOT NULL,
    reason TEXT NOT NULL,
    author TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (call_id, flag)
) WITHOUT ROWID;
""",
    """
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
""",
    """
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
""",
    """
CREATE TABLE unlocks (
    trainee TEXT NOT NULL,
    difficulty INTEGER NOT NULL,
    unlocked_by TEXT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (trainee, difficulty)
);
""",
    """
CREATE TABLE shares (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (call_id, peer)
);
CREATE INDEX shares_peer ON shares(peer, created_at);

CREATE TABLE peer_comments (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    turn INTEGER,                      -- NULL: about the whole call
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX peer_comments_call ON peer_comments(call_id, turn);
""",
]


def call(call_id: str) -> Transcript:
    return Transcript(
        call_id=call_id,
        scenario_id="broadband-down-repeat-caller",
        scenario_version="1.0",
        trainee="ann",
        started_at="2026-01-05T10:00:00+00:00",
        ended_at="2026-01-05T10:05:00+00:00",
        turns=[
            Turn(index=0, speaker="customer", text="It's down again.", at=0, stage="opening"),
            Turn(index=1, speaker="trainee", text="I'm so sorry.", at=4, stage="opening"),
        ],
    )


def old_file(path, version: int) -> Transcript:
    """A store as callsim wrote it at schema `version`, holding one reviewed call."""
    transcript = call("0ld-call-0001")
    conn = sqlite3.connect(path)
    for sql in OLD_SCHEMA[:version]:
        conn.executescript(sql)
    header = transcript.model_dump_json(exclude={"turns"})
    conn.execute(
        "INSERT INTO calls (id, trainee, scenario_id, scenario_version, mode, started_at, "
        "ended_at, duration_seconds, outcome, header, turn_count, grade, total_score, source, "
        "saved_at, reviewed_at, reviewed_by) VALUES (?, 'ann', ?, '1.0', 'practice', ?, ?, 4, "
        "'resolved', ?, 2, ?, 71, 'recorded', ?, ?, 'mo')",
        (
            transcript.call_id,
            transcript.scenario_id,
            transcript.started_at,
            transcript.ended_at,
            header,
            json.dumps({"kpis": {"satisfaction_estimate": 4, "first_contact_resolution": True}}),
            transcript.started_at,
            transcript.ended_at,
        ),
    )
    for t in transcript.turns:
        conn.execute(
            "INSERT INTO turns VALUES (?, ?, ?, ?)",
            (transcript.call_id, t.index, t.speaker, t.model_dump_json(exclude_defaults=True)),
        )
    conn.execute(
        "INSERT INTO dimension_scores VALUES (?, 'empathy', 'Empathy', 60)", (transcript.call_id,)
    )
    conn.execute(
        "INSERT INTO overrides VALUES (?, 'empathy', 80, 'named the impact', 'mo', ?)",
        (transcript.call_id, transcript.ended_at),
    )
    conn.execute(
        "INSERT INTO comments (call_id, turn, text, author, created_at) "
        "VALUES (?, 1, 'Good opening', 'mo', ?)",
        (transcript.call_id, transcript.ended_at),
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return transcript


@pytest.mark.parametrize("version", range(1, len(OLD_SCHEMA) + 1))
def test_a_file_from_before_alembic_is_stamped_upgraded_and_keeps_everything(tmp_path, version):
    db = tmp_path / "old.db"
    transcript = old_file(db, version)
    store = Store(db)
    assert store.version == schema_version()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (f"{schema_version():04d}",)
        ]
    assert store.transcript("0ld") == transcript
    [summary] = store.list_calls(trainee="ann")
    assert summary.reviewed and summary.total_score == 71 and summary.outcome == "resolved"
    assert [(c.turn, c.text, c.author) for c in store.comments("0ld")] == [
        (1, "Good opening", "mo")
    ]
    assert store.overrides("0ld")["empathy"].effective == 80
    [point] = store.progress("ann")
    assert point.satisfaction == 4 and point.first_contact and point.dimensions == {"empathy": 80}
    # and it takes new writes in every table added since
    store.clear_flag("0ld", "blamed_customer", "reassurance, not blame", author="mo")
    store.save_call(call("n3w-call-0002"))
    store.close()
    assert Store(db).count() == 2  # opening again changes nothing


def test_a_failed_upgrade_leaves_an_old_file_as_it_was(tmp_path, monkeypatch):
    from callsim.sim import store as store_module
    from callsim.sim import store_migrations

    db = tmp_path / "old.db"
    old_file(db, 2)

    def broken(op):
        op.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_migrations.MIGRATIONS, broken])
    with pytest.raises(StoreError, match="upgrade its schema"):
        Store(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (2,)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "alembic_version" not in tables and "goals" not in tables
    monkeypatch.undo()
    assert Store(db).transcript("0ld").turns[1].text == "I'm so sorry."
