"""Issue 14's app defects, and issue 19's reply box, each driven by a trainee's or a mentor's keys.

Every test here failed before its fix: the numbers are the issue's.
"""

from __future__ import annotations

import pytest
from conftest import SCENARIO, FixedClock, reply, shown_text, stub_tagger
from store_seed import seed
from textual import events
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Select, TabbedContent, TextArea

from callsim.sim.app_store import AppStore
from callsim.sim.catalogue import load_entry
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.store import Store
from callsim.sim.textsafe import hidden
from callsim.sim.trainee import saved_trainee
from callsim.tui.review import ReviewApp

OWNERSHIP = "I'm so sorry it's still not working, I'm going to take ownership of this"
BLAME = "It's probably your equipment"


def screen_name(pilot) -> str:
    return type(pilot.app.screen).__name__


async def to_call(pilot, mode: str = "p"):
    await pilot.press("enter", mode)
    await pilot.pause()
    assert screen_name(pilot) == "CallScreen"
    return pilot.app.screen


async def to_debrief(pilot, *replies: str):
    """Take a call with these replies, end it with /end, write notes, see the graded debrief."""
    await to_call(pilot)
    for line in replies:
        await reply(pilot, line)
    await reply(pilot, "/end")
    await pilot.press("f10")  # wrap up
    await pilot.pause()
    pilot.app.screen.query_one(TextArea).text = "Issue: no sync. Next: engineer Thursday."
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert screen_name(pilot) == "DebriefScreen"
    return pilot.app.screen


def type_ahead(pilot, *keys: tuple[str, str | None]) -> None:
    """Keys that arrive in one read, as a fast typist's do (pilot.press waits between keys)."""
    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)


async def open_progress(pilot):
    await pilot.press("p")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert screen_name(pilot) == "ProgressScreen"
    return pilot.app.screen


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A throwaway config folder, so no test reads or writes the real trainee name."""
    monkeypatch.setenv("CALLSIM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("CALLSIM_TRAINEE", raising=False)
    return tmp_path / "config"


# -- 1. Progress with no trainee name ------------------------------------------------------------


async def test_1_progress_opens_when_no_trainee_name_is_set(make_app, tmp_path):
    app = make_app(store=AppStore(Store(tmp_path / "calls.db")))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)
        assert "No trainee name yet" in shown_text(screen, "#progress-report")
        await pilot.press("escape")
        assert screen_name(pilot) == "HomeScreen"


# -- 2. Who is training ----------------------------------------------------------------------------


async def test_2_first_use_asks_who_is_training_refuses_commands_and_remembers(
    make_app, tmp_path, config
):
    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), ask_trainee=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen)
        assert "Who is training?" in shown_text(app.screen, "Label")
        await pilot.press("slash", "e", "n", "d", "enter")
        assert "is a command, not a name" in shown_text(app.screen, ".dialog-error")
        assert app.trainee is None and saved_trainee() is None

        box = app.screen.query_one("#trainee-name", Input)
        box.post_message(events.Paste("\x1b[2JKim\u202e"))  # pasted control characters
        await pilot.pause()
        assert "control characters" in shown_text(app.screen, ".dialog-error")
        assert not any(hidden(ch) for ch in box.value)

        await pilot.press("ctrl+u", "S", "a", "m", "space", "L", "e", "e", "enter")
        await pilot.pause()
        assert app.trainee == "Sam Lee" and saved_trainee() == "Sam Lee"
        assert screen_name(pilot) == "HomeScreen"
        assert "trainee: Sam Lee" in app.screen.sub_title
        await to_call(pilot)
        await reply(pilot, OWNERSHIP)
    [call] = store.list_calls()
    assert call.trainee == "Sam Lee"  # the call has an owner, so progress finds it


async def test_2_the_trainee_can_be_switched_from_the_home_screen(make_app, tmp_path, config):
    app = make_app(store=AppStore(Store(tmp_path / "calls.db")), trainee="kim")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Switch trainee" in [title for title, _, _ in app.screen.palette_commands()]
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen)
        await pilot.press("a", "n", "n", "enter")
        await pilot.pause()
        assert app.trainee == "ann" and saved_trainee() == "ann"
        assert "trainee: ann" in app.screen.sub_title
        await pilot.press("t", "escape")  # Escape leaves the name as it was
        assert app.trainee == "ann"


async def test_2_a_trainee_who_skips_the_question_is_told_what_it_means(
    make_app, tmp_path, config
):
    app = make_app(store=AppStore(Store(tmp_path / "calls.db")), ask_trainee=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(pilot) == "HomeScreen" and app.trainee is None
        said = " ".join(str(n.message) for n in app._notifications)
        assert "saved without a name" in said and "t on the home screen" in said


# -- 3. The meter --------------------------------------------------------------------------------


async def test_3_the_meter_names_frustration_colours_it_and_shows_which_way_it_moved(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)
        meter = screen.query_one("#mood")
        shown = str(meter.render())
        assert shown.startswith("Frustration") and "7.0/10" in shown
        assert "▲" not in shown and "▼" not in shown  # nothing has moved it yet
        assert meter.has_class("-upset")
        assert "0 calm, 10 furious" in str(meter.tooltip)

        await reply(pilot, OWNERSHIP)  # empathy and taking ownership calm her
        assert "5.0/10 ▼" in str(meter.render()) and meter.has_class("-upset")
        assert "frustration 7.0 → 5.0" in shown_text(screen, ".feedback")

        await reply(pilot, BLAME)  # up to the point where she demands a manager
        assert "9.0/10 ▲" in str(meter.render()) and meter.has_class("-angry")


# -- 4. F2 from the knowledge list -----------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_4_f2_opens_the_account_while_the_knowledge_list_has_focus(make_app, size):
    async with make_app().run_test(size=size) as pilot:
        screen = await to_call(pilot)
        await pilot.press("f4")
        await pilot.pause()
        screen.query_one("#kb-list", OptionList).focus()
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert screen.query_one("#side-tabs", TabbedContent).active == "account"
        assert screen.query_one("#account-record").region.height > 0  # on screen
        assert pilot.app.focused is not None and pilot.app.focused.id != "kb-list"


# -- 5. Arrow keys through the tools; a tool used again calms nobody -------------------------------


async def test_5_arrow_keys_move_through_the_tools(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)

        def used() -> list[str | None]:
            return [t.action for t in screen.session.turns if t.speaker == "action"]

        await pilot.press("f3", "down", "enter")
        await pilot.pause()
        assert used() == ["outage_check"]
        await pilot.press("f3", "down", "up", "enter")
        await pilot.pause()
        assert used() == ["outage_check", "line_test"]


async def test_5_an_enter_typed_straight_after_an_arrow_uses_the_tool_it_moved_to(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)
        await pilot.press("f3", "down")
        await pilot.pause()
        type_ahead(pilot, ("up", None), ("enter", "\r"))
        await pilot.pause()
        assert [t.action for t in screen.session.turns if t.speaker == "action"] == ["line_test"]


async def test_5_running_the_same_tool_again_does_not_calm_the_customer(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)
        for _ in range(3):
            await pilot.press("f3", "enter")  # the line test, again and again
            await pilot.pause()
        first, *again = [t for t in screen.session.turns if t.speaker == "action"]
        assert first.mood_after < first.mood_before
        assert len(again) == 2 and all(t.mood_after == t.mood_before for t in again)
        assert screen.session.mood == first.mood_after


# -- 6. Knowledge search ---------------------------------------------------------------------------


async def test_6_knowledge_search_narrows_the_list_as_you_type(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)
        await pilot.press("f4")
        await pilot.pause()
        articles = screen.query_one("#kb-list", OptionList)

        def listed() -> list[str]:
            return [str(o.prompt) for o in articles.options]

        assert len(listed()) == 2
        await pilot.press("c", "r", "e", "d")  # "credit" is in the no-sync article's text too
        assert listed() == ["Service credits"]
        assert "Service credits" in shown_text(screen, "#kb-body")
        await pilot.press("x")
        assert listed() == [] and "No article matches" in shown_text(screen, "#kb-body")
        await pilot.press("ctrl+u", *"exchange")  # in no title or keyword: the text is searched
        assert listed() == ["Broadband: no sync (red router light)"]


# -- 8. The home list's last score ---------------------------------------------------------------


async def test_8_home_shows_the_score_of_the_call_just_taken(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    app = make_app(store=AppStore(store), trainee="sam")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_debrief(pilot, OWNERSHIP)
        await pilot.press("h")
        await pilot.pause()
        assert screen_name(pilot) == "HomeScreen"
        [call] = store.list_calls()
        score = str(app.screen.query_one(DataTable).get_row_at(0)[-1])
        assert call.total_score is not None and score == f"{call.total_score:g}"
        assert not score.endswith(".0")


# -- 9. The debrief --------------------------------------------------------------------------------


async def test_9_the_debrief_scrolls_from_the_keyboard_at_once(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_debrief(pilot, OWNERSHIP)
        body = screen.query_one("#grade-body")
        assert body.max_scroll_y > 0
        await pilot.press("down", "down", "down")
        await pilot.pause(0.3)
        assert body.scroll_y > 0
        screen.query_one("#retry").focus()  # the buttons do not swallow the keys either
        await pilot.press("pagedown")
        await pilot.pause(0.3)
        assert body.scroll_y > 3


async def test_9_right_goes_from_the_transcript_to_the_rewind_tab(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_debrief(pilot, OWNERSHIP)
        tabs = screen.query_one("#debrief-tabs", TabbedContent)
        await pilot.press("right")
        assert tabs.active == "transcript"
        screen.query_one("#transcript VerticalScroll").focus()  # the transcript has the keys
        await pilot.press("right")
        assert tabs.active == "rewind"
        assert pilot.app.focused is screen.query_one("#rewind-list")
        await pilot.press("left")
        assert tabs.active == "transcript"


@pytest.mark.parametrize("width", range(60, 64))
async def test_9_the_end_of_call_notice_leaves_no_stray_dash(make_app, width):
    async with make_app().run_test(size=(width, 24)) as pilot:
        screen = await to_call(pilot)
        await reply(pilot, "/end")
        notice = screen.query(".notice").last()
        lines = [line.text.strip() for line in notice.render_lines(notice.region.reset_offset)]
        assert "The call has ended" in " ".join(lines)
        assert "—" not in lines


async def test_9_a_long_reply_is_quoted_whole_in_the_debrief(make_app):
    long_reply = (
        "I have been through every note on your account from the last two weeks, and I can see "
        "the engineer who was booked for Friday never turned up, which is not good enough, so "
        "I guarantee it will be fixed within the hour today"
    )
    assert len(long_reply) > 160  # the grade keeps about 150 characters of it
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_debrief(pilot, long_reply)
        grade = shown_text(screen, "#grade-text")
        assert "guarantee it will be fixed within the hour today”" in " ".join(grade.split())


# -- 10. Home search -------------------------------------------------------------------------------


async def test_10_home_search_down_then_enter_opens_the_scenario(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "b", "r", "o", "a", "d", "down", "enter")
        await pilot.pause()
        assert screen_name(pilot) == "BriefingScreen"


async def test_10_down_and_enter_typed_together_open_the_scenario(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "b", "r", "o", "a", "d")
        type_ahead(pilot, ("down", None), ("enter", "\r"))
        await pilot.pause()
        assert screen_name(pilot) == "BriefingScreen"


# -- 11. F10 asks first ----------------------------------------------------------------------------


async def test_11_f10_asks_before_ending_the_call(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ModalScreen) and not screen.session.ended
        assert "End the call now?" in shown_text(pilot.app.screen, "#confirm-text")
        await pilot.press("escape")
        assert pilot.app.screen is screen and not screen.session.ended
        await pilot.press("f10", "n")
        assert pilot.app.screen is screen and not screen.session.ended
        await pilot.press("f10", "enter")
        await pilot.pause()
        assert pilot.app.screen is screen and screen.session.ended
        await pilot.press("f10")  # now F10 wraps up, as the footer says
        await pilot.pause()
        assert screen_name(pilot) == "WrapUpScreen"


# -- 14. Whose progress --------------------------------------------------------------------------


async def test_14_a_trainee_sees_only_their_own_progress(make_app, tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 3)
    seed(store, "sam", 3, first_day=10)
    async with make_app(store=store, trainee="kim").run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)
        assert not screen.query(Select)  # nobody else to pick
        assert "Progress of kim" in shown_text(screen, "#progress-report")


async def test_14_a_mentor_picks_any_trainee(tmp_path):
    store = Store(tmp_path / "calls.db")
    seed(store, "kim", 3)
    seed(store, "sam", 3, first_day=10)
    app = ReviewApp(
        store=store,
        tagger=stub_tagger,
        clock=FixedClock(),
        cursor_blink=False,
        catalogue=[load_entry(resolve_scenario(SCENARIO))],
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_progress(pilot)
        picker = screen.query_one(Select)
        assert {value for _, value in picker._options if isinstance(value, str)} >= {"kim", "sam"}


# -- issue 19, item 6: the reply box ---------------------------------------------------------------


async def test_19_6_the_reply_box_shows_pasted_control_characters_as_the_notes_do(make_app):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await to_call(pilot)
        box = screen.query_one("#reply", Input)
        box.post_message(events.Paste("Hello \x9b31m\u202eX\x1b[2J"))
        await pilot.pause()
        assert box.value == "Hello \\x9b31m\\u202eX\\x1b[2J"
        painted = "".join(segment.text for segment in box.render_line(0))
        assert not any(hidden(ch) for ch in painted) and "\\x9b31m" in painted
        await pilot.press("!")
        assert box.value.endswith("!")
