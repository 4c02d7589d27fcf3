"""Peer review in the app: the owner shares from "Your calls", a colleague comments on a turn,
and someone the call was not shared with cannot open it."""

from __future__ import annotations

import pytest
from conftest import shown_text
from textual.widgets import DataTable, Input, OptionList

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.app_store import AppStore
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock
from callsim.sim.store import Store
from callsim.sim.store_peer import peer_comments, shared_with
from callsim.tui.peer import PeerCallScreen, PeerListScreen, ShareDialog

pytestmark = pytest.mark.usefixtures("close_stores")


def kims_call(store: Store) -> str:
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    session = CallSession(loaded, trainee="kim", clock=SimulatedClock())
    store.recorder(session)
    session.say("I'm so sorry, how has that been?")
    session.end()
    store.save_call(session.transcript(), grade_transcript(session.transcript(), loaded))
    return session.call_id


async def test_share_then_a_colleague_comments_on_a_turn(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    call_id = kims_call(store)
    app = make_app(store=AppStore(store), trainee="kim")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")  # your calls
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ShareDialog)
        app.screen.query_one(Input).value = "bea"
        await pilot.press("enter")
        await pilot.pause()
    assert shared_with(store, call_id) == ["bea"]

    app = make_app(store=AppStore(store), trainee="bea")
    async with app.run_test(size=(100, 30)) as pilot:
        app.action_open_screen("peer")
        await pilot.pause()
        assert isinstance(app.screen, PeerListScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PeerCallScreen)
        assert "peer review: comments only, no scores" in shown_text(screen, "#peer-call-title")
        screen.query_one(OptionList).highlighted = 2  # turn 1: kim's reply
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one(Input).value = "[i]Nice[/i] empathy"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        [comment] = peer_comments(store, call_id)
        assert (comment.turn, comment.author, comment.text) == (1, "bea", "[i]Nice[/i] empathy")
        shown = str(screen.query_one(OptionList).get_option_at_index(2).prompt)
        assert "✎ you: [i]Nice[/i] empathy" in shown


async def test_a_call_not_shared_with_you_does_not_open(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    call_id = kims_call(store)
    app = make_app(store=AppStore(store), trainee="lee")
    async with app.run_test() as pilot:
        app.push_screen(PeerCallScreen(call_id))
        await pilot.pause()
        assert not isinstance(app.screen, PeerCallScreen)
        assert any("is shared with lee" in str(n.message) for n in app._notifications)
