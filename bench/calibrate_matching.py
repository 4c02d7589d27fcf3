"""Fit the matcher's confidence (engine/matching.py `CALIBRATION`) on the dev phrasings.

Each dev reply is matched at its stage by the stage's own matcher and by the anywhere matcher;
the best intent each proposes, with its evidence, is one example, labelled by whether that
intent is what the writer meant. A logistic regression over the evidence (plain Newton
steps, no libraries) gives the weights; then each acceptance level is tried end to end and the
recall and false accepts printed, so the level can be chosen with the false-accept target in
view. Only the dev set is used: the held-out set measures the result.

    python bench/calibrate_matching.py [--write]

`--write` prints the constants to paste; nothing is edited automatically.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from callsim.engine import matching
from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import load_scenario
from callsim.sim.phrasings import Report, check, read_phrasings
from callsim.sim.scenario_paths import resolve_scenario

DEV = Path(__file__).resolve().parent.parent / "tests" / "phrasings" / "dev"


def _load():
    out = []
    for path in sorted(DEV.glob("*.jsonl")):
        loaded = load_scenario(resolve_scenario(path.stem))
        with path.open(encoding="utf-8") as fh:
            phrasings, _ = read_phrasings(fh, str(path), loaded)
        out.append((loaded, phrasings))
    return out


def examples(sets) -> list[tuple[tuple[float, ...], int]]:
    rows = []
    for loaded, phrasings in sets:
        engine = ScenarioEngine(loaded)
        for p in phrasings:
            stage = engine._matchers[p.stage]
            for m in (stage.own, stage.anywhere):
                if m is None:
                    continue
                found = m.match(p.text)
                name = found.intent or found.candidate
                if name is None or not found.evidence:
                    continue
                rows.append((found.evidence, int(p.accepts(name))))
    return rows


def fit(rows, l2: float = 1e-3, steps: int = 30) -> list[float]:
    """Logistic regression by Newton's method (a handful of weights, so plain lists do)."""
    k = len(rows[0][0]) + 1
    w = [0.0] * k
    for _ in range(steps):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in rows:
            xs = (1.0, *x)
            z = sum(a * b for a, b in zip(w, xs, strict=True))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(k):
                grad[i] += (p - y) * xs[i]
                for j in range(k):
                    hess[i][j] += p * (1 - p) * xs[i] * xs[j]
        for i in range(k):
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        for r in range(n):
            if r != c and m[c][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] if m[i][i] else 0.0 for i in range(n)]


def end_to_end(sets) -> tuple[float, float]:
    """Recall and false accepts over every dev reply, as the engine stands."""
    results = [c for loaded, phrasings in sets for c in check(loaded, phrasings).results]
    report = Report(tuple(results))
    return report.recall or 0.0, report.false_accept_rate or 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", default="0.5,0.6,0.7,0.8,0.85,0.9,0.95")
    args = ap.parse_args()
    sets = _load()
    matching.ACCEPT_CONFIDENCE = 2.0  # the fixed rules alone while collecting
    rows = examples(sets)
    weights = fit(rows)
    print(f"{len(rows)} examples, {sum(y for _, y in rows)} right")
    print("CALIBRATION = (" + ", ".join(f"{w:.3f}" for w in weights) + ")")
    matching.CALIBRATION = tuple(weights)
    r, fa = end_to_end(sets)
    print(f"rules only: recall {r:.3f}, false accepts {fa:.3f}")
    for level in (float(v) for v in args.levels.split(",")):
        matching.ACCEPT_CONFIDENCE = level
        r, fa = end_to_end(sets)
        print(f"ACCEPT_CONFIDENCE = {level:.2f}: recall {r:.3f}, false accepts {fa:.3f}")


if __name__ == "__main__":
    main()
