"""The store's schema history, as Alembic operations run from inside callsim (no alembic.ini).

`MIGRATIONS[n]` takes a store from schema n to n+1 through Alembic's `Operations` (`op`), the
same calls an Alembic revision file makes; revision `n+1` is `revision_id(n+1)` ("0003"), kept
in Alembic's own `alembic_version` table, so a team's database administrator can read it with
the usual tools. The revisions live in this module rather than in an Alembic script folder
because the wheel ships only the packages pyproject lists (a folder of revision files would not
be installed). Append, never edit: a store that ran a migration never runs it again.

On SQLite the number is also kept in `PRAGMA user_version` (files from before Alembic carry
only that: version 1 or 2), so an older callsim still refuses a newer file instead of writing
to it. Every migration of one open runs in one transaction (SQLite and PostgreSQL both roll
DDL back), so a failed upgrade leaves the store as it was.

Imported only when a store needs creating or upgrading: Alembic costs about 0.1-0.3 s to import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from callsim.sim.lazy import LazyModule

#: Imported when a migration runs: an up-to-date store only counts MIGRATIONS.
sa: Any = LazyModule("sqlalchemy")

if TYPE_CHECKING:
    from alembic.operations import Operations

Migration = Callable[["Operations"], None]


def revision_id(number: int) -> str:
    return f"{number:04d}"


def _postgres(op: Operations) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _id_type(op: Operations) -> sa.Text:
    """A call id's type: on PostgreSQL in the "C" collation, so ids sort by code point as in
    SQLite and a call is found by the start of its id with a range on the primary key."""
    return sa.Text(collation="C") if _postgres(op) else sa.Text()


def _call_id(op: Operations, **kw: Any) -> sa.Column:
    """A column naming a call (deleting the call deletes what it names)."""
    return sa.Column("call_id", _id_type(op), sa.ForeignKey("calls.id", ondelete="CASCADE"), **kw)


def _v1(op: Operations) -> None:
    """Calls, turns, dimension scores, overrides and comments (the schema of callsim 0.1)."""
    pg = _postgres(op)
    columns: list[Any] = [
        sa.Column("id", _id_type(op), primary_key=True),
        sa.Column("trainee", sa.Text),
        sa.Column("scenario_id", sa.Text, nullable=False),
        sa.Column("scenario_version", sa.Text, nullable=False),
        sa.Column("scenario_hash", sa.Text, nullable=False, server_default=""),
        sa.Column("scenario_path", sa.Text, nullable=False, server_default=""),
        sa.Column("rubric", sa.Text),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("ended_at", sa.Text),
        sa.Column("duration_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("target_seconds", sa.Integer, nullable=False, server_default="0"),
        sa.Column("outcome", sa.Text),
        sa.Column("final_mood", sa.Float),
        sa.Column("wrap_up", sa.Text),
        sa.Column("header", sa.Text, nullable=False),
        sa.Column("turn_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("grade", sa.Text),
        sa.Column("total_score", sa.Float),
        sa.Column("graded_at", sa.Text),
        sa.Column("source", sa.Text, nullable=False, server_default="recorded"),
        sa.Column("saved_at", sa.Text, nullable=False),
        sa.Column("reviewed_at", sa.Text),
        sa.Column("reviewed_by", sa.Text),
    ]
    if pg:  # SQLite's rowid: the order calls were first saved in (a tie-break in listings)
        columns.append(sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False))
    op.create_table("calls", *columns)
    op.create_index("calls_trainee_started", "calls", ["trainee", "started_at"])
    op.create_index("calls_scenario_started", "calls", ["scenario_id", "started_at"])
    op.create_index("calls_started", "calls", ["started_at"])
    reviewed = sa.text("reviewed_at IS NOT NULL")
    op.create_index(
        "calls_reviewed", "calls", ["reviewed_at"], sqlite_where=reviewed, postgresql_where=reviewed
    )

    def call_id() -> sa.Column:
        return _call_id(op, primary_key=True)

    op.create_table(
        "turns",
        call_id(),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("speaker", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "dimension_scores",
        call_id(),
        sa.Column("dimension", sa.Text, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("score", sa.Float),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "overrides",
        call_id(),
        sa.Column("dimension", sa.Text, primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        _call_id(op, nullable=False),
        sa.Column("turn", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("comments_call", "comments", ["call_id", "turn"])


def _v2(op: Operations) -> None:
    """A critical flag a mentor cleared (judged raised by mistake), with the reason."""
    op.create_table(
        "cleared_flags",
        _call_id(op, primary_key=True),
        sa.Column("flag", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )


def _v3(op: Operations) -> None:
    """The training loop (issue 17; queries in sim/store_training.py): a mentor's calls marked
    as examples of a scenario to shadow, and the trainee's self-assessment of a call (a rating
    per rubric dimension as JSON, and what they would do differently)."""
    op.create_table(
        "examples",
        _call_id(op, primary_key=True),
        sa.Column("scenario_id", sa.Text, nullable=False),
        sa.Column("marked_by", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("examples_scenario", "examples", ["scenario_id", "created_at"])
    op.create_table(
        "self_assessments",
        _call_id(op, primary_key=True),
        sa.Column("ratings", sa.Text, nullable=False),
        sa.Column("differently", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
    )


def _v4(op: Operations) -> None:
    """Goals (issue 17; queries in sim/store_goals.py): a mentor's goals for a trainee, either
    a rubric dimension to reach a score by a date, or a number of calls at a difficulty."""
    op.create_table(
        "goals",
        sa.Column("id", _id_type(op), primary_key=True),
        sa.Column("trainee", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),  # dimension | calls
        sa.Column("dimension", sa.Text),  # kind dimension: the rubric dimension ...
        sa.Column("level", sa.Float),  # ... and the score (0-100) to reach
        sa.Column("difficulty", sa.Integer),  # kind calls: at this difficulty or above ...
        sa.Column("calls", sa.Integer),  # ... this many calls
        sa.Column("due", sa.Text),  # YYYY-MM-DD, or NULL for no date
        sa.Column("set_by", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("goals_trainee", "goals", ["trainee", "created_at"])


def _v5(op: Operations) -> None:
    """Earned difficulty (issue 17; queries in sim/levels.py): a difficulty level a mentor
    opened by hand for a trainee before they earned it."""
    op.create_table(
        "unlocks",
        sa.Column("trainee", sa.Text, primary_key=True),
        sa.Column("difficulty", sa.Integer, primary_key=True),
        sa.Column("unlocked_by", sa.Text),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
    )


def _v6(op: Operations) -> None:
    """Peer review (issue 17; queries in sim/store_peer.py): a call its owner shared with a
    colleague, and the colleagues' comments (apart from the mentor's `comments`)."""
    op.create_table(
        "shares",
        _call_id(op, primary_key=True),
        sa.Column("peer", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("shares_peer", "shares", ["peer", "created_at"])
    op.create_table(
        "peer_comments",
        sa.Column("id", _id_type(op), primary_key=True),
        _call_id(op, nullable=False),
        sa.Column("turn", sa.Integer),  # NULL: about the whole call
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("peer_comments_call", "peer_comments", ["call_id", "turn"])


def _v7(op: Operations) -> None:
    """Assignments (issue 15, item 3; queries in sim/store_assignments.py): a trainer assigns a
    scenario to a trainee, due by a date; assigning to a team makes one row per member."""
    op.create_table(
        "assignments",
        sa.Column("id", _id_type(op), primary_key=True),
        sa.Column("trainee", sa.Text, nullable=False),
        sa.Column("scenario_id", sa.Text, nullable=False),
        sa.Column("team", sa.Text),
        sa.Column("due", sa.Text, nullable=False),  # YYYY-MM-DD
        sa.Column("assigned_by", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("assignments_trainee", "assignments", ["trainee", "due"])


#: MIGRATIONS[n] upgrades a store from schema version n to n+1; append, never edit.
MIGRATIONS: list[Migration] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7]

#: The tables these migrations make (a version-0 SQLite file holding others is not ours).
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
    "shares",
    "peer_comments",
    "assignments",
    "alembic_version",
}


def upgrade(
    connection: sa.Connection, current: int, migrations: list[Migration] | None = None
) -> int:
    """Run the migrations after `current` on `connection`, inside the caller's transaction,
    and record the new revision in alembic_version; returns the new version number."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    steps = MIGRATIONS if migrations is None else migrations
    context = MigrationContext.configure(connection, opts={"render_as_batch": True})
    op = Operations(context)
    for number in range(current, len(steps)):
        steps[number](op)
    newest = len(steps)
    version = sa.table("alembic_version", sa.column("version_num"))
    if not sa.inspect(connection).has_table("alembic_version"):
        op.create_table(
            "alembic_version",
            sa.Column("version_num", sa.String(32), primary_key=True),
        )
    connection.execute(sa.delete(version))
    connection.execute(sa.insert(version).values(version_num=revision_id(newest)))
    return newest
