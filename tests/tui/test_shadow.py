"""Listening to a model call from the briefing: played turn by turn, paused, stepped."""

from __future__ import annotations

import asyncio

import pytest
from conftest import SCENARIO, shown_text

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.app_store import AppStore
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store
from callsim.sim.store_training import mark_example
from callsim.tui.briefing import BriefingScreen
from callsim.tui.call import CallScreen
from callsim.tui.shadow import ShadowScreen

pytestmark = pytest.mark.usefixtures("close_stores")


async def open_shadow(pilot) -> ShadowScreen:
    await pilot.press("enter")  # the scenario's briefing
    assert isinstance(pilot.app.screen, BriefingScreen)
    await pilot.click("#shadow")  # "Listen to a model call"
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ShadowScreen)
    return screen


async def wait_for(pilot, condition, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.05)):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def rows(screen) -> list[str]:
    return [str(w.render()) for w in screen.query(".shadow-turn .shadow-said")]


def notes(screen) -> list[str]:
    return [str(w.render()) for w in screen.query(".shadow-turn .shadow-notes")]


async def test_the_model_call_plays_with_annotations_and_pauses_and_steps(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_shadow(pilot)
        screen.pace = 100  # a long read: the test moves it on by hand
        await wait_for(pilot, lambda: screen.call is not None)
        assert "The scenario's model call (good-advisor)" in shown_text(screen, "#shadow-title")
        assert rows(screen) == [
            "Jordan Reeves: Finally. My broadband's STILL down. This is the third time I'm "
            "calling. Are you actually going to fix it this time?"
        ]
        assert notes(screen) == ["mood 7.0/10"]
        assert "▶ playing" in shown_text(screen, "#shadow-status")
        await pilot.press("space")
        assert "❚❚ paused  ·  turn 1 of" in shown_text(screen, "#shadow-status")
        await pilot.press("right")
        await pilot.pause()
        said = rows(screen)
        assert said[1].startswith("Advisor: Hi Jordan, I'm really sorry")
        beside = notes(screen)[1]
        assert beside.startswith("empathy")  # the app's tagger (the tests' keyword stub)
        assert "Empathy +" in beside and "mood 7.0 → " in beside
        await pilot.press("right", "right")
        await pilot.pause()
        assert len(rows(screen)) == 4
        await pilot.press("left")
        await pilot.pause()
        assert len(rows(screen)) == 3
        assert "turn 3 of" in shown_text(screen, "#shadow-status")


async def test_it_plays_to_the_end_at_its_own_pace_and_p_takes_the_call(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_shadow(pilot)
        screen.pace = 0.001
        await wait_for(
            pilot, lambda: screen.call is not None and screen.shown == len(screen.call.turns)
        )
        await pilot.pause()
        assert len(rows(screen)) == len(screen.call.turns)
        ending = shown_text(screen, ".shadow-ending")
        assert "The call ended: resolved" in ending and "Next: I call back Thu pm." in ending
        assert "■ the end" in shown_text(screen, "#shadow-status")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        assert app.screen.session.mode == "practice"


async def test_a_mentors_example_is_offered_and_shown_verbatim(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    loaded = load_scenario(resolve_scenario(SCENARIO))
    session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm sorry [red]this[/] is still down, when did it start?")
    session.end()
    store.save_call(session.transcript(), grade_transcript(session.transcript(), loaded))
    mark_example(store, session.call_id, mentor="Mo")
    app = make_app(store=AppStore(store), trainee="bea")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_shadow(pilot)
        screen.pace = 100
        await wait_for(pilot, lambda: screen.call is not None)
        assert "s: 1 more" in shown_text(screen, "#shadow-title")
        await pilot.press("s")
        await wait_for(
            pilot, lambda: screen.call is not None and screen.call.source.kind == "example"
        )
        assert f"Example call {session.call_id[:8]} (ann, " in shown_text(screen, "#shadow-title")
        await pilot.press("space", "right")
        await pilot.pause()
        assert (
            rows(screen)[1] == "Advisor: I'm sorry [red]this[/] is still down, when did it start?"
        )


async def test_a_scenario_with_nothing_to_shadow_says_so(make_app, tmp_path):
    source = resolve_scenario(SCENARIO)
    (tmp_path / "mine.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    from callsim.sim.catalogue import load_entry

    app = make_app(catalogue=[load_entry(tmp_path / "mine.yaml")])
    async with app.run_test() as pilot:
        screen = await open_shadow(pilot)
        await pilot.pause()
        assert "has no model call to shadow" in shown_text(screen, "#shadow-status")
        await pilot.press("escape")
        assert isinstance(app.screen, BriefingScreen)


async def test_a_mentor_marks_a_call_under_review_as_an_example(tmp_path):
    from conftest import FixedClock, stub_tagger

    from callsim.sim.store_training import examples
    from callsim.tui.review import CallReviewScreen, ReviewApp

    store = Store(tmp_path / "calls.db")
    loaded = load_scenario(resolve_scenario(SCENARIO))
    session = CallSession(loaded, trainee="ann", clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm so sorry, when did it start?")
    session.end()
    store.save_call(session.transcript(), grade_transcript(session.transcript(), loaded))
    app = ReviewApp(
        store=store,
        mentor="Mo",
        open_call=session.call_id,
        tagger=stub_tagger,
        clock=FixedClock(),
        cursor_blink=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CallReviewScreen)
        await pilot.press("e")
        await pilot.pause()
        [example] = examples(store, SCENARIO)
        assert (example.call_id, example.marked_by) == (session.call_id, "Mo")
        assert any("Marked as an example" in str(n.message) for n in app._notifications)
        assert "example to shadow" in shown_text(app.screen, "#review-title-2")
        await pilot.press("e")
        await pilot.pause()
        assert examples(store) == []
