"""Wrap-up notes longer than a call holds are refused where they are typed, never a crash."""

from __future__ import annotations

from callsim.engine.loader import load_scenario
from callsim.engine.transcript import MAX_TEXT
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario

LONG = "x" * (MAX_TEXT + 1)


def feeder(lines: list[str]):
    it = iter(lines)

    def read(prompt: str) -> str:
        try:
            return next(it)
        except StopIteration:
            raise EOFError from None

    return read


def play(lines: list[str]) -> str:
    out: list[str] = []
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    interactive(loaded, trainee="sam", mode="practice", read=feeder(lines), write=out.append)
    return "\n".join(out)


def test_a_notes_command_over_the_limit_is_refused_and_the_call_goes_on():
    text = play([f"/notes {LONG}", "/notes short notes", "/end", ""])
    assert f"{MAX_TEXT:,}" in text
    assert "Notes so far: short notes" in text  # the short ones were kept, the call went on


def test_long_notes_at_the_end_of_a_call_are_asked_for_again():
    text = play(["/end", LONG, "", "short notes", ""])
    assert "Write them again, shorter." in text
    assert "-- call ended" in text
