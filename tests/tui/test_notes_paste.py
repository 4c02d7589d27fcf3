"""Pasting into the wrap-up notes never sends control sequences to the terminal."""

from textual import events
from textual.app import App, ComposeResult

from callsim.tui.wrapup import NotesArea


class NotesOnly(App):
    def compose(self) -> ComposeResult:
        yield NotesArea(id="notes")


async def test_a_pasted_escape_sequence_is_kept_visible_and_inert():
    app = NotesOnly()
    async with app.run_test(size=(60, 10)) as pilot:
        notes = app.query_one(NotesArea)
        notes.focus()
        pasted = "Issue: \x1b[2J\x1b[31mred\x1b[0m [b]bold[/b]\nDone: \u202eX"
        notes.post_message(events.Paste(pasted))
        await pilot.pause()
        text = notes.text
        assert "\x1b" not in text and "\u202e" not in text
        assert "\\x1b[2J\\x1b[31mred\\x1b[0m [b]bold[/b]" in text
        assert text.endswith("\nDone: \\u202eX")
        await pilot.press("!")
        assert notes.text.endswith("!")
