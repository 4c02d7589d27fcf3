"""The mentor's review: pick a saved call, read it turn by turn beside the rubric, comment,
override a dimension's score with a reason, and mark the review done.

Every change is written to the store the moment it is made (sim/store.py validates it: a
comment needs text, an override a reason and a score from 0 to 100); the trainee then sees the
comments and overrides in the debrief of that call and in `callsim show ID`. `install(app)` adds
"Your calls" (the trainee's saved calls, to reopen or resume) and this review to the trainee's
app; `callsim review` opens `ReviewApp`, whose first screen is the list of calls to review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from callsim.engine.transcript import Turn
from callsim.sim.corrections import shown_score, shown_scores
from callsim.sim.session import outcome_words
from callsim.sim.store import CallSummary, Comment, DimensionScore, StoreError
from callsim.tui.app import CallsimApp, _no_tags
from callsim.tui.calls import CallsScreen, cell, store_error, tell_about_unfinished, when
from callsim.tui.mentor import comment_line, number
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import highlighted_key

if TYPE_CHECKING:  # the grader is imported when a call is graded, not when the app starts
    from callsim.grading.grader import Grade, RaisedFlag

CALLS_KEY = "m"
#: The review list reads this many calls at a time: a team's store may hold 100,000.
PAGE = 100
FLAG_KEY = "flag:"  # a critical flag's row among the dimensions (dimension ids never hold ':')
SPEAKERS = {"trainee": "Trainee", "customer": "Customer", "action": "Action"}


def turn_parts(turn: Turn) -> list[Content | str]:
    """A transcript turn as a review list shows it: number, speaker, words verbatim, what an
    action returned, and the behaviours tagged on a trainee's reply."""
    parts: list[Content | str] = [
        styled(f"{turn.index:>3} {SPEAKERS.get(turn.speaker, turn.speaker)}: ", "bold"),
        plain(turn.text),
    ]
    if turn.result:
        parts += [" → ", plain(turn.result)]
    if turn.speaker == "trainee":
        tags = ", ".join(t.replace("_", " ") for t in turn.tags) or "no tags"
        parts += ["\n    ", styled(tags, "italic")]
    return parts


def install(app: CallsimApp) -> None:
    if app.store is None:
        return  # no store: nothing saved to list or review
    if isinstance(app, ReviewApp):
        return  # the mentor's app: the review list is its home
    app.add_screen("calls", "Your calls", CallsScreen, key=CALLS_KEY)
    app.add_screen("review", "Review calls (mentor)", ReviewListScreen)
    app.call_later(tell_about_unfinished, app, CALLS_KEY)


# -- the list of calls ---------------------------------------------------------------------------


class PagedTable(DataTable):
    """A table of one page of calls: moving on past its last row (or back past its first)
    turns the page, so the keys a mentor scrolls with carry on through every call."""

    def __init__(self, turn_page: Callable[[int], bool], **kw: Any) -> None:
        super().__init__(**kw)
        self._turn_page = turn_page

    def action_cursor_down(self) -> None:
        if self.cursor_row < self.row_count - 1 or not self._turn_page(1):
            super().action_cursor_down()

    def action_page_down(self) -> None:
        if self.cursor_row < self.row_count - 1 or not self._turn_page(1):
            super().action_page_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row > 0 or not self._turn_page(-1):
            super().action_cursor_up()

    def action_page_up(self) -> None:
        if self.cursor_row > 0 or not self._turn_page(-1):
            super().action_page_up()


class ReviewListScreen(Screen):
    """Saved calls, newest first, filtered by trainee, scenario and whether reviewed; read
    from the store a page at a time (`PAGE` calls), so a large store opens at once."""

    DEFAULT_CSS = """
    ReviewListScreen #review-filters { height: 3; }
    ReviewListScreen #review-filters Select { width: 1fr; }
    ReviewListScreen #review-table { height: 1fr; }
    ReviewListScreen #review-count { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "open", "Review"),
        Binding("escape", "back", "Back"),
        Binding("right_square_bracket", "page(1)", "Next page"),
        Binding("left_square_bracket", "page(-1)", "Previous page"),
        Binding("c", "cohort", "Cohort"),
    ]

    #: the first call of the page shown (0 for the newest), and how many calls match
    offset = 0
    total = 0

    def compose(self) -> ComposeResult:
        yield Header()
        store = self.app.store
        try:
            trainees = store.trainees()
            scenarios = store.scenario_ids()
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
            trainees, scenarios = [], []
        with Horizontal(id="review-filters"):
            yield Select(
                [(plain(t, keep_newlines=False), t) for t in trainees],
                prompt="Any trainee",
                id="filter-trainee",
            )
            yield Select(
                [(plain(s, keep_newlines=False), s) for s in scenarios],
                prompt="Any scenario",
                id="filter-scenario",
            )
            yield Select(
                [("To review", "todo"), ("Reviewed", "done")],
                prompt="Any review",
                id="filter-reviewed",
            )
        yield PagedTable(
            self.turn_page, id="review-table", cursor_type="row", zebra_stripes=True
        )
        yield Static(id="review-count")
        yield Footer()

    def on_mount(self) -> None:
        self.app.settle(self)
        self.sub_title = "Review calls"
        table = self.query_one(DataTable)
        table.add_column("Started", key="started", width=16)
        table.add_column("Trainee", key="trainee", width=12)
        table.add_column("Scenario", key="scenario")
        table.add_column("Score", key="score")
        table.add_column("Review", key="review", width=8)
        self.refill()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refill()  # a review just done shows as done

    def action_cohort(self) -> None:
        from callsim.tui.cohort import CohortScreen

        self.app.push_screen(CohortScreen())

    def _filter(self, select_id: str) -> str | None:
        value = self.query_one(select_id, Select).value
        return value if isinstance(value, str) else None

    def refill(self, cursor: int | None = None) -> None:
        """Read the page at `offset` (and how many calls match) and show it; the cursor stays
        on its row, or goes to `cursor` (-1: the last row)."""
        table = self.query_one(DataTable)
        keep = table.cursor_row if cursor is None else cursor
        table.clear()
        self.calls: dict[str, CallSummary] = {}
        status = self._filter("#filter-reviewed")
        filters = {
            "trainee": self._filter("#filter-trainee"),
            "scenario": self._filter("#filter-scenario"),
            "reviewed": None if status is None else status == "done",
        }
        store = self.app.store
        try:
            self.total = store.count_calls(**filters)
            if self.offset >= self.total:  # fewer calls than before: the last page there is
                self.offset = max(0, (self.total - 1) // PAGE * PAGE)
            calls = store.list_calls(**filters, limit=PAGE, offset=self.offset)
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
            self.total, self.offset, calls = 0, 0, []
        scores = shown_scores(store, calls)
        for c in calls:
            self.calls[c.id] = c
            review = "done" if c.reviewed else ("" if c.ended else "cut off")
            table.add_row(
                cell(when(c.started_at)),
                cell(c.trainee or "–"),
                cell(c.scenario_id),
                cell(scores[c.id]),
                Text(review, style="bold" if c.reviewed else "dim"),
                key=c.id,
            )
        if table.row_count:
            row = table.row_count - 1 if keep < 0 else min(keep, table.row_count - 1)
            table.move_cursor(row=row, scroll=True)
        total = self.total
        shown = f"{total:,} call{'s' if total != 1 else ''} · Enter or a click opens one"
        if total > PAGE:
            first, last = self.offset + 1, self.offset + len(calls)
            shown = (
                f"Calls {first:,}-{last:,} of {total:,}, newest first · Enter or a click opens "
                "one · ] next page, [ previous"
            )
        if not total:
            shown = "No saved calls match. Change the filters, or take and save some calls."
        self.query_one("#review-count", Static).update(Content(shown))  # '[' as typed
        self.refresh_bindings()

    def turn_page(self, step: int) -> bool:
        """Show the next (1) or previous (-1) page, if there is one; the cursor lands on the
        row next to where it left, so moving on reads as one list."""
        offset = self.offset + step * PAGE
        if offset < 0 or offset >= self.total:
            return False
        self.offset = offset
        self.refill(cursor=0 if step > 0 else -1)
        return True

    def action_page(self, step: int) -> None:
        self.turn_page(step)

    @on(Select.Changed)
    def _filtered(self) -> None:
        self.offset = 0
        self.refill(cursor=0)

    def current(self) -> CallSummary | None:
        return self.calls.get(highlighted_key(self.query_one(DataTable)) or "")

    @property
    def trainee_in_view(self) -> str | None:
        """Whose progress the progress screen opens on."""
        call = self.current()
        return self._filter("#filter-trainee") or (call.trainee if call else None)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        call = self.current()
        if call is not None:
            self.app.push_screen(CallReviewScreen(call.id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return len(self.app.screen_stack) > 1
        if action == "page":  # shown only while there is a page that way
            offset = self.offset + int(parameters[0]) * PAGE  # type: ignore[call-overload]
            return 0 <= offset < self.total
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


# -- one call under review -----------------------------------------------------------------------


def turn_contributions(
    grade: Grade | None, cleared: Iterable[str] = ()
) -> dict[int, list[Content]]:
    """Per turn, the points it earned or lost on each dimension and the flags it raised (a
    flag the mentor cleared said so: it no longer caps)."""
    cleared = set(cleared)
    out: dict[int, list[Content]] = defaultdict(list)
    if grade is None:
        return out
    for dim in grade.dimensions:
        title = dim.title or dim.id
        for kind, cites in (("earned", dim.earned), ("lost", dim.lost)):
            points: dict[int, float] = {}  # a turn cited twice on a dimension: one sum
            for cite in cites:
                for turn in cite.turns:
                    points[turn] = points.get(turn, 0) + cite.points
            for turn, total in points.items():
                shown = f" {total:+g}" if total else ""
                style = "$success" if kind == "earned" else "$error"
                out[turn].append(styled(f"{title}{shown}", style, keep_newlines=False))
    for flag in grade.flags:
        for turn in flag.turns:
            if flag.id in cleared:
                out[turn].append(styled("⚑ cleared by the mentor", "dim"))
            else:
                out[turn].append(styled(f"⚑ caps at {flag.cap}", "bold $error"))
    return out


class CallReviewScreen(Screen):
    """The transcript (tags, score contributions, comments) beside the rubric's dimensions."""

    DEFAULT_CSS = """
    CallReviewScreen #review-title { height: 2; padding: 0 1; background: $boost; }
    CallReviewScreen #review-title Static { height: 1; }
    CallReviewScreen #review-title-1 { text-style: bold; }
    CallReviewScreen #review-body { height: 1fr; }
    CallReviewScreen #review-turns { width: 1fr; height: 1fr; }
    CallReviewScreen #review-side { width: 36; height: 1fr; }
    CallReviewScreen #review-dims { height: auto; max-height: 12; }
    CallReviewScreen #review-dim-note { height: 1fr; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS = [
        Binding("c", "comment", "Comment"),
        Binding("g", "comment_call", "Call comment"),
        Binding("o", "override", "Override"),
        Binding("d", "done", "Review done"),
        Binding("e", "example", "Example to shadow", show=False),  # 80 columns: Esc shown
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, call_id: str) -> None:
        super().__init__()
        self.call_id = call_id

    def compose(self) -> ComposeResult:
        with Vertical(id="review-title"):
            yield Static(id="review-title-1")
            yield Static(id="review-title-2")
        with Horizontal(id="review-body"):
            yield OptionList(id="review-turns")
            with Vertical(id="review-side"):
                yield DataTable(id="review-dims", cursor_type="row")
                yield Static(id="review-dim-note")
        yield Footer()

    def on_mount(self) -> None:
        self.app.settle(self)
        store = self.app.store
        try:
            self.call_id = store.resolve_id(self.call_id)
            self.transcript = store.transcript(self.call_id)
            self.grade = store.grade(self.call_id)
        except StoreError as exc:  # a wrong id, say
            self.app.pop_screen()
            self.app.notify(store_error(exc), severity="error", timeout=10, markup=False)
            return
        self.contributions = turn_contributions(self.grade)
        table = self.query_one(DataTable)
        table.add_column("Dimension", key="dimension", width=18)
        table.add_column("Auto", key="auto", width=4)
        table.add_column("Mentor", key="mentor", width=6)
        self.refresh_review()
        self.query_one(OptionList).focus()

    # -- what is shown ------------------------------------------------------------------------

    def refresh_review(self) -> None:
        store = self.app.store
        try:
            self.summary = store.summary(self.call_id)
            self.comments = store.comments(self.call_id)
            self.scores = self._ordered(store.dimension_scores(self.call_id))
            self.cleared = {c.flag: c for c in store.corrections(self.call_id).cleared_flags}
            self.contributions = turn_contributions(self.grade, self.cleared)
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
            return
        self._fill_title()
        self._fill_turns()
        self._fill_dims()

    def _ordered(self, scores: list[DimensionScore]) -> list[DimensionScore]:
        order = [d.id for d in self.grade.dimensions] if self.grade is not None else []
        rank = {dim: i for i, dim in enumerate(order)}
        return sorted(scores, key=lambda d: (rank.get(d.dimension, len(rank)), d.dimension))

    def _fill_title(self) -> None:
        t, s, store = self.transcript, self.summary, self.app.store
        status = "review done" if s.reviewed else "to review"
        if not s.ended:
            status += " · cut off"
        if self._is_example():
            status += " · example to shadow"
        self.query_one("#review-title-1", Static).update(cell(t.scenario_title or t.scenario_id))
        self.query_one("#review-title-2", Static).update(
            join(
                plain(t.trainee or "no trainee", keep_newlines=False),
                f" · {when(s.started_at)} · {self.call_id[:8]} · grade {shown_score(store, s)}",
                f" · {outcome_words(s.outcome, short=True)} · ",
                styled(status, "bold $success" if s.reviewed else "bold $warning"),
            )
        )

    def _fill_turns(self) -> None:
        turns = self.query_one(OptionList)
        keep = turns.highlighted
        by_turn: dict[int | None, list[Comment]] = defaultdict(list)
        for c in self.comments:
            by_turn[c.turn].append(c)
        options = [Option(self._call_comments(by_turn.get(None, ())), id="call")]
        for turn in self.transcript.turns:
            parts = turn_parts(turn)
            gains = self.contributions.get(turn.index, [])
            if gains:
                parts.append("\n    ")
                for i, gain in enumerate(gains):
                    parts += [" · " if i else "", gain]
            for comment in by_turn.get(turn.index, ()):
                parts += ["\n", comment_line(comment)]
            options.append(Option(join(*parts), id=str(turn.index)))
        turns.set_options(options)
        if keep is None or keep >= len(options):  # start at the trainee's first reply
            said = [i for i, t in enumerate(self.transcript.turns, 1) if t.speaker == "trainee"]
            keep = said[0] if said else 0
        turns.highlighted = keep

    def _call_comments(self, comments: Iterable[Comment]) -> Content:
        parts: list[Content | str] = [styled("The whole call", "bold")]
        if not comments:
            parts.append(styled("  (g: comment on the whole call)", "dim"))
        for comment in comments:
            parts += ["\n", comment_line(comment)]
        if self.transcript.wrap_up:
            parts += ["\n    ", styled("notes: ", "dim"), plain(self.transcript.wrap_up)]
        return join(*parts)

    def _fill_dims(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for d in self.scores:
            mentor = Text(number(d.override), style="bold") if d.override is not None else ""
            table.add_row(cell(d.title or d.dimension), number(d.auto), mentor, key=d.dimension)
        for f in self.grade.flags if self.grade is not None else ():
            mentor = Text("cleared", style="bold") if f.id in self.cleared else ""
            table.add_row(cell(f"⚑ {f.message}"), f"≤{f.cap}", mentor, key=FLAG_KEY + f.id)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._fill_dim_note()

    def _current_dim(self) -> DimensionScore | None:
        key = highlighted_key(self.query_one(DataTable))
        return next((d for d in self.scores if d.dimension == key), None)

    def _current_flag(self) -> RaisedFlag | None:
        key = highlighted_key(self.query_one(DataTable)) or ""
        if self.grade is None or not key.startswith(FLAG_KEY):
            return None
        return next((f for f in self.grade.flags if FLAG_KEY + f.id == key), None)

    def _fill_flag_note(self, note: Static, f: RaisedFlag) -> None:
        parts: list[Content | str] = [
            styled("Critical flag", "bold $error"),
            f" (turn {f.turn}): ",
            plain(f.message),
            f"\ncaps the total at {f.cap}",
        ]
        cleared = self.cleared.get(f.id)
        if cleared is not None:
            by = f" ({cleared.author})" if cleared.author else ""
            parts += [f"\ncleared by the mentor{by}: ", plain(cleared.reason)]
            parts += ["\n", styled("o: restore the flag", "dim")]
        else:
            parts += ["\n", styled("o: clear it (raised by mistake) with a reason", "dim")]
        note.update(join(*parts))

    def _fill_dim_note(self) -> None:
        note = self.query_one("#review-dim-note", Static)
        flag = self._current_flag()
        if flag is not None:
            self._fill_flag_note(note, flag)
            return
        d = self._current_dim()
        if d is None:
            note.update("This call has no grade: comments only.")
            return
        parts: list[Content | str] = [
            styled(d.title or d.dimension, "bold"),
            f"\nauto-grade {number(d.auto)}",
        ]
        if d.override is not None:
            by = f" ({d.author})" if d.author else ""
            parts += [f"\nmentor{by}: ", styled(number(d.override), "bold"), "\n", plain(d.reason)]
        else:
            parts += ["\n", styled("o: override with a reason", "dim")]
        note.update(join(*parts))

    @on(DataTable.RowHighlighted, "#review-dims")
    def _dim_highlighted(self) -> None:
        self._fill_dim_note()

    @on(DataTable.RowSelected, "#review-dims")
    def _dim_selected(self) -> None:
        self.action_override()

    @on(OptionList.OptionSelected, "#review-turns")
    def _turn_selected(self) -> None:
        self.action_comment()

    # -- the mentor's changes (each saved at once) --------------------------------------------

    def _turn(self) -> int | None:
        turns = self.query_one(OptionList)
        if turns.highlighted is None:
            return None
        option_id = turns.get_option_at_index(turns.highlighted).id
        return None if option_id in (None, "call") else int(option_id)

    def action_comment(self) -> None:
        self._comment(self._turn())

    def action_comment_call(self) -> None:
        self._comment(None)

    def _comment(self, turn: int | None) -> None:
        if turn is None:
            about = Content("Comment on the whole call")
        else:
            said = self.transcript.turns[turn]
            who = SPEAKERS.get(said.speaker, said.speaker)
            text = said.text if len(said.text) <= 60 else said.text[:59] + "…"
            about = join(f"Comment on turn {turn} ({who}: ", plain(text, keep_newlines=False), ")")

        def save(text: str) -> None:
            self.app.store.add_comment(self.call_id, text, turn=turn, author=self.app.mentor)

        self.app.push_screen(CommentDialog(about, save), self._saved)

    def action_override(self) -> None:
        flag = self._current_flag()
        if flag is not None:
            self._clear_flag(flag)
            return
        d = self._current_dim()
        if d is None:
            self.notify("This call has no graded dimensions to override.", severity="warning")
            return

        def save(score: float, reason: str) -> None:
            store = self.app.store
            store.set_override(self.call_id, d.dimension, score, reason, author=self.app.mentor)

        def remove() -> None:
            self.app.store.clear_override(self.call_id, d.dimension)

        self.app.push_screen(
            OverrideDialog(d, save, remove if d.override is not None else None), self._saved
        )

    def _clear_flag(self, flag: RaisedFlag) -> None:
        store = self.app.store

        def save(reason: str) -> None:
            store.clear_flag(self.call_id, flag.id, reason, author=self.app.mentor)

        def restore() -> None:
            store.restore_flag(self.call_id, flag.id)

        cleared = self.cleared.get(flag.id)
        self.app.push_screen(
            FlagDialog(flag, save, restore if cleared is not None else None), self._saved
        )

    def action_done(self) -> None:
        done = not self.summary.reviewed
        try:
            self.app.store.mark_reviewed(self.call_id, reviewer=self.app.mentor, done=done)
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
            return
        self.notify("Review marked done." if done else "Review reopened.")
        self.refresh_review()

    def _is_example(self) -> bool:
        from callsim.sim.store_training import is_example

        try:
            return is_example(self.app.store, self.call_id)
        except StoreError:
            return False

    def action_example(self) -> None:
        """Offer this call to trainees to shadow as an example of its scenario (again: no
        longer); sim/store_training.py keeps the mark."""
        from callsim.sim.store_training import is_example, mark_example, unmark_example

        store = self.app.store
        try:
            if is_example(store, self.call_id):
                unmark_example(store, self.call_id)
                self.notify("No longer an example to shadow.")
            else:
                mark_example(store, self.call_id, mentor=self.app.mentor)
                self.notify(
                    "Marked as an example: trainees can shadow it from the scenario's briefing "
                    "(Listen to a model call).",
                    markup=False,
                )
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
            return
        self._fill_title()

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.refresh_review()


# -- dialogs -------------------------------------------------------------------------------------

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 100%; height: auto; border: thick $primary;
    background: $surface; padding: 0 1;
}}
{name} .dialog-error {{ color: $text-error; height: auto; }}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin-left: 1; }}
"""


class StoreDialog(ModalScreen[bool]):
    """A mentor's dialog that writes to the store: a refusal is shown in the dialog (which
    stays open), success closes it. Escape or Cancel closes it unsaved."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def on_mount(self) -> None:
        self.app.settle(self)
        self.query_one(Input).focus()

    def _error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(Content(message))

    def _write(self, change: Callable[[], object]) -> None:
        try:
            change()
        except StoreError as exc:
            self._error(store_error(exc))
            return
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class CommentDialog(StoreDialog):
    """One comment; Enter saves (to the store at once), Escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CommentDialog")

    def __init__(self, about: Content, save: Callable[[str], None]) -> None:
        super().__init__()
        self.about = about
        self.saver = save

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.about)
            yield Input(placeholder="What the trainee should know about this", id="comment-text")
            yield Static(classes="dialog-error")
            with Horizontal():
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        text = self.query_one(Input).value
        if not text.strip():
            self._error("A comment needs some text.")
            return
        self._write(lambda: self.saver(text))


class OverrideDialog(StoreDialog):
    """A mentor's score for one dimension, with the reason (required) it differs."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="OverrideDialog")
        + """
    OverrideDialog Input { margin-bottom: 0; }
    """
    )

    def __init__(
        self,
        dimension: DimensionScore,
        save: Callable[[float, str], None],
        remove: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.dimension = dimension
        self.saver = save
        self.remover = remove

    def compose(self) -> ComposeResult:
        d = self.dimension
        with Vertical():
            yield Label(
                join(
                    "Override ",
                    styled(d.title or d.dimension, "bold", keep_newlines=False),
                    f" (auto-grade {number(d.auto)})",
                )
            )
            yield Input(
                value="" if d.override is None else f"{d.override:g}",
                placeholder="Score, 0-100",
                id="override-score",
            )
            yield Input(
                value=d.reason or "",
                placeholder="Reason: what the auto-grade missed (required)",
                id="override-reason",
            )
            yield Static(classes="dialog-error")
            with Horizontal():
                yield Button("Save", id="save", variant="primary")
                if self.remover is not None:
                    yield Button("Remove override", id="remove", variant="warning")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#override-score")
    def _to_reason(self) -> None:
        self.query_one("#override-reason", Input).focus()

    @on(Input.Submitted, "#override-reason")
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        raw = self.query_one("#override-score", Input).value.strip()
        reason = self.query_one("#override-reason", Input).value
        try:
            score = float(raw)
        except ValueError:
            score = -1.0
        if not 0 <= score <= 100:
            self._error("Give a score from 0 to 100.")
            self.query_one("#override-score", Input).focus()
            return
        if not reason.strip():
            self._error("Give a reason: what the auto-grade missed. An override needs one.")
            self.query_one("#override-reason", Input).focus()
            return
        self._write(lambda: self.saver(score, reason))

    @on(Button.Pressed, "#remove")
    def _remove(self) -> None:
        if self.remover is not None:
            self._write(self.remover)


class FlagDialog(StoreDialog):
    """Clear a critical flag the grader raised by mistake (a reason is required), or restore
    one cleared before. A cleared flag no longer caps the call's total."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FlagDialog")

    def __init__(
        self,
        flag: RaisedFlag,
        save: Callable[[str], None],
        restore: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.flag = flag
        self.saver = save
        self.restorer = restore

    def compose(self) -> ComposeResult:
        f = self.flag
        with Vertical():
            yield Label(
                join(
                    "Clear the critical flag ",
                    styled(f.message, "bold", keep_newlines=False),
                    f" (turn {f.turn}; it caps the total at {f.cap})",
                )
            )
            yield Input(
                placeholder="Reason: why it was raised by mistake (required)", id="flag-reason"
            )
            yield Static(classes="dialog-error")
            with Horizontal():
                yield Button("Clear flag", id="save", variant="primary")
                if self.restorer is not None:
                    yield Button("Restore flag", id="restore", variant="warning")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        reason = self.query_one(Input).value
        if not reason.strip():
            self._error(
                "Give a reason: why the flag was raised by mistake. Clearing one needs it."
            )
            return
        self._write(lambda: self.saver(reason))

    @on(Button.Pressed, "#restore")
    def _restore(self) -> None:
        if self.restorer is not None:
            self._write(self.restorer)


# -- the mentor's app ----------------------------------------------------------------------------


class ReviewApp(CallsimApp):
    """`callsim review`: the list of calls to review first; with an id, that call."""

    TITLE = "callsim review"
    SUB_TITLE = "the mentor's review"
    for_mentor = True

    def __init__(self, *, mentor: str | None = None, open_call: str | None = None, **kw: Any):
        kw.setdefault("tagger", _no_tags)  # the mentor's app takes no calls
        super().__init__(**kw)
        self.mentor = mentor
        self.open_call = open_call

    def get_default_screen(self) -> Screen:
        return ReviewListScreen()

    def on_mount(self) -> None:  # Textual also runs CallsimApp.on_mount (installs the screens)
        if self.open_call:
            self.push_screen(CallReviewScreen(self.open_call))
