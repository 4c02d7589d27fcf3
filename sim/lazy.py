"""A module imported when one of its names is first used.

SQLAlchemy costs about 0.2 s of CPU to import, two thirds of what a bare Textual app takes to
start. An SQLite store opens with sqlite3 alone, and the statements the way to a call screen
runs are kept compiled (sim/store_sql.py), so `callsim app` draws the call before SQLAlchemy is
needed; the store modules reach it, and the table definitions, through these stand-ins.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module `name`, importing it at the first attribute asked for."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)  # the next use finds it without coming back here
        return value

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported when first used>"
