"""Issue 18, item 6: a closed pipe, one exit-code rule for missing files, scripted calls marked
and left out of progress and agreement, one version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import callsim
from callsim.sim import store as store_module
from callsim.sim.cli import main
from callsim.sim.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).parent / "scripts"
SCENARIO = "broadband-down-repeat-caller"


def test_tag_into_a_reader_that_stops_early_exits_0_quietly():
    """`callsim tag | head -1`: the reader leaves; nothing about a broken pipe, exit 0."""
    line = json.dumps({"text": "I'm so sorry, that sounds really stressful."}) + "\n"
    proc = subprocess.Popen(
        [sys.executable, "-m", "callsim", "tag"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(line.encode() * 5)
    proc.stdin.flush()
    first = proc.stdout.readline()
    assert json.loads(first)["tags"] == ["empathy"]
    proc.stdout.close()  # what `head -1` does after its line
    try:
        proc.stdin.write(line.encode() * 20000)
        proc.stdin.close()
    except BrokenPipeError:  # callsim already gone: fine
        pass
    assert proc.wait(timeout=60) == 0
    err = proc.stderr.read().decode()
    assert err == "", err


@pytest.mark.parametrize(
    "args",
    [
        ["run", "no/such/scenario.yaml", "--no-save"],
        ["validate", "no/such/scenario.yaml"],
        ["test", "no/such/scenario.tests.yaml"],
        ["preview", "no/such/scenario.yaml"],
    ],
)
def test_a_missing_file_exits_1_in_every_command(args, capsys):
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "no/such/scenario" in err and "Traceback" not in err


def test_a_wrong_command_line_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert main(["run", SCENARIO, "--json", "--no-save"]) == 2  # --json needs --script
    capsys.readouterr()


def play_scripted(db: Path, trainee: str = "ann") -> str:
    script = SCRIPTS / f"{SCENARIO}.good.txt"
    args = ["run", SCENARIO, "--script", str(script), "--db", str(db), "--trainee", trainee]
    assert main(args) == 0
    with Store(db) as store:
        return store.list_calls(trainee=trainee)[0].id


def take_a_call(db: Path, trainee: str = "ann") -> str:
    """A call as the app or line mode saves it (not from a script)."""
    from callsim.engine.loader import load_scenario
    from callsim.sim.scenario_paths import resolve_scenario
    from callsim.sim.session import CallSession, SimulatedClock, play_script

    loaded = load_scenario(resolve_scenario(SCENARIO))
    with Store(db) as store:
        session = CallSession(loaded, trainee=trainee, clock=SimulatedClock())
        store.recorder(session)
        lines = (SCRIPTS / f"{SCENARIO}.poor.txt").read_text().splitlines()
        play_script(session, lines)
        session.finish()
        return session.call_id


def test_a_scripted_call_is_marked_and_left_out_of_progress(tmp_path, capsys):
    db = tmp_path / "calls.db"
    scripted = play_scripted(db)
    capsys.readouterr()
    assert main(["sessions", "--db", str(db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["source"]) for r in rows] == [(scripted, "scripted")]
    assert main(["sessions", "--db", str(db)]) == 0
    assert "practice, scripted" in capsys.readouterr().out

    assert main(["progress", "ann", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "no finished calls by 'ann'" in err and "played from a script are left out" in err
    assert main(["progress", "ann", "--db", str(db), "--include-scripted"]) == 0
    assert "Empathy" in capsys.readouterr().out

    taken = take_a_call(db)
    with Store(db) as store:
        assert store.summary(taken).source == "recorded"
        assert [p.call_id for p in store.progress("ann")] == [taken]
        both = {p.call_id for p in store.progress("ann", include_scripted=True)}
        assert both == {taken, scripted}


def test_agreement_leaves_scripted_calls_out_unless_asked(tmp_path, capsys):
    db = tmp_path / "calls.db"
    scripted = play_scripted(db)
    with Store(db) as store:
        store.set_override(scripted, "empathy", 10, "said sorry by rote", author="mo")
        store.mark_reviewed(scripted, reviewer="mo")
    capsys.readouterr()
    assert main(["agreement", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["agreement", "--db", str(db), "--json", "--include-scripted"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["dimension"], r["count"]) for r in rows] == [("empathy", 1)]


def test_a_store_from_before_the_mark_opens_with_nothing_lost(tmp_path, monkeypatch):
    """A version 1 store's calls are kept, upgraded, and still count as the trainee's own."""
    db = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    taken = take_a_call(db)
    with Store(db) as old:
        before = old.transcript(taken)
        assert old.version == 1
    monkeypatch.undo()
    with Store(db) as store:
        assert store.version == store_module.schema_version()
        assert store.transcript(taken) == before
        assert store.summary(taken).source == "recorded"
        assert [p.call_id for p in store.progress("ann")] == [taken]


def test_the_version_is_written_in_one_place():
    """pyproject.toml reads it from callsim/__init__.py; the changelog's newest entry agrees."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]$', pyproject, re.M)
    assert re.findall(r"^version = .*$", pyproject, re.M) == [
        'version = { attr = "callsim.__version__" }'
    ]
    assert re.search(r'^license = "MIT"$', pyproject, re.M)  # SPDX text, not the old table
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = [ln for ln in changelog.splitlines() if ln.startswith("## ")]
    assert released[1].startswith(f"## {callsim.__version__} ")  # after "## Unreleased"
