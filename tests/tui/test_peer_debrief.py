"""The owner's debrief shows colleagues' comments apart from the mentor's review."""

from __future__ import annotations

import pytest
from conftest import shown_text

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.app_store import AppStore
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store
from callsim.sim.store_peer import add_peer_comment, share
from callsim.tui.debrief import DebriefScreen

pytestmark = pytest.mark.usefixtures("close_stores")


async def test_peer_comments_stand_apart_from_the_mentors(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    session = CallSession(loaded, trainee="kim", clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm so sorry, how has that been?")
    session.end()
    store.save_call(session.transcript(), grade_transcript(session.transcript(), loaded))
    store.add_comment(session.call_id, "Mentor says: slow down", author="Mo")
    share(store, session.call_id, "kim", "bea")
    add_peer_comment(store, session.call_id, "bea", "[b]Lovely[/b] opening", turn=1)
    app = make_app(store=AppStore(store), trainee="kim")
    async with app.run_test(size=(100, 40)) as pilot:
        debrief = DebriefScreen(
            session,
            transcript=store.transcript(session.call_id),
            saved_grade=store.grade(session.call_id),
        )
        app.push_screen(debrief)
        await pilot.pause()
        text = shown_text(debrief, "#grade-text")
        mentor = text.index("Mentor's review")
        peers = text.index("From colleagues (peer review)")
        assert mentor < peers
        assert "Mentor says: slow down" in text[mentor:peers]
        assert "✎ bea on turn 1: [b]Lovely[/b] opening" in text[peers:]
