"""Finding scenario files: a path as given, or a bundled scenario by id or file name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from callsim.engine.loader import BUNDLED_SCENARIOS, INTENTS_DIRNAME

SCENARIO_SUFFIXES = (".yaml", ".yml")
#: Trainer-written test cases sit beside scenarios but are not scenarios.
TEST_SUFFIXES = (".tests.yaml", ".tests.yml")


def is_scenario_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(SCENARIO_SUFFIXES) and not name.endswith(TEST_SUFFIXES)


def is_intent_library(path: Path) -> bool:
    return path.parent.name == INTENTS_DIRNAME


def scenario_files(folder: Path) -> Iterator[Path]:
    """Scenario files under a folder (recursively), skipping intent libraries and test files."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and is_scenario_file(path) and not is_intent_library(path):
            yield path


def bundled_scenarios() -> list[Path]:
    return list(scenario_files(BUNDLED_SCENARIOS))


def resolve_scenario(name: str, extra_dirs: Iterable[Path] = ()) -> Path | None:
    """A scenario path as given, else one whose id or file stem is `name` in the folders."""
    given = Path(name)
    if given.is_file():
        return given
    for folder in (*extra_dirs, BUNDLED_SCENARIOS):
        for path in scenario_files(Path(folder)):
            if path.stem == name or path.name == name:
                return path
    return None
