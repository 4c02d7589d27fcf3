"""Shared set-up for the app's tests: a stub tagger, a fixed clock, small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario, scenario_files
from callsim.tui.app import CallsimApp

SCENARIO = "broadband-down-repeat-caller"


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def stub_tagger(text: str, customer: str | None = None, history=()) -> Tagged:
    """Keyword tags, so the app's tests do not depend on the real tagger's judgement."""
    low = text.lower()
    tags = [
        tag
        for tag, word in (
            ("empathy", "sorry"),
            ("open_question", "how "),
            ("blame", "your equipment"),
            ("over_promise", "guarantee"),
        )
        if word in low
    ]
    return Tagged(tags, {t: text for t in tags if t in ("blame", "over_promise")})


class FixedClock:
    """A clock that moves only when a test says so: the timer shows the same on every run."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def make_app():
    def make(*, extra_dirs=(), **kw) -> CallsimApp:
        # One known bundled scenario (plus any test folders), however the library grows.
        kw.setdefault(
            "catalogue",
            [load_entry(p) for d in extra_dirs for p in scenario_files(d)]
            + [load_entry(resolve_scenario(SCENARIO))],
        )
        kw.setdefault("tagger", stub_tagger)
        kw.setdefault("clock", FixedClock())
        kw.setdefault("cursor_blink", False)
        # the self-assessment between notes and debrief has its own tests (test_self_assess.py)
        kw.setdefault("self_assess", False)
        return CallsimApp(**kw)

    return make


async def reply(pilot, text: str) -> None:
    """Type a reply into the call screen and send it."""
    box = pilot.app.screen.query_one("#reply")
    box.value = text
    box.focus()
    await pilot.press("enter")
    await pilot.pause()


def shown_text(screen, selector: str = "Static") -> str:
    """All text the widgets matching `selector` show, as plain text."""
    return "\n".join(str(w.render()) for w in screen.query(selector))
