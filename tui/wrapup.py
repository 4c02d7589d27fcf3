"""Wrap-up: the trainee writes the call notes (the issue, what was done, what happens next)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Static, TextArea

from callsim.sim.session import CallSession, outcome_words, text_problem
from callsim.sim.textsafe import terminal_safe
from callsim.tui.text import clock_text, join, styled
from callsim.tui.widgets import KeysFooter

PROMPT = "What was the issue? What did you do? What happens next, and when?"


class NotesArea(TextArea):
    """The notes editor: pasted control characters arrive as visible placeholders.

    TextArea paints its document as typed, so a pasted escape sequence would reach the
    terminal raw while the trainee edits (clearing the screen, recolouring it).
    """

    def _replace_via_keyboard(self, insert: str, start, end):  # type: ignore[no-untyped-def]
        return super()._replace_via_keyboard(terminal_safe(insert), start, end)


class WrapUpScreen(Screen):
    BINDINGS = [Binding("ctrl+s", "submit", "Save notes & debrief", priority=True)]

    def __init__(self, session: CallSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        session = self.session
        outcome = outcome_words(session.outcome, none="call still open")
        elapsed = session.transcript().duration_seconds
        with Vertical(id="wrap-up"):
            yield Static(
                join(
                    styled("Wrap-up notes", "bold"),
                    f"  ·  {outcome}  ·  {clock_text(elapsed)}",
                ),
                id="wrap-title",
            )
            yield Static(PROMPT, id="wrap-prompt")
            yield NotesArea(
                terminal_safe(session.wrap_up or ""),
                id="notes",
                soft_wrap=True,
                show_line_numbers=False,
                placeholder="Issue: …\nDone: …\nNext: …",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save notes & see debrief", id="submit", variant="primary")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.settle(self)
        self.query_one("#notes", TextArea).focus()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        notes = self.query_one("#notes", TextArea).text
        problem = text_problem(notes, "notes")
        if problem is not None:  # kept in the box to shorten, never lost
            self.notify(problem, severity="error", markup=False)
            return
        self.app.finish_call(self.session, notes)
