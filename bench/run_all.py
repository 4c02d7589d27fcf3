"""Run every benchmark in bench/ and print one table: figure, target, measured, pass/fail.

Each benchmark runs as its own `python` process (as a person would run it) and ends with a
machine-readable line, `SUMMARY {"bench": ..., "figures": [[figure, target, measured, ok]]}`;
this script collects those lines. `--markdown` prints the table as Markdown for
docs/performance.md, with the machine it ran on. A benchmark that fails or prints no summary
is listed as such; the exit code is 1 when any figure misses its target or any run fails.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Extra arguments per benchmark (none: each script's defaults are the documented run).
ARGS: dict[str, list[str]] = {}


def startup_figures(stdout: str) -> list[list]:
    """bench/startup.py's figures from its table, until it prints a SUMMARY line itself
    (it was being reworked when this runner was written)."""
    figures = []
    for line in stdout.splitlines():
        if not line.startswith("callsim"):
            continue
        wall = re.search(r"(\d+\.\d+)\s*s\b", line)
        ratio = re.search(r"(\d+\.\d+)x", line)
        if wall and ratio:
            label = line.split("  ")[0].strip()
            ok = float(wall.group(1)) <= 0.6 and float(ratio.group(1)) <= 1.5
            shown = f"{float(wall.group(1)):.2f} s, {ratio.group(1)}x"
            figures.append([f"start-up: {label}", "<= 0.6 s and <= 1.5x bare", shown, ok])
    return figures


#: How to read benchmarks that print no SUMMARY line.
FALLBACK = {"startup": startup_figures}


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {datetime.date.today().isoformat()}"
    )


def run(script: Path) -> tuple[list[list], str, float]:
    """(figures, problem, seconds) of one benchmark."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script), *ARGS.get(script.stem, [])],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    took = time.perf_counter() - start
    figures: list[list] = []
    for line in done.stdout.splitlines():
        if line.startswith("SUMMARY "):
            figures += json.loads(line[len("SUMMARY ") :])["figures"]
    if not figures and script.stem in FALLBACK:
        figures = FALLBACK[script.stem](done.stdout)
    problem = ""
    if done.returncode != 0 and not figures:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        problem = f"exit {done.returncode}: {tail[0][:120]}"
    elif not figures:
        problem = "printed no SUMMARY line"
    return figures, problem, took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("only", nargs="*", help="run only these benchmarks (file stems)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args()
    scripts = [
        p
        for p in sorted(HERE.glob("*.py"))
        if p.name != Path(__file__).name
        and not p.name.startswith("_")
        and (not args.only or p.stem in args.only)
    ]
    rows: list[tuple[str, str, str, str, str]] = []
    failed = False
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        figures, problem, took = run(script)
        if problem:
            failed = True
            rows.append((script.stem, "-", "-", "-", f"ERROR ({problem})"))
        for figure, target, measured, ok in figures:
            verdict = "pass" if ok else ("fail" if ok is False else "-")
            failed |= ok is False
            rows.append((script.stem, figure, target, measured, verdict))
        print(f"  {took:.1f} s", file=sys.stderr)
    header = ("bench", "figure", "target", "measured", "result")
    if args.markdown:
        print(f"Machine: {machine()}\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    else:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        print(f"machine: {machine()}")
        for row in [header, *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
