"""What each screen looks like at 80x24, fixed clock, no cursor blink, stub tagger and grade.

Regenerate after a deliberate change with `pytest tests/tui --snapshot-update`, after looking at
the new pictures (pytest writes a report of any that differ).
"""

from __future__ import annotations

from conftest import reply
from textual.widgets import TextArea

from tui.app import CallsimApp

OWNERSHIP = "I'm so sorry it's still not working, I'm going to take ownership of this"


class FakeGrade:
    def to_json(self) -> dict:
        return {
            "score": 64,
            "dimensions": [
                {
                    "title": "Empathy",
                    "score": "3/4",
                    "earned": [{"turn": 1, "why": "named the impact: 'still not working'"}],
                },
                {
                    "title": "Problem solving",
                    "score": "1/4",
                    "lost": [{"turn": 3, "why": "ended before running the line test"}],
                },
            ],
            "flags": ["A required action was not done: line test"],
            "kpis": {"handling_time": "00:00 of 08:00", "first_contact_resolution": "no"},
            "feedback": ["Run the line test before promising anything; say what it showed."],
        }


def fake_grader(transcript, loaded) -> FakeGrade:
    return FakeGrade()


def app_for_snapshots(make_app) -> CallsimApp:
    return make_app(grader=fake_grader)


async def to_call(pilot, mode: str = "p") -> None:
    await pilot.press("enter", mode)
    await pilot.pause()


async def to_wrap_up(pilot) -> None:
    await to_call(pilot)
    await reply(pilot, OWNERSHIP)
    await pilot.press("f10", "f10")
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
