"""Listen to a model call: the scenario's good call played turn by turn at reading pace.

What is played comes from `sim.shadow` (the good test case played through `CallSession` and the
grader, or a call a mentor marked as an example); this screen only paces it and shows, beside
each advisor reply, the behaviours heard, the rubric points earned and the mood it left.
Space pauses and plays on, Left/Right step back and on, `s` switches to the next model call on
offer, `p` takes the call in practice, Esc goes back to the briefing.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from callsim.engine.loader import LoadedScenario
from callsim.engine.yamlsafe import FileProblems
from callsim.sim.shadow import ModelCall, ShadowError, ShadowTurn, Source, model_call, sources
from callsim.sim.store import StoreError
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import KeysFooter


class ShadowScreen(Screen):
    DEFAULT_CSS = """
    ShadowScreen #shadow-title { height: auto; padding: 0 1; background: $boost; }
    ShadowScreen #shadow-status { height: 1; padding: 0 1; color: $text-muted; }
    ShadowScreen #shadow-turns { height: 1fr; padding: 0 1; }
    ShadowScreen .shadow-turn { height: auto; margin-bottom: 1; }
    ShadowScreen .shadow-said { width: 1fr; height: auto; }
    ShadowScreen .shadow-notes { width: 40; height: auto; padding-left: 2; color: $text-muted; }
    ShadowScreen .-advisor .shadow-said { text-style: none; }
    """
    BINDINGS = [
        Binding("space", "toggle", "Pause/play", priority=True),
        Binding("left", "step(-1)", "Step back", priority=True),
        Binding("right", "step(1)", "Step on", priority=True),
        Binding("s", "next_source", "Next model call"),
        Binding("p", "practice", "Take this call"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, loaded: LoadedScenario, *, pace: float = 1.0) -> None:
        """`pace` scales the reading time of each turn (1.0: reading pace)."""
        super().__init__()
        self.loaded = loaded
        self.pace = pace
        self.sources: list[Source] = []
        self.source_index = 0
        self.call: ModelCall | None = None
        self.shown = 0
        self.playing = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            join(
                styled("Listen to a model call", "bold"), "  ·  ", plain(self.loaded.scenario.title)
            ),
            id="shadow-title",
        )
        yield Static("Getting the model call ready…", id="shadow-status")
        yield VerticalScroll(id="shadow-turns", can_focus=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.settle(self)
        try:
            self.sources = sources(self.loaded, self.app.store)
        except StoreError as exc:  # the store cannot be read: the scenario's own call still can
            self.notify(str(exc), severity="warning", markup=False)
            self.sources = sources(self.loaded)
        if not self.sources:
            from callsim.sim.shadow import no_model_call

            self._status(plain(no_model_call(self.loaded)))
            return
        self._load()

    # -- getting the call ---------------------------------------------------------------------

    def _load(self) -> None:
        self._stop()
        self.call = None
        self.shown = 0
        self.query_one("#shadow-turns").remove_children()
        source = self.sources[self.source_index]
        self._status(join("Getting ready: ", plain(source.label), "…"))
        self._prepare(source)

    @work(thread=True, exclusive=True, group="shadow")
    def _prepare(self, source: Source) -> None:
        """Play (or read) the model call off the UI thread: the tagger and grader take a moment."""
        try:
            call = model_call(self.loaded, source, store=self.app.store, tagger=self.app.tagger)
        except (ShadowError, StoreError, FileProblems, OSError) as exc:  # said, not raised
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._ready, call)

    def _failed(self, message: str) -> None:
        self._status(join(styled("No model call: ", "bold $error"), plain(message)))

    def _ready(self, call: ModelCall) -> None:
        self.call = call
        graded = f"{call.score}/100 ({call.band})" if call.score is not None else "not graded"
        title = self.query_one("#shadow-title", Static)
        more = f"  ·  s: {len(self.sources) - 1} more" if len(self.sources) > 1 else ""
        title.update(
            join(
                styled("Listen to a model call", "bold"),
                "  ·  ",
                plain(call.title),
                "\n",
                styled(call.source.label, "italic"),
                f"  ·  {graded}{more}",
            )
        )
        self.playing = True
        self._advance()

    # -- playing ------------------------------------------------------------------------------

    def _advance(self) -> None:
        """Show the next turn, and wait its reading time before the one after."""
        self._timer = None
        if self.call is None or not self.playing:
            return
        if self.shown >= len(self.call.turns):
            self.playing = False
            self._show_status()
            return
        self._show_turn(self.call.turns[self.shown])
        self.shown += 1
        self._show_status()
        if self.shown < len(self.call.turns):
            turn = self.call.turns[self.shown - 1]
            self._timer = self.set_timer(turn.pause * self.pace, self._advance)
        else:
            self.playing = False
            self._show_ending()
            self._show_status()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def action_toggle(self) -> None:
        if self.call is None:
            return
        if self.playing:
            self.playing = False
            self._stop()
        else:
            if self.shown >= len(self.call.turns):  # at the end: from the top again
                self.shown = 0
                self.query_one("#shadow-turns").remove_children()
            self.playing = True
            self._advance()
        self._show_status()

    def action_step(self, step: int) -> None:
        """One turn on or back; stepping pauses the playing."""
        if self.call is None:
            return
        self.playing = False
        self._stop()
        if step > 0 and self.shown < len(self.call.turns):
            self._show_turn(self.call.turns[self.shown])
            self.shown += 1
            if self.shown == len(self.call.turns):
                self._show_ending()
        elif step < 0 and self.shown > 0:
            rows = self.query_one("#shadow-turns").children
            for row in list(rows)[-1 if self.shown < len(self.call.turns) else -2 :]:
                row.remove()  # the last turn (and the ending after it)
            self.shown -= 1
        self._show_status()

    def action_next_source(self) -> None:
        if len(self.sources) > 1:
            self.source_index = (self.source_index + 1) % len(self.sources)
            self._load()

    def action_practice(self) -> None:
        app = self.app
        app.start_call(app.new_session(self.loaded, "practice"))

    # -- drawing ------------------------------------------------------------------------------

    def _status(self, text: Content | str) -> None:
        self.query_one("#shadow-status", Static).update(text)

    def _show_status(self) -> None:
        if self.call is None:
            return
        total = len(self.call.turns)
        if self.playing:
            state = "▶ playing"
        elif self.shown >= total:
            state = "■ the end (Space: from the top)"
        else:
            state = "❚❚ paused"
        self._status(f"{state}  ·  turn {self.shown} of {total}  ·  Space pause/play, ←/→ step")

    def _show_turn(self, turn: ShadowTurn) -> None:
        assert self.call is not None
        said, notes = self.turn_texts(self.call, turn)
        kind = {"trainee": "-advisor", "customer": "-customer"}.get(turn.speaker, "-action")
        row = Horizontal(
            Static(said, classes="shadow-said"),
            Static(notes, classes="shadow-notes"),
            classes=f"shadow-turn {kind}",
        )
        box = self.query_one("#shadow-turns", VerticalScroll)
        box.mount(row)
        box.scroll_end(animate=False)

    def _show_ending(self) -> None:
        assert self.call is not None
        from callsim.sim.session import outcome_words

        parts: list[Content | str] = [
            styled("The call ended: ", "bold"),
            outcome_words(self.call.outcome),
        ]
        if self.call.wrap_up:
            parts += ["\n", styled("Wrap-up notes: ", "bold"), plain(self.call.wrap_up)]
        parts += ["\n", styled("p: take this call yourself in practice", "dim")]
        box = self.query_one("#shadow-turns", VerticalScroll)
        box.mount(Static(join(*parts), classes="shadow-turn shadow-ending"))
        box.scroll_end(animate=False)

    @staticmethod
    def turn_texts(call: ModelCall, turn: ShadowTurn) -> tuple[Content, Content]:
        """What was said, and the notes beside it (mood; for the advisor what it shows and
        earns)."""
        if turn.speaker == "customer":
            said = join(styled(f"{call.customer}: ", "bold"), plain(turn.text))
            mood = f"mood {turn.mood:.1f}/10" if turn.mood is not None else ""
            return said, Content(mood)
        if turn.speaker == "action":
            said = join(styled("Action: ", "bold"), plain(turn.text))
            if turn.result:
                said = join(said, " → ", plain(turn.result))
            return said, Content("")
        said = join(styled("Advisor: ", "bold $accent"), plain(turn.text))
        notes: list[Content | str] = [
            styled(
                ", ".join(t.replace("_", " ") for t in turn.tags) or "no behaviours heard", "italic"
            )
        ]
        for p in turn.points:
            style = "$success" if p.points > 0 else "$error"
            notes += ["\n", styled(f"{p.dimension} {p.points:+g}", style)]
        for flag in turn.flags:
            notes += ["\n", styled(f"⚑ {flag}", "bold $error")]
        if turn.mood_before is not None and turn.mood is not None:
            notes += ["\n", f"mood {turn.mood_before:.1f} → {turn.mood:.1f}"]
        return said, join(*notes)
