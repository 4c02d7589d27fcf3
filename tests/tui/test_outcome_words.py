"""The app says how a call ended in the same words as line mode and exports (issue 14, 12)."""

from __future__ import annotations

from conftest import reply, shown_text
from textual.widgets import TextArea

from callsim.tui.debrief import DebriefScreen
from callsim.tui.wrapup import WrapUpScreen


async def test_a_hang_up_is_said_in_words_from_the_call_to_the_debrief(make_app):
    async with make_app().run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "p")
        await pilot.pause()
        call = pilot.app.screen
        for _ in range(4):  # blaming the customer until they hang up
            if call.session.ended:
                break
            await reply(pilot, "It's probably your equipment")
        assert call.session.outcome is not None and call.session.outcome.value == "hung_up"
        notice = shown_text(call, ".notice")
        assert "The call has ended: the customer hung up" in notice and "hung_up" not in notice
        await pilot.press("f10")  # wrap up
        await pilot.pause()
        assert isinstance(pilot.app.screen, WrapUpScreen)
        assert "the customer hung up" in shown_text(pilot.app.screen, "#wrap-title")
        pilot.app.screen.query_one(TextArea).text = "Customer hung up after I blamed the router."
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        grade = shown_text(debrief, "#grade-text")
        assert "Outcome: the customer hung up" in grade
        assert "call ended: the customer hung up" in grade
