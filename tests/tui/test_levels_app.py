"""Earned difficulty in the app: home marks a locked scenario and says what opens it; its
briefing will not start the call."""

from __future__ import annotations

import pytest
from conftest import shown_text
from textual.widgets import Button, DataTable

from callsim.sim.app_store import AppStore
from callsim.sim.levels import unlock
from callsim.sim.store import Store
from callsim.tui.briefing import BriefingScreen

pytestmark = pytest.mark.usefixtures("close_stores")


async def test_a_locked_scenario_is_marked_and_its_briefing_says_why(
    make_app, tmp_path, monkeypatch
):

    levels = tmp_path / "levels.yaml"
    levels.write_text("pass_mark: 70\npasses: 2\nopen: 2\n", encoding="utf-8")
    monkeypatch.setenv("CALLSIM_LEVELS", str(levels))
    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), trainee="kim")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#scenarios", DataTable)
        assert str(table.get_row_at(0)[2]) == "🔒 3"
        why = "Difficulty 3 is locked: it opens after 2 assessment calls at difficulty 2 scoring 70"
        assert why in shown_text(app.screen, "#detail")
        await pilot.press("enter")
        briefing = app.screen
        assert isinstance(briefing, BriefingScreen)
        assert why in shown_text(briefing, "#locked")
        assert briefing.query_one("#practice", Button).disabled
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)  # no call started
        assert any(why in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        unlock(store, "kim", 3, mentor="Mo")
        app.screen.trainee_changed()  # what the home screen does when it reads again
        await pilot.pause()
        assert str(table.get_row_at(0)[2]) == "●●●"
        await pilot.press("enter")
        assert not app.screen.query_one("#practice", Button).disabled
        await pilot.press("p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CallScreen"
