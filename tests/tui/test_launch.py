"""Opening the app straight on a scenario (`callsim app --scenario ID [--mode M]`), and the
home list built from file summaries with the full check in the background."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SCENARIO, reply
from test_app_flow import finish
from textual.widgets import DataTable, Input

from callsim.engine.loader import load_scenario
from callsim.sim.catalogue import load_entry, peek_entry, read_summary
from callsim.sim.cli import main
from callsim.sim.scenario_paths import bundled_scenarios, resolve_scenario
from callsim.tui.briefing import BriefingScreen
from callsim.tui.call import CallScreen
from callsim.tui.home import HomeScreen


def loaded():
    return load_scenario(resolve_scenario(SCENARIO))


async def test_opened_on_a_scenario_the_briefing_comes_first_and_back_is_the_library(make_app):
    app = make_app(scenario=loaded())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.loaded.scenario.id == SCENARIO
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(DataTable).row_count >= 1
        await pilot.press("enter", "a")  # the library works as if the app had opened on it
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.session.mode == "assessment"


async def test_opened_on_a_call_the_reply_box_is_ready_and_the_call_runs_to_home(make_app):
    app = make_app(scenario=loaded(), mode="practice")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.session.mode == "practice"
        assert isinstance(app.focused, Input) and app.focused.id == "reply"
        await reply(pilot, "I'm so sorry, how can I help?")
        assert [t.speaker for t in screen.session.turns][-2:] == ["trainee", "customer"]
        debrief = await finish(pilot)
        debrief.action_home()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 1


def test_app_command_refuses_a_missing_or_broken_scenario_before_opening(tmp_path, capsys):
    assert main(["app", "--scenario", "no-such-call"]) == 1
    assert "no-such-call" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: [oops\n", encoding="utf-8")
    assert main(["app", "--scenario", str(broken)]) == 1
    assert f"{broken}:" in capsys.readouterr().err
    assert main(["app", "--mode", "practice"]) == 2
    assert "--mode needs --scenario" in capsys.readouterr().err


def test_summaries_say_what_the_full_load_says():
    for path in bundled_scenarios():
        summary, sc = read_summary(path), load_scenario(path).scenario
        assert summary is not None, path
        assert (summary.id, summary.title, summary.category, summary.difficulty) == (
            sc.id,
            sc.title,
            sc.category.value,
            sc.difficulty,
        )
        assert (summary.briefing, summary.goal, summary.caller) == (
            sc.briefing,
            sc.goal,
            sc.customer.name,
        )


def _valid_looking_but_broken(folder: Path) -> Path:
    """A file whose top reads fine but which fails validation further down."""
    path = folder / "late-problem.yaml"
    shutil.copyfile(resolve_scenario(SCENARIO), path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nno_such_key: 1\n", encoding="utf-8")
    return path


def test_a_file_broken_below_its_summary_is_flagged_once_checked(tmp_path):
    path = _valid_looking_but_broken(tmp_path)
    entry = peek_entry(path)
    assert entry.summary is not None and not entry.broken  # listed from its summary
    assert entry.loaded is None and entry.broken  # the full check finds the problem
    assert any(p.startswith(f"{path}:") and "no_such_key" in p for p in entry.problems)
    unreadable = peek_entry(tmp_path / "gone.yaml")
    assert unreadable.broken and unreadable.problems
    assert load_entry(resolve_scenario(SCENARIO)).loaded is not None


async def test_home_flags_a_broken_file_in_the_background_and_will_not_open_it(
    make_app, tmp_path: Path
):
    path = _valid_looking_but_broken(tmp_path)
    app = make_app(catalogue=[peek_entry(path), peek_entry(resolve_scenario(SCENARIO))])
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert "has errors" in str(table.get_row_at(0)[1])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # not opened
        assert "no_such_key" in str(app.screen.query_one("#detail").render())
