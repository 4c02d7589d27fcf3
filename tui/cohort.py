"""The cohort in the mentor's app (`callsim review`, key c): the same figures and words as
`callsim cohort` (sim/store_cohort.py), for the trainees the login may see, with each
trainee's assignments done, open and overdue."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from callsim.tui.text import plain


class CohortScreen(Screen):
    BINDINGS = [
        Binding("r", "refresh_cohort", "Read again"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(id="cohort-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Cohort"
        self.action_refresh_cohort()

    def action_refresh_cohort(self) -> None:
        """Read the figures from the store (a cohort is a few queries per trainee)."""
        from callsim.sim.commands.cohort import text
        from callsim.sim.store import Store, StoreError
        from callsim.sim.store_cohort import cohort

        store = self.app.store
        raw = store if isinstance(store, Store) else getattr(store, "store", None)
        box = self.query_one("#cohort-text", Static)
        if raw is None:
            box.update("No store is open: the cohort comes from saved calls.")
            return
        try:
            box.update(plain(text(cohort(raw))))
        except StoreError as exc:  # a trainee's login, a server that went away
            box.update(plain(str(exc)))
