"""The progress screen: each dimension's trend as a chart, indicators, weakest areas, plan."""

from __future__ import annotations

from conftest import SCENARIO, FixedClock, shown_text, stub_tagger
from store_seed import DIMENSIONS, seed
from textual.widgets import Select

from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store
from callsim.tui.progress import ProgressScreen
from callsim.tui.review import ReviewApp


def review_app(store: Store, **kw) -> ReviewApp:
    kw.setdefault("catalogue", [load_entry(resolve_scenario(SCENARIO))])
    return ReviewApp(store=store, tagger=stub_tagger, clock=FixedClock(), cursor_blink=False, **kw)


async def open_progress(pilot) -> ProgressScreen:
    await pilot.press("p")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, ProgressScreen)
    return pilot.app.screen


async def test_progress_shows_every_dimension_indicators_and_plan(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 6)
    store.set_override(store.list_calls()[0].id, "empathy", 0, "filler apologies only")
    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)
        text = shown_text(screen, "#progress-report")
        assert "Progress of kim: 6 calls" in text
        for _, title in DIMENSIONS:
            assert title[:20] in text
        for indicator in ("First-contact resolution", "Average handling time", "Satisfaction"):
            assert indicator in text
        assert "0% → 100%" in text  # poor calls first, good ones last
        assert "Trends over 6 calls: first half against second half." in text
        assert "first 3 → last 3" in text and "first 10" not in text
        assert "Weakest now" in text and "Development plan" in text
        weakest = text.split("Weakest now")[1].splitlines()[1]
        assert "Calm and professional tone" in weakest  # lowest recent scores in the seed
        assert "▁" in text and "█" in text  # drawn as a chart, not only numbers


async def test_mentor_picks_whose_progress(tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 2)
    seed(store, "sam", 4, first_day=10)
    app = review_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)  # the highlighted call is sam's, the newest
        assert "Progress of sam: 4 calls" in shown_text(screen, "#progress-report")
        screen.query_one(Select).value = "kim"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Progress of kim: 2 calls" in shown_text(screen, "#progress-report")


async def test_progress_after_one_call_says_there_is_no_trend_yet(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 1)
    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)
        text = shown_text(screen, "#progress-report")
        assert "Progress of kim: 1 call" in text
        assert text.count("1 call: no trend yet") == 2  # the scores and the indicators
        assert "→" not in text.split("Weakest now")[0].replace("oldest → newest", "")
        assert "Weakest now (from the one graded call)" in text


async def test_progress_with_no_calls_says_so(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    async with make_app(store=store, trainee="new").run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)
        assert "No finished calls by new yet" in shown_text(screen, "#progress-report")


def test_progress_snapshot(snap_compare, make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 8)

    async def run_before(pilot) -> None:
        await open_progress(pilot)

    app = make_app(store=store, trainee="kim")
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
