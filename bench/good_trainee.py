"""A good trainee in their own words: how often does the call reach its good ending?

For each bundled scenario, seeded simulated calls: at every stage the trainee does what the
stage needs (the tools its response requires, the questions for facts it requires) and says the
step that leads towards the scenario's good ending (the stage its good-advisor test case ends
at) once, in a natural phrasing picked at random from tests/phrasings/ (replies written without
sight of the example phrasings). When the customer asks what they mean, they say it once more
in other words, as a person would. Prints the share of calls that reach the good ending, per
scenario, and a SUMMARY line.

    python bench/good_trainee.py [--calls N] [--seed S] [--set heldout|dev|all] [--wording]
        [--why N]

`--why N` lists, per scenario, the N commonest places a call went astray (study them on the
dev set only).

Questions for required facts use the scenario's own `asked_by` wording: this measures how the
customer understands the steps, not the questions.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from callsim.engine.call import CLARIFY_LINES, ScenarioEngine, distances_to
from callsim.engine.loader import load_scenario
from callsim.engine.validation import validated
from callsim.engine.yamlsafe import load, read_text
from callsim.sim.scenario_paths import bundled_scenarios
from callsim.sim.scenario_tests import TestFile

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.85


def good_endings(path: Path, loaded) -> list[str]:
    """The stage the good-advisor test case ends at, or the endings with its outcome."""
    tests = path.with_name(path.stem + ".tests.yaml")
    if not tests.exists():
        return []
    data, source = load(read_text(tests), str(tests))
    case = validated(TestFile, data, source).cases.get("good-advisor")
    if case is None:
        return []
    if case.expect.stage:
        return [case.expect.stage]
    return [
        sid
        for sid, st in loaded.scenario.stages.items()
        if st.ending is not None and case.expect.outcome and st.ending.value == case.expect.outcome
    ]


def phrasings(scenario_id: str, sets: list[str]) -> dict[tuple[str, str], list[str]]:
    """(stage, intent) -> natural replies meaning it; ("*", intent) -> at any stage."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name in sets:
        path = ROOT / "tests" / "phrasings" / name / f"{scenario_id}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            intent = obj.get("expected_intent")
            if intent and obj.get("kind") != "two_things":
                out[(obj["stage"], intent)].append(obj["text"])
                out[("*", intent)].append(obj["text"])
    return out


def one_call(
    engine: ScenarioEngine, goals: list[str], said: dict, rng: random.Random
) -> tuple[bool, str]:
    """Whether the call reached a good ending, and where it went astray if not."""
    sc = engine.scenario
    distance = distances_to(sc, goals)
    call = engine.new_call()
    for _ in range(40):
        if call.ended:
            break
        stage = call.state
        table = engine._responses[stage]
        steps = [
            (distance.get(r.to), name)
            for name, (_t, r) in table.items()
            if r.to and r.to in distance and r.to != stage
        ]
        if not steps:
            return False, f"{stage}: no step leads to the good ending"
        # the nearest step someone wrote natural phrasings for
        steps.sort()
        intent = next(
            (i for _d, i in steps if said.get((stage, i)) or said.get(("*", i))), steps[0][1]
        )
        response = table[intent][1]
        if response.requires is not None:
            for action in response.requires.actions:
                if action not in {a.name for a in call.actions}:
                    engine.action(call, action)
            for fact in response.requires.facts:
                if fact not in call.revealed:
                    engine.reply(call, sc.facts[fact].asked_by[0])
        options = said.get((stage, intent)) or said.get(("*", intent))
        if not options:
            return False, f"{stage}: no natural phrasing of {intent}"
        picks = rng.sample(options, min(2, len(options)))
        text = picks[0]
        step = engine.reply(call, text)
        if step.stage_after == stage and step.customer_lines[:1] and (
            step.customer_lines[0] in CLARIFY_LINES and len(picks) > 1
        ):
            text = picks[1]
            step = engine.reply(call, text)  # asked what they meant: says it again
        if call.ended or step.stage_after == stage:
            if call.state in goals:
                break
            heard = step.intent or "nothing"
            return False, f"{stage}: said {intent}, understood {heard}: {text[:70]!r}"
    return call.state in goals, f"ended at {call.state}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", choices=("heldout", "dev", "all"), default="heldout")
    ap.add_argument("--wording", action="store_true", help="read replies by wording only")
    ap.add_argument("--why", type=int, default=0, metavar="N", help="list the N commonest misses")
    args = ap.parse_args()
    sets = ["dev", "heldout"] if args.set == "all" else [args.set]
    rng = random.Random(args.seed)
    results = []
    for path in bundled_scenarios():
        loaded = load_scenario(path)
        goal = good_endings(path, loaded)
        if not goal:
            print(f"{loaded.scenario.id:<32}    -   (no good-advisor case to say where it ends)")
            continue
        engine = ScenarioEngine(loaded, meaning=not args.wording)
        said = phrasings(loaded.scenario.id, sets)
        outcomes = [one_call(engine, goal, said, rng) for _ in range(args.calls)]
        good = sum(ok for ok, _why in outcomes)
        results.append((loaded.scenario.id, good / args.calls))
        ends = ", ".join(goal)
        print(f"{loaded.scenario.id:<32} {good / args.calls:6.2f}   (good ending: {ends})")
        if args.why:
            for why, n in Counter(w for ok, w in outcomes if not ok).most_common(args.why):
                print(f"    {n:3d} x {why}")
    worst = min(r for _s, r in results)
    mean = sum(r for _s, r in results) / len(results)
    met = "met" if worst >= TARGET else "missed"
    print(f"\nmean {mean:.2f}, worst {worst:.2f}; target >= {TARGET} on every scenario: {met}")
    print(
        json.dumps(
            {"bench": "good_trainee", "figures": [[
                "good trainee reaches the good ending (worst scenario)",
                f">= {TARGET}", f"{worst:.2f} (mean {mean:.2f})", worst >= TARGET,
            ]]}
        ).join(("SUMMARY ", ""))
    )


if __name__ == "__main__":
    main()
