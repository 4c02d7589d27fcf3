"""SQL for SQLite of the statements a call's start runs, compiled ahead by SQLAlchemy.

Why: importing SQLAlchemy costs about 0.2 s of CPU, two thirds of what a bare Textual app takes
to start. With these, `callsim app` opens an SQLite store, reads what the home screen shows
(last scores, goals, calls to resume) and saves a new call's header and first turns with
sqlite3 alone; any other statement imports SQLAlchemy and compiles as before (`Store._prepared`).

Each entry is what SQLAlchemy's SQLite dialect compiles the statement of that name in
sim/store.py (or sim/store_goals.py) to: (SQL, names of its parameters in order).
tests/sim/test_store_sql.py compiles them again and fails when one differs; after changing one
of those statements (or SQLAlchemy), paste what that test prints.
"""

from typing import Any

SQLITE: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {
    "assignments-of": (
        "SELECT assignments.id, assignments.trainee, assignments.scenario_id, "
        "assignments.team, assignments.due, assignments.assigned_by, "
        "assignments.created_at, (SELECT calls.id \n"
        "FROM calls \n"
        "WHERE calls.trainee = assignments.trainee AND calls.scenario_id = "
        "assignments.scenario_id AND calls.ended_at IS NOT NULL AND calls.source != ? "
        "AND calls.started_at >= assignments.created_at ORDER BY calls.started_at, "
        "calls.id\n"
        " LIMIT ? OFFSET ?) AS anon_1, (SELECT calls.started_at \n"
        "FROM calls \n"
        "WHERE calls.trainee = assignments.trainee AND calls.scenario_id = "
        "assignments.scenario_id AND calls.ended_at IS NOT NULL AND calls.source != ? "
        "AND calls.started_at >= assignments.created_at ORDER BY calls.started_at, "
        "calls.id\n"
        " LIMIT ? OFFSET ?) AS anon_2 \n"
        "FROM assignments \n"
        "WHERE assignments.trainee = ? ORDER BY assignments.trainee, assignments.due, "
        "assignments.created_at, assignments.id",
        ("source_1", "param_1", "param_2", "source_2", "param_3", "param_4", "trainee"),
        {
            "param_1": 1,
            "param_2": 0,
            "param_3": 1,
            "param_4": 0,
            "source_1": "scripted",
            "source_2": "scripted",
        },
    ),
    "calls:limit,offset,trainee:None:False": (
        "SELECT calls.id, calls.started_at, calls.trainee, "
        "calls.scenario_id, calls.mode, calls.outcome, "
        "calls.total_score, calls.reviewed_at IS NOT NULL AS "
        "anon_1, calls.ended_at IS NOT NULL AS anon_2, "
        "calls.turn_count, calls.source \n"
        "FROM calls \n"
        "WHERE calls.trainee = ? ORDER BY calls.started_at "
        "DESC, calls.rowid DESC",
        ("trainee",),
        {},
    ),
    "calls:limit,offset,trainee:None:True": (
        "SELECT calls.id, calls.started_at, calls.trainee, "
        "calls.scenario_id, calls.mode, calls.outcome, "
        "calls.total_score, calls.reviewed_at IS NOT NULL AS "
        "anon_1, calls.ended_at IS NOT NULL AS anon_2, "
        "calls.turn_count, calls.source \n"
        "FROM calls \n"
        "WHERE calls.trainee = ? ORDER BY calls.started_at DESC, "
        "calls.rowid DESC\n"
        " LIMIT ? OFFSET ?",
        ("trainee", "limit", "offset"),
        {},
    ),
    "calls:limit,offset:None:True": (
        "SELECT calls.id, calls.started_at, calls.trainee, "
        "calls.scenario_id, calls.mode, calls.outcome, "
        "calls.total_score, calls.reviewed_at IS NOT NULL AS anon_1, "
        "calls.ended_at IS NOT NULL AS anon_2, calls.turn_count, "
        "calls.source \n"
        "FROM calls ORDER BY calls.started_at DESC, calls.rowid DESC\n"
        " LIMIT ? OFFSET ?",
        ("limit", "offset"),
        {},
    ),
    "goals-of": (
        "SELECT goals.id, goals.trainee, goals.kind, goals.dimension, goals.level, "
        "goals.difficulty, goals.calls, goals.due, goals.set_by, goals.created_at \n"
        "FROM goals \n"
        "WHERE goals.trainee = ? ORDER BY goals.created_at, goals.id",
        ("trainee",),
        {},
    ),
    "header-False": (
        "INSERT INTO calls (id, trainee, scenario_id, scenario_version, scenario_hash, "
        "scenario_path, mode, started_at, ended_at, duration_seconds, target_seconds, "
        "outcome, final_mood, wrap_up, header, turn_count, source, saved_at) VALUES (?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        (
            "id",
            "trainee",
            "scenario_id",
            "scenario_version",
            "scenario_hash",
            "scenario_path",
            "mode",
            "started_at",
            "ended_at",
            "duration_seconds",
            "target_seconds",
            "outcome",
            "final_mood",
            "wrap_up",
            "header",
            "turn_count",
            "source",
            "saved_at",
        ),
        {},
    ),
    "header-True": (
        "INSERT INTO calls (id, trainee, scenario_id, scenario_version, scenario_hash, "
        "scenario_path, mode, started_at, ended_at, duration_seconds, target_seconds, "
        "outcome, final_mood, wrap_up, header, turn_count, source, saved_at) VALUES (?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
        "SET trainee = excluded.trainee, scenario_id = excluded.scenario_id, "
        "scenario_version = excluded.scenario_version, scenario_hash = "
        "excluded.scenario_hash, scenario_path = excluded.scenario_path, mode = "
        "excluded.mode, started_at = excluded.started_at, ended_at = excluded.ended_at, "
        "duration_seconds = excluded.duration_seconds, target_seconds = "
        "excluded.target_seconds, outcome = excluded.outcome, final_mood = "
        "excluded.final_mood, wrap_up = excluded.wrap_up, header = excluded.header, "
        "turn_count = excluded.turn_count",
        (
            "id",
            "trainee",
            "scenario_id",
            "scenario_version",
            "scenario_hash",
            "scenario_path",
            "mode",
            "started_at",
            "ended_at",
            "duration_seconds",
            "target_seconds",
            "outcome",
            "final_mood",
            "wrap_up",
            "header",
            "turn_count",
            "source",
            "saved_at",
        ),
        {},
    ),
    "last-score": (
        "SELECT calls.total_score \n"
        "FROM calls \n"
        "WHERE calls.scenario_id = ? AND calls.trainee IS ? AND calls.total_score IS NOT "
        "NULL ORDER BY calls.started_at DESC, calls.rowid DESC\n"
        " LIMIT ? OFFSET ?",
        ("scenario", "trainee", "limit", "offset"),
        {},
    ),
    "touch-False": (
        "UPDATE calls SET turn_count=(SELECT count(*) AS count_1 \n"
        "FROM turns \n"
        "WHERE turns.call_id = ?) WHERE calls.id = ?",
        ("cid", "cid"),
        {},
    ),
    "touch-True": (
        "UPDATE calls SET duration_seconds=CASE WHEN (calls.duration_seconds > ?) THEN "
        "calls.duration_seconds ELSE ? END, final_mood=coalesce(?, calls.final_mood), "
        "turn_count=(SELECT count(*) AS count_1 \n"
        "FROM turns \n"
        "WHERE turns.call_id = ?) WHERE calls.id = ?",
        ("at", "at", "mood", "cid", "cid"),
        {},
    ),
    "turns-False": (
        "INSERT INTO turns (call_id, idx, speaker, data) VALUES (?, ?, ?, ?) ON CONFLICT "
        "(call_id, idx) DO NOTHING",
        ("call_id", "idx", "speaker", "data"),
        {},
    ),
    "turns-True": (
        "INSERT INTO turns (call_id, idx, speaker, data) VALUES (?, ?, ?, ?) ON CONFLICT "
        "(call_id, idx) DO UPDATE SET speaker = excluded.speaker, data = excluded.data",
        ("call_id", "idx", "speaker", "data"),
        {},
    ),
}
