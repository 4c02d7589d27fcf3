"""Coaching while practising (issue 13, item 5): under each reply, one line on why the
customer's mood moved, worded by the session (sim.coaching) and shown as written."""

from __future__ import annotations

from pathlib import Path

from conftest import SCENARIO, reply, shown_text

from callsim.sim.scenario_paths import resolve_scenario
from callsim.tui.briefing import BriefingScreen
from callsim.tui.call import CallScreen
from callsim.tui.home import HomeScreen

OWNERSHIP = "I'm so sorry it's still not working, I'm going to take ownership of this"


async def open_call(pilot, mode_key: str) -> CallScreen:
    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, BriefingScreen)
    await pilot.press(mode_key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, CallScreen)
    return pilot.app.screen


async def test_practice_feedback_says_why_the_mood_moved(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_call(pilot, "p")
        await reply(pilot, OWNERSHIP)
        feedback = shown_text(screen, ".feedback")
        assert "↳ Calmer: you acknowledged how they feel (-1)" in feedback
        assert "your reply was what they needed (" in feedback

        await reply(pilot, "Can I take your account number?")
        why = [s for s in shown_text(screen, ".feedback").splitlines() if s.startswith("↳")]
        assert len(why) == 2  # one line per reply
        assert why[1].startswith("↳ ") and why[1] != why[0]


async def test_assessment_gives_no_coaching(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_call(pilot, "a")
        await reply(pilot, OWNERSHIP)
        assert "↳" not in shown_text(screen)


async def test_scenario_words_in_the_coaching_line_are_shown_verbatim(make_app, tmp_path: Path):
    text = resolve_scenario(SCENARIO).read_text(encoding="utf-8")
    text = text.replace(f"id: {SCENARIO}", "id: coaching-verbatim")
    markup = 'summary: "down [b]since[/b] Monday [/]"'
    text = text.replace("summary: down since Monday morning", markup)
    (tmp_path / "coaching-verbatim.yaml").write_text(text, encoding="utf-8")
    app = make_app(extra_dirs=[tmp_path])  # listed first, so Enter opens it
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_call(pilot, "p")
        await reply(pilot, "How long has it been down for?")
        assert "drew out something new (down [b]since[/b] Monday [/])" in shown_text(
            screen, ".feedback"
        )
