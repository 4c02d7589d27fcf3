"""The cohort in the mentor's app: `c` on the review list opens the same figures as
`callsim cohort`, with each trainee's assignments done and overdue."""

from __future__ import annotations

import pytest
from conftest import SCENARIO, FixedClock, shown_text, stub_tagger
from store_seed import seed

from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store
from callsim.sim.store_assignments import assign
from callsim.tui.cohort import CohortScreen
from callsim.tui.review import ReviewApp, ReviewListScreen

pytestmark = pytest.mark.usefixtures("close_stores")


async def test_c_opens_the_cohort_with_assignments_and_escape_goes_back(tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 4)
    seed(store, "[b]lee", 2, first_day=10)
    assign(store, SCENARIO, ["kim"], "2000-01-31")  # overdue: her calls were before it
    app = ReviewApp(
        store=store,
        catalogue=[load_entry(resolve_scenario(SCENARIO))],
        tagger=stub_tagger,
        clock=FixedClock(),
        cursor_blink=False,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CohortScreen)
        text = shown_text(app.screen, "#cohort-text")
        assert text.startswith("Cohort: every trainee in the store, 2 trainees, all their calls")
        assert "Weakest areas" in text and "Empathy" in text
        assert f"\n  {'kim':<16} {4:>5} " in text and f"\n  {'[b]lee':<16} {2:>5} " in text
        assert "Assignments (callsim assign --list for each one)" in text
        assert "  kim              0 done, 0 open, 1 overdue" in text
        assert "Not practised in 7 days or more" in text  # the seeded calls are from March
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewListScreen)
