"""Progress: each rubric dimension's trend over a trainee's calls as a chart in the terminal,
first-contact resolution, handling time and satisfaction over time, the weakest dimensions and
the development plan.

All figures and the plan come from sim/store_progress.py (the same report `callsim progress`
prints); this screen only draws them. Charts use one fixed scale per kind (0-100 for scores)
so two dimensions' lines compare at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, Select, Static

from callsim.sim.commands.progress import (
    basis,
    basis_note,
    clock,
    graded_calls,
    recent_basis,
    sparkline,
    trend_text,
)
from callsim.sim.store import StoreError
from callsim.tui.calls import store_error
from callsim.tui.text import join, plain, styled

if TYPE_CHECKING:
    from callsim.sim.store_progress import Report
    from callsim.tui.app import CallsimApp

NAME_WIDTH = 24
CHART_WIDTH = 24
PROGRESS_KEY = "p"


def install(app: CallsimApp) -> None:
    if app.store is None:
        return
    app.add_screen(
        "progress",
        "Progress",
        lambda: ProgressScreen(_trainee_hint(app), pick=app.for_mentor),
        key=PROGRESS_KEY,
    )


def _trainee_hint(app: CallsimApp) -> str | None:
    """Whose progress opens: the trainee's own; a mentor's, the trainee in view."""
    from callsim.tui.review import ReviewListScreen

    if not app.for_mentor:
        return app.trainee
    if isinstance(app.screen, ReviewListScreen):
        return app.screen.trainee_in_view or app.trainee
    return app.trainee


def _level_style(value: float, low: float, high: float) -> str:
    share = (value - low) / ((high - low) or 1)
    return "$error" if share < 0.5 else "$warning" if share < 0.75 else "$success"


def chart(values: Sequence[float], low: float = 0, high: float = 100, good_high: bool = True):
    """A fixed-scale bar line, each bar coloured by how good its value is."""
    bars = sparkline(values, low, high)
    parts = []
    for bar, value in zip(bars, values, strict=True):
        level = value if good_high else high - (value - low)
        parts.append(styled(bar, _level_style(level, low, high)))
    return join(*parts) if parts else Content("")


def _name(text: str) -> Content:
    text = text if len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "…"
    return plain(f"{text:<{NAME_WIDTH}}", keep_newlines=False)


def _row(name: str, line: Content, width: int, change: str) -> list[Content | str]:
    pad = " " * max(0, width - len(line.plain))
    return [_name(name), " ", line, pad, "  ", change, "\n"]


def render_report(rep: Report) -> Content:
    """The report from sim.store_progress.report as styled, inert Content."""
    from callsim.sim.store_progress import buckets

    calls = f"{rep.calls} call{'s' if rep.calls != 1 else ''}"
    parts: list[Content | str] = [
        styled("Progress of ", "bold"),
        styled(rep.trainee, "bold", keep_newlines=False),
        f": {calls}\n\n",
    ]
    graded = graded_calls(rep)
    if rep.trends:
        if note := basis_note(graded):
            parts += [note, "\n"]
        head = f"{'Dimension':<{NAME_WIDTH}} {'scores, oldest → newest':<{CHART_WIDTH}}  "
        parts += [styled(head + basis(graded, "→"), "dim"), "\n"]
        for t in rep.trends:
            line = chart(buckets(t.scores, CHART_WIDTH))
            change = trend_text(
                t.comparison, lambda v: f"{v:5.1f}", shared=graded, to="→", direction=True
            )
            parts += _row(t.title, line, CHART_WIDTH, change)
    else:
        parts.append("No graded calls yet: scores appear once calls are graded.\n")
    if rep.fcr and rep.fcr_trend is not None:
        width = len(rep.fcr)
        ended = rep.fcr_trend.calls
        parts += ["\n", styled("Over time", "bold"), "  ", styled(basis(ended, "→"), "dim"), "\n"]
        parts += _row(
            "First-contact resolution",
            chart(rep.fcr),
            width,
            trend_text(rep.fcr_trend, lambda v: f"{v:.0f}%", shared=ended, to="→"),
        )
        high = max(rep.handling) or 1
        parts += _row(
            "Average handling time",
            chart(rep.handling, 0, high, good_high=False),
            width,
            trend_text(rep.handling_trend, clock, shared=ended, to="→"),
        )
        if rep.satisfaction:
            parts += _row(
                "Satisfaction estimate",
                chart(rep.satisfaction, 1, 5),
                width,
                trend_text(rep.satisfaction_trend, lambda v: f"{v:.1f}/5", shared=ended, to="→"),
            )
    if rep.weakest:
        parts += ["\n", styled(f"Weakest now ({recent_basis(graded)})", "bold"), "\n"]
        for t in rep.weakest:
            parts += ["  ", plain(t.title, keep_newlines=False), f": {t.recent:.1f}\n"]
        parts += ["\n", styled("Development plan", "bold"), " (scenarios that train them, "]
        parts += ["easiest first)\n"]
        if not rep.plan:
            parts.append("  No scenario in the library trains these; ask a trainer for one.\n")
        current = None
        for step in rep.plan:
            if step.dimension != current:
                current = step.dimension
                title = next(t.title for t in rep.weakest if t.dimension == step.dimension)
                parts += ["  ", styled(title, "bold", keep_newlines=False), "\n"]
            taken = f", taken {step.taken}×" if step.taken else ""
            parts += [
                "    • ",
                plain(step.title, keep_newlines=False),
                styled(f" (difficulty {step.difficulty}/5{taken})", "dim"),
                "\n",
            ]
    return join(*parts)


def training_lines(store, trainee: str, points: Sequence, titles: dict[str, str]) -> list[str]:
    """The goals' status and the self-assessment match, as `callsim progress` says them; no
    lines for a trainee with neither (sim/commands/progress.py)."""
    from callsim.sim.commands.progress import goal_lines, self_assessment_lines
    from callsim.sim.store_training import self_assessments

    out = goal_lines(store, trainee, titles)
    if self_assessments(store, [p.call_id for p in points]):
        if out:
            out.append("")
        out += self_assessment_lines(store, points, titles, CHART_WIDTH)
    return out


class ProgressScreen(Screen):
    """One trainee's progress. A mentor (`pick`) picks the trainee at the top; a trainee sees
    only their own."""

    DEFAULT_CSS = """
    ProgressScreen #progress-trainee { width: 40; }
    ProgressScreen #progress-body { height: 1fr; padding: 0 1; }
    ProgressScreen LoadingIndicator { height: 3; }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, trainee: str | None = None, *, pick: bool = True) -> None:
        super().__init__()
        self.trainee = trainee
        self.pick = pick

    def compose(self) -> ComposeResult:
        yield Header()
        if self.pick:
            yield self._trainee_select()
        yield LoadingIndicator()
        with VerticalScroll(id="progress-body"):
            yield Static(id="progress-report")
        yield Footer()

    def _trainee_select(self) -> Select:
        try:
            trainees = self.app.store.trainees()
        except StoreError as exc:
            self.notify(store_error(exc), severity="error", markup=False)
            trainees = []
        if self.trainee is None and trainees:
            self.trainee = trainees[0]
        if self.trainee is not None and self.trainee not in trainees:
            trainees.append(self.trainee)
        return Select(
            [(plain(t, keep_newlines=False), t) for t in trainees],
            prompt="Pick a trainee",
            value=self.trainee if self.trainee is not None else Select.NULL,
            allow_blank=self.trainee is None,  # once someone is shown, the list is trainees only
            id="progress-trainee",
        )

    def on_mount(self) -> None:
        self.app.settle(self)
        self.sub_title = "Progress"
        self.show(self.trainee)

    @on(Select.Changed, "#progress-trainee")
    def _picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.trainee:
            self.trainee = event.value
            self.show(event.value)

    def show(self, trainee: str | None) -> None:
        if trainee is None:
            self.query_one(LoadingIndicator).display = False
            self.query_one("#progress-report", Static).update(
                "No calls saved yet: progress shows once a trainee has taken calls."
                if self.pick
                else "No trainee name yet, so no calls are yours. Press Escape, then t on the "
                "home screen to say who is training; the calls you take after that show here."
            )
            return
        self.query_one(LoadingIndicator).display = True
        self.load(trainee)

    @work(thread=True, exclusive=True, group="progress")
    def load(self, trainee: str) -> None:
        """Reading the store and the scenario library can take a moment: off the UI thread."""
        from callsim.sim.store_progress import report

        store = self.app.store
        try:
            points = store.progress(trainee)
            titles = store.dimension_titles()
        except StoreError as exc:
            self.app.call_from_thread(self._shown, Content(store_error(exc)))
            return
        if not points:
            text = plain(f"No finished calls by {trainee} yet.", keep_newlines=False)
            self.app.call_from_thread(self._shown, text)
            return
        library = [e.loaded.scenario for e in self.app.catalogue if e.loaded is not None]
        rep = report(trainee, points, library, titles=titles, width=CHART_WIDTH)
        content = render_report(rep)
        try:
            extra = training_lines(store, trainee, points, titles)
        except StoreError as exc:
            extra = [store_error(exc)]
        if extra:  # the mentor's goals and how self-assessment matches (issue 17)
            content = join(content, "\n", *[join(plain(line), "\n") for line in extra])
        self.app.call_from_thread(self._shown, content)

    def _shown(self, content: Content) -> None:
        self.query_one(LoadingIndicator).display = False
        self.query_one("#progress-report", Static).update(content)
