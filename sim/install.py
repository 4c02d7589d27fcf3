"""Is this installation of callsim whole? Package data can go missing (a hand-copied tree, a
broken wheel, a file deleted by a clean-up tool); a user should hear that, not a traceback."""

from __future__ import annotations

from pathlib import Path

import callsim
from callsim.engine.yamlsafe import Problem

PACKAGE_ROOT = Path(callsim.__file__).resolve().parent

#: Files every command may need, relative to the package.
REQUIRED_DATA = (
    "scenarios/intents/common.yaml",
    "engine/concepts.yaml",
    "grading/rubrics/default.yaml",
    "docs/scenario.schema.json",
    "tui/callsim.tcss",
)

REINSTALL = "reinstall callsim (pip install --force-reinstall callsim)"


def missing_data() -> list[str]:
    """Package data files that are not there, as paths relative to the package."""
    missing = [name for name in REQUIRED_DATA if not (PACKAGE_ROOT / name).is_file()]
    bundled = PACKAGE_ROOT / "scenarios"
    if not bundled.is_dir() or not any(bundled.glob("*.yaml")):
        missing.insert(0, "scenarios/*.yaml")
    return missing


def damaged_message() -> str | None:
    """What is wrong with this installation, in one message; None when it is whole."""
    missing = missing_data()
    if not missing:
        return None
    return (
        f"callsim: this installation is incomplete: {', '.join(missing)} missing from "
        f"{PACKAGE_ROOT}; {REINSTALL}"
    )


def is_package_file(problem: Problem) -> bool:
    """Whether a problem is in one of callsim's own files rather than one the user wrote."""
    try:
        return Path(problem.path).resolve().is_relative_to(PACKAGE_ROOT)
    except (OSError, ValueError):
        return False
