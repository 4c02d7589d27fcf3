"""What each screen looks like at 80x24, fixed clock, no cursor blink, stub tagger and grade.

Regenerate after a deliberate change with `pytest tests/tui --snapshot-update`, after looking at
the new pictures (pytest writes a report of any that differ).
"""

from __future__ import annotations

from conftest import reply
from textual.widgets import TextArea

from callsim.tui.app import CallsimApp

OWNERSHIP = "I'm so sorry it's still not working, I'm going to take ownership of this"


class FakeGrade:
    """A grade in the shape of grading.grader.Grade.to_json(), fixed so the picture is stable."""

    def to_json(self) -> dict:
        cite = {"turn": 1, "turns": [1], "points": 2, "quote_by": "trainee"}
        return {
            "score": 48,
            "uncapped": 61,
            "cap": 48,
            "band": "fair",
            "dimensions": [
                {
                    "id": "empathy",
                    "title": "Empathy",
                    "score": 75,
                    "band": "good",
                    "anchor": "Names the customer's feelings or the impact on them.",
                    "earned": [{**cite, "why": "named the impact", "quote": "[b]so sorry"}],
                    "lost": [],
                },
                {
                    "id": "problem_solving",
                    "title": "Problem solving",
                    "score": None,
                    "band": None,
                    "anchor": None,
                    "earned": [],
                    "lost": [],
                },
            ],
            "flags": [
                {
                    "id": "missed_action",
                    "message": "required action not done: line test",
                    "cap": 48,
                    "turn": 3,
                    "turns": [3],
                    "quote": None,
                    "quote_by": None,
                    "try": "Run the line test before booking anything.",
                }
            ],
            "kpis": {
                "handling_seconds": 0,
                "target_seconds": 480,
                "handling_vs_target": 0.0,
                "within_target": True,
                "outcome": "unresolved",
                "first_contact_resolution": False,
                "escalation_required": False,
                "opening_mood": 7,
                "final_mood": 5,
                "satisfaction_estimate": 2,
                "replies": 1,
                "questions": 0,
                "open_questions": 0,
                "reflections": 0,
                "reflections_per_question": None,
                "open_question_share": None,
                "hints_used": 0,
            },
            "feedback": [{"text": "Say what happens next, and when.", "turn": 3}],
            "wrap_up": {
                "written": True,
                "required": ["down_since_monday"],
                "recorded": [],
                "missing": ["down_since_monday"],
                "not_revealed": [],
            },
            "warnings": [],
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
