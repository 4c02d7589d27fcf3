"""Practice mode says, after each reply, why the customer's mood moved (issue 13, item 5)."""

from __future__ import annotations

from callsim.engine.loader import load_scenario
from callsim.sim.commands.run import interactive
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock

SCENARIO = "double-charge-october"


def _session(mode: str = "practice") -> CallSession:
    return CallSession(load_scenario(resolve_scenario(SCENARIO)), clock=SimulatedClock(), mode=mode)


def test_each_reply_says_which_behaviour_or_response_moved_the_mood():
    session = _session()
    first = session.say(
        "Oh no, being charged twice is the last thing you need, I'm so sorry. "
        "Let me have a look at your payments."
    )[0]
    note = session.mood_note(first)
    assert note is not None and note.after < note.before
    assert note.line().startswith("Calmer: you acknowledged how they feel (-1)")
    assert "your reply was what they needed (" in note.line()

    blamed = session.say("You must have misread your statement, we don't charge twice.")[0]
    line = session.mood_note(blamed).line()
    assert line.startswith("More frustrated: ")
    assert "they took your reply badly (fobs the customer off" in line
    assert "\n" not in line


def test_a_reply_that_moves_nothing_says_so():
    session = _session()
    session.say("I'm so sorry, let me look at the payments for you.")
    turn = session.say("Can I take your full name and postcode?")[0]
    assert session.mood_note(turn).line() == "No change: nothing in that reply moved them."


def test_a_question_that_draws_out_a_fact_names_the_fact():
    session = _session()
    session.say("I'm so sorry, let me look at the payments for you.")
    turn = session.say("When did the two payments come out?")[0]
    assert "your question drew out something new (taken on 1 and 3 October" in (
        session.mood_note(turn).line()
    )


def test_line_mode_prints_the_coaching_line_in_practice_only():
    replies = [
        "Oh no, being charged twice is the last thing you need, I'm so sorry.",
        "/end",
        "",
    ]

    def play(mode: str) -> str:
        lines = iter(replies)
        out: list[str] = []
        loaded = load_scenario(resolve_scenario(SCENARIO))
        code = interactive(
            loaded, trainee="sam", mode=mode, read=lambda _: next(lines), write=out.append
        )
        assert code == 0
        return "\n".join(out)

    practice = play("practice")
    assert "  (mood 6.5 -> " in practice
    assert ") Calmer: you acknowledged how they feel (-1)" in practice
    assessment = play("assessment")
    assert "Calmer:" not in assessment and "(mood 6.5 ->" not in assessment
