"""An imported call's grade: re-graded here when its exact scenario is here, else kept and
marked "as graded on the other machine" wherever it is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsim.engine.loader import BUNDLED_SCENARIOS
from callsim.sim.cli import main
from callsim.sim.export import IMPORTED_GRADE
from callsim.sim.store import Store

SCENARIO = BUNDLED_SCENARIOS / "broadband-down-repeat-caller.yaml"
GOOD = Path(__file__).parent / "scripts" / "broadband-down-repeat-caller.good.txt"


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def played(capsys, tmp_path: Path, scenario: Path) -> dict:
    code, out, err = cli(capsys, "run", scenario, "--script", GOOD, "--json", "--no-save")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def mine(tmp_path) -> Path:
    """A trainer's own scenario, in a folder the mentor may or may not have."""
    folder = tmp_path / "team-scenarios"
    folder.mkdir()
    path = folder / "my-broadband.yaml"
    text = SCENARIO.read_text(encoding="utf-8")
    path.write_text(text.replace("id: broadband-down-repeat-caller", "id: my-broadband"), "utf-8")
    return path


def send(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / f"{data['call_id'][:8]}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_forged_score_is_regraded_when_the_scenario_is_here(capsys, tmp_path):
    data = played(capsys, tmp_path, SCENARIO)
    true_score = data["grade"]["score"]
    assert true_score < 100
    data["grade"]["score"] = 100  # edited on the way
    db = tmp_path / "mentor.db"
    code, out, err = cli(capsys, "import", send(tmp_path, data), "--db", db)
    assert code == 0 and "; graded here" in out, out + err
    grade = Store(db).grade(data["call_id"])
    assert grade.score == true_score and IMPORTED_GRADE not in grade.warnings


def test_a_grade_whose_scenario_is_not_here_is_shown_as_graded_elsewhere(capsys, tmp_path, mine):
    data = played(capsys, tmp_path, mine)
    db = tmp_path / "mentor.db"
    code, out, err = cli(capsys, "import", send(tmp_path, data), "--db", db)
    assert code == 0 and "as graded on the other machine (its scenario is not here)" in out
    short = data["call_id"][:8]
    assert Store(db).grade(short).score == data["grade"]["score"]
    for argv, shown in (
        (("show", short), "Note: as graded on the other machine"),
        (("export", short, "--format", "md"), "*Note: as graded on the other machine"),
        (("export", short, "--format", "html"), "<em>Note: as graded on the other machine"),
    ):
        code, out, _ = cli(capsys, *argv, "--db", db)
        assert code == 0 and shown in out, (argv, out)
    # exported again and imported on a third machine: said once, not twice
    code, out, _ = cli(capsys, "export", short, "--format", "json", "--db", db)
    third = tmp_path / "third.db"
    assert cli(capsys, "import", send(tmp_path, json.loads(out)), "--db", third)[0] == 0
    assert Store(third).grade(short).warnings.count(IMPORTED_GRADE) == 1


def test_the_scenario_folder_given_lets_the_call_be_regraded(capsys, tmp_path, mine):
    data = played(capsys, tmp_path, mine)
    db = tmp_path / "mentor.db"
    code, out, _ = cli(capsys, "import", send(tmp_path, data), "--db", db,
                       "--scenarios", mine.parent)  # fmt: skip
    assert code == 0 and "; graded here" in out
    assert IMPORTED_GRADE not in Store(db).grade(data["call_id"]).warnings


async def test_the_debrief_says_the_grade_came_from_elsewhere(capsys, tmp_path, mine):
    from callsim.sim.app_store import AppStore
    from callsim.sim.catalogue import load_entry
    from callsim.tui.app import CallsimApp
    from callsim.tui.calls import open_saved_call
    from callsim.tui.debrief import DebriefScreen

    data = played(capsys, tmp_path, mine)
    data["trainee"] = "kim"
    db = tmp_path / "kim.db"
    cli(capsys, "import", send(tmp_path, data), "--db", db)
    app = CallsimApp(
        catalogue=[load_entry(mine)], scenario_dirs=[mine.parent], store=AppStore(Store(db)),
        trainee="kim", cursor_blink=False,
    )  # fmt: skip
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        open_saved_call(app, data["call_id"])
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        painted = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "as graded on the other machine" in painted
