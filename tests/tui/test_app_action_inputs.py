"""A tool's input in the app: its choices as a pick list, its range and hint shown, and the
engine's refusal shown in the prompt (issue 14, defect 7). Driven by a trainee's keys."""

from __future__ import annotations

from conftest import shown_text
from textual.widgets import Input, OptionList

from callsim.tui.call import ArgumentPrompt, CallScreen


async def open_call(pilot) -> CallScreen:
    await pilot.press("enter", "p")  # the scenario, then a practice call
    await pilot.pause()
    assert isinstance(pilot.app.screen, CallScreen)
    return pilot.app.screen


async def test_picking_a_slot_from_the_tools_panel_books_it_and_the_result_says_which(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        await pilot.press("f3", "down", "down", "enter")  # line test, outage check, book engineer
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ArgumentPrompt)
        shown = shown_text(prompt, "#argument-dialog Label, #argument-hint")
        assert "Book engineer visit" in shown and "date and slot" in shown
        assert "The first engineer slots free in LS6." in shown
        choices = prompt.query_one("#argument-choices", OptionList)
        assert [str(choices.get_option_at_index(i).prompt) for i in range(2)] == [
            "Thursday 8am–1pm",
            "Thursday 1pm–6pm",
        ]
        assert app.focused is choices
        await pilot.press("down", "enter")  # the afternoon slot
        await pilot.pause()
        assert app.screen is screen
        turns = shown_text(screen, ".turn")
        assert "Book engineer visit (Thursday 1pm–6pm)" in turns
        assert "Engineer booked: Thursday 1pm–6pm. Reference ENG-30718." in turns
        assert app.focused is screen.query_one("#reply")  # back to talking to the customer


async def test_an_amount_outside_the_range_is_refused_in_the_prompt_with_the_range(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        await pilot.press("f3", "down", "down", "down", "enter")  # the service credit
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ArgumentPrompt)
        shown = shown_text(prompt, "#argument-dialog Label, #argument-hint")
        assert "amount in pounds: a number from £3 to £30" in shown
        assert "£3 for each full day without service" in shown
        box = prompt.query_one("#argument", Input)
        assert app.focused is box and box.placeholder == "a number from £3 to £30"
        await pilot.press("5", "0", "enter")
        await pilot.pause()
        assert app.screen is prompt  # still asking, with the engine's reason
        error = prompt.query_one("#argument-error")
        assert error.display
        assert str(error.render()) == (
            "Raise a service credit: £50 is above the highest allowed; amount in pounds is a "
            "number from £3 to £30"
        )
        assert "Raise a service credit" not in shown_text(screen, ".turn")  # nothing used yet
        box.value = ""
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert "Credit of £12 raised for days without service" in shown_text(screen, ".turn")


async def test_escape_leaves_the_tool_unused(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        await pilot.press("f3", "down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ArgumentPrompt)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.session.call.actions == []


def test_snapshot_slot_pick_list(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await open_call(pilot)
        await pilot.press("f3", "down", "down", "enter", "down")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(80, 24))


def test_snapshot_amount_refused(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await open_call(pilot)
        await pilot.press("f3", "down", "down", "down", "enter", "5", "0", "enter")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(80, 24))
