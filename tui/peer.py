"""Peer review in the app: share a call of yours with a colleague (`s` in "Your calls"), and
review the calls colleagues shared with you ("Review a colleague's call" in the palette).

A peer reads the turns with the behaviours heard and comments on a turn (`c`, or Enter) or on
the whole call (`g`); nothing else: no scores, no review mark. Every rule (only the owner
shares; only a shared call is read) is sim/store_peer.py's; this module only shows it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from callsim.sim.store import StoreError
from callsim.sim.store_peer import (
    add_peer_comment,
    calls_shared_with,
    check_shared,
    peer_comments,
    share,
)
from callsim.tui.calls import cell, store_error, when
from callsim.tui.review import DIALOG_CSS, CommentDialog, StoreDialog, turn_parts
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import highlighted_key


def install(app: Any) -> None:
    if app.store is None or getattr(app, "for_mentor", False):
        return
    app.add_screen("peer", "Review a colleague's call", PeerListScreen)


class ShareDialog(StoreDialog):
    """The colleague to share a call with; Enter shares it (at once), Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ShareDialog")

    def __init__(self, call_id: str) -> None:
        super().__init__()
        self.call_id = call_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Share call {self.call_id[:8]} for peer review with (a colleague's name):")
            yield Input(placeholder="Colleague's name", id="peer-name")
            yield Static(classes="dialog-error")
            with Horizontal():
                yield Button("Share", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        from callsim.sim.trainee import TraineeError, clean_name

        try:
            peer = clean_name(self.query_one(Input).value)
        except TraineeError as exc:
            self._error(str(exc))
            return
        owner = self.app.trainee or ""
        self._write(lambda: share(self.app.store, self.call_id, owner, peer))


def share_call(screen: Screen, call_id: str | None) -> None:
    """Ask for a colleague and share the call with them (the calls list's `s`)."""
    if call_id is None:
        return
    app = screen.app

    def done(saved: bool | None) -> None:
        if saved:
            app.notify("Shared: your colleague finds it under 'Review a colleague's call'.")

    app.push_screen(ShareDialog(call_id), done)


class PeerListScreen(Screen):
    """The calls colleagues shared with the trainee, newest first."""

    BINDINGS = [
        Binding("enter", "open", "Review", show=False),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            join(styled("Calls shared with you", "bold"), "  ·  Enter: read and comment"),
            id="peer-title",
        )
        yield DataTable(id="peer-calls", cursor_type="row")
        yield Static(id="peer-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.app.settle(self)
        table = self.query_one(DataTable)
        table.add_columns("When", "Colleague", "Scenario")
        try:
            calls = calls_shared_with(self.app.store, self.app.trainee or "")
        except StoreError as exc:
            calls = []
            self.notify(store_error(exc), severity="error", markup=False)
        for c in calls:
            table.add_row(when(c.started_at), cell(c.trainee or "-"), cell(c.scenario_id), key=c.id)
        self.query_one("#peer-empty", Static).update(
            "" if calls else "No colleague has shared a call with you yet."
        )
        table.focus()

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if key:
            self.app.push_screen(PeerCallScreen(key))


class PeerCallScreen(Screen):
    """One shared call, turn by turn, with the peer's own comments; `c` / `g` comment."""

    BINDINGS = [
        Binding("c", "comment", "Comment on turn"),
        Binding("g", "comment_call", "Comment on the call"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, call_id: str) -> None:
        super().__init__()
        self.call_id = call_id

    def compose(self) -> ComposeResult:
        yield Static(id="peer-call-title")
        yield OptionList(id="peer-turns")
        yield Footer()

    def on_mount(self) -> None:
        self.app.settle(self)
        me = self.app.trainee or ""
        try:
            self.call_id = check_shared(self.app.store, self.call_id, me)
            self.transcript = self.app.store.transcript(self.call_id)
        except StoreError as exc:  # not shared with this trainee (or no longer)
            self.app.pop_screen()
            self.app.notify(store_error(exc), severity="error", markup=False)
            return
        t = self.transcript
        self.query_one("#peer-call-title", Static).update(
            join(
                styled(t.scenario_title or t.scenario_id, "bold"),
                "  ·  ",
                plain(t.trainee or "", keep_newlines=False),
                "'s call  ·  peer review: comments only, no scores",
            )
        )
        self.refresh_turns()
        self.query_one(OptionList).focus()

    def refresh_turns(self) -> None:
        box = self.query_one(OptionList)
        keep = box.highlighted
        mine: dict[int | None, list[Any]] = defaultdict(list)
        try:
            for c in peer_comments(self.app.store, self.call_id):
                if c.author == self.app.trainee:
                    mine[c.turn].append(c)
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
        options = [Option(self._whole(mine.get(None, ())), id="call")]
        for turn in self.transcript.turns:
            parts = turn_parts(turn)
            for c in mine.get(turn.index, ()):
                parts += ["\n    ", styled("✎ you: ", "bold $accent"), plain(c.text)]
            options.append(Option(join(*parts), id=str(turn.index)))
        box.set_options(options)
        box.highlighted = keep if keep is not None and keep < len(options) else 0

    def _whole(self, comments: Any) -> Content:
        parts: list[Content | str] = [styled("The whole call", "bold")]
        if not comments:
            parts.append(styled("  (g: comment on the whole call)", "dim"))
        for c in comments:
            parts += ["\n    ", styled("✎ you: ", "bold $accent"), plain(c.text)]
        return join(*parts)

    def _turn(self) -> int | None:
        box = self.query_one(OptionList)
        if box.highlighted is None:
            return None
        option_id = box.get_option_at_index(box.highlighted).id
        return None if option_id in (None, "call") else int(option_id)

    @on(OptionList.OptionSelected)
    def action_comment(self) -> None:
        self._comment(self._turn())

    def action_comment_call(self) -> None:
        self._comment(None)

    def _comment(self, turn: int | None) -> None:
        about = Content(
            "Your comment on the whole call" if turn is None else f"Your comment on turn {turn}"
        )
        me = self.app.trainee or ""

        def save(text: str) -> None:
            add_peer_comment(self.app.store, self.call_id, me, text, turn=turn)

        self.app.push_screen(CommentDialog(about, save), self._saved)

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.refresh_turns()
