"""Issue 17's whole loop in the app, as a trainee and a colleague would take it: a mentor's goal,
shadow the model call, take the call, assess yourself, see your view beside the grade, share
the call, a colleague comments, the owner reads it, and the goal has moved."""

from __future__ import annotations

import asyncio

import pytest
from conftest import reply, shown_text
from textual.widgets import Input, OptionList, TextArea

from callsim.sim.app_store import AppStore
from callsim.sim.store import Store
from callsim.sim.store_goals import set_goal
from callsim.tui.calls import CallsScreen
from callsim.tui.debrief import DebriefScreen
from callsim.tui.selfassess import SelfAssessScreen
from callsim.tui.shadow import ShadowScreen

pytestmark = pytest.mark.usefixtures("close_stores")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_training_loop_end_to_end(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    set_goal(store, "kim", calls=2, difficulty=3, due="2099-01-31", mentor="Mo")
    app = make_app(store=AppStore(store), trainee="kim", self_assess=True)
    async with app.run_test(size=(100, 40)) as pilot:
        assert "not started  2 calls at difficulty 3" in shown_text(app.screen, "#goals")
        await pilot.press("enter", "l")  # briefing, then listen to the model call
        await pilot.pause()
        shadow = app.screen
        assert isinstance(shadow, ShadowScreen)
        shadow.pace = 100
        for _ in range(200):
            if shadow.call is not None:
                break
            await asyncio.sleep(0.05)
            await pilot.pause()
        await pilot.press("space", "right")
        await pilot.pause()
        assert "Advisor: Hi Jordan" in shown_text(shadow, ".shadow-said")
        await pilot.press("p")  # take the call in practice
        await pilot.pause()
        await reply(pilot, "I'm so sorry it's still down. How has that been for you?")
        await pilot.press("f10", "enter")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Issue: down since Monday."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SelfAssessScreen)
        await pilot.press("3", "3", "3")  # tone, listening, questions: good
        app.screen.query_one("#differently", Input).value = "Ask what they tried first"
        await pilot.press("ctrl+s")
        await settle(pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        grade = shown_text(debrief, "#grade-text")
        assert "Your own view matched the grade on" in grade
        assert "Calm and professional tone" in grade and "you: good" in grade
        call_id = debrief.session.call_id
        await pilot.press("h", "m")  # home, then your calls
        await pilot.pause()
        assert isinstance(app.screen, CallsScreen)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one(Input).value = "bea"
        await pilot.press("enter")
        await pilot.pause()

    colleague = make_app(store=AppStore(store), trainee="bea")
    async with colleague.run_test(size=(100, 30)) as pilot:
        colleague.action_open_screen("peer")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        colleague.screen.query_one(OptionList).highlighted = 2
        await pilot.press("c")
        await pilot.pause()
        colleague.screen.query_one(Input).value = "Good question at turn 1"
        await pilot.press("enter")
        await pilot.pause()

    app = make_app(store=AppStore(store), trainee="kim")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "in progress  2 calls at difficulty 3 or above by 2099-01-31  (1 of 2 calls)" in (
            shown_text(app.screen, "#goals")
        )
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # open the saved call's debrief
        await settle(pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert debrief.transcript.call_id == call_id
        grade = shown_text(debrief, "#grade-text")
        assert "From colleagues (peer review)" in grade
        assert "bea on turn 1: Good question at turn 1" in grade
        assert "you: good" in grade  # the self-assessment, read back with the call
