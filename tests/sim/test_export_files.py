"""`callsim export -o DIR`: one file per call inside DIR, whatever the call ids hold."""

from __future__ import annotations

import json

from callsim.engine.transcript import Transcript, Turn
from callsim.sim.cli import main
from callsim.sim.store import Store


def call(call_id: str) -> Transcript:
    return Transcript(
        call_id=call_id,
        scenario_id="broadband-down-repeat-caller",
        scenario_version="1.0",
        started_at="2026-01-05T10:00:00+00:00",
        ended_at="2026-01-05T10:05:00+00:00",
        turns=[Turn(index=0, speaker="customer", text="Hello?", at=0, stage="opening")],
    )


def test_ids_with_slashes_and_dots_stay_inside_the_folder(capsys, tmp_path):
    """Ids from a store written before imports were checked, or by another tool."""
    db = tmp_path / "calls.db"  # the exports go two folders down, so '../..' has somewhere
    ids = ["team/a/b-0001", "../../escape-0002", "team/a/b-0002", "plain00000003"]
    store = Store(db)
    for cid in ids:
        store.save_call(call(cid))
    out_dir = tmp_path / "a" / "b" / "exports"
    for fmt in ("json", "md"):
        code = main(["export", *ids, "--format", fmt, "-o", str(out_dir), "--db", str(db)])
        out, err = capsys.readouterr()
        assert code == 0 and "Traceback" not in err, err
    everything = [p for p in tmp_path.rglob("*") if p.is_file() and "calls.db" not in p.name]
    assert {p.parent for p in everything} == {out_dir}, everything  # nothing written elsewhere
    names = sorted(p.name for p in out_dir.iterdir())
    assert len(names) == 8, names  # no call overwrote another's file
    assert "callsim-team_a_b-000.json" in names and "callsim-team_a_b-0002.json" in names
    back = {json.loads(p.read_text(encoding="utf-8"))["call_id"] for p in out_dir.glob("*.json")}
    assert back == set(ids)
