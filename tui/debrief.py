"""Debrief: the grade by dimension with the turns behind it, critical flags, KPIs, what to try
instead; then retry the call, or rewind to an earlier reply and replay from there.

The debrief only shows a grade: the call is graded and saved by `CallSession.finish`, which the
app runs (`CallsimApp.finish_call`) whether or not this screen is still open when it is done.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import (
    Button,
    LoadingIndicator,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from callsim.engine.transcript import Transcript
from callsim.grading.adjusted import AdjustedGrade
from callsim.grading.grader import Citation, Grade
from callsim.sim.corrections import shown_grade
from callsim.sim.self_assessment import Beside, beside_grade
from callsim.sim.session import CallSession
from callsim.sim.store import StoreError
from callsim.sim.store_training import SelfAssessment, self_assessment
from callsim.tui.grades import DebriefView, debrief_view
from callsim.tui.mentor import comment_line, mentor_notes, review_section
from callsim.tui.text import join, plain, styled
from callsim.tui.widgets import KeysFooter

TABS = ("grade", "transcript", "rewind")


class DebriefScroll(VerticalScroll):
    """The grade or the transcript: Up/Down and Page Up/Down scroll it; Left/Right move to
    the tab beside it (nothing here scrolls sideways)."""

    BINDINGS = [
        Binding("left", "screen.next_tab(-1)", "Previous tab", show=False),
        Binding("right", "screen.next_tab(1)", "Next tab", show=False),
    ]


class DebriefScreen(Screen):
    BINDINGS = [
        Binding("r", "retry", "Retry call"),
        Binding("w", "rewind", "Rewind to a reply"),
        Binding("h", "home", "Home"),
        # with the buttons focused, the keys still reach the tabs and what they show
        Binding("left", "next_tab(-1)", "Previous tab", show=False),
        Binding("right", "next_tab(1)", "Next tab", show=False),
        Binding("up", "scroll('up')", show=False),
        Binding("down", "scroll('down')", show=False),
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
        Binding("home", "scroll('home')", show=False),
        Binding("end", "scroll('end')", show=False),
    ]

    def __init__(
        self,
        session: CallSession,
        *,
        transcript: Transcript | None = None,
        saved_grade: Grade | None = None,
        self_view: SelfAssessment | None = None,
    ) -> None:
        """A saved call's debrief passes its stored `transcript` and `saved_grade` (shown as
        graded then). Otherwise the session's grade is shown once `finish` has made it.
        `self_view` is the trainee's self-assessment, set beside the grade (a saved call's is
        read from the store)."""
        super().__init__()
        self.session = session
        self.self_view = self_view
        self.transcript = transcript or session.transcript()
        self.saved_grade = saved_grade
        self.view: DebriefView | None = None
        self._ready = False  # composed and mounted: the grade can be drawn
        self._grading_error: str | None = None
        self.beside: dict[str, Beside] = {}

    def compose(self) -> ComposeResult:
        self.mentor = mentor_notes(self.app.store, self.transcript.call_id)
        sc = self.session.scenario
        yield Static(join(styled("Debrief", "bold"), "  ·  ", plain(sc.title)), id="debrief-title")
        with TabbedContent(id="debrief-tabs", initial="grade"):
            with TabPane("Grade", id="grade"):
                yield LoadingIndicator(id="grading")
                with DebriefScroll(id="grade-body"):
                    yield Static(id="grade-text")
            with TabPane("Transcript", id="transcript"):
                with DebriefScroll(id="transcript-body"):
                    yield Static(self._transcript_text(), id="transcript-text")
            with TabPane("Rewind", id="rewind"):
                options = self._rewind_options()
                yield Static(
                    "Pick a reply to take again; the call replays up to it."
                    if options
                    else "You said nothing in this call, so there is no reply to rewind to: "
                    "retry the call instead."
                )
                yield OptionList(*options, id="rewind-list")
        with Horizontal(id="debrief-buttons", classes="dialog-buttons"):
            yield Button("Retry call", id="retry", variant="primary")
            yield Button("Rewind…", id="rewind-button")
            yield Button("Home", id="home")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.settle(self)
        self.query_one("#grade-body").display = False
        self._ready = True
        grade = self.saved_grade or self.session.grade
        if grade is not None:
            self.show_grade(grade)
        elif self._grading_error is not None:
            self.show_grading_failed(self._grading_error)

    def show_grade(self, grade: Grade) -> None:
        """Show the grade (the app calls this when the call it is finishing has been graded;
        graded before this screen was mounted, `on_mount` shows it)."""
        if not self._ready:
            return
        if self.saved_grade is None:
            self.transcript = self.session.transcript()  # with the notes `finish` kept
        adjusted = shown_grade(self.app.store, self.transcript.call_id, grade)
        view = debrief_view(self.transcript, adjusted)
        self.view = view
        self.beside = self._beside(adjusted)
        self.query_one("#grading").display = False
        self.query_one("#grade-body").display = True
        self.query_one("#grade-text", Static).update(self._grade_text(view))
        self._focus_body()

    def show_grading_failed(self, message: str) -> None:
        """Grading could not run (a damaged rubric file, say): the call is kept, ungraded."""
        self._grading_error = message
        if not self._ready:  # failed before this screen was mounted: `on_mount` shows it
            return
        self.query_one("#grading").display = False
        self.query_one("#grade-body").display = True
        self.query_one("#grade-text", Static).update(
            join(
                styled("The call was saved, but could not be graded.", "bold"),
                "\n\n",
                plain(message),
            )
        )
        self._focus_body()

    def _beside(self, adjusted: AdjustedGrade | None) -> dict[str, Beside]:
        """The trainee's rating of each dimension beside the grade's, by dimension title."""
        if adjusted is None:
            return {}
        if self.self_view is None and self.app.store is not None:
            try:
                self.self_view = self_assessment(self.app.store, self.transcript.call_id)
            except StoreError:
                self.self_view = None
        if self.self_view is None:
            return {}
        overrides = {o.dimension: o.score for o in adjusted.corrections.overrides}
        return {b.title: b for b in beside_grade(self.self_view, adjusted.auto, overrides)}

    def _focus_body(self) -> None:
        """The grade takes the keys (scrolling) once it is shown, unless the trainee has
        already moved on to another tab."""
        if self.query_one("#debrief-tabs", TabbedContent).active == "grade":
            self.query_one("#grade-body").focus()

    def _grade_text(self, view: DebriefView) -> Content:
        parts: list[Content | str] = []
        if view.overall is not None:
            parts += [styled(f"Grade {view.overall}", "bold"), "\n\n"]
        if view.corrections:
            parts += [styled("Mentor's correction", "bold $warning"), "\n"]
            for line in view.corrections:
                parts += [plain(line), "\n"]
            parts.append("\n")
        covered = {"Handling time", "Customer mood", "Hints used"} if view.kpis else set()
        for label, value in view.summary:
            if label not in covered:  # the KPIs below say it with the grade's figures
                parts += [styled(f"{label}: ", "bold"), plain(value), "\n"]
        if view.note:
            parts += ["\n", styled(view.note, "italic"), "\n"]
        if view.flags:
            parts += ["\n", styled("Critical flags", "bold $text-error"), "\n"]
            for flag in view.flags:
                parts += ["⚑ ", *self._cite(flag)]
        if view.cleared_flags:
            parts += ["\n", styled("Critical flags cleared by the mentor", "bold"), "\n"]
            for text in view.cleared_flags:
                parts += [plain(text), " (no longer caps the total)\n"]
        if view.dimensions:
            parts += ["\n", styled("By dimension", "bold"), "\n"]
            if self.beside:
                parts += self._self_summary()
            for dim in view.dimensions:
                parts += [styled(dim.name, "bold"), "  ", plain(dim.score)]
                if dim.name in self.beside:
                    parts += ["  ·  ", styled(self.beside[dim.name].words(), "$accent")]
                parts.append("\n")
                if dim.anchor:
                    parts += ["  ", styled(dim.anchor, "italic"), "\n"]
                for cite in dim.earned:
                    parts += ["  + ", *self._cite(cite)]
                for cite in dim.lost:
                    parts += ["  − ", *self._cite(cite)]
        if view.kpis:
            parts += ["\n", styled("KPIs", "bold"), "\n"]
            for label, value in view.kpis:
                parts += [f"{label}: ", plain(value), "\n"]
        if view.wrap_up:
            parts += ["\n", styled("Wrap-up notes check", "bold"), "\n"]
            for line in view.wrap_up:
                parts += [plain(line), "\n"]
        if view.feedback:
            parts += ["\n", styled("What to try instead", "bold"), "\n"]
            for item in view.feedback:
                parts += ["→ ", *self._cite(item)]
        if self.transcript.wrap_up:
            parts += ["\n", styled("Your notes", "bold"), "\n", plain(self.transcript.wrap_up)]
        if self.self_view is not None and self.self_view.differently.strip():
            parts += ["\n\n", styled("What you would do differently", "bold"), "\n"]
            parts.append(plain(self.self_view.differently))
        parts += review_section(self.mentor)
        parts += self._peer_section()
        return join(*parts)

    def _peer_section(self) -> list[Content | str]:
        """Colleagues' comments (peer review), apart from the mentor's: they change no score."""
        if self.app.store is None:
            return []
        from callsim.sim.store_peer import peer_comments

        try:
            comments = peer_comments(self.app.store, self.transcript.call_id)
        except StoreError:
            return []
        if not comments:
            return []
        parts: list[Content | str] = [
            "\n",
            styled("From colleagues (peer review)", "bold"),
            styled("  they do not change the grade", "dim"),
            "\n",
        ]
        for c in comments:
            where = "the whole call" if c.turn is None else f"turn {c.turn}"
            parts += [styled("✎ ", "bold"), plain(c.author, keep_newlines=False), f" on {where}: "]
            parts += [plain(c.text), "\n"]
        return parts

    def _self_summary(self) -> list[Content | str]:
        """One line on how the trainee's own view matched the grade."""
        verdicts = [b.verdict for b in self.beside.values() if b.verdict is not None]
        if not verdicts:
            return [styled("You rated no dimension the grade scored.", "italic"), "\n"]
        matched = verdicts.count("matches")
        return [
            styled(
                f"Your own view matched the grade on {matched} of {len(verdicts)} dimensions "
                f"(higher on {verdicts.count('higher')}, lower on {verdicts.count('lower')}).",
                "italic",
            ),
            "\n",
        ]

    def _cite(self, cite: Citation) -> list[Content | str]:
        """One cited piece of evidence: turn(s), points, why, the words, what to try."""
        out: list[Content | str] = []
        if cite.turns:
            label = "turns " if len(cite.turns) > 1 else "turn "
            out.append(label + ", ".join(map(str, cite.turns)))
            out.append(f" ({cite.points:+g}): " if cite.points else ": ")
        out += [plain(cite.why), "\n"]
        if cite.quote:
            who = {"trainee": "you", "notes": "notes"}.get(cite.quote_by or "", cite.quote_by)
            out += ["      ", styled(f"{who}: " if who else "", "dim")]
            quote = self._whole(cite)
            out += [styled(f"“{quote}”", "italic", keep_newlines=False), "\n"]
        if cite.try_:
            out += ["      try: ", plain(cite.try_), "\n"]
        return out

    def _whole(self, cite: Citation) -> str:
        """The quote in full: the grade keeps a long reply's first 150 characters or so, often
        cut before the words it judged; the transcript has all of it."""
        quote = cite.quote or ""
        if not quote.endswith("…"):
            return quote
        if cite.quote_by == "notes":
            said = self.transcript.wrap_up
        else:
            turns = self.transcript.turns
            said = turns[cite.turn].text if 0 <= cite.turn < len(turns) else None
        whole = " ".join((said or "").split())
        return whole if whole.startswith(quote[:-1].rstrip()) else quote

    # -- moving about -------------------------------------------------------------------------

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one("#debrief-tabs", TabbedContent)
        at = TABS.index(tabs.active) if tabs.active in TABS else 0
        tab = TABS[(at + step) % len(TABS)]
        tabs.active = tab
        target = {"grade": "#grade-body", "transcript": "#transcript-body"}.get(tab)
        self.query_one(target or "#rewind-list").focus()

    def action_scroll(self, how: str) -> None:
        """Scroll what the open tab shows (the keys reach here when a button has focus)."""
        tabs = self.query_one("#debrief-tabs", TabbedContent)
        if tabs.active == "rewind":
            return
        body = self.query_one("#grade-body" if tabs.active == "grade" else "#transcript-body")
        {
            "up": body.action_scroll_up,
            "down": body.action_scroll_down,
            "page_up": body.action_page_up,
            "page_down": body.action_page_down,
            "home": body.action_scroll_home,
            "end": body.action_scroll_end,
        }[how]()

    # -- the record ---------------------------------------------------------------------------

    def _transcript_text(self) -> Content:
        name = self.session.scenario.customer.name
        parts: list[Content | str] = []
        for turn in self.transcript.turns:
            who = {"customer": name, "trainee": "You", "action": "Action"}.get(
                turn.speaker, turn.speaker
            )
            parts += [styled(f"{turn.index:>3} {who}: ", "bold"), plain(turn.text)]
            if turn.result:
                parts += [" → ", plain(turn.result)]
            if turn.tags:
                parts += [styled(f"  [{', '.join(turn.tags)}]", "dim")]
            parts.append("\n")
            for comment in self.mentor.by_turn.get(turn.index, ()):
                parts += [comment_line(comment), "\n"]
        return join(*parts)

    def _rewind_options(self) -> list[Option]:
        out = []
        for turn in self.transcript.turns:
            if turn.speaker in ("trainee", "action"):
                who = "You" if turn.speaker == "trainee" else "Action"
                out.append(
                    Option(
                        join(
                            f"turn {turn.index:>3}  {who}: ", plain(turn.text, keep_newlines=False)
                        ),
                        id=str(turn.index),
                    )
                )
        return out

    # -- what next ----------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"retry": self.action_retry, "rewind-button": self.action_rewind, "home": self.action_home}[
            event.button.id or "home"
        ]()

    def action_retry(self) -> None:
        app = self.app
        app.start_call(app.new_session(self.session.loaded, self.session.mode))

    def action_rewind(self) -> None:
        self.query_one("#debrief-tabs", TabbedContent).active = "rewind"
        self.query_one("#rewind-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#rewind-list")
    def _rewind_to(self, event: OptionList.OptionSelected) -> None:
        self.rewind_to(int(event.option.id or 0))

    def rewind_to(self, turn_index: int) -> None:
        app = self.app
        app.start_call(app.rewound_session(self.session.loaded, self.transcript, turn_index))

    def action_home(self) -> None:
        self.app.go_home()
