"""Whole calls through the app, home to debrief, as a trainee takes them."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import SCENARIO, reply, shown_text
from textual.widgets import DataTable, Input, OptionList, Select, Static, TextArea

from callsim.engine.loader import load_scenario
from callsim.grading.grader import grade_transcript
from callsim.sim.app_store import AppStore
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store
from callsim.tui.briefing import BriefingScreen
from callsim.tui.call import ArgumentPrompt, CallScreen
from callsim.tui.debrief import DebriefScreen
from callsim.tui.home import HomeScreen
from callsim.tui.wrapup import WrapUpScreen

OWNERSHIP = "I'm so sorry it's still not working, I'm going to take ownership of this"
CHECKS = "Let me run a line test on your connection"
BOOK = "I can get an engineer out to you on Thursday between 8 and 1"


async def open_call(pilot, mode_key: str = "p") -> CallScreen:
    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, BriefingScreen)
    await pilot.press(mode_key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, CallScreen)
    return pilot.app.screen


async def finish(pilot, notes: str = "Issue: no sync since Monday. Next: engineer Thursday."):
    await pilot.press("f10", "enter")  # end the call (F10 asks; Enter confirms)
    await pilot.pause()
    await pilot.press("f10")  # wrap up
    await pilot.pause()
    assert isinstance(pilot.app.screen, WrapUpScreen)
    pilot.app.screen.query_one(TextArea).text = notes
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DebriefScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen


async def test_practice_call_home_to_debrief(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        assert "Jordan Reeves: Finally." in shown_text(screen, ".turn")
        assert app.focused is screen.query_one("#reply", Input)

        await reply(pilot, OWNERSHIP)
        feedback = shown_text(screen, ".feedback")
        assert "empathy" in feedback and "frustration 7.0 →" in feedback
        await reply(pilot, CHECKS)

        await pilot.press("f3")  # the actions panel; Enter uses the first tool, the line test
        await pilot.pause()
        assert screen.has_class("-show-side")
        await pilot.press("enter")
        await pilot.pause()
        assert "Line test: FAULT" in shown_text(screen, ".turn")
        assert not screen.has_class("-show-side")  # back to the conversation

        await pilot.press("f4")  # knowledge base, in place of the conversation at 80 columns
        await pilot.pause()
        assert screen.query_one("#side").display and not screen.query_one("#talk").display
        screen.query_one("#kb-search", Input).value = "red light"
        await pilot.pause()
        assert "no sync" in shown_text(screen, "#kb-body").lower()
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#talk").display and not screen.query_one("#side").display
        assert app.focused is screen.query_one("#reply")

        await pilot.press("f1")
        await pilot.pause()
        assert "Hint (costs points)" in shown_text(screen, ".notice")
        assert screen.session.hints_used == 1

        await reply(pilot, BOOK)
        assert screen.session.stage == "fix"
        await reply(pilot, "I guarantee the engineer will fix it")
        warnings = shown_text(screen, ".feedback.-warning")
        assert '⚠ over promise: "I guarantee the engineer will fix it"' in warnings
        debrief = await finish(pilot)

        text = shown_text(debrief, "#grade-text")
        assert "Outcome: unresolved" in text
        assert "Hints used: 1" in text
        assert "Issue: no sync since Monday" in text
        assert "Line test: FAULT" in shown_text(debrief, "#transcript-text")


async def test_assessment_call_gives_no_feedback_or_hints_then_retry(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot, "a")
        await reply(pilot, OWNERSHIP)
        await reply(pilot, "It's probably your equipment")
        assert not screen.query(".feedback")
        await pilot.press("f1")
        await pilot.pause()
        assert screen.session.hints_used == 0 and not screen.query(".notice")
        assert "Hint" not in [b.binding.description for b in screen.active_bindings.values()]
        debrief = await finish(pilot)
        assert "Mode: assessment" in shown_text(debrief, "#grade-text")
        assert "[blame]" in shown_text(debrief, "#transcript-text")  # tags shown at the end

        await pilot.press("r")  # retry: the same call again, same mode, from the start
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen is not screen
        assert app.screen.session.mode == "assessment" and len(app.screen.session.turns) == 1
        await finish(pilot, "x")
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_rewind_replays_the_call_up_to_the_chosen_reply(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        await reply(pilot, OWNERSHIP)
        await reply(pilot, "It's probably your equipment")
        first = screen.session.transcript()
        debrief = await finish(pilot)

        blame_turn = next(t for t in first.turns if "equipment" in t.text)
        await pilot.press("w")
        await pilot.pause()
        rewind = debrief.query_one("#rewind-list", OptionList)
        assert app.focused is rewind
        ids = [rewind.get_option_at_index(i).id for i in range(rewind.option_count)]
        rewind.highlighted = ids.index(str(blame_turn.index))
        await pilot.press("enter")
        await pilot.pause()

        again = app.screen
        assert isinstance(again, CallScreen) and again is not screen
        assert [t.text for t in again.session.turns] == [
            t.text for t in first.turns[: blame_turn.index]
        ]
        assert again.session.mood == first.turns[blame_turn.index - 1].mood_after
        assert "Fine. But I've heard that before." in shown_text(again, ".turn")
        await reply(pilot, CHECKS)  # a different reply from there
        assert again.session.stage == "checks"


async def test_command_palette_offers_the_calls_commands(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        titles = [t for t, _, _ in screen.palette_commands()]
        assert "Action: Run line test" in titles and "Hint" in titles and "End call" in titles
        for command in ("End call", "Theme: light"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            app.screen.query_one(Input).value = command
            await pilot.pause(0.2)
            await pilot.press("enter")
            await pilot.pause()
        assert screen.session.ended
        assert app.theme == "textual-light"


async def test_wide_screen_shows_panels_beside_the_conversation(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_call(pilot)
        assert screen.query_one("#side").display and screen.query_one("#talk").display
        assert "BB-204 551 873" in shown_text(screen, "#account-record")
        await pilot.click("#side Tab#--content-tab-actions")
        await pilot.pause()
        await pilot.click(".action")  # the mouse works too
        await pilot.pause()
        assert "Line test: FAULT" in shown_text(screen, ".turn")
        assert "✓ Line test: FAULT" in shown_text(screen, ".action-help")

        screen.use_action("book_engineer")  # a tool that takes an argument asks for it
        await pilot.pause()
        assert isinstance(app.screen, ArgumentPrompt)
        await pilot.press("enter")  # its first slot
        await pilot.pause()
        assert app.screen is screen
        assert "Book engineer visit (Thursday 8am–1pm)" in shown_text(screen, ".turn")
        await reply(pilot, "/action outage_check")  # typed commands do the same as the panel
        assert "No outage reported" in shown_text(screen, ".turn")
        await reply(pilot, "/action teleport")
        assert "teleport" not in shown_text(screen, ".turn")


async def test_home_filters_by_category_difficulty_and_text(make_app, tmp_path: Path):
    src = resolve_scenario(SCENARIO).read_text(encoding="utf-8")
    (tmp_path / "billing.yaml").write_text(
        src.replace(f"id: {SCENARIO}", "id: billing-copy")
        .replace("category: outage", "category: billing")
        .replace("difficulty: 3", "difficulty: 2")
        .replace("the repeat caller", "the double charge"),
        encoding="utf-8",
    )
    app = make_app(extra_dirs=[tmp_path])
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        app.screen.query_one("#category", Select).value = "billing"
        await pilot.pause()
        assert table.row_count == 1
        app.screen.query_one("#category", Select).clear()
        app.screen.query_one("#difficulty", Select).value = 3
        await pilot.pause()
        assert table.row_count == 1
        app.screen.query_one("#difficulty", Select).clear()
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#search")
        app.focused.value = "double charge"
        await pilot.pause()
        assert table.row_count == 1
        assert "double charge" in shown_text(app.screen, "#detail")
        app.focused.value = "double charge nothing-like-this"
        await pilot.pause()
        assert table.row_count == 0
        assert "No scenario matches" in shown_text(app.screen, "#detail")


async def test_a_broken_scenario_is_listed_with_its_problem(make_app, tmp_path: Path):
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: [oops\n", encoding="utf-8")
    app = make_app(extra_dirs=[tmp_path])
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        table.move_cursor(row=0)
        await pilot.pause()
        detail = shown_text(app.screen, "#detail")
        assert "has errors" in detail and f"{tmp_path / 'broken.yaml'}:" in detail
        assert ": error: " in detail
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # not opened, not crashed


async def test_a_store_hears_every_turn_and_keeps_the_graded_call(make_app, tmp_path: Path):
    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), trainee="sam")
    async with app.run_test(size=(80, 24)) as pilot:
        assert str(app.screen.query_one(DataTable).get_row_at(0)[-1]) == ""  # no score yet
        await open_call(pilot)
        await reply(pilot, OWNERSHIP)
        [call] = store.list_calls()  # saved as it is said
        assert (call.scenario_id, call.mode, call.trainee) == (SCENARIO, "practice", "sam")
        speakers = [t.speaker for t in store.transcript(call.id).turns]
        assert speakers == ["customer", "trainee", "customer", "customer"]
        debrief = await finish(pilot)
        assert debrief.view is not None
        shown = debrief.view.grade
    [call] = store.list_calls()
    assert call.ended and store.transcript(call.id).wrap_up.startswith("Issue:")
    assert store.grade(call.id) == shown and call.total_score == shown.score

    async with make_app(store=AppStore(store), trainee="sam").run_test(size=(80, 24)) as pilot:
        last = pilot.app.screen.query_one(DataTable).get_row_at(0)[-1]
        assert str(last) == f"{call.total_score:g}"  # the last score, as 68 not 68.0


async def test_leaving_the_debrief_at_once_still_saves_the_whole_call(make_app, tmp_path: Path):
    """Home pressed before grading is done: the call is still saved ended, with notes and grade."""
    store = Store(tmp_path / "calls.db")
    graded = threading.Event()

    def slow_grader(transcript, loaded):  # the real grader, held until the trainee has left
        graded.wait(10)
        return grade_transcript(transcript, loaded)

    app = make_app(store=AppStore(store), trainee="sam", grader=slow_grader)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call(pilot)
        await reply(pilot, OWNERSHIP)
        await pilot.press("f10", "enter", "f10")  # end (confirmed), wrap up
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Issue: no sync since Monday."
        await pilot.press("ctrl+s", "h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # left before grading finished
        graded.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
    [call] = store.list_calls()
    saved = store.transcript(call.id)
    assert call.ended and saved.ended_at is not None
    assert saved.wrap_up == "Issue: no sync since Monday."
    grade = store.grade(call.id)
    assert grade is not None and call.total_score == grade.score
    assert grade == grade_transcript(saved, load_scenario(resolve_scenario(SCENARIO)))


async def test_the_debrief_shows_the_real_grade(make_app):
    """With grading installed, the debrief shows its score, dimensions, KPIs and advice."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call(pilot)
        await reply(pilot, OWNERSHIP)
        debrief = await finish(pilot)
        view = debrief.view
        assert view is not None and view.grade is not None
        text = shown_text(debrief, "#grade-text")
        assert f"Grade {view.grade.score}/100" in text
        assert "By dimension" in text and "KPIs" in text
        for dim in view.grade.dimensions:
            assert dim.title in text
        for flag in view.grade.flags:
            assert flag.message in text


async def test_a_damaged_rubric_leaves_the_call_saved_and_says_so(make_app, tmp_path: Path):
    """Grading that cannot run (a broken rubric file) is a message on the debrief, not a crash."""
    from callsim.grading.rubric import load_rubric

    store = Store(tmp_path / "calls.db")
    broken = tmp_path / "rubric.yaml"
    broken.write_text("dimensions: [\n", encoding="utf-8")

    def grader(transcript, loaded):  # the real grader, with a team's rubric file that is broken
        return grade_transcript(transcript, loaded, load_rubric(broken))

    app = make_app(store=AppStore(store), trainee="sam", grader=grader)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_call(pilot)
        await reply(pilot, OWNERSHIP)
        debrief = await finish(pilot)
        await pilot.pause()
        text = str(debrief.query_one("#grade-text", Static).render())
        assert "could not be graded" in text
        assert f"{broken}:2:1" in text.replace("\n", "")
        assert app.is_running
    [call] = store.list_calls()
    assert call.ended and store.transcript(call.id).wrap_up.startswith("Issue:")
    assert store.grade(call.id) is None
