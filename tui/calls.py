"""Your calls: the trainee's saved calls, the mentor's review of each, and calls to resume.

A finished call opens its debrief as it was graded, with the mentor's comments and overrides;
a call that was cut off (a crash, a closed terminal) carries on from its last turn, replayed
by sim/resume.py exactly as `callsim resume` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from callsim.sim.corrections import shown_scores
from callsim.sim.session import outcome_words
from callsim.sim.store import CallSummary, StoreError
from callsim.sim.textsafe import terminal_safe
from callsim.tui.mentor import comment_line, mentor_notes, number, review_section
from callsim.tui.text import join, styled
from callsim.tui.widgets import highlighted_key

if TYPE_CHECKING:
    from callsim.tui.app import CallsimApp

LIMIT = 500


def cell(text: str | None) -> Text:
    return Text(terminal_safe(text or "", keep_newlines=False), no_wrap=True, overflow="ellipsis")


def when(started_at: str) -> str:
    """'2026-11-23 09:59' from a UTC ISO time (as stored)."""
    return started_at[:16].replace("T", " ")


def store_error(exc: StoreError) -> str:
    return terminal_safe(str(exc), keep_newlines=False)


class CallsScreen(Screen):
    """The trainee's own calls, newest first."""

    DEFAULT_CSS = """
    CallsScreen #calls-table { height: 1fr; }
    CallsScreen #calls-detail { height: 9; border-top: solid $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open / resume", show=False),
        Binding("s", "share", "Share with a colleague"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="calls-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="calls-detail"):
            yield Static(id="calls-note")
        yield Footer()

    def on_mount(self) -> None:
        self.app.settle(self)
        self.sub_title = f"Your calls · {self.app.trainee or 'no trainee name'}"
        table = self.query_one(DataTable)
        table.add_column("Started", key="started", width=16)
        table.add_column("Scenario", key="scenario")
        table.add_column("Score", key="score")
        table.add_column("Call", key="status", width=10)
        table.add_column("Mentor", key="mentor", width=8)
        self.refill()
        table.focus()

    def refill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.calls: dict[str, CallSummary] = {}
        try:
            calls = self.app.store.list_calls(trainee=self.app.trainee, limit=LIMIT)
        except StoreError as exc:  # said, not raised
            self.notify(store_error(exc), severity="error", markup=False)
            calls = []
        self.scores = shown_scores(self.app.store, calls)
        for c in calls:
            self.calls[c.id] = c
            status = outcome_words(c.outcome, short=True, none="ended") if c.ended else "cut off"
            table.add_row(
                cell(when(c.started_at)),
                cell(c.scenario_id),
                cell(self.scores[c.id]),
                Text(status, style="bold" if not c.ended else ""),
                Text("reviewed" if c.reviewed else ""),
                key=c.id,
            )
        self.show_detail()

    def current(self) -> CallSummary | None:
        return self.calls.get(highlighted_key(self.query_one(DataTable)) or "")

    def show_detail(self) -> None:
        note = self.query_one("#calls-note", Static)
        call = self.current()
        if call is None:
            note.update("No saved calls yet. Take a call from the home screen; it is saved here.")
            return
        if not call.ended:
            note.update(
                join(
                    styled("This call was cut off", "bold"),
                    f" after {call.turn_count} turns. Press Enter to carry on where it stopped.",
                )
            )
            return
        notes = mentor_notes(self.app.store, call.id)
        parts: list[Content | str] = [
            styled(call.scenario_id, "bold"),
            f"  score {self.scores.get(call.id, number(call.total_score))}. "
            "Enter opens the debrief.",
        ]
        if notes:
            parts += review_section(notes)[:-1]  # the turns' comments are listed here instead
            for turn in sorted(t for t in notes.by_turn if t is not None):
                for comment in notes.by_turn[turn]:
                    parts += ["\n", f"turn {turn}:", comment_line(comment, " ")]
        else:
            parts += ["\n", "No mentor's review yet."]
        note.update(join(*parts))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_share(self) -> None:
        """Share the highlighted call for peer review (tui/peer.py)."""
        from callsim.tui.peer import share_call

        current = self.current()
        share_call(self, current.id if current is not None else None)

    def action_open(self) -> None:
        call = self.current()
        if call is not None:
            open_saved_call(self.app, call.id)


def open_saved_call(app: CallsimApp, call_id: str) -> None:
    """Resume a cut-off call, or show a finished one's debrief as it was graded."""
    from callsim.sim.resume import ResumeError, resume_session, scenario_for
    from callsim.sim.session import CallSession
    from callsim.tui.debrief import DebriefScreen

    if app.store is None:
        return
    try:
        transcript = app.store.transcript(call_id)
        grade = app.store.grade(call_id)
    except StoreError as exc:
        app.notify(store_error(exc), severity="error", markup=False)
        return
    kwargs = {"tagger": app.tagger, "clock": app.clock}
    try:
        if transcript.ended_at is None:
            session = resume_session(transcript, extra_dirs=app.scenario_dirs, **kwargs)
            app.store.recorder(session)  # saved as it goes on, and graded and saved at the end
            app.start_call(session)
            return
        loaded = scenario_for(transcript, app.scenario_dirs)
    except ResumeError as exc:
        message = terminal_safe(str(exc), keep_newlines=False)
        app.notify(message, severity="error", timeout=10, markup=False)
        return
    # The debrief needs the scenario and a session to retry or rewind from; it shows the call
    # as stored, graded as it was graded.
    carrier = CallSession(loaded, mode=transcript.mode, trainee=transcript.trainee, **kwargs)
    carrier.end()
    app.push_screen(DebriefScreen(carrier, transcript=transcript, saved_grade=grade))


def unfinished_calls(app: CallsimApp) -> list[CallSummary]:
    if app.store is None:
        return []
    try:
        return [c for c in app.store.list_calls(trainee=app.trainee, limit=50) if not c.ended]
    except StoreError:  # the home screen still opens
        return []


def tell_about_unfinished(app: CallsimApp, key: str) -> None:
    """On start: offer to resume calls that were cut off."""
    cut = unfinished_calls(app)
    if cut:
        n = len(cut)
        app.notify(
            f"{n} call{'s were' if n > 1 else ' was'} cut off before the end. "
            f"Press {key} (Your calls) to carry on.",
            title="Resume",
            timeout=12,
        )
