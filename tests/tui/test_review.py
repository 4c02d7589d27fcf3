"""The mentor's review in the app: pick a call, comment, override with a reason, mark done;
the trainee then sees it in the debrief of that call."""

from __future__ import annotations

import re

from conftest import SCENARIO, FixedClock, reply, shown_text, stub_tagger
from store_seed import seed
from textual.widgets import DataTable, Input, OptionList, Select, TextArea

from callsim.grading.adjusted import adjust
from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store
from callsim.sim.textsafe import terminal_safe
from callsim.tui.calls import CallsScreen
from callsim.tui.debrief import DebriefScreen
from callsim.tui.review import (
    CallReviewScreen,
    CommentDialog,
    FlagDialog,
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


async def test_mentor_reviews_a_call_and_the_trainee_sees_it(make_app, any_db):
    """On both stores: an SQLite file and a team's PostgreSQL server."""
    store = Store(any_db)
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


async def test_a_mentors_correction_changes_the_debrief_headline(make_app, tmp_path):
    """Issue 13, item 4: the mentor clears a false critical flag and rescores a dimension in
    the review app; the trainee's debrief then states the mentor-adjusted grade first, with
    the correction (who, when, what, why) above everything else, and their list of calls
    shows it too."""
    store = Store(tmp_path / "calls.db")
    [call, *_] = seed(store, "kim", 2)  # the first call is a poor one: flagged and capped
    auto = store.grade(call)
    flag = auto.flags[0]

    app = review_app(store, mentor="Ann Lee", open_call=call)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallReviewScreen)
        dims = screen.query_one("#review-dims", DataTable)
        dims.focus()
        for _ in range(len(auto.dimensions)):  # past the dimensions to the flag's row
            await pilot.press("down")
        assert "caps the total" in shown_text(screen, "#review-dim-note")
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FlagDialog)
        await pilot.press("enter")  # no reason: refused
        await pilot.pause()
        assert app.screen is dialog and "Give a reason" in shown_text(dialog, ".dialog-error")
        dialog.query_one(Input).value = "said as the engineer's slot, not a guarantee"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert [c.flag for c in store.corrections(call).cleared_flags] == [flag.id]
        assert "cleared" in str(dims.get_row_at(dims.cursor_row))
        turns = screen.query_one("#review-turns", OptionList)
        flagged = str(turns.get_option(str(flag.turn)).prompt)
        assert "⚑ cleared by the mentor" in flagged and f"caps at {flag.cap}" not in flagged

        dims.move_cursor(row=0)  # the first dimension
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#override-score", Input).value = "95"
        app.screen.query_one("#override-reason", Input).value = "stayed calm throughout"
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.screen is screen
        title = shown_text(screen, "#review-title-2")
        assert f"(auto {auto.score})" in title

    adjusted = adjust(auto, store.corrections(call))
    assert adjusted.score != auto.score and flag not in adjusted.flags

    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        calls = pilot.app.screen
        assert isinstance(calls, CallsScreen)
        table = calls.query_one(DataTable)
        assert f"{adjusted.score} (auto {auto.score})" in str(table.get_row(call))
        table.move_cursor(row=table.get_row_index(call))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        graded = shown_text(debrief, "#grade-text")
        lines = graded.splitlines()
        assert lines[0] == f"Grade {adjusted.headline()}"
        assert lines[0].startswith(
            f"Grade mentor-adjusted {adjusted.score}/100 ({adjusted.band}) (auto {auto.score})"
        )
        assert lines[2] == "Mentor's correction"
        stamp = r"Mentor Ann Lee, \d{4}-\d\d-\d\d \d\d:\d\d UTC: "
        assert any(re.match(stamp + "cleared the critical flag '" + re.escape(flag.message), line)
                   for line in lines[3:6])  # fmt: skip
        assert "Reason: said as the engineer's slot, not a guarantee" in graded
        assert "-> 95. Reason: stayed calm throughout" in graded
        assert graded.index("Mentor's correction") < graded.index("By dimension")
        assert "Critical flags cleared by the mentor" in graded
        cleared = graded.split("Critical flags cleared by the mentor", 1)[1]
        assert cleared.splitlines()[1].startswith(flag.message)


async def test_the_home_screen_shows_the_mentor_adjusted_score(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    [call] = seed(store, "kim", 1)
    store.set_override(call, "calm_tone", 100, "calm throughout", author="ann")
    adjusted = adjust(store.grade(call), store.corrections(call))
    assert adjusted.score != store.grade(call).score
    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = pilot.app.screen.query_one("#scenarios", DataTable)
        assert str(table.get_row_at(0)[-1]) == str(adjusted.score)
