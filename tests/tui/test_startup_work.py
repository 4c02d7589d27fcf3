"""The home screen reads what it shows once when it first appears (issue 14: start-up)."""

from __future__ import annotations

from textual.widgets import DataTable

from callsim.sim.app_store import AppStore
from callsim.sim.store import Store


class CountingStore(AppStore):
    """The app's real store, counting the last-score reads the home list makes."""

    reads = 0

    def last_score(self, scenario_id: str, trainee: str | None = None) -> float | None:
        self.reads += 1
        return super().last_score(scenario_id, trainee)


async def test_home_reads_each_last_score_once_when_first_shown(make_app, tmp_path):
    store = CountingStore(Store(tmp_path / "calls.db"))
    app = make_app(store=store, trainee="sam")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = app.screen.query_one("#scenarios", DataTable).row_count
        assert rows >= 1
        assert store.reads == rows  # not once to fill the list and again as it is shown
