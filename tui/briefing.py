"""Briefing: who is calling and why, the goal, and practice or assessment."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from callsim.engine.loader import LoadedScenario
from callsim.tui.text import clock_text, join, plain, styled
from callsim.tui.widgets import KeysFooter


class BriefingScreen(Screen):
    BINDINGS = [
        Binding("p", "start('practice')", "Practice"),
        Binding("a", "start('assessment')", "Assessment"),
        Binding("l", "shadow", "Listen to a model call"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, loaded: LoadedScenario) -> None:
        super().__init__()
        self.loaded = loaded

    def compose(self) -> ComposeResult:
        sc = self.loaded.scenario
        from callsim.tui.home import trainee_levels

        #: Why the trainee cannot take this call yet (earned difficulty), or None.
        self.locked = trainee_levels(self.app).why_locked(sc.difficulty)
        with VerticalScroll(id="briefing"):
            yield Static(
                join(
                    styled(sc.title, "bold"),
                    "\n",
                    styled(
                        f"{sc.category.value} · difficulty {sc.difficulty}/5 · "
                        f"target handling time {clock_text(sc.target_seconds)}",
                        "dim",
                    ),
                ),
                id="briefing-title",
            )
            yield Static(
                join(
                    styled("Caller: ", "bold"),
                    plain(sc.customer.name),
                    "\n",
                    plain(sc.briefing),
                )
            )
            yield Static(join(styled("Your goal: ", "bold"), plain(sc.goal)))
            yield Static(
                join(
                    styled("Practice", "bold"),
                    ": feedback after every reply; hints (they cost points).\n",
                    styled("Assessment", "bold"),
                    ": no hints; feedback only at the end.\n",
                    styled("Frustration", "bold"),
                    ": the meter at the top shows how the customer feels, from 0 (calm) to "
                    "10 (furious); ▲ or ▼ shows which way your last reply moved it.",
                ),
                id="modes",
            )
            if self.locked:
                yield Static(
                    join(
                        styled("🔒 ", "bold"),
                        plain(self.locked),
                        " You can listen to a model call meanwhile.",
                    ),
                    id="locked",
                )
            with Center():
                with Horizontal(id="mode-buttons"):
                    locked = self.locked is not None
                    yield Button("Practice", id="practice", variant="primary", disabled=locked)
                    yield Button("Assessment", id="assessment", disabled=locked)
                    yield Button("Listen to a model call", id="shadow")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.settle(self)
        self.query_one("#shadow" if self.locked else "#practice", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("practice", "assessment"):
            self.action_start(event.button.id)
        elif event.button.id == "shadow":
            self.action_shadow()

    def action_shadow(self) -> None:
        """Hear the call handled well first (sim/shadow.py; tui/shadow.py plays it)."""
        from callsim.tui.shadow import ShadowScreen

        self.app.push_screen(ShadowScreen(self.loaded))

    def action_start(self, mode: str) -> None:
        if self.locked:
            self.notify(self.locked, severity="warning", markup=False)
            return
        app = self.app
        app.start_call(
            app.new_session(self.loaded, "assessment" if mode == "assessment" else "practice")
        )
