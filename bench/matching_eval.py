"""How well the customer understands natural replies: recall and false accepts, both ways.

Runs every phrasings file in tests/phrasings/SET/ (replies written from bench/writer_brief.py's
output by people who never saw the example phrasings) through `callsim phrasings`' checker,
reading replies by wording only and by wording and meaning (engine/meaning.py). Prints the
figures per set, per kind of phrasing and per scenario, and a SUMMARY line.

    python bench/matching_eval.py [--set dev|heldout|untuned|study|all] [--scenario ID]

`dev` is the set to study misses in; `heldout` is only measured, never read for tuning.
`untuned` is four scenarios in other industries written from the docs alone
(tests/untuned/scenarios) and replies to them by another writer who saw only their briefs:
the figure for scenarios nobody tuned. `study` is the same again (three more scenarios by a
trainer new to callsim, tests/untuned/study/, replies by a writer who saw only their briefs),
kept for studying what goes wrong on scenarios written by others; `untuned` stays unread.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from callsim.engine.loader import load_scenario
from callsim.sim.phrasings import Checked, check, read_phrasings
from callsim.sim.scenario_paths import resolve_scenario

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "phrasings"
#: Scenarios written from the docs by someone else, and replies to them by a third person.
UNTUNED = ROOT / "tests" / "untuned"
TARGET_RECALL = 0.90
TARGET_FALSE_ACCEPTS = 0.02


def _figures(results: list[Checked]) -> tuple[float, float, float, int, int]:
    meant = [c for c in results if c.phrasing.expected is not None]
    none = [c for c in results if c.phrasing.expected is None]
    recall = sum(c.right for c in meant) / len(meant) if meant else 0.0
    fa = sum(not c.right for c in none) / len(none) if none else 0.0
    wrong = sum(1 for c in meant if c.matched and not c.right) / len(meant) if meant else 0.0
    return recall, fa, wrong, len(meant), len(none)


def run_set(name: str, only: str | None) -> dict[bool, list[tuple[str, list[Checked]]]]:
    out: dict[bool, list[tuple[str, list[Checked]]]] = {False: [], True: []}
    others = {"untuned": UNTUNED, "study": UNTUNED / "study"}
    folder = others[name] / "phrasings" if name in others else SETS / name
    for path in sorted(folder.glob("*.jsonl")):
        sid = path.stem
        if only and sid != only:
            continue
        if name in others:
            loaded = load_scenario(others[name] / "scenarios" / f"{sid}.yaml")
        else:
            loaded = load_scenario(resolve_scenario(sid))
        with path.open(encoding="utf-8") as fh:
            phrasings, problems = read_phrasings(fh, str(path), loaded)
        for p in problems:
            print(f"  skipped: {p}")
        for meaning in (False, True):
            out[meaning].append((sid, list(check(loaded, phrasings, meaning=meaning).results)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("dev", "heldout", "untuned", "study", "all"), default="all")
    ap.add_argument("--scenario")
    args = ap.parse_args()
    names = ("dev", "heldout", "untuned", "study") if args.set == "all" else (args.set,)
    summary = []
    for name in names:
        started = time.perf_counter()
        runs = run_set(name, args.scenario)
        print(f"\n== {name} ({time.perf_counter() - started:.1f} s)")
        head = f"{'reading':<10}{'recall':>8}{'false acc.':>12}{'wrong intent':>14}"
        print(f"{head}{'meant':>8}{'none':>6}")
        for meaning in (False, True):
            allres = [c for _sid, res in runs[meaning] for c in res]
            r, fa, wrong, nm, nn = _figures(allres)
            label = "meaning" if meaning else "wording"
            print(f"{label:<10}{r:>8.3f}{fa:>12.3f}{wrong:>14.3f}{nm:>8}{nn:>6}")
            summary.append(f"{name}/{label} recall={r:.3f} fa={fa:.3f}")
        print("\nper kind (share right), wording -> meaning:")
        kinds: dict[str, list[list[bool]]] = defaultdict(lambda: [[], []])
        for meaning in (False, True):
            for _sid, res in runs[meaning]:
                for c in res:
                    kinds[c.phrasing.kind or "-"][meaning].append(c.right)
        for kind, (w, m) in sorted(kinds.items()):
            print(f"  {kind:<14}{sum(w) / len(w):>6.2f} -> {sum(m) / len(m):.2f}  ({len(w)})")
        print("\nper scenario, recall / false accepts, wording -> meaning:")
        for (sid, w), (_, m) in zip(runs[False], runs[True], strict=True):
            a, b = _figures(w), _figures(m)
            print(f"  {sid:<32}{a[0]:.2f} / {a[1]:.2f}  ->  {b[0]:.2f} / {b[1]:.2f}")
    print(
        f"\nSUMMARY {'; '.join(summary)} (targets: recall >= {TARGET_RECALL}, "
        f"false accepts <= {TARGET_FALSE_ACCEPTS})"
    )


if __name__ == "__main__":
    main()
