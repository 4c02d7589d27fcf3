"""Live preview for trainers: the app on one scenario file, restarted each time it is saved.

The file is polled (its modification time and size, on a timer) rather than watched, so no new
dependency is needed and it works the same on every platform. A save that breaks the file shows
its problems, each at FILE:LINE:COL as `callsim validate` prints them, in place of the call;
the next save that fixes it brings a fresh call back. Preview calls are practice calls and are
never saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from callsim.engine.loader import LoadedScenario
from callsim.sim.catalogue import Entry
from callsim.tui.app import CallsimApp
from callsim.tui.text import join, plain, styled

POLL_SECONDS = 0.5


class ProblemsScreen(Screen):
    """What is wrong with the file, until a save fixes it."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit")]

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(classes="preview-problems")
        self.path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        n = len(self.problems)
        yield Static(
            join(
                styled(f"{self.path}: {n} problem{'' if n == 1 else 's'}", "bold"),
                "\n",
                styled("Fix the file and save it: the call starts again by itself.", "dim"),
            ),
            id="preview-title",
        )
        with VerticalScroll(id="preview-list"):
            yield Static(plain("\n".join(self.problems)), id="preview-errors")
        yield Footer()


class PreviewApp(CallsimApp):
    """The trainee's call screen on one scenario file, reloaded when the file changes."""

    SUB_TITLE = "preview"

    def __init__(self, path: Path | str, *, poll: float = POLL_SECONDS, **kw: Any) -> None:
        kw.setdefault("catalogue", [])
        super().__init__(**kw)
        self.preview_path = Path(path)
        self.poll = poll
        self.stamp: tuple[int, int] | None = None
        self.loaded: LoadedScenario | None = None
        self.problems: list[str] = []
        self.reloads = 0
        self._load()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.preview_path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self) -> None:
        self.stamp = self._stat()
        entry = Entry(self.preview_path)  # checked afresh: a new Entry holds nothing yet
        self.loaded = entry.loaded
        self.problems = list(entry.problems)

    def _screen(self) -> Screen:
        if self.loaded is None:
            return ProblemsScreen(self.preview_path, self.problems)
        from callsim.tui.call import CallScreen

        return CallScreen(self.new_session(self.loaded, "practice"))

    def get_default_screen(self) -> Screen:
        return Screen()  # a blank base: the call or the problems are pushed above it

    def on_mount(self) -> None:
        super().on_mount()
        self.push_screen(self._screen())
        self.set_interval(self.poll, self.check_file, name="preview-poll")

    def _show(self, screen: Screen) -> None:
        while len(self.screen_stack) > 2:  # a dialog, the wrap-up or the debrief
            self.pop_screen()
        self.switch_screen(screen)

    def check_file(self) -> bool:
        """Reload if the file changed since it was last read; True when it did."""
        if self._stat() == self.stamp:
            return False
        self._load()
        self.reloads += 1
        self._show(self._screen())
        if self.loaded is not None:
            warnings = len(self.loaded.warnings)
            note = f" ({warnings} warning{'' if warnings == 1 else 's'}: callsim validate)"
            self.notify(
                f"Reloaded {self.preview_path.name}: a new call" + (note if warnings else ""),
                timeout=4,
                markup=False,
            )
        return True

    def go_home(self) -> None:
        """There is no home in a preview: a finished call starts again."""
        self._show(self._screen())
