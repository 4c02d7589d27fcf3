"""A slash command means the same in line mode, in a script and in the app (one interpreter)."""

from __future__ import annotations

import pytest
from conftest import SCENARIO, reply, shown_text

from callsim.engine.loader import load_scenario
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script
from callsim.sim.slash import COMMANDS, parse
from callsim.tui.call import CallScreen

NOTES = "Down since Monday [b]; engineer Thursday"


def loaded():
    return load_scenario(resolve_scenario(SCENARIO))


def line_mode(lines: list[str]) -> tuple[str, CallSession]:
    """Play `lines` in line mode (then end the call, no more notes); what it printed."""
    feed = iter([*lines, "/end", ""])
    out: list[str] = []
    session = CallSession(loaded(), mode="practice", clock=SimulatedClock())
    interactive(
        session.loaded, trainee=None, mode="practice", read=lambda _: next(feed),
        write=out.append, session=session,
    )
    return "\n".join(out), session


def scripted(lines: list[str]) -> tuple[list[str], CallSession]:
    session = CallSession(loaded(), mode="practice", clock=SimulatedClock())
    return play_script(session, [*lines, "/end"]), session


async def in_app(make_app, lines: list[str]) -> tuple[str, CallSession]:
    app = make_app(scenario=loaded(), mode="practice")  # straight onto the call
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen)
        for line in lines:
            await reply(pilot, line)
        return shown_text(screen, ".notice"), screen.session


def test_help_lists_every_command_of_the_one_table():
    text, _ = line_mode(["/help"])
    for spec in COMMANDS:
        assert spec.usage in text


@pytest.mark.parametrize(
    "line, message",
    [
        ("/frobnicate", "unknown command /frobnicate"),
        ("/action", "Usage: /action NAME [ARGS]"),
        ("/notes", "Usage: /notes TEXT"),
        ("/mood now", "Usage: /mood"),
    ],
)
async def test_a_usage_error_is_the_same_message_everywhere(make_app, line, message):
    printed, _ = line_mode([line])
    problems, _ = scripted([line])
    shown, _ = await in_app(make_app, [line])
    assert message in printed
    assert problems and message in problems[0]
    assert message in shown


async def test_mood_shows_the_customer_mood_and_changes_nothing(make_app):
    printed, s1 = line_mode(["/mood"])
    problems, s2 = scripted(["/mood"])
    shown, s3 = await in_app(make_app, ["/mood"])
    meter = f"mood {s1.transcript().opening_mood:4.1f}/10 ["
    assert printed.count(meter) >= 2  # the prompt's meter, then the command's
    assert meter in shown
    assert problems == []
    for session in (s1, s2, s3):  # nothing said, nothing done, no hint taken
        assert not [t for t in session.turns if t.speaker in ("trainee", "action")]
        assert session.hints_used == 0


async def test_notes_during_the_call_are_the_wrap_up_notes_everywhere(make_app):
    _, s1 = line_mode([f"/notes {NOTES}"])
    _, s2 = scripted([f"/notes {NOTES}"])
    shown, s3 = await in_app(make_app, [f"/notes {NOTES}"])
    assert s1.transcript().wrap_up == s2.transcript().wrap_up == s3.wrap_up == NOTES
    assert "Notes kept" in shown


def test_a_reply_may_start_with_a_slash_when_doubled():
    assert parse("//etc/hosts is what I edited") is None
    assert parse("so /mood") is None
