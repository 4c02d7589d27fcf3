"""The trainee's app: pick a scenario, read the briefing, take the call, wrap up, debrief.

The app drives `sim.session.CallSession`, the same object `callsim run --script` drives; it only
shows what the session and the grade say.

Seams for the rest of callsim:
- `store`: an optional `sim.store_api.AppStoreAPI` (no store: nothing is saved, and the saved
  calls, review and progress screens are not offered). Each new call gets
  `store.recorder_for(...)` as its recorder: turns are saved as they are said, and
  `CallSession.finish` (run by `finish_call` in a worker) saves the ended, graded call.
- Extra screens: `app.add_screen(name, label, factory, key=None)` lists a screen in the command
  palette (and, with `key`, on the home screen's footer). The review and progress modules add
  theirs with `install(app)` at start.
- Theme: `theme` (a Textual theme's name) starts the app in it; with `remember_theme` (what
  `callsim app` passes) every later change, from the palette or F9, is saved
  (sim/app_settings.py) and `callsim app` starts in it next time.
- Who is training: `trainee`, or with `ask_trainee` (what `callsim app` passes when no name is
  known) the app asks on start, before any call; `ask_who_is_training` asks again (home: t) and
  remembers the answer where line mode does (sim/trainee.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from callsim.engine.loader import LoadedScenario
from callsim.engine.transcript import Transcript
from callsim.engine.yamlsafe import FileProblems
from callsim.sim.catalogue import Entry, load_catalogue
from callsim.sim.install import REINSTALL, is_package_file
from callsim.sim.session import CallSession, Clock, Grader, Mode, Tagger, replay
from callsim.sim.store_api import AppStoreAPI
from callsim.tui.commands import CallsimCommands

if TYPE_CHECKING:  # grading is imported when a call is graded, not at start-up
    from callsim.grading.grader import Grade


@dataclass(frozen=True)
class ExtraScreen:
    name: str
    label: str
    factory: Callable[[], Screen]
    key: str | None = None


@dataclass(frozen=True)
class _Untagged:
    tags: tuple[str, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)


def _no_tags(text: str, customer: str | None = None, history: Any = ()) -> _Untagged:
    return _Untagged()


class CallsimApp(App[None]):
    TITLE = "callsim"
    SUB_TITLE = "practise difficult calls"
    CSS_PATH = "callsim.tcss"
    COMMANDS = App.COMMANDS | {CallsimCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    #: Opened as a mentor (`callsim review`): every trainee's calls and progress are offered.
    #: The trainee's app shows only the trainee's own.
    for_mentor = False
    #: Served to a browser (`callsim serve`): who is training was settled at sign-in (or by the
    #: reverse proxy), so the app offers no way to change it.
    trainee_fixed = False
    BINDINGS = [
        Binding("f9", "toggle_dark", "Light/dark", show=False),
    ]

    def __init__(
        self,
        *,
        scenario_dirs: Iterable[Path] = (),
        store: AppStoreAPI | None = None,
        tagger: Tagger | None = None,
        clock: Clock | None = None,
        trainee: str | None = None,
        catalogue: list[Entry] | None = None,
        cursor_blink: bool = True,
        grader: Grader | None = None,
        scenario: LoadedScenario | None = None,
        mode: Mode | None = None,
        ask_trainee: bool = False,
        theme: str | None = None,
        remember_theme: bool = False,
        self_assess: bool = True,
    ) -> None:
        super().__init__()
        if theme is not None:
            self.theme = theme  # before changes are watched (on mount): not saved again
        self.remember_theme = remember_theme
        self.scenario_dirs = [Path(d) for d in scenario_dirs]
        self.store = store
        self._tagger = tagger
        self.clock: Clock = clock or time.monotonic
        self.trainee = trainee
        self._catalogue = catalogue
        self.extra_screens: dict[str, ExtraScreen] = {}
        self.cursor_blink = cursor_blink
        #: How calls are graded (None: `grading.grader.grade_transcript`).
        self.grader = grader
        #: The mentor using the app (the review app sets it; saved with comments and overrides).
        self.mentor: str | None = None
        #: Where a direct launch opens: this scenario's briefing, or with `mode` its call (None
        #: once opened). The home screen underneath is built when it is first shown.
        self.launch = (scenario, mode) if scenario is not None else None
        self.defer_home = self.launch is not None
        #: Ask who is training before anything else (no name was given or saved).
        self.ask_trainee = ask_trainee and trainee is None
        #: Between the notes and the debrief the trainee assesses themselves (tui/selfassess.py).
        self.self_assess = self_assess

    # -- start --------------------------------------------------------------------------------

    @property
    def catalogue(self) -> list[Entry]:
        """The scenario list, from each file's summary; files are checked in `check_catalogue`
        or when opened."""
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.scenario_dirs, check=False)
        return self._catalogue

    @work(thread=True, exclusive=True, group="catalogue")
    def check_catalogue(self, done: Callable[[list[Entry]], None]) -> None:
        """Check every listed file in the background; `done(newly broken)` on the UI thread.

        Cancelled when the home screen is left (opening a file checks that file anyway).
        """
        worker = get_current_worker()
        broken = []
        for entry in self.catalogue:
            if worker.is_cancelled:
                return
            if not entry.checked:
                entry.check()
                if entry.broken:
                    broken.append(entry)
        self.call_from_thread(done, broken)

    def get_default_screen(self) -> Screen:
        from callsim.tui.home import HomeScreen

        return HomeScreen()  # left empty until first shown when opened straight on a scenario

    def on_mount(self) -> None:
        if self.remember_theme:
            self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.ask_trainee:
            self.ask_who_is_training(then=self._open_launch, first=True)
        else:
            self._open_launch()
        from callsim.tui import peer, progress, review  # they import this module

        review.install(self)
        progress.install(self)
        peer.install(self)

    def _open_launch(self) -> None:
        if self.launch is not None:
            (loaded, mode), self.launch = self.launch, None
            if mode is None:
                from callsim.tui.briefing import BriefingScreen

                self.push_screen(BriefingScreen(loaded))
            else:
                from callsim.tui.call import CallScreen

                self.push_screen(CallScreen(self.new_session(loaded, mode)))

    def settle(self, screen: Screen) -> None:
        """Per-screen set-up every screen asks for on mount (steady cursors for snapshots)."""
        if not self.cursor_blink:
            for widget in screen.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]

    def add_screen(
        self, name: str, label: str, factory: Callable[[], Screen], key: str | None = None
    ) -> None:
        """Offer another top-level screen (from the palette, and the home footer with `key`)."""
        self.extra_screens[name] = ExtraScreen(name, label, factory, key)
        if key:
            self.bind(key, f"open_screen('{name}')", description=label)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_screen":  # keys for extra screens work (and show) on home only
            return self.screen is self.screen_stack[0]
        return True

    def action_open_screen(self, name: str) -> None:
        extra = self.extra_screens.get(name)
        if extra is not None:
            self.push_screen(extra.factory())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def _remember_theme(self, theme: Any) -> None:
        """Save the theme just chosen, so the next `callsim app` starts in it."""
        from callsim.sim.app_settings import save_theme

        try:
            save_theme(theme.name)
        except OSError as exc:
            self.notify(
                f"The theme could not be remembered: {exc.strerror or exc}",
                severity="warning",
                markup=False,
            )

    # -- who is training -----------------------------------------------------------------------

    def ask_who_is_training(
        self, then: Callable[[], None] | None = None, *, first: bool = False
    ) -> None:
        """Ask for the trainee's name, remember it, and run `then` (answered or not)."""
        from callsim.tui.trainee import TraineePrompt

        def answered(name: str | None) -> None:
            if name is not None:
                self.set_trainee(name)
            elif first:
                self.notify(
                    "Calls you take now are saved without a name, so they will not show in "
                    "your progress. Press t on the home screen to say who is training.",
                    title="No trainee name",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )
            if then is not None:
                then()

        self.push_screen(TraineePrompt(self.trainee), answered)

    def set_trainee(self, name: str) -> None:
        """Calls from now on are this trainee's; remembered for next time, as line mode does."""
        from callsim.sim.trainee import save_trainee

        self.trainee = name
        try:
            where = f"Remembered in {save_trainee(name)}."
        except OSError as exc:
            where = f"Could not remember it ({exc.strerror or exc}); used until you quit."
        self.notify(f"Calls are now saved as {name}'s. {where}", markup=False, timeout=6)
        from callsim.tui.home import HomeScreen

        home = self.screen_stack[0] if self.screen_stack else None
        if isinstance(home, HomeScreen):
            home.trainee_changed()

    # -- the store, if any --------------------------------------------------------------------

    def last_score(self, scenario_id: str) -> float | None:
        """The trainee's latest score on a scenario (a mentor's corrections applied)."""
        if self.store is None:
            return None
        from callsim.sim.corrections import last_score

        return last_score(self.store, scenario_id, self.trainee)

    # -- the call's flow ----------------------------------------------------------------------

    def warm_up(self, session: CallSession) -> None:
        """Load the tagger and the call's reading of replies in the background, once a call is
        on screen (the first reply needs them; the trainee is still reading the customer's
        first line)."""
        self._warm_up(session)

    @work(thread=True, exclusive=True, group="warm-up")
    def _warm_up(self, session: CallSession) -> None:
        _ = self.tagger
        session.warm()

    def _tag(self, text: str, customer: str | None = None, history: Any = ()) -> Any:
        """The tagger, loaded on first use (sessions start before it is loaded)."""
        return self.tagger(text, customer, history)

    @property
    def tagger(self) -> Tagger:
        if self._tagger is None:
            from callsim.sim.session import default_tagger

            self._tagger = default_tagger()
        return self._tagger

    def _session_kwargs(self, loaded: LoadedScenario, mode: Mode) -> dict[str, Any]:
        call_id = uuid.uuid4().hex
        recorder = (
            None
            if self.store is None
            else self.store.recorder_for(call_id, loaded, mode=mode, trainee=self.trainee)
        )
        return {
            "mode": mode,
            "trainee": self.trainee,
            "tagger": self._tagger or self._tag,
            "clock": self.clock,
            "call_id": call_id,
            "recorder": recorder,
        }

    def new_session(self, loaded: LoadedScenario, mode: Mode) -> CallSession:
        return CallSession(loaded, **self._session_kwargs(loaded, mode))

    def rewound_session(
        self, loaded: LoadedScenario, transcript: Transcript, upto_turn: int
    ) -> CallSession:
        return replay(
            loaded, transcript, upto_turn, **self._session_kwargs(loaded, transcript.mode)
        )

    def open_briefing(self, entry: Entry) -> None:
        from callsim.tui.briefing import BriefingScreen

        if entry.loaded is not None:
            self.push_screen(BriefingScreen(entry.loaded))

    def start_call(self, session: CallSession) -> None:
        """Show the call screen in place of whatever led to it (briefing or debrief)."""
        from callsim.tui.call import CallScreen

        self._replace_top(CallScreen(session))

    def open_wrap_up(self, session: CallSession) -> None:
        from callsim.tui.wrapup import WrapUpScreen

        self._replace_top(WrapUpScreen(session))

    def finish_call(self, session: CallSession, notes: str) -> None:
        """The trainee is done: show the debrief, and grade and save the call in a worker.

        The worker belongs to the app, not the debrief, so the call is saved complete (end
        time, notes, grade) however soon the trainee leaves the debrief.
        """
        from callsim.tui.debrief import DebriefScreen

        if self.self_assess:  # graded meanwhile; the debrief follows the self-assessment
            from callsim.tui.selfassess import SelfAssessScreen

            self._replace_top(SelfAssessScreen(session))
        else:
            self._replace_top(DebriefScreen(session))
        self._finish(session, notes)

    def show_debrief(self, session: CallSession, self_view: Any, after: Any = None) -> None:
        """The debrief, after the self-assessment (`self_view`, or None when skipped); a
        grading failure the self-assessment screen (`after`) heard of is passed on."""
        from callsim.tui.debrief import DebriefScreen

        debrief = DebriefScreen(session, self_view=self_view)
        debrief._grading_error = getattr(after, "grading_error", None)
        self._replace_top(debrief)

    @work(thread=True, group="finish")
    def _finish(self, session: CallSession, notes: str) -> None:
        try:
            grade = session.finish(notes, self.grader)
        except FileProblems as exc:  # the rubric or another file of callsim's own is damaged
            message = "\n".join(str(p) for p in exc.problems)
            if any(is_package_file(p) for p in exc.problems):
                message += f"\n\nA file of callsim's own is damaged: {REINSTALL}."
            self.call_from_thread(self._grading_failed, session, message)
            return
        self.call_from_thread(self._graded, session, grade)

    def _grading_failed(self, session: CallSession, message: str) -> None:
        from callsim.tui.debrief import DebriefScreen
        from callsim.tui.selfassess import SelfAssessScreen

        for screen in self.screen_stack:
            if isinstance(screen, DebriefScreen | SelfAssessScreen) and screen.session is session:
                screen.show_grading_failed(message)

    def _graded(self, session: CallSession, grade: Grade) -> None:
        from callsim.tui.debrief import DebriefScreen
        from callsim.tui.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, DebriefScreen) and screen.session is session:
                screen.show_grade(grade)
            elif isinstance(screen, HomeScreen):
                screen.refresh_scores()  # the call's score is saved now

    def go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _replace_top(self, screen: Screen) -> None:
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
