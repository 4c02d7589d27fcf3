"""Issue 18, item 3: a per-call CSV a mentor opens in a spreadsheet, and per-dimension scores in
`callsim sessions --json`."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script
from callsim.sim.store import Store

SCRIPTS = Path(__file__).parent / "scripts"
SCENARIO = "broadband-down-repeat-caller"


@pytest.fixture(scope="module")
def graded():
    """A good and a poor call, played and graded once."""
    loaded = load_scenario(resolve_scenario(SCENARIO))
    out = {}
    for kind in ("good", "poor"):
        session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
        play_script(session, (SCRIPTS / f"{SCENARIO}.{kind}.txt").read_text().splitlines())
        session.finish()
        out[kind] = (session.transcript(), session.grade)
    return out


@pytest.fixture
def db(tmp_path, graded) -> Path:
    """Ann's poor call on 1 March and good call on 2 March; Bo's copy of the good one."""
    path = tmp_path / "calls.db"
    store = Store(path)
    for n, (kind, trainee, day) in enumerate(
        [("poor", "ann", "01"), ("good", "ann", "02"), ("good", "=cmd|' /C calc'!A0", "03")]
    ):
        transcript, grade = graded[kind]
        call_id = f"{n}" * 8 + "c" * 24
        store.save_call(
            transcript.model_copy(
                update={
                    "call_id": call_id,
                    "trainee": trainee,
                    "started_at": f"2026-03-{day}T09:00:00+00:00",
                    "ended_at": f"2026-03-{day}T09:08:00+00:00",
                }
            ),
            replace(grade, call_id=call_id),
        )
    store.close()
    return path


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_call_with_a_column_per_dimension(db, capsys, graded):
    code = main(["export", "--format", "csv", "--per-call", "--trainee", "ann", "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0
    table = rows(out)
    assert [r["call_id"][:1] for r in table] == ["0", "1"]  # oldest first
    poor, good = table
    _, poor_grade = graded["poor"]
    header = out.splitlines()[0].split(",")
    dims = [d.title for d in poor_grade.dimensions]
    assert header[:10] == [
        "call_id", "trainee", "scenario_id", "scenario_version", "date", "mode", "outcome",
        "handling_seconds", "target_seconds", "total",
    ]  # fmt: skip
    assert header[10:] == [*dims, "mentor_adjusted_total"]
    assert poor["trainee"] == "ann" and poor["scenario_id"] == SCENARIO
    assert poor["date"].startswith("2026-0") and len(poor["date"]) == 16  # local YYYY-MM-DD HH:MM
    assert poor["mode"] == "practice" and poor["total"] == str(poor_grade.score)
    assert int(good["total"]) > int(poor["total"])
    for d in poor_grade.dimensions:
        assert poor[d.title] == ("" if d.score is None else f"{d.score:g}")
    assert poor["mentor_adjusted_total"] == ""  # nobody corrected it


def test_a_mentor_override_shows_in_its_dimension_and_the_adjusted_total(db, capsys, graded):
    with Store(db) as store:
        store.set_override("0" * 8, "empathy", 95, "named the impact", author="mo")
    assert main(["export", "0000", "1111", "--format", "csv", "--per-call", "--db", str(db)]) == 0
    poor, good = rows(capsys.readouterr().out)
    empathy = graded["poor"][1].dimension("empathy").title
    assert poor[empathy] == "95"
    assert poor["mentor_adjusted_total"] not in ("", poor["total"])
    assert good["mentor_adjusted_total"] == ""


def test_cells_a_spreadsheet_would_run_are_text(db, capsys):
    assert main(["export", "2222", "--format", "csv", "--per-call", "--db", str(db)]) == 0
    [row] = rows(capsys.readouterr().out)
    assert row["trainee"] == "'=cmd|' /C calc'!A0"


def test_per_call_to_a_folder_writes_one_file(db, capsys, tmp_path):
    out = tmp_path / "sheets"
    out.mkdir()
    assert main(["export", "--since", "2026-03-02", "--format", "csv", "--per-call", "-o",
                 str(out), "--db", str(db)]) == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == f"wrote {out / 'callsim-calls.csv'}"
    assert len(rows((out / "callsim-calls.csv").read_text(encoding="utf-8"))) == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["0000", "--per-call", "--format", "md"], "--per-call goes with --format csv"),
        ([], "give call ids, or choose calls with --trainee"),
        (["0000", "--trainee", "ann"], "(not both)"),
    ],
)
def test_a_wrong_command_line_is_said_and_exits_2(db, capsys, argv, message):
    assert main(["export", *argv, "--db", str(db)]) == 2
    assert message in capsys.readouterr().err


def test_no_matching_calls_exits_1(db, capsys):
    assert main(["export", "--trainee", "nobody", "--format", "csv", "--db", str(db)]) == 1
    assert "no saved calls match" in capsys.readouterr().err


def test_sessions_json_carries_each_dimension(db, capsys, graded):
    with Store(db) as store:
        store.set_override("0" * 8, "empathy", 95, "named the impact", author="mo")
    assert main(["sessions", "--trainee", "ann", "--json", "--db", str(db)]) == 0
    good, poor = json.loads(capsys.readouterr().out)  # newest first
    grade = graded["poor"][1]
    assert sorted(d["dimension"] for d in poor["dimensions"]) == sorted(
        d.id for d in grade.dimensions
    )
    empathy = next(d for d in poor["dimensions"] if d["dimension"] == "empathy")
    assert empathy == {
        "dimension": "empathy",
        "title": grade.dimension("empathy").title,
        "score": grade.dimension("empathy").score,
        "mentor_score": 95,
    }
    assert all(d["mentor_score"] is None for d in good["dimensions"])
