"""Assessing yourself between the notes and the debrief, and seeing your view beside the grade."""

from __future__ import annotations

import pytest
from conftest import reply, shown_text
from textual.widgets import Input, TextArea

from callsim.sim.app_store import AppStore
from callsim.sim.store import Store
from callsim.sim.store_training import SelfAssessment, self_assessment
from callsim.tui.debrief import DebriefScreen
from callsim.tui.selfassess import RatingList, SelfAssessScreen

pytestmark = pytest.mark.usefixtures("close_stores")


NASTY = "ask [bold]first[/] \x1b[2J"


async def to_self_assessment(pilot) -> SelfAssessScreen:
    await pilot.press("enter", "p")  # briefing, practice
    await pilot.pause()
    await reply(pilot, "I'm so sorry it's still down. How has that been for you?")
    await pilot.press("f10", "enter")  # end the call (confirmed)
    await pilot.pause()
    await pilot.press("f10")  # wrap up
    await pilot.pause()
    pilot.app.screen.query_one(TextArea).text = "Issue: no sync since Monday."
    await pilot.press("ctrl+s")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SelfAssessScreen)
    return screen


async def to_debrief(pilot) -> DebriefScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    debrief = pilot.app.screen
    assert isinstance(debrief, DebriefScreen)
    return debrief


async def test_ratings_and_a_line_are_saved_and_set_beside_the_grade(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), trainee="kim", self_assess=True)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await to_self_assessment(pilot)
        ratings = screen.query_one(RatingList)
        titles = [t for _, t in ratings.dimensions]
        assert titles[0] == "Calm and professional tone" and "Empathy" in titles
        first = str(ratings.get_option_at_index(0).prompt)
        assert first.startswith("Calm and professional tone") and "[good]" not in first
        await pilot.press("3")  # calm tone: good (and on to the next line)
        await pilot.press("right")  # active listening: fair (the first press lands there)
        await pilot.press("left")  # ... then poor
        for _ in range(titles.index("Empathy") - 1):
            await pilot.press("down")
        await pilot.press("3")  # empathy: good
        assert "[good]" in str(ratings.get_option_at_index(0).prompt)
        assert ratings.ratings == {
            "calm_tone": "good",
            "active_listening": "poor",
            "empathy": "good",
        }
        screen.query_one("#differently", Input).value = NASTY
        await pilot.press("ctrl+s")
        debrief = await to_debrief(pilot)
        call_id = debrief.session.call_id
        grade = debrief.session.grade
        text = shown_text(debrief, "#grade-text")
        assert "Your own view matched the grade on" in text
        empathy = grade.dimension("empathy")
        band = "good" if empathy.score >= 75 else "fair" if empathy.score >= 50 else "poor"
        said = "matches the grade" if band == "good" else "you rated it higher than the grade"
        assert f"you: good ({said})" in text
        assert "What you would do differently" in text
        assert "ask [bold]first[/] " in text and "\x1b" not in text  # verbatim, inert
    saved = self_assessment(store, call_id)
    assert saved == SelfAssessment(
        {"calm_tone": "good", "active_listening": "poor", "empathy": "good"}, NASTY
    )


async def test_skipping_goes_straight_to_the_debrief_and_saves_nothing(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), trainee="kim", self_assess=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_self_assessment(pilot)
        await pilot.press("escape")
        debrief = await to_debrief(pilot)
        text = shown_text(debrief, "#grade-text")
        assert "By dimension" in text and "Your own view" not in text
        assert "(matches the grade)" not in text and "you did not rate it" not in text
        assert self_assessment(store, debrief.session.call_id) is None


async def test_a_saved_calls_debrief_shows_the_self_assessment_again(make_app, tmp_path):
    from callsim.tui.home import HomeScreen

    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), trainee="kim", self_assess=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_self_assessment(pilot)
        await pilot.press("1")  # calm tone: poor
        await pilot.press("ctrl+s")
        debrief = await to_debrief(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        reopened = DebriefScreen(
            debrief.session,
            transcript=store.transcript(debrief.session.call_id),
            saved_grade=store.grade(debrief.session.call_id),
        )
        app.push_screen(reopened)
        await pilot.pause()
        assert "you: poor" in shown_text(reopened, "#grade-text")
