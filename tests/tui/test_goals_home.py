"""The home screen shows the trainee's goals and moves them as calls are taken."""

from __future__ import annotations

import pytest
from conftest import reply, shown_text
from textual.widgets import TextArea

from callsim.sim.app_store import AppStore
from callsim.sim.store import Store
from callsim.sim.store_goals import set_goal

pytestmark = pytest.mark.usefixtures("close_stores")


async def test_home_shows_each_goal_and_a_call_moves_it(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    set_goal(store, "kim", calls=2, difficulty=3, due="2099-01-31", mentor="Mo")
    set_goal(store, "kim", dimension="empathy", level=75, due="2000-01-01")
    set_goal(store, "someone else", calls=1, difficulty=1)
    app = make_app(store=AppStore(store), trainee="kim")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        goals = app.screen.query_one("#goals")
        assert goals.display
        text = shown_text(app.screen, "#goals")
        assert text.splitlines()[0] == "Your goals"
        assert "not started  2 calls at difficulty 3 or above by 2099-01-31  (0 of 2 calls)" in text
        assert "overdue      Empathy at 75 or above by 2000-01-01  (not scored yet)" in text
        assert "difficulty 1" not in text  # another trainee's goal
        await pilot.press("enter", "p")  # take a call
        await pilot.pause()
        await reply(pilot, "I'm so sorry it's still down")
        await pilot.press("f10", "enter")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Issue: down."
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert "in progress  2 calls at difficulty 3 or above by 2099-01-31  (1 of 2 calls)" in (
            shown_text(app.screen, "#goals")
        )


async def test_no_goals_no_box(make_app, tmp_path):
    app = make_app(store=AppStore(Store(tmp_path / "calls.db")), trainee="kim")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#goals").display


async def test_the_progress_screen_shows_goals_and_the_self_assessment_match(make_app, tmp_path):
    from store_seed import seed

    from callsim.sim.store_training import SelfAssessment, save_self_assessment
    from callsim.tui.progress import ProgressScreen

    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 4)
    set_goal(store, "kim", calls=10, difficulty=1, due="2099-01-31")
    for call in store.list_calls(trainee="kim"):
        save_self_assessment(store, call.id, SelfAssessment({"calm_tone": "good"}))
    async with make_app(store=AppStore(store), trainee="kim").run_test(size=(100, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProgressScreen)
        text = shown_text(pilot.app.screen, "#progress-report")
        assert "Goals (set by a mentor):" in text
        assert (
            "10 calls at difficulty 1 or above by 2099-01-31: in progress (4 of 10 calls)" in text
        )
        assert "Self-assessment: 4 calls rated; your ratings matched the grade on" in text


def assigned_store(tmp_path) -> Store:
    """Kim: one assignment overdue, one open, a goal; someone else's assignment."""
    from callsim.sim.store_assignments import assign

    store = Store(tmp_path / "calls.db")
    assign(store, "broadband-down-repeat-caller", ["kim"], "2099-01-31", by="Tess")
    assign(store, "double-charge-october", ["kim"], "2000-01-01")
    assign(store, "roaming-bill-shock", ["someone else"], "2099-01-31")
    set_goal(store, "kim", calls=2, difficulty=3, due="2099-01-31")
    return store


async def test_home_shows_open_assignments_first_and_a_call_completes_one(make_app, tmp_path):
    app = make_app(store=AppStore(assigned_store(tmp_path)), trainee="kim")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lines = shown_text(app.screen, "#goals").splitlines()
        assert lines[:3] == [
            "Assigned to you",
            "overdue         double-charge-october  (was due 2000-01-01)",  # not in the list
            "due 2099-01-31  Broadband down for days: the repeat caller",
        ]
        assert lines[4] == "Your goals"
        assert "roaming" not in "\n".join(lines)  # another trainee's
        await pilot.press("enter", "p")  # take the assigned call
        await pilot.pause()
        await reply(pilot, "I'm so sorry it's still down")
        await pilot.press("f10", "enter")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Issue: down."
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        lines = shown_text(app.screen, "#goals").splitlines()
        assert lines[:2] == [
            "Assigned to you",
            "overdue         double-charge-october  (was due 2000-01-01)",
        ]
        assert "Broadband" not in lines[2]  # done: no longer listed


def test_home_with_assignments_snapshot(snap_compare, make_app, tmp_path):
    app = make_app(store=AppStore(assigned_store(tmp_path)), trainee="kim")
    assert snap_compare(app, terminal_size=(80, 24))
