"""The mentor's review in the app: pick a call, comment, override with a reason, mark done;
the trainee then sees it in the debrief of that call."""

from __future__ import annotations

from conftest import SCENARIO, FixedClock, reply, shown_text, stub_tagger
from store_seed import seed
from textual.widgets import DataTable, Input, OptionList, Select, TextArea

from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store
from callsim.sim.textsafe import terminal_safe
from callsim.tui.calls import CallsScreen
from callsim.tui.debrief import DebriefScreen
from callsim.tui.review import (
    CallReviewScreen,
    CommentDialog,
    OverrideDialog,
    ReviewApp,
    ReviewListScreen,
)

COMMENT = "Good start [red]x but [/] then \x1b[31m"
SHOWN = terminal_safe(COMMENT)


def review_app(store: Store, **kw) -> ReviewApp:
    kw.setdefault("catalogue", [load_entry(resolve_scenario(SCENARIO))])
    return ReviewApp(store=store, tagger=stub_tagger, clock=FixedClock(), cursor_blink=False, **kw)


async def take_call(pilot) -> None:
    """Home to debrief: one reply, end, notes, graded."""
    await pilot.press("enter", "p")
    await pilot.pause()
    await reply(pilot, "I'm so sorry it's still not working, I'm going to take ownership of this")
    await pilot.press("f10", "enter", "f10")  # end (confirmed), wrap up
    await pilot.pause()
    pilot.app.screen.query_one(TextArea).text = "Down since Monday"
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, DebriefScreen)


async def test_mentor_reviews_a_call_and_the_trainee_sees_it(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        await take_call(pilot)
    [call] = store.list_calls()
    assert call.ended and store.grade(call.id) is not None
    trainee_turn = store.transcript(call.id).trainee_turns()[0].index

    app = review_app(store, mentor="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, ReviewListScreen)
        await pilot.press("enter")  # the only call
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallReviewScreen)
        assert "empathy" in str(screen.query_one(OptionList).get_option_at_index(2).prompt)

        await pilot.press("c")  # comment on the highlighted turn: the trainee's first reply
        await pilot.pause()
        assert isinstance(app.screen, CommentDialog)
        app.screen.query_one(Input).value = COMMENT
        await pilot.press("enter")
        await pilot.pause()
        [comment] = store.comments(call.id)
        assert comment.text == COMMENT and comment.turn == trainee_turn
        assert comment.author == "ann"
        assert f"Mentor ann: {SHOWN}" in str(
            screen.query_one(OptionList).get_option_at_index(2).prompt
        )  # the markup and the escape shown as typed

        dims = screen.query_one("#review-dims", DataTable)
        dims.focus()
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OverrideDialog)
        dialog.query_one("#override-score", Input).value = "55"
        await pilot.press("enter", "enter")  # score, then the reason left empty
        await pilot.pause()
        assert app.screen is dialog  # refused
        assert "needs one" in shown_text(dialog, ".dialog-error")
        assert store.overrides(call.id) == {}
        dialog.query_one("#override-reason", Input).value = "Apologised but never named the impact"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        [override] = store.overrides(call.id).values()
        assert override.override == 55 and override.author == "ann"

        await pilot.press("d")
        await pilot.pause()
        assert store.summary(call.id).reviewed
        assert "review done" in shown_text(screen, "#review-title-2")

    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CallsScreen)
        assert "Review done" in shown_text(pilot.app.screen, "#calls-note")
        assert SHOWN in shown_text(pilot.app.screen, "#calls-note")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        said = shown_text(debrief, "#transcript-text")
        assert f"Mentor ann: {SHOWN}" in said
        graded = shown_text(debrief, "#grade-text")
        assert "Mentor's review" in graded and "Apologised but never named the impact" in graded
    assert len(store.list_calls()) == 1  # opening the debrief saved nothing new


async def test_review_list_filters_by_trainee_and_reviewed(tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 2)
    seed(store, "sam", 3, first_day=10)
    store.mark_reviewed(store.list_calls(trainee="sam")[0].id)
    app = review_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.row_count == 5
        app.screen.query_one("#filter-trainee", Select).value = "sam"
        await pilot.pause()
        assert table.row_count == 3
        app.screen.query_one("#filter-reviewed", Select).value = "todo"
        await pilot.pause()
        assert table.row_count == 2
        assert "2 calls" in shown_text(app.screen, "#review-count")


async def test_review_opens_a_call_by_id_and_refuses_an_unknown_one(tmp_path):
    store = Store(tmp_path / "calls.db")
    [first, _] = seed(store, "kim", 2)
    app = review_app(store, open_call=first)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CallReviewScreen) and app.screen.call_id == first
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewListScreen)
    app = review_app(store, open_call="nope")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewListScreen)


def test_review_list_snapshot(snap_compare, tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 3)
    seed(store, "sam", 2, first_day=10)
    store.mark_reviewed(store.list_calls(trainee="kim")[0].id, reviewer="ann")
    assert snap_compare(review_app(store), terminal_size=(80, 24))


def test_call_review_snapshot(snap_compare, tmp_path):
    store = Store(tmp_path / "calls.db")
    [call, *_] = seed(store, "kim", 2)
    store.add_comment(call, COMMENT, turn=1, author="ann")
    store.set_override(call, "empathy", 35, "Sorry [b]only[/b] as a filler", author="ann")
    assert snap_compare(review_app(store, open_call=call), terminal_size=(80, 24))
