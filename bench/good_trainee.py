"""A good trainee in their own words: how often does the call reach its good ending?

For each bundled scenario, the good-advisor test case is played once to learn its steps: the
tools it uses, the questions it asks and, at each stage, the reply that moved the call on (the
intent it matched). Then seeded simulated calls take the same steps, but each reply that moved
the call is said in a natural phrasing of the same intent, picked at random from
tests/phrasings/ (replies written without sight of the example phrasings); tools and questions
stay as the case has them. When the customer asks what they mean, the trainee says it once
more in other words, as a person would. Prints the share of calls that reach the case's ending,
per scenario, and a SUMMARY line.

    python bench/good_trainee.py [--calls N] [--seed S] [--set heldout|dev|all] [--wording]
        [--why N]

`--why N` lists, per scenario, the N commonest places a call went astray (study them on the
dev set only). A step with no natural phrasing of its intent is said in the case's own words
and counted in the figures printed beside each scenario.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from callsim.engine.call import CLARIFY_LINES, ScenarioEngine
from callsim.engine.loader import load_scenario
from callsim.engine.validation import validated
from callsim.engine.yamlsafe import load, read_text
from callsim.sim.scenario_paths import bundled_scenarios
from callsim.sim.scenario_tests import TestFile

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.85


def good_case(path: Path):
    """The good-advisor test case beside a scenario file, or None."""
    tests = path.with_name(path.stem + ".tests.yaml")
    if not tests.exists():
        return None
    data, source = load(read_text(tests), str(tests))
    return validated(TestFile, data, source).cases.get("good-advisor")


def steps_of(engine: ScenarioEngine, script: str) -> tuple[list[tuple], str]:
    """The case's steps: ("action", name, arg) and ("say", text, stage, intent, moved, stage
    after), and the stage it ends at."""
    call = engine.new_call()
    steps: list[tuple] = []
    for line in script.splitlines():
        if call.ended or not line.strip():
            continue
        if line.startswith("/action"):
            parts = line.split(maxsplit=2)
            engine.action(call, parts[1], parts[2] if len(parts) > 2 else None)
            steps.append(("action", parts[1], parts[2] if len(parts) > 2 else None))
        elif line.startswith("/"):
            continue
        else:
            before = call.state
            step = engine.reply(call, line)
            moved = step.stage_after != before
            steps.append(("say", line, before, step.intent, moved, step.stage_after))
    return steps, call.state


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
    engine: ScenarioEngine, steps: list[tuple], goal: str, said: dict, rng: random.Random
) -> tuple[bool, str]:
    """Whether the call reached the case's ending, and where it went astray if not."""
    call = engine.new_call()
    for item in steps:
        if call.ended:
            break
        if item[0] == "action":
            engine.action(call, item[1], item[2])
            continue
        _kind, line, stage, intent, moved, after = item
        if not moved or intent is None:
            engine.reply(call, line)  # a question, or a reply that keeps the stage: as written
            continue
        if call.state != stage:
            return False, f"{stage}: the call was at {call.state} instead"
        options = said.get((stage, intent)) or said.get(("*", intent)) or [line]
        picks = rng.sample(options, min(2, len(options)))
        text = picks[0]
        step = engine.reply(call, text)
        if step.stage_after == stage and step.customer_lines[:1] and (
            step.customer_lines[0] in CLARIFY_LINES and len(picks) > 1
        ):
            text = picks[1]
            step = engine.reply(call, text)  # asked what they meant: says it again
        if step.intent != intent and call.state != after:
            heard = step.intent or "nothing"
            return False, f"{stage}: said {intent}, understood {heard}: {text[:70]!r}"
    return call.state == goal, f"ended at {call.state}"


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
        case = good_case(path)
        if case is None:
            print(f"{loaded.scenario.id:<32}    -   (no good-advisor case)")
            continue
        engine = ScenarioEngine(loaded, meaning=not args.wording)
        steps, goal = steps_of(engine, case.script)
        said = phrasings(loaded.scenario.id, sets)
        moving = [s for s in steps if s[0] == "say" and s[4] and s[3]]
        missing = sum(1 for s in moving if not (said.get((s[2], s[3])) or said.get(("*", s[3]))))
        if moving and missing == len(moving):
            print(f"{loaded.scenario.id:<32}    -   (no natural phrasing of any of its steps)")
            continue
        outcomes = [one_call(engine, steps, goal, said, rng) for _ in range(args.calls)]
        good = sum(ok for ok, _why in outcomes)
        results.append((loaded.scenario.id, good / args.calls))
        note = f"{len(moving)} steps" + (f", {missing} in the case's own words" if missing else "")
        print(f"{loaded.scenario.id:<32} {good / args.calls:6.2f}   (ends at {goal}; {note})")
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
