"""The scenarios the home screen lists: bundled ones and those of `--scenarios DIR`.

A file that does not load is still listed, with its problems (FILE:LINE:COL), so a trainer sees
why it is missing and the app keeps running.

Listing is cheap and checking is not: the list is built from a summary read off the top of each
file by the engine's own YAML reader (`yamlsafe.load_head`: the same strict rules, stopping at
the last field needed: id, title, category, difficulty, briefing, goal, caller), and the full
load and validation
of a file happens when it is opened, or in the background while the home screen is shown
(`Entry.check`). A file whose summary cannot be read is checked at once, so it is listed with
its real problems.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from callsim.engine.loader import BUNDLED_SCENARIOS
from callsim.sim.scenario_paths import bundled_scenarios, scenario_files

if TYPE_CHECKING:
    from callsim.engine.loader import LoadedScenario


@dataclass(frozen=True)
class Summary:
    """What the list shows of a scenario, read without validating the whole file."""

    id: str
    title: str
    category: str
    difficulty: int
    briefing: str
    goal: str
    caller: str


#: Top-level text fields the summary needs (and `difficulty`, and `name` under `customer`).
_TEXT_KEYS = ("id", "title", "category", "briefing", "goal")


def _has_summary(top: dict) -> bool:
    return all(k in top for k in (*_TEXT_KEYS, "difficulty", "customer"))


def read_summary(path: Path) -> Summary | None:
    """The summary, read by the engine's strict YAML reader up to the last field it needs.

    None when anything is missing or looks wrong: the caller then loads the file properly and
    lists its problems (FILE:LINE:COL). Only text is taken as text (no numbers or booleans).
    """
    from callsim.engine.models import Category
    from callsim.engine.yamlsafe import FileProblems, load_head, read_text

    try:
        top = load_head(read_text(path, str(path)), str(path), _has_summary)
    except FileProblems:
        return None
    if top is None or not _has_summary(top):
        return None
    customer, difficulty = top["customer"], top["difficulty"]
    texts = [top[k] for k in _TEXT_KEYS]
    caller = customer.get("name") if isinstance(customer, dict) else None
    if not all(isinstance(t, str) for t in (*texts, caller)):
        return None
    if type(difficulty) is not int or not 1 <= difficulty <= 5:
        return None
    if top["category"] not in {c.value for c in Category}:
        return None
    if not top["id"].strip() or not top["title"].strip():
        return None
    return Summary(
        id=top["id"],
        title=top["title"],
        category=top["category"],
        difficulty=difficulty,
        briefing=top["briefing"],
        goal=top["goal"],
        caller=caller,
    )


class Entry:
    """One scenario file: its summary, and once checked, the loaded scenario or its problems."""

    def __init__(
        self,
        path: Path,
        summary: Summary | None = None,
        *,
        loaded: LoadedScenario | None = None,
        problems: tuple[str, ...] = (),
        checked: bool = False,
    ) -> None:
        self.path = path
        self.summary = summary
        self._loaded = loaded
        self._problems = problems
        self._checked = checked or loaded is not None or bool(problems)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Entry({self.path!s}, checked={self._checked})"

    # -- checking -----------------------------------------------------------------------------

    @property
    def checked(self) -> bool:
        return self._checked

    def check(self) -> None:
        """Load and validate the file (once; safe to call from a worker thread)."""
        with self._lock:
            if self._checked:
                return
            from callsim.engine.loader import ScenarioError, load_scenario

            try:
                self._loaded = load_scenario(self.path)
            except ScenarioError as exc:
                self._problems = tuple(str(p) for p in exc.problems)
            except (OSError, ValueError) as exc:  # unreadable file: still listed, with why
                self._problems = (f"{self.path}: error: {exc}",)
            self._checked = True

    @property
    def loaded(self) -> LoadedScenario | None:
        """The scenario, ready to play; None when the file has problems. Checks it if need be."""
        self.check()
        return self._loaded

    @property
    def problems(self) -> tuple[str, ...]:
        self.check()
        return self._problems

    @property
    def broken(self) -> bool:
        """Known to have problems (a file not checked yet counts as fine until it is)."""
        return self._checked and self._loaded is None

    # -- what the list shows ------------------------------------------------------------------

    @property
    def key(self) -> str:
        return str(self.path)

    @property
    def where(self) -> str:
        """Where the file is, as a trainer would name it (bundled ones by their library path)."""
        try:
            return f"bundled: {self.path.resolve().relative_to(BUNDLED_SCENARIOS)}"
        except ValueError:
            return str(self.path)

    def _summary(self) -> Summary | None:
        if self._loaded is not None:
            sc = self._loaded.scenario
            return Summary(
                sc.id, sc.title, sc.category.value, sc.difficulty, sc.briefing, sc.goal,
                sc.customer.name,
            )  # fmt: skip
        return None if self.broken else self.summary

    @property
    def scenario_id(self) -> str | None:
        summary = self._summary()
        return summary.id if summary else None

    @property
    def title(self) -> str:
        summary = self._summary()
        return summary.title if summary else self.path.name

    @property
    def category(self) -> str:
        summary = self._summary()
        return summary.category if summary else ""

    @property
    def difficulty(self) -> int | None:
        summary = self._summary()
        return summary.difficulty if summary else None

    @property
    def briefing(self) -> str:
        summary = self._summary()
        return summary.briefing if summary else ""

    def haystack(self) -> str:
        """What the search box looks in."""
        summary = self._summary()
        if summary is None:
            return f"{self.path.name} {' '.join(self._problems)}".lower()
        return " ".join(
            [summary.id, summary.title, summary.category, summary.briefing, summary.goal,
             summary.caller]
        ).lower()  # fmt: skip


def load_entry(path: Path) -> Entry:
    """An entry for `path`, fully loaded and validated now."""
    entry = Entry(path)
    entry.check()
    return entry


def peek_entry(path: Path) -> Entry:
    """An entry for `path` from its summary; checked now only if the summary cannot be read."""
    entry = Entry(path, read_summary(path))
    if entry.summary is None:
        entry.check()
    return entry


def catalogue_paths(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Every scenario file once: extra folders first, then the bundled library."""
    seen: set[Path] = set()
    found: list[Path] = []
    paths: list[Path] = []
    for folder in extra_dirs:
        folder = Path(folder)
        paths.extend(scenario_files(folder) if folder.is_dir() else [folder])
    paths.extend(bundled_scenarios())
    for path in paths:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            found.append(path)
    return found


def load_catalogue(extra_dirs: Iterable[Path] = (), *, check: bool = True) -> list[Entry]:
    """Every scenario file once, each checked (or, with check=False, only summarised)."""
    make = load_entry if check else peek_entry
    return [make(path) for path in catalogue_paths(extra_dirs)]


def matches(entry: Entry, text: str, category: str | None, difficulty: int | None) -> bool:
    """The home screen's filter: every word of the search, category and difficulty."""
    if category and entry.category != category:
        return False
    if difficulty is not None and entry.difficulty != difficulty:
        return False
    hay = entry.haystack()
    return all(word in hay for word in text.lower().split())
