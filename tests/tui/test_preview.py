"""`callsim preview`: the call restarts on save; a broken save shows its problems, not a crash."""

from __future__ import annotations

import shutil

from conftest import FixedClock, reply, shown_text, stub_tagger

from callsim.sim.scenario_paths import resolve_scenario
from callsim.tui.call import CallScreen
from callsim.tui.preview import PreviewApp, ProblemsScreen


def make(path) -> PreviewApp:
    return PreviewApp(path, tagger=stub_tagger, clock=FixedClock(), cursor_blink=False)


async def test_saving_restarts_the_call_and_errors_show_until_fixed(tmp_path):
    path = tmp_path / "call.yaml"
    shutil.copy(resolve_scenario("broadband-down-repeat-caller"), path)
    good = path.read_text(encoding="utf-8")
    app = make(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        assert app.check_file() is False  # nothing changed: the call goes on
        await reply(pilot, "I'm so sorry it's still not working, I'm going to take ownership")
        first = app.screen
        assert len(first.session.turns) > 1

        # a save that breaks the file: its problems, each at FILE:LINE:COL, in place of the call
        broken = good.replace("start: opening", "start: openning").replace(
            "category: outage", "category: [outage"
        )
        path.write_text(good.replace("start: opening", "start: openning"), encoding="utf-8")
        assert app.check_file() is True
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        errors = shown_text(app.screen, "#preview-errors")
        line = good.splitlines().index("start: opening") + 1
        assert f"{path}:{line}:8: error: stage 'openning' is not defined" in errors
        assert "did you mean 'opening'?" in errors
        assert "1 problem" in shown_text(app.screen, "#preview-title")

        path.write_text(broken, encoding="utf-8")  # worse: invalid YAML, still no crash
        assert app.check_file() is True
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "invalid YAML" in shown_text(app.screen, "#preview-errors")

        # fixing it brings a fresh call back, with the edit in it
        path.write_text(good.replace("Are you actually going to fix it", "Will you fix it"))
        assert app.check_file() is True
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen is not first
        assert len(app.screen.session.turns) == 1
        assert "Will you fix it this time?" in shown_text(app.screen, ".turn")


async def test_a_file_broken_from_the_start_opens_on_its_problems(tmp_path):
    path = tmp_path / "call.yaml"
    path.write_text("format: 1\nid: x\ntitle: '[red]x[/]'\n", encoding="utf-8")
    app = make(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        errors = shown_text(app.screen, "#preview-errors")
        assert f"{path}:1:1: error: missing key" in errors
        path.unlink()
        assert app.check_file() is True  # the file went away: said so, no crash
        await pilot.pause()
        assert "cannot read" in shown_text(app.screen, "#preview-errors")
        shutil.copy(resolve_scenario("double-charge-october"), path)
        assert app.check_file() is True
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)


def test_the_command_refuses_an_unknown_scenario(capsys):
    from callsim.sim.cli import main

    assert main(["preview", "no-such-scenario-anywhere"]) == 1
    assert "no scenario file" in capsys.readouterr().err
