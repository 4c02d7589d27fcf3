"""Home: the scenario library, filtered by category, difficulty and a text search; who is
training (t switches trainee) and, with a store, each scenario's last score."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static

from callsim.engine.models import Category
from callsim.sim.catalogue import Entry, matches
from callsim.sim.textsafe import terminal_safe
from callsim.tui.commands import PaletteCommand
from callsim.tui.mentor import number
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import KeysFooter, highlighted_key

if TYPE_CHECKING:
    from callsim.sim.levels import Levels


def catalogue_library(app: Any) -> list[Any]:
    """Each listed scenario's id and difficulty, however its entry was read."""
    return [
        e.summary or e.loaded.scenario
        for e in app.catalogue
        if e.summary is not None or e.loaded is not None
    ]


def trainee_levels(app: Any) -> Levels:
    """The difficulty levels the app's trainee has open (sim/levels.py: all of them unless the
    trainer's levels.yaml turns earned difficulty on). A levels file with mistakes is told
    once and leaves every level open."""
    from callsim.engine.yamlsafe import FileProblems
    from callsim.sim.levels import Levels, levels_for
    from callsim.sim.store import StoreError

    try:
        return levels_for(app.store, app.trainee, catalogue_library(app))
    except FileProblems as exc:
        message = "The levels file has mistakes; every level is open:\n" + "\n".join(
            str(p) for p in exc.problems
        )
        if getattr(app, "_levels_told", None) != message:
            app._levels_told = message
            app.notify(message, severity="warning", timeout=15, markup=False)
    except StoreError:
        pass
    return Levels(None)


def _cell(text: str) -> Text:
    return Text(terminal_safe(text, keep_newlines=False), no_wrap=True, overflow="ellipsis")


class HomeScreen(Screen):
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("t", "switch_trainee", "Trainee"),
        Binding("enter", "open", "Open", show=False),
        Binding("escape", "focus_table", "List", show=False),
        # from the search box (which takes no Down itself), Down goes to the list
        Binding("down", "focus_table", "List", show=False),
    ]

    _built = False
    levels: Levels | None = None

    def compose(self) -> ComposeResult:
        if self.app.defer_home and not self._built:
            return  # opened straight on a scenario: built when the trainee first comes here
        self._built = True
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
        goals = Static(id="goals")  # the mentor's goals for the trainee, when there are any
        goals.display = False
        goals.styles.padding = (0, 1)
        yield goals
        with Vertical(id="library"):
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="scenario-detail"):
                yield Static(id="detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        if self._built:
            self._set_up()

    def _set_up(self) -> None:
        self.app.settle(self)
        self._show_trainee()
        table = self.query_one("#scenarios", DataTable)
        # with a store, leave room for the last score at 80 columns (titles are ellipsised)
        title_width = max(20, self.app.size.width - 46) if self.app.store is not None else None
        table.add_column("Scenario", key="title", width=title_width)
        table.add_column("Category", key="category", width=12)
        table.add_column("Level", key="difficulty", width=5)
        if self.app.store is not None:
            table.add_column("Last score", key="score", width=10)
        self.show_goals()  # and the open levels, which the list marks
        self.refill()
        table.focus()

    async def on_screen_resume(self) -> None:
        if not self._built:
            if self.app.screen is not self or self.app.launch is not None:
                return  # the screen the app was opened on is about to cover this one
            self._built = True
            await self.recompose()
            self._set_up()
        else:
            self.refresh_scores()  # back from a call: its score may be saved by now
        # Check the listed files once the list is on screen (only while it is: opening a file
        # checks that one), so a broken file is flagged before the trainee gets to it.
        self.call_after_refresh(self.app.check_catalogue, self._newly_broken)

    def on_screen_suspend(self) -> None:
        self.app.workers.cancel_group(self.app, "catalogue")

    def _newly_broken(self, broken: list[Entry]) -> None:
        if not broken or not self.is_mounted:
            return
        table = self.query_one("#scenarios", DataTable)
        for entry in broken:
            if entry.key in table.rows:
                for column, cell in zip(table.columns, self._cells(entry), strict=False):
                    table.update_cell(entry.key, column, cell)
        self.show_detail()

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
            table.add_row(*self._cells(entry), key=entry.key)
        self.show_detail()

    def _cells(self, entry: Entry) -> list[Text]:
        if entry.broken:
            cells = [_cell(entry.path.name), Text("has errors", style="bold red"), Text("")]
        else:
            locked = self.levels is not None and not self.levels.is_open(entry.difficulty or 1)
            cells = [
                _cell(entry.title),
                _cell(entry.category),
                Text(f"🔒 {entry.difficulty}", style="dim")
                if locked
                else Text("●" * (entry.difficulty or 0)),
            ]
        if self.app.store is not None:
            scenario_id = entry.scenario_id
            score = None if scenario_id is None else self.app.last_score(scenario_id)
            cells.append(_cell("" if score is None else number(score)))
        return cells

    def refresh_scores(self) -> None:
        """Each listed scenario's last score, read again (after a call, or a new trainee)."""
        if not self._built or self.app.store is None or not self.is_mounted:
            return
        self.show_goals()  # a call just graded may have moved one, or opened a level
        table = self.query_one("#scenarios", DataTable)
        for entry in self._shown():
            if entry.key in table.rows:
                cells = self._cells(entry)
                table.update_cell(entry.key, "score", cells[-1])
                if not entry.broken:
                    table.update_cell(entry.key, "difficulty", cells[2])

    def trainee_changed(self) -> None:
        self._show_trainee()
        self.refresh_scores()
        self.refresh_bindings()

    def show_goals(self) -> None:
        """The trainee's open assignments, overdue first (sim/store_assignments.py), then their
        goals with their status (sim/store_goals.py); hidden when there are none."""
        if not self._built or not self.is_mounted:
            return
        box = self.query_one("#goals", Static)
        found, assigned = [], []
        if self.app.store is not None and self.app.trainee:
            from callsim.sim.self_assessment import rubric_dimensions
            from callsim.sim.store import StoreError
            from callsim.sim.store_assignments import assignments, open_first
            from callsim.sim.store_goals import statuses

            library = catalogue_library(self.app)
            try:
                found = statuses(self.app.store, self.app.trainee, library)
                assigned = open_first(assignments(self.app.store, [self.app.trainee]))
            except StoreError:
                pass
        self.levels = trainee_levels(self.app)
        box.display = bool(found or assigned)
        parts: list = []
        if assigned:
            titles = {e.scenario_id: e.title for e in self.app.catalogue if not e.broken}
            parts.append(styled("Assigned to you", "bold"))
            for x in assigned:
                late = x.state() == "overdue"
                label = f"{'overdue' if late else 'due ' + x.due:<16}"
                parts += ["\n", styled(label, "bold $error" if late else "$warning")]
                parts.append(plain(titles.get(x.scenario_id, x.scenario_id), keep_newlines=False))
                parts += [styled(f"  (was due {x.due})", "dim")] if late else []
        if found:
            titles = dict(rubric_dimensions())
            style = {"met": "$success", "overdue": "bold $error"}
            parts += ["\n\n"] if parts else []
            parts.append(styled("Your goals", "bold"))
            for st in found:
                parts += ["\n", styled(f"{st.state:<12}", style.get(st.state, "$warning"))]
                parts += [" ", plain(st.goal.describe(titles), keep_newlines=False)]
                parts += [styled(f"  ({st.now()})", "dim")]
        if parts:
            box.update(join(*parts))

    def _show_trainee(self) -> None:
        trainee = self.app.trainee
        self.sub_title = (
            f"{self.app.SUB_TITLE} · trainee: {trainee}"
            if trainee
            else self.app.SUB_TITLE
        )

    def _current(self) -> Entry | None:
        key = highlighted_key(self.query_one("#scenarios", DataTable))
        return next((e for e in self.app.catalogue if e.key == key), None)

    def show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        entry = self._current()
        if entry is None:
            detail.update("No scenario matches. Clear the search or the filters.")
        elif entry.broken:
            detail.update(
                join(
                    styled("This file has errors and cannot be played:", "bold $error"),
                    "\n",
                    plain("\n".join(entry.problems)),
                )
            )
        else:
            why = self.levels.why_locked(entry.difficulty or 1) if self.levels else None
            detail.update(
                join(
                    styled(entry.title, "bold"),
                    "\n",
                    styled(f"🔒 {why}\n", "$warning") if why else "",
                    plain(entry.briefing),
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
        if entry.loaded is None:  # checked now if the background check has not got to it
            self._newly_broken([entry])
            self.notify("This scenario has errors; fix the file first.", severity="warning")
            return
        self.app.open_briefing(entry)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_trainee":  # names matter only where calls are saved
            app = self.app
            return app.store is not None and not app.for_mentor and not app.trainee_fixed
        return True

    def action_switch_trainee(self) -> None:
        self.app.ask_who_is_training()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        if self.check_action("switch_trainee", ()):
            yield (
                "Switch trainee",
                "Say who is training: calls are saved under that name",
                self.action_switch_trainee,
            )

    def action_focus_table(self) -> None:
        # at once, not after a refresh: an Enter typed straight after must open the scenario
        self.set_focus(self.query_one("#scenarios", DataTable))
