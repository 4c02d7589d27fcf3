"""Rewind = replay: a new call replaying the trainee's replies and actions up to a turn."""

from dataclasses import dataclass, field

import pytest

from callsim.engine.call import CallError
from callsim.engine.loader import load_scenario
from callsim.sim.scenario_paths import resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script, replay


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def keyword_tagger(text, customer=None, history=()):
    low = text.lower()
    tags = [t for t, w in (("empathy", "sorry"), ("blame", "your fault")) if w in low]
    return Tagged(tags)


SCRIPT = [
    "I'm so sorry it's still not working, I'm going to take ownership of this",
    "When did the connection first go down?",
    "Let me run a line test on your connection",
    "/action line_test",
    "I can get an engineer out to you on Thursday between 8 and 1",
]


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(resolve_scenario("broadband-down-repeat-caller"))


def played(loaded, lines=SCRIPT, **kw):
    session = CallSession(loaded, tagger=keyword_tagger, clock=SimulatedClock(), **kw)
    for line in lines:
        if line.startswith("/action "):
            session.act(line.split()[1])
        else:
            session.say(line)
    return session


def test_replay_to_a_turn_brings_the_call_back_to_where_it_was(loaded):
    original = played(loaded)
    transcript = original.transcript()
    action = next(t for t in transcript.turns if t.speaker == "action")
    again = replay(loaded, transcript, action.index, tagger=keyword_tagger, clock=SimulatedClock())
    before = [t for t in transcript.turns if t.index < action.index]
    assert [(t.speaker, t.text, t.stage) for t in again.turns] == [
        (t.speaker, t.text, t.stage) for t in before
    ]
    assert again.mood == before[-1].mood_after
    assert not again.ended and "line_test" not in again.transcript().actions
    # the trainee can carry on differently from there
    again.say("Have you tried turning it off and on again? It's probably your equipment")
    assert again.turns[-1].text != transcript.turns[len(again.turns) - 1].text


def test_replay_of_everything_gives_the_same_call(loaded):
    original = played(loaded)
    transcript = original.transcript()
    # a clock that stands still: the times must come from the transcript, not from how long
    # the replay itself took on a busy machine
    again = replay(
        loaded, transcript, len(transcript.turns), tagger=keyword_tagger, clock=lambda: 0.0
    )
    assert [t.text for t in again.turns] == [t.text for t in transcript.turns]
    assert again.stage == original.stage and again.mood == original.mood
    assert [t.at for t in again.turns if t.speaker == "trainee"] == [
        t.at for t in transcript.turns if t.speaker == "trainee"
    ]


def test_replay_keeps_hints_and_mode(loaded):
    session = CallSession(loaded, tagger=keyword_tagger, mode="practice")
    assert session.hint()
    session.say("I'm so sorry it's still not working, I'll make sure this gets fixed")
    transcript = session.transcript()
    again = replay(loaded, transcript, len(transcript.turns), tagger=keyword_tagger)
    assert again.hints_used == 1 and again.mode == "practice"
    assert again.turns[1].hint_used


def test_replay_of_an_ended_call_stops_at_the_end(loaded):
    session = CallSession(loaded, tagger=keyword_tagger)
    play_script(session, ["hello", "/end"])
    transcript = session.transcript()
    again = replay(loaded, transcript, 0, tagger=keyword_tagger)
    assert len(again.turns) == 1 and not again.ended


def test_replay_refuses_another_scenarios_transcript(loaded):
    transcript = played(loaded, SCRIPT[:1]).transcript().model_copy(
        update={"scenario_id": "something-else"}
    )
    with pytest.raises(CallError, match="something-else"):
        replay(loaded, transcript, 3, tagger=keyword_tagger)
