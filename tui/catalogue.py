"""The scenarios the home screen lists: bundled ones and those of `--scenarios DIR`.

A file that does not load is still listed, with its problems (FILE:LINE:COL), so a trainer sees
why it is missing and the app keeps running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.loader import BUNDLED_SCENARIOS, LoadedScenario, ScenarioError, load_scenario
from sim.scenario_paths import bundled_scenarios, scenario_files


@dataclass(frozen=True)
class Entry:
    """One scenario file: loaded, or the problems that stop it loading."""

    path: Path
    loaded: LoadedScenario | None
    problems: tuple[str, ...] = ()

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

    @property
    def title(self) -> str:
        return self.loaded.scenario.title if self.loaded else self.path.name

    @property
    def category(self) -> str:
        return self.loaded.scenario.category.value if self.loaded else ""

    @property
    def difficulty(self) -> int | None:
        return self.loaded.scenario.difficulty if self.loaded else None

    def haystack(self) -> str:
        """What the search box looks in."""
        if self.loaded is None:
            return f"{self.path.name} {' '.join(self.problems)}".lower()
        sc = self.loaded.scenario
        return " ".join(
            [sc.id, sc.title, sc.category.value, sc.briefing, sc.goal, sc.customer.name]
        ).lower()


def load_entry(path: Path) -> Entry:
    try:
        return Entry(path, load_scenario(path))
    except ScenarioError as exc:
        return Entry(path, None, tuple(str(p) for p in exc.problems))
    except (OSError, ValueError) as exc:  # unreadable file: still listed, with why
        return Entry(path, None, (f"{path}: error: {exc}",))


def load_catalogue(extra_dirs: Iterable[Path] = ()) -> list[Entry]:
    """Every scenario file once: extra folders first, then the bundled library."""
    seen: set[Path] = set()
    entries: list[Entry] = []
    paths: list[Path] = []
    for folder in extra_dirs:
        folder = Path(folder)
        paths.extend(scenario_files(folder) if folder.is_dir() else [folder])
    paths.extend(bundled_scenarios())
    for path in paths:
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        entries.append(load_entry(path))
    return entries


def matches(entry: Entry, text: str, category: str | None, difficulty: int | None) -> bool:
    """The home screen's filter: every word of the search, category and difficulty."""
    if category and entry.category != category:
        return False
    if difficulty is not None and entry.difficulty != difficulty:
        return False
    hay = entry.haystack()
    return all(word in hay for word in text.lower().split())
