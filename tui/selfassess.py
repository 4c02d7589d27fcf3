"""Self-assessment: before the debrief, the trainee rates each rubric dimension and says in one
line what they would do differently.

Shown between the wrap-up notes and the debrief (the call is graded in the background
meanwhile); the debrief then sets the trainee's view beside the grade (sim/self_assessment.py).
Every part can be left out, and Esc skips it all. The ratings and the line are saved with the
call (sim/store_training.py) and kept verbatim.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from callsim.sim.self_assessment import rubric_dimensions
from callsim.sim.session import CallSession
from callsim.sim.store import StoreError
from callsim.sim.store_training import (
    DIFFERENTLY_MAX,
    RATINGS,
    SelfAssessment,
    check_self_assessment,
    save_self_assessment,
)
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import KeysFooter

PROMPT = (
    "How did you do? Rate each part of the call as you see it, before you see the grade: "
    "Left/Right (or 1 poor, 2 fair, 3 good) on the highlighted line, 0 clears it."
)


class RatingList(OptionList):
    """One line per rubric dimension; Left/Right or 1-3 set the highlighted line's rating."""

    BINDINGS = [
        Binding("left", "rate(-1)", "Lower", show=False),
        Binding("right", "rate(1)", "Higher", show=False),
        Binding("1", "set_rating('poor')", "Poor"),
        Binding("2", "set_rating('fair')", "Fair"),
        Binding("3", "set_rating('good')", "Good"),
        Binding("0", "set_rating('')", "Clear", show=False),
    ]

    def __init__(self, dimensions: list[tuple[str, str]], **kw) -> None:
        self.dimensions = dimensions
        self.ratings: dict[str, str] = {}
        self._width = max((len(title) for _, title in dimensions), default=10)
        super().__init__(*[Option(self._prompt(d, t), id=d) for d, t in dimensions], **kw)

    def _prompt(self, dim: str, title: str) -> Content:
        chosen = self.ratings.get(dim)
        parts: list[Content | str] = [plain(f"{title:<{self._width}}  ", keep_newlines=False)]
        for rating in RATINGS:
            if rating == chosen:
                parts += [styled(f"[{rating}]", "bold reverse"), " "]
            else:
                parts += [styled(f" {rating} ", "dim"), " "]
        return join(*parts)

    def _set(self, index: int, rating: str | None) -> None:
        dim, title = self.dimensions[index]
        if rating:
            self.ratings[dim] = rating
        else:
            self.ratings.pop(dim, None)
        self.replace_option_prompt_at_index(index, self._prompt(dim, title))

    def action_rate(self, step: int) -> None:
        if self.highlighted is None:
            return
        dim = self.dimensions[self.highlighted][0]
        now = self.ratings.get(dim)
        if now is None:
            at = 1  # the first press lands in the middle: fair
        else:
            at = min(len(RATINGS) - 1, max(0, RATINGS.index(now) + step))
        self._set(self.highlighted, RATINGS[at])

    def action_set_rating(self, rating: str) -> None:
        if self.highlighted is not None:
            self._set(self.highlighted, rating or None)
            if rating and self.highlighted < len(self.dimensions) - 1:
                self.highlighted += 1  # on to the next dimension


class SelfAssessScreen(Screen):
    DEFAULT_CSS = """
    SelfAssessScreen #self-assess { padding: 0 1; }
    SelfAssessScreen #self-title { height: 1; text-style: bold; }
    SelfAssessScreen #self-prompt { height: auto; color: $text-muted; }
    SelfAssessScreen #ratings { height: auto; max-height: 12; }
    SelfAssessScreen #differently-label { height: 1; margin-top: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Save & see debrief", priority=True),
        Binding("escape", "skip", "Skip"),
    ]

    def __init__(self, session: CallSession) -> None:
        super().__init__()
        self.session = session
        #: Set when grading failed while this screen was up: the debrief is told.
        self.grading_error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="self-assess"):
            yield Static("Assess yourself", id="self-title")
            yield Static(PROMPT, id="self-prompt")
            yield RatingList(rubric_dimensions(), id="ratings")
            yield Static(
                "What would you do differently next time? (one line)", id="differently-label"
            )
            yield Input(
                id="differently",
                max_length=DIFFERENTLY_MAX,
                placeholder="Next time I would…",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save & see debrief", id="submit", variant="primary")
                yield Button("Skip", id="skip")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.settle(self)
        self.query_one(RatingList).focus()

    def show_grading_failed(self, message: str) -> None:
        self.grading_error = message

    def show_grade(self, grade: object) -> None:
        """Graded while the trainee assesses: the debrief reads it from the session."""

    @on(Input.Submitted, "#differently")
    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        assessment = SelfAssessment(
            dict(self.query_one(RatingList).ratings), self.query_one("#differently", Input).value
        )
        problem = check_self_assessment(assessment)
        if problem is not None:
            self.notify(problem, severity="error", markup=False)
            return
        store = self.app.store
        if store is not None and not assessment.empty:
            try:
                save_self_assessment(store, self.session.call_id, assessment)
            except StoreError as exc:  # told; the debrief still shows it beside the grade
                self.notify(
                    f"Your self-assessment could not be saved: {exc}",
                    severity="error",
                    timeout=10,
                    markup=False,
                )
        self.app.show_debrief(self.session, None if assessment.empty else assessment, self)

    @on(Button.Pressed, "#skip")
    def action_skip(self) -> None:
        self.app.show_debrief(self.session, None, self)
