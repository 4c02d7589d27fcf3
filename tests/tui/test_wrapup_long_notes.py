"""Notes longer than a call holds stay in the wrap-up box with the reason, never a crash."""

from __future__ import annotations

from conftest import reply
from textual.widgets import TextArea

from callsim.engine.transcript import MAX_TEXT
from callsim.tui.wrapup import WrapUpScreen


async def test_over_long_notes_are_refused_and_kept_in_the_box(make_app):
    async with make_app().run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("enter", "p")
        await pilot.pause()
        call = pilot.app.screen
        for _ in range(4):
            if call.session.ended:
                break
            await reply(pilot, "It's probably your equipment")
        await pilot.press("f10")
        await pilot.pause()
        if not isinstance(pilot.app.screen, WrapUpScreen):  # an open call asks first
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(pilot.app.screen, WrapUpScreen)
        long = "x" * (MAX_TEXT + 1)
        pilot.app.screen.query_one(TextArea).text = long
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, WrapUpScreen)
        assert pilot.app.screen.query_one(TextArea).text == long
        assert any(f"{MAX_TEXT:,}" in str(n.message) for n in pilot.app._notifications)
