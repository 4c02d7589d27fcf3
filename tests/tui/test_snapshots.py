"""What each screen looks like at 80x24, fixed clock, no cursor blink, stub tagger, real grade.

Regenerate after a deliberate change with `pytest tests/tui --snapshot-update`, after looking at
the new pictures (pytest writes a report of any that differ).
"""

from __future__ import annotations

from conftest import reply
from textual.widgets import TextArea

from callsim.tui.app import CallsimApp

OWNERSHIP = "I'm so sorry it's still not working, I'm going to take ownership of this"


def app_for_snapshots(make_app) -> CallsimApp:
    """The app with its real grader: the debrief shows the grade of the call just taken."""
    return make_app()


async def to_call(pilot, mode: str = "p") -> None:
    await pilot.press("enter", mode)
    await pilot.pause()


async def to_wrap_up(pilot) -> None:
    await to_call(pilot)
    await reply(pilot, OWNERSHIP)
    await pilot.press("f10", "enter", "f10")  # end (confirmed), wrap up
    await pilot.pause()
    pilot.app.screen.query_one(
        TextArea
    ).text = "Issue: broadband down since Monday [/] [red]x\nDone: apologised\nNext: line test"
    await pilot.pause()


def test_home(snap_compare, make_app):
    assert snap_compare(app_for_snapshots(make_app), terminal_size=(80, 24))


def test_briefing(snap_compare, make_app):
    assert snap_compare(app_for_snapshots(make_app), press=["enter"], terminal_size=(80, 24))


def test_call_practice_with_feedback(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await reply(pilot, OWNERSHIP)
        await reply(pilot, "It's probably your equipment [b")

    assert snap_compare(app_for_snapshots(make_app), run_before=run_before)


def test_call_actions_panel_at_80_columns(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await to_call(pilot, "a")
        await pilot.press("f3")
        await pilot.pause()

    assert snap_compare(app_for_snapshots(make_app), run_before=run_before)


def test_call_at_120x40(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await reply(pilot, OWNERSHIP)
        pilot.app.screen.use_action("line_test")
        await pilot.pause()

    assert snap_compare(app_for_snapshots(make_app), run_before=run_before, terminal_size=(120, 40))


def test_wrap_up(snap_compare, make_app):
    assert snap_compare(app_for_snapshots(make_app), run_before=to_wrap_up)


def test_debrief(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await to_wrap_up(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app_for_snapshots(make_app), run_before=run_before)


def test_end_call_confirmation(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await to_call(pilot)
        await pilot.press("f10")
        await pilot.pause()

    assert snap_compare(app_for_snapshots(make_app), run_before=run_before)


def test_who_is_training(snap_compare, make_app, tmp_path):
    from callsim.sim.store import Store

    app = make_app(store=Store(tmp_path / "calls.db"), ask_trainee=True)
    assert snap_compare(app, press=["slash", "e", "n", "d", "enter"], terminal_size=(80, 24))
