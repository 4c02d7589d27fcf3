"""A reply end to end on the bundled scenarios: tagging it and the engine's step, per reply.

Every held-out phrasing (tests/phrasings/heldout) is played as the first reply at its stage in
a fresh call, on an engine warmed as the app warms it; the tagger sees the customer's opening
line. Beside it, the bare rapidfuzz lookup the wording reading wraps (`process.extractOne` of
the reply against the stage's examples), so the cost of reading for meaning can be told apart.

    python bench/reply_speed.py
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import load_scenario
from callsim.grading.tagger import tag_reply
from callsim.sim.scenario_paths import resolve_scenario

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "phrasings" / "heldout"


def _ms(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values) * 1000, values[int(len(values) * 0.99)] * 1000


def main() -> None:
    whole, engine_only, bare, loads, warms = [], [], [], [], []
    cpu_whole: list[float] = []
    cpu_engine: list[float] = []
    for path in sorted(HELDOUT.glob("*.jsonl")):
        started = time.perf_counter()
        loaded = load_scenario(resolve_scenario(path.stem))
        engine = ScenarioEngine(loaded)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.warm()
        warms.append(time.perf_counter() - started)
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for row in rows:
            lines = loaded.scenario.stages[row["stage"]].customer
            customer = lines if isinstance(lines, str) or lines is None else lines[0].say
            examples = engine._matchers[row["stage"]].own._texts
            call = engine.new_call(start=row["stage"])
            c0 = time.process_time()
            t0 = time.perf_counter()
            tag_reply(row["text"], customer)
            t1 = time.perf_counter()
            c1 = time.process_time()
            engine.reply(call, row["text"])
            t2 = time.perf_counter()
            c2 = time.process_time()
            engine.release(call)
            whole.append(t2 - t0)
            engine_only.append(t2 - t1)
            cpu_whole.append(c2 - c0)
            cpu_engine.append(c2 - c1)
            if examples:
                t3 = time.perf_counter()
                process.extractOne(row["text"], examples, scorer=fuzz.token_set_ratio)
                bare.append(time.perf_counter() - t3)
    med, p99 = _ms(whole)
    emed, ep99 = _ms(engine_only)
    cmed, cp99 = _ms(cpu_whole)
    cemed, cep99 = _ms(cpu_engine)
    print(f"replies: {len(whole)} (held-out, each the first at its stage)")
    print(f"tagger + engine.reply   median {med:.2f} ms   p99 {p99:.2f} ms   (targets 5 / 15 ms)")
    print(f"engine.reply alone      median {emed:.2f} ms   p99 {ep99:.2f} ms")
    # CPU time is what the code costs whatever else the machine is running (wall time is not)
    print(f"CPU: tagger + reply     median {cmed:.2f} ms   p99 {cp99:.2f} ms")
    print(f"CPU: engine.reply       median {cemed:.2f} ms   p99 {cep99:.2f} ms")
    if bare:
        bmed, bp99 = _ms(bare)
        print(f"bare extractOne         median {bmed:.2f} ms   p99 {bp99:.2f} ms")
    print(
        f"load + engine per scenario: median {statistics.median(loads) * 1000:.0f} ms; "
        f"warm (meaning index) median {statistics.median(warms) * 1000:.0f} ms, "
        f"first {warms[0] * 1000:.0f} ms (simplemma's dictionary loads once per process)"
    )
    met = med <= 5 and p99 <= 15
    print("SUMMARY " + json.dumps({"bench": "reply_speed", "figures": [
        ["a reply end to end, median / p99", "<= 5 / 15 ms", f"{med:.2f} / {p99:.2f} ms", met],
    ]}))


if __name__ == "__main__":
    main()
