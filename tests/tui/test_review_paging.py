"""The mentor's review list reads a large store a page at a time (issue 19): the newest calls
show at once, and the keys a mentor scrolls with carry on to the next page and back."""

from __future__ import annotations

import shutil

import pytest
from conftest import SCENARIO, FixedClock, shown_text, stub_tagger
from textual.widgets import DataTable, Select

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script
from callsim.sim.store import Store
from callsim.tui.review import PAGE, CallReviewScreen, ReviewApp, ReviewListScreen

CALLS = 2_500
TRAINEES = ("kim", "sam", "ali")


def call_id(n: int) -> str:
    return f"{n:08d}" + "c" * 24


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """A store of CALLS saved calls (call n started n minutes after the first), filled with
    the store's own bulk path; every tenth graded, every seventh reviewed."""
    loaded = load_scenario(resolve_scenario(SCENARIO))
    session = CallSession(
        loaded, trainee="kim", tagger=stub_tagger, clock=SimulatedClock(), call_id=call_id(0)
    )
    play_script(session, ["I'm so sorry it's still not working", "/end"])
    template = session.transcript()
    grade = grade_transcript(template, loaded)

    def calls():
        for n in range(CALLS):
            day, minute = divmod(n, 24 * 60)
            started = f"2026-01-{1 + day:02d}T{minute // 60:02d}:{minute % 60:02d}:00+00:00"
            yield (
                template.model_copy(
                    update={
                        "call_id": call_id(n),
                        "started_at": started,
                        "trainee": TRAINEES[n % len(TRAINEES)],
                    }
                ),
                grade if n % 10 == 0 else None,
            )

    path = tmp_path_factory.mktemp("big") / "calls.db"
    store = Store(path)
    assert store.bulk_save(calls(), batch=2_500) == CALLS
    for n in range(0, CALLS, 7):
        store.mark_reviewed(call_id(n), reviewer="ann")
    store.close()
    return path


@pytest.fixture
def store(big_store, tmp_path):
    copy = tmp_path / "calls.db"
    shutil.copy(big_store, copy)
    opened = Store(copy)
    yield opened
    opened.close()


def review_app(store: Store) -> ReviewApp:
    return ReviewApp(
        store=store,
        tagger=stub_tagger,
        clock=FixedClock(),
        cursor_blink=False,
        catalogue=[load_entry(resolve_scenario(SCENARIO))],
    )


def listed(screen: ReviewListScreen) -> list[str]:
    """The call ids in the table, top to bottom."""
    table = screen.query_one(DataTable)
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def test_the_newest_page_shows_and_keys_turn_to_the_next_and_back(store):
    app = review_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewListScreen)
        table = screen.query_one(DataTable)
        newest = [call_id(n) for n in range(CALLS - 1, CALLS - 1 - PAGE, -1)]
        assert listed(screen) == newest
        count = shown_text(screen, "#review-count")
        assert f"Calls 1-{PAGE} of 2,500, newest first" in count
        assert "] next page" in count  # the brackets shown as typed, not read as markup

        await pilot.press("right_square_bracket")
        await pilot.pause()
        following = [call_id(n) for n in range(CALLS - 1 - PAGE, CALLS - 1 - 2 * PAGE, -1)]
        assert listed(screen) == following
        assert f"Calls {PAGE + 1}-{2 * PAGE} of 2,500" in shown_text(screen, "#review-count")
        assert table.cursor_row == 0

        await pilot.press("up")  # back past the first row: the previous page, on its last row
        await pilot.pause()
        assert listed(screen) == newest and table.cursor_row == PAGE - 1
        await pilot.press("down")  # on past the last row: the next page again, on its first
        await pilot.pause()
        assert listed(screen) == following and table.cursor_row == 0
        await pilot.press("left_square_bracket", "left_square_bracket")  # no page before 1
        await pilot.pause()
        assert listed(screen) == newest


async def test_the_last_page_holds_the_oldest_calls_and_goes_no_further(store):
    app = review_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        pages = -(-CALLS // PAGE)
        for _ in range(pages + 2):  # two presses more than there are pages
            await pilot.press("right_square_bracket")
        await pilot.pause()
        oldest = [call_id(n) for n in range(CALLS - 1 - (pages - 1) * PAGE, -1, -1)]
        assert listed(screen) == oldest
        assert "of 2,500" in shown_text(screen, "#review-count")
        await pilot.press("ctrl+end", "down", "pagedown")  # nothing after the oldest call
        await pilot.pause()
        assert listed(screen) == oldest
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallReviewScreen) and app.screen.call_id == call_id(0)


async def test_filters_page_in_the_store_and_start_again_at_the_first_page(store):
    app = review_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        screen.query_one("#filter-reviewed", Select).value = "done"
        await pilot.pause()
        reviewed = [n for n in range(CALLS - 1, -1, -1) if n % 7 == 0]
        assert listed(screen) == [call_id(n) for n in reviewed[:PAGE]]
        assert f"Calls 1-{PAGE} of {len(reviewed)}" in shown_text(screen, "#review-count")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert listed(screen) == [call_id(n) for n in reviewed[PAGE : 2 * PAGE]]
        screen.query_one("#filter-trainee", Select).value = "sam"
        await pilot.pause()
        sams = [n for n in reviewed if TRAINEES[n % 3] == "sam"]
        assert listed(screen) == [call_id(n) for n in sams[:PAGE]]  # page 1 of sam's
        assert f"Calls 1-{PAGE} of {len(sams)}," in shown_text(screen, "#review-count")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert listed(screen) == [call_id(n) for n in sams[PAGE:]]
        scenario_choices = screen.query_one("#filter-scenario", Select)._options
        assert [value for _, value in scenario_choices[1:]] == [SCENARIO]
