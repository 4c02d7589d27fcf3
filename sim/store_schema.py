"""The store's tables, defined once for SQLite and PostgreSQL (SQLAlchemy Core).

The queries in sim/store.py are built from these; the migrations in sim/store_migrations.py
create them (a migration keeps its own frozen copy of what it creates, as Alembic advises, so
editing a table here never rewrites history). Text stays text where callsim stores its own
JSON (a call's header, each turn, the grade): a damaged or hand-edited row is then still read
leniently, row by row, instead of failing inside the driver.

Two things differ by backend and are not columns here: the order of insertion (SQLite's
`rowid`, PostgreSQL's identity column `seq`, see `order_key`) and, on PostgreSQL only, the
accounts tables the row-level security policies read (sim/store_admin.py).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

calls = sa.Table(
    "calls",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("trainee", sa.Text),
    sa.Column("scenario_id", sa.Text, nullable=False),
    sa.Column("scenario_version", sa.Text, nullable=False),
    sa.Column("scenario_hash", sa.Text, nullable=False, server_default=""),
    sa.Column("scenario_path", sa.Text, nullable=False, server_default=""),
    sa.Column("rubric", sa.Text),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("started_at", sa.Text, nullable=False),  # UTC ISO 8601: text order is time order
    sa.Column("ended_at", sa.Text),
    sa.Column("duration_seconds", sa.Float, nullable=False, server_default="0"),
    sa.Column("target_seconds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("outcome", sa.Text),
    sa.Column("final_mood", sa.Float),
    sa.Column("wrap_up", sa.Text),
    sa.Column("header", sa.Text, nullable=False),  # the Transcript without its turns, as JSON
    sa.Column("turn_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("grade", sa.Text),  # the grade JSON, once graded
    sa.Column("total_score", sa.Float),
    sa.Column("graded_at", sa.Text),
    sa.Column("source", sa.Text, nullable=False, server_default="recorded"),
    sa.Column("saved_at", sa.Text, nullable=False),
    sa.Column("reviewed_at", sa.Text),
    sa.Column("reviewed_by", sa.Text),
)

turns = sa.Table(
    "turns",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("speaker", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # the Turn as JSON (defaults left out)
)

dimension_scores = sa.Table(
    "dimension_scores",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dimension", sa.Text, primary_key=True),
    sa.Column("title", sa.Text),
    sa.Column("score", sa.Float),
)

overrides = sa.Table(
    "overrides",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dimension", sa.Text, primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    sa.Column("turn", sa.Integer),  # NULL: about the whole call
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
)

cleared_flags = sa.Table(
    "cleared_flags",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("flag", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
)

examples = sa.Table(
    "examples",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("scenario_id", sa.Text, nullable=False),
    sa.Column("marked_by", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
)

self_assessments = sa.Table(
    "self_assessments",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("ratings", sa.Text, nullable=False),  # {"dimension": "poor" | "fair" | "good"}
    sa.Column("differently", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Text, nullable=False),
)

goals = sa.Table(
    "goals",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("trainee", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # dimension | calls
    sa.Column("dimension", sa.Text),
    sa.Column("level", sa.Float),
    sa.Column("difficulty", sa.Integer),
    sa.Column("calls", sa.Integer),
    sa.Column("due", sa.Text),  # YYYY-MM-DD, or NULL for no date
    sa.Column("set_by", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
)

unlocks = sa.Table(
    "unlocks",
    metadata,
    sa.Column("trainee", sa.Text, primary_key=True),
    sa.Column("difficulty", sa.Integer, primary_key=True),
    sa.Column("unlocked_by", sa.Text),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Text, nullable=False),
)

shares = sa.Table(
    "shares",
    metadata,
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("peer", sa.Text, primary_key=True),
    sa.Column("created_at", sa.Text, nullable=False),
)

peer_comments = sa.Table(
    "peer_comments",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("call_id", sa.Text, sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    sa.Column("turn", sa.Integer),  # NULL: about the whole call
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("trainee", sa.Text, nullable=False),
    sa.Column("scenario_id", sa.Text, nullable=False),
    sa.Column("team", sa.Text),  # assigned to this team (one row per member), or NULL
    sa.Column("due", sa.Text, nullable=False),  # YYYY-MM-DD
    sa.Column("assigned_by", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),  # UTC ISO: a call after it counts
)

#: Alembic's own bookkeeping table, the same layout `alembic stamp` makes.
alembic_version = sa.Table(
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), primary_key=True),
)


def grade_kpi(dialect: str, name: str) -> sa.ColumnElement:
    """One of the grade's KPIs read in the database (progress reads two for every call):
    SQLite's json_extract; on PostgreSQL the text cast to jsonb (only callsim writes it there)."""
    if dialect == "sqlite":
        return sa.func.json_extract(calls.c.grade, f"$.kpis.{name}")
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.cast(calls.c.grade, JSONB)[("kpis", name)]


def order_key(dialect: str) -> sa.ColumnElement:
    """Insertion order, the tie-break after `started_at` (two calls started the same second)."""
    if dialect == "sqlite":
        return sa.literal_column("calls.rowid")
    return sa.literal_column("calls.seq")
