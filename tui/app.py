"""The trainee's app: pick a scenario, read the briefing, take the call, wrap up, debrief.

The app drives `sim.session.CallSession`, the same object `callsim run --script` drives; it only
shows what the session and the grade say.

Seams for the rest of callsim:
- `store`: an optional object passed to the constructor. Each method is optional and called
  only if present: `listener_for(call_id, loaded, mode, trainee)` returns a turn listener
  (called on the UI thread with each Turn as it is recorded); `save_call(transcript, grade)`
  runs on the UI thread once a call is graded (`grade` is None without grading);
  `last_score(scenario_id, trainee)` gives the home screen's "last score" column.
- Extra screens: `app.add_screen(name, label, factory, key=None)` lists a screen in the command
  palette (and, with `key`, on the home screen's footer). Modules named in
  `OPTIONAL_SCREEN_MODULES` that exist are imported at start and their `install(app)` called.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from callsim.engine.loader import LoadedScenario
from callsim.engine.transcript import Transcript
from callsim.sim.session import CallSession, Clock, Mode, Tagger, replay
from callsim.tui.catalogue import Entry, load_catalogue
from callsim.tui.commands import CallsimCommands
from callsim.tui.grades import Grader

#: Modules that add screens when they are installed (the mentor's review and progress screens).
OPTIONAL_SCREEN_MODULES: tuple[str, ...] = ("callsim.tui.review", "callsim.tui.progress")


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
    BINDINGS = [
        Binding("f9", "toggle_dark", "Light/dark", show=False),
    ]

    def __init__(
        self,
        *,
        scenario_dirs: Iterable[Path] = (),
        store: Any = None,
        tagger: Tagger | None = None,
        clock: Clock | None = None,
        trainee: str | None = None,
        catalogue: list[Entry] | None = None,
        cursor_blink: bool = True,
        grader: Grader | None = None,
        scenario: LoadedScenario | None = None,
        mode: Mode | None = None,
    ) -> None:
        super().__init__()
        self.scenario_dirs = [Path(d) for d in scenario_dirs]
        self.store = store
        self._tagger = tagger
        self.clock: Clock = clock or time.monotonic
        self.trainee = trainee
        self._catalogue = catalogue
        self.extra_screens: dict[str, ExtraScreen] = {}
        self.tagger_missing = False
        self.cursor_blink = cursor_blink
        self.grader = grader
        #: Where a direct launch opens: this scenario's briefing, or with `mode` its call (None
        #: once opened). The home screen underneath is built when it is first shown.
        self.launch = (scenario, mode) if scenario is not None else None
        self.defer_home = self.launch is not None
        if tagger is None and importlib.util.find_spec("callsim.grading.tagger") is None:
            self.tagger_missing = True

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
        if self.launch is not None:
            (loaded, mode), self.launch = self.launch, None
            if mode is None:
                from callsim.tui.briefing import BriefingScreen

                self.push_screen(BriefingScreen(loaded))
            else:
                from callsim.tui.call import CallScreen

                self.push_screen(CallScreen(self.new_session(loaded, mode)))
        for name in OPTIONAL_SCREEN_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            install = getattr(module, "install", None)
            if callable(install):
                install(self)

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

    # -- the store, if any --------------------------------------------------------------------

    def _store_call(self, method: str, *args: Any, **kw: Any) -> Any:
        fn = getattr(self.store, method, None) if self.store is not None else None
        return fn(*args, **kw) if callable(fn) else None

    def last_score(self, scenario_id: str) -> Any:
        return self._store_call("last_score", scenario_id, self.trainee)

    def save_call(self, transcript: Transcript, grade: Any) -> None:
        self._store_call("save_call", transcript, grade)

    # -- the call's flow ----------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the tagger in the background, once a call is on screen (the first reply needs
        it; the trainee is still reading the customer's first line)."""
        if self._tagger is None:
            self._warm_up()

    @work(thread=True, exclusive=True, group="warm-up")
    def _warm_up(self) -> None:
        _ = self.tagger

    def _tag(self, text: str, customer: str | None = None, history: Any = ()) -> Any:
        """The tagger, loaded on first use (sessions start before it is loaded)."""
        return self.tagger(text, customer, history)

    @property
    def tagger(self) -> Tagger:
        if self._tagger is None:
            from callsim.sim.session import default_tagger

            try:
                self._tagger = default_tagger()
            except ImportError:  # grading's tagger not installed: replies go untagged
                self._tagger = _no_tags
                self.tagger_missing = True
        return self._tagger

    def _session_kwargs(self, loaded: LoadedScenario, mode: Mode) -> dict[str, Any]:
        call_id = uuid.uuid4().hex
        listener = self._store_call(
            "listener_for", call_id, loaded, mode=mode, trainee=self.trainee
        )
        return {
            "mode": mode,
            "trainee": self.trainee,
            "tagger": self._tagger or self._tag,
            "clock": self.clock,
            "call_id": call_id,
            "listeners": [listener] if listener is not None else [],
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

    def open_debrief(self, session: CallSession) -> None:
        from callsim.tui.debrief import DebriefScreen

        self._replace_top(DebriefScreen(session))

    def go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _replace_top(self, screen: Screen) -> None:
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
