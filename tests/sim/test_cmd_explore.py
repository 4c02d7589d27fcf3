"""`callsim explore`: seeded automatic calls that find what a scenario never reaches."""

from __future__ import annotations

import json

import pytest

from callsim.engine.call import CallError, ScenarioEngine
from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.explore import _no_tags, confusions, explore
from callsim.sim.scenario_paths import bundled_scenarios, resolve_scenario
from callsim.sim.session import CallSession, SimulatedClock, play_script

MINIMAL = """\
format: 1
id: tiny
title: Tiny
category: billing
difficulty: 1
version: "1"
target_seconds: 300
briefing: A customer was charged twice.
goal: Refund the second charge.
customer:
  name: Sam
  persona: Calm but firm.
  mood: 3
start: opening
stages:
  opening:
    customer: I was charged twice.
    responses:
      - intent: refund
        to: middle
    fallback:
      say: Sorry, what?
      mood: 0
  middle:
    customer: And?
    responses:
      - intent: sorry
        to: opening
      - intent: close
        to: done
    fallback:
      say: Hm?
      mood: 0
  done:
    ending: resolved
    customer: Bye.
intents:
  refund:
    examples: [I will refund the second charge today]
  sorry:
    examples: [I am so sorry about that]
"""


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_bundled_scenario_reaches_every_stage(path):
    report = explore(load_scenario(path), seed=0, runs=250, tagger=_no_tags)
    assert report.unreached_stages == []
    assert report.loops == []


def test_the_same_seed_plays_the_same_calls():
    loaded = load_scenario(resolve_scenario("double-charge-october"))
    a = explore(loaded, seed=7, runs=30, tagger=_no_tags).to_json()
    b = explore(loaded, seed=7, runs=30, tagger=_no_tags).to_json()
    c = explore(loaded, seed=8, runs=30, tagger=_no_tags).to_json()
    assert a == b and a["paths"] != c["paths"]


def test_a_printed_path_replays_as_a_script_to_the_same_stage():
    loaded = load_scenario(resolve_scenario("broadband-down-repeat-caller"))
    report = explore(loaded, seed=3, runs=60)  # the real tagger, as `callsim run` uses
    for sid, run in report.first_to.items():
        if loaded.scenario.stages[sid].ending is None:
            continue
        session = CallSession(loaded, clock=SimulatedClock())
        problems = play_script(session, run.script().splitlines())
        assert problems == []
        assert session.outcome is not None and session.outcome.value == run.outcome


def test_a_stage_behind_an_intent_listed_twice_is_never_reached():
    text = MINIMAL.replace(
        "      - intent: close\n        to: done\n",
        "      - intent: close\n        to: done\n      - intent: close\n        to: hidden\n",
    ).replace(
        "  done:\n",
        "  hidden:\n    customer: You found me.\n    fallback:\n      say: x\n      to: done\n"
        "  done:\n",
    )
    loaded = load_scenario("tiny.yaml", text)  # the second 'close' is never used
    report = explore(loaded, seed=0, runs=50, tagger=_no_tags)
    assert report.unreached_stages == ["hidden"]


def test_a_cycle_with_no_way_out_is_reported_with_its_stages():
    # the only way to 'done' requires a fact that nothing reveals and no question can ask
    # (its asked_by is not a question), so the call goes round and round
    text = MINIMAL.replace(
        "      - intent: close\n        to: done\n",
        "      - intent: close\n        to: done\n        requires: {facts: [secret]}\n",
    ).replace(
        "start: opening\n",
        "facts:\n  secret:\n    summary: a secret\n    says: It's a secret.\n"
        "    asked_by: [Zebra crossings.]\nstart: opening\n",
    )
    loaded = load_scenario("tiny.yaml", text)
    report = explore(loaded, seed=1, runs=5, steps=30, tagger=_no_tags)
    assert report.unreached_stages == ["done"]
    assert report.loops  # the rest hang up: each blocked 'close' annoys the customer
    for run, stages in report.loops:
        assert set(stages) <= {"opening", "middle"} and run.outcome is None
        assert run.script().endswith("/end\n")


def test_confused_examples_are_named():
    text = MINIMAL.replace(
        "    examples: [I am so sorry about that]\n",
        "    examples: [I am so sorry about that, I will refund the second charge today]\n",
    ).replace("        to: middle\n", "        to: middle\n      - intent: sorry\n")
    loaded = load_scenario("tiny.yaml", text)
    found = {(c.stage, c.intent, c.example) for c in confusions(loaded)}
    assert ("opening", "sorry", "I will refund the second charge today") in found


def test_new_call_can_start_mid_scenario():
    loaded = load_scenario("tiny.yaml", MINIMAL)
    engine = ScenarioEngine(loaded)
    call = engine.new_call(start="middle")
    assert call.state == "middle" and engine.opening(call) == "And?"
    engine.reply(call, "thanks, bye")
    for bad in ("done", "nowhere"):
        with pytest.raises(CallError, match="cannot start at"):
            engine.new_call(start=bad)


def test_the_command_reports_and_replays(capsys):
    code = main(["explore", "double-charge-october", "--runs", "40", "--path", "resolved"])
    out = capsys.readouterr().out
    assert out.startswith("double-charge-october: 40 calls, seed 0")
    assert code in (0, 1)
    code = main(["explore", "double-charge-october", "--runs", "5", "--json", "--from", "wrap"])
    data = json.loads(capsys.readouterr().out)
    assert data["start"] == "wrap" and data["runs"] == 5
    assert data["stage_visits"]["wrap"] == 5
    assert main(["explore", "double-charge-october", "--from", "resolved"]) == 2
    assert "not a stage a call can start at" in capsys.readouterr().err
    assert main(["explore", "double-charge-october", "--runs", "0"]) == 2
