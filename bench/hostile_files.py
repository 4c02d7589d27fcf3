"""Time to load (or refuse) each hostile scenario file: the committed corpus and the big ones.

The corpus is tests/hardening/hostile/ (alias bombs, python tags, control characters, bidi,
bad encodings...); the big files are built here as the tests build them: 10 MiB, 10,000 levels
of nesting, a 900 KiB comment line, a 200 KiB customer line, a 300,000-character key. Each file
is loaded 5 times (`load_scenario`, from disk) and the best time kept. Target: well under a
second each (<= 100 ms here).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from callsim.engine.loader import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hardening" / "hostile"
TARGET_MS = 100.0


def minimal(extra: str = "", customer: str = "Hello.") -> str:
    return (
        "format: 1\nid: big\ntitle: Big\ncategory: other\ndifficulty: 1\nversion: '1'\n"
        "target_seconds: 300\nbriefing: b\ngoal: g\ncustomer: {name: Sam, persona: p, mood: 5}\n"
        f"{extra}start: opening\nstages:\n  opening:\n    customer: {customer}\n"
        "    fallback: {say: What?, to: done}\n  done:\n    ending: resolved\n    customer: Bye.\n"
    )


def big_files(folder: Path) -> list[Path]:
    n = 10_000
    made = {
        "big-10-mib.yaml": minimal() + "# " + "x" * (10 * 1024 * 1024) + "\n",
        "big-nesting-flow.yaml": "briefing: " + "[" * n + "]" * n + "\n",
        "big-nesting-block.yaml": "briefing:\n" + "- " * n + "x\n",
        "big-comment-line.yaml": "# " + "x" * (900 * 1024) + "\n" + minimal(),
        "big-customer-line.yaml": minimal(customer="y" * (200 * 1024)),
        "big-key.yaml": minimal(extra=f"{'k' * 300_000}: 1\n"),
    }
    paths = []
    for name, text in made.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def load_time(path: Path, repeat: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            load_scenario(path)
            outcome = "loads"
        except ScenarioError as exc:
            outcome = f"refused ({len(exc.problems)})"
        best = min(best, time.perf_counter() - start)
    return best * 1000, outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="callsim-hostile-") as tmp:
        files = sorted(HOSTILE.glob("*.yaml")) + big_files(Path(tmp))
        load_scenario(ROOT / "scenarios" / "broadband-down-repeat-caller.yaml")  # warm imports
        rows = [(p.name, p.stat().st_size, *load_time(p, args.repeat)) for p in files]
    print(f"{len(rows)} files, best of {args.repeat} loads each")
    for name, size, ms, outcome in sorted(rows, key=lambda r: -r[2]):
        print(f"  {name:<32} {size:>10,} B  {ms:8.2f} ms  {outcome}")
    worst = max(rows, key=lambda r: r[2])
    print(f"slowest: {worst[0]} {worst[2]:.2f} ms (target <= {TARGET_MS:.0f} ms each)")
    summary = [
        (
            f"hostile files, slowest of {len(rows)}",
            f"<= {TARGET_MS:.0f} ms each",
            f"{worst[2]:.1f} ms ({worst[0]})",
            worst[2] <= TARGET_MS,
        )
    ]
    print("SUMMARY " + json.dumps({"bench": "hostile_files", "figures": summary}))


if __name__ == "__main__":
    main()
