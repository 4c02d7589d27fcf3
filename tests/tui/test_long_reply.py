"""A pasted reply longer than a call holds: refused with the session's message, kept to edit."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from callsim.engine.transcript import MAX_TEXT
from callsim.tui.call import CallScreen


async def test_an_over_long_paste_is_refused_and_stays_in_the_reply_box(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen)
        turns = len(screen.session.turns)
        pasted = "I'm so sorry about the outage. " + "The line dropped again. " * 1_050
        assert len(pasted) > MAX_TEXT
        box = screen.query_one("#reply", Input)
        box.focus()
        box.post_message(events.Paste(pasted))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

        assert app.screen is screen  # still on the call, nothing crashed
        assert box.value == pasted.strip()  # the reply is kept, whole, to shorten
        assert len(screen.session.turns) == turns  # and nothing was said or saved
        said = " ".join(str(n.message) for n in app._notifications)
        assert f"{len(pasted.strip()):,} characters" in said
        assert f"at most {MAX_TEXT:,}" in said

        box.value = pasted[:200]
        await pilot.press("enter")
        await pilot.pause()
        assert len(screen.session.turns) > turns  # shortened, it goes through
        assert box.value == ""
