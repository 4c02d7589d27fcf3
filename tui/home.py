"""Home: the scenario library, filtered by category, difficulty and a text search."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from engine.models import Category
from sim.textsafe import terminal_safe
from tui.catalogue import Entry, matches
from tui.text import join, plain, styled


def _cell(text: str) -> Text:
    return Text(terminal_safe(text, keep_newlines=False), no_wrap=True, overflow="ellipsis")


class HomeScreen(Screen):
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("enter", "open", "Open", show=False),
        Binding("escape", "focus_table", "List", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder="Search scenarios…", id="search")
            yield Select(
                [(c.value, c.value) for c in Category],
                prompt="Any category",
                id="category",
            )
            yield Select(
                [(f"difficulty {d}", d) for d in range(1, 6)],
                prompt="Any difficulty",
                id="difficulty",
            )
        with Vertical(id="library"):
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="scenario-detail"):
                yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.app.settle(self)
        table = self.query_one("#scenarios", DataTable)
        # with a store, leave room for the last score at 80 columns (titles are ellipsised)
        title_width = max(20, self.app.size.width - 46) if self.app.store is not None else None
        table.add_column("Scenario", key="title", width=title_width)
        table.add_column("Category", key="category", width=12)
        table.add_column("Level", key="difficulty", width=5)
        if self.app.store is not None:
            table.add_column("Last score", key="score", width=10)
        self.refill()
        table.focus()

    def _shown(self) -> list[Entry]:
        text = self.query_one("#search", Input).value
        category = self.query_one("#category", Select).value
        difficulty = self.query_one("#difficulty", Select).value
        return [
            e
            for e in self.app.catalogue
            if matches(
                e,
                text,
                category if isinstance(category, str) else None,
                difficulty if isinstance(difficulty, int) else None,
            )
        ]

    def refill(self) -> None:
        table = self.query_one("#scenarios", DataTable)
        table.clear()
        for entry in self._shown():
            if entry.loaded is None:
                cells = [_cell(entry.path.name), Text("has errors", style="bold red"), Text("")]
            else:
                cells = [
                    _cell(entry.title),
                    _cell(entry.category),
                    Text("●" * (entry.difficulty or 0)),
                ]
            if self.app.store is not None:
                score = entry.loaded and self.app.last_score(entry.loaded.scenario.id)
                cells.append(_cell("" if score is None else str(score)))
            table.add_row(*cells, key=entry.key)
        self.show_detail()

    def _current(self) -> Entry | None:
        table = self.query_one("#scenarios", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((e for e in self.app.catalogue if e.key == key), None)

    def show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        entry = self._current()
        if entry is None:
            detail.update("No scenario matches. Clear the search or the filters.")
        elif entry.loaded is None:
            detail.update(
                join(
                    styled("This file has errors and cannot be played:", "bold $error"),
                    "\n",
                    plain("\n".join(entry.problems)),
                )
            )
        else:
            sc = entry.loaded.scenario
            detail.update(
                join(
                    styled(sc.title, "bold"),
                    "\n",
                    plain(sc.briefing),
                    "\n",
                    styled(entry.where, "dim"),
                )
            )

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    def _filter(self) -> None:
        self.refill()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.action_focus_table()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        entry = self._current()
        if entry is None:
            return
        if entry.loaded is None:
            self.notify("This scenario has errors; fix the file first.", severity="warning")
            return
        self.app.open_briefing(entry)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#scenarios", DataTable).focus()
