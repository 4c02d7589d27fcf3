"""Who is training: asked when the app first opens with no name, and from the home screen (t).

Calls are saved under the trainee's name, and `callsim progress` and the progress screen follow
it; a call taken with no name belongs to nobody. The name is checked by sim/trainee.py (the
rule line mode uses) and remembered in the same config file, so line mode knows it too.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from callsim.sim.textsafe import hidden
from callsim.sim.trainee import TraineeError, clean_name
from callsim.tui.text import join, plain, styled

CONTROLS_REFUSED = "a trainee name cannot hold control characters"


class NameInput(Input):
    """A name box that refuses pasted control characters (ESC, bidi overrides...) as they
    arrive, saying why, rather than painting them raw on the terminal."""

    class Refused(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    def replace(self, text: str, start: int, end: int) -> None:
        if any(hidden(ch) for ch in text):
            self.post_message(self.Refused(_problem(text) or CONTROLS_REFUSED))
            return
        super().replace(text, start, end)


def _problem(name: str) -> str | None:
    """Why sim/trainee.py refuses this name (None: it is a name)."""
    try:
        clean_name(name)
    except TraineeError as exc:
        return str(exc)
    return None


class TraineePrompt(ModalScreen[str | None]):
    """Asks for the trainee's name; Enter saves it, Escape leaves it as it was."""

    DEFAULT_CSS = """
    TraineePrompt { align: center middle; }
    TraineePrompt #trainee-dialog {
        width: 64; max-width: 100%; height: auto; border: thick $primary;
        background: $surface; padding: 1 2;
    }
    TraineePrompt .dialog-error { color: $text-error; height: auto; }
    TraineePrompt #trainee-why { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Not now")]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="trainee-dialog"):
            if self.current:
                title = join(styled("Who is training?", "bold"), "  Now: ", plain(self.current))
            else:
                title = styled("Who is training?", "bold")
            yield Label(title)
            yield Static(
                "Your calls are saved under this name and your progress follows it. "
                "It is remembered for next time (line mode uses it too).",
                id="trainee-why",
            )
            yield NameInput(placeholder="Your name", id="trainee-name")
            yield Static(classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Not now", id="cancel")

    def on_mount(self) -> None:
        self.app.settle(self)
        self.query_one(NameInput).focus()

    def _error(self, problem: str) -> None:
        said = problem[:1].upper() + problem[1:]
        self.query_one(".dialog-error", Static).update(plain(said.rstrip(".") + "."))

    @on(NameInput.Refused)
    def _refused(self, event: NameInput.Refused) -> None:
        self._error(event.problem)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        value = self.query_one(NameInput).value
        problem = _problem(value)
        if problem is not None:
            self._error(problem)
            self.query_one(NameInput).focus()
            return
        self.dismiss(clean_name(value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
