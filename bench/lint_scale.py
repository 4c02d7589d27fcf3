"""How long lint takes on a stage with many examples (its check for intents the matcher confuses).

A generated scenario has one stage listening for every intent, each intent 10 example
phrasings or more (opener, subject, verb, object, tail, as in bench/turn_latency.py: intents
that differ in a verb or an object, so many examples come near a rival's). The scenario is
loaded once (not timed), then `engine.lint.lint` is timed on it (best of `--runs`), for 1,000,
4,000 and 10,000 examples in the stage. The bundled scenarios are linted too (all 15, total),
with how many warnings each size gives.

Targets: 1,000 examples <= 1 s, 10,000 <= 10 s.

    .venv/bin/python bench/lint_scale.py [--sizes 1000,4000,10000] [--runs 1] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from callsim.engine.lint import lint
from callsim.engine.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from turn_latency import OBJECTS, OPENERS, SUBJECTS, TAILS, VERBS  # noqa: E402

TARGETS = {1000: 1.0, 10000: 10.0}


def scenario_yaml(examples: int, rng: random.Random) -> str:
    """A scenario whose one listening stage has `examples` examples over up to 400 intents."""
    topics = [(v, o) for o in OBJECTS for v in VERBS]
    rng.shuffle(topics)
    intents = min(len(topics), examples // 10)
    per = [examples // intents + (1 if i < examples % intents else 0) for i in range(intents)]
    lines = [
        "format: 1",
        f"id: bench-lint-{examples}",
        "title: Lint scale bench",
        "category: other",
        "difficulty: 3",
        'version: "1"',
        "target_seconds: 600",
        "briefing: Generated for bench/lint_scale.py.",
        "goal: None.",
        "customer:",
        "  name: Bench",
        "  persona: Generated.",
        "  mood: 5",
        "intents:",
    ]
    for i, ((verb, obj), count) in enumerate(zip(topics, per, strict=False)):
        lines += [f"  i{i:03d}:", "    examples:"]
        seen: set[str] = set()
        while len(seen) < count:
            parts = [rng.choice(OPENERS), rng.choice(SUBJECTS), verb, obj, rng.choice(TAILS)]
            seen.add(" ".join(p for p in parts if p))
        lines += [f'      - "{text}"' for text in sorted(seen)]
    lines += [
        "start: listen",
        "stages:",
        "  listen:",
        '    customer: "Go on."',
        "    responses:",
    ]
    for i in range(intents):
        lines += [f"      - intent: i{i:03d}", "        to: done"]
    lines += [
        "    fallback:",
        '      say: "Sorry?"',
        "  done:",
        '    customer: "Thanks."',
        "    ending: resolved",
    ]
    return "\n".join(lines) + "\n"


def timed_lint(loaded, runs: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        found = lint(loaded.scenario, loaded.source, loaded.shared_intents)
        best = min(best, time.perf_counter() - start)
        count = len(found)
    return best, count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,4000,10000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"lint-{size}.yaml"
            path.write_text(scenario_yaml(size, random.Random(args.seed)), encoding="utf-8")
            loaded = load_scenario(path)
            took, warnings = timed_lint(loaded, args.runs)
            print(f"{size:>6,} examples in one stage: lint {took:7.2f} s, {warnings} warnings")
            if size in TARGETS:
                target = TARGETS[size]
                summary.append(
                    (f"lint, {size:,} examples in a stage", f"<= {target:g} s",
                     f"{took:.2f} s", took <= target)
                )
    bundled = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if ".tests." not in p.name)
    total, warnings = 0.0, 0
    for path in bundled:
        took, count = timed_lint(load_scenario(path), max(args.runs, 3))
        total += took
        warnings += count
    print(f"bundled scenarios: {len(bundled)} linted in {total:.3f} s, {warnings} warnings")
    print("SUMMARY " + json.dumps({"bench": "lint_scale", "figures": summary}))


if __name__ == "__main__":
    main()
