"""Long replies and long calls: the tagger's time against the length of a reply and of a call.

1. One reply of 1 KB, 10 KB, 100 KB and 1 MB (characters) through `tag_reply` and through
   `explain_reply` (what `callsim explain` runs), in four shapes: an advisor's reply repeated
   (sentences with full stops), the same words with no punctuation at all (one run-on
   sentence), a run-on of words that start rules but never finish them ("I can see the account
   and I know the engineer was booked ..."), and "either or either or ..." (a rule with two
   gaps). Each measurement runs in its own process with a time limit (`--limit`, default 60 s),
   so the quadratic and cubic paths of an older tagger show as "over N s" instead of hanging
   the bench. Linear means the time per KB stays about the same from 1 KB to 1 MB.
   The app, line mode, scripts, `tag` and `explain` refuse a reply over 20,000 characters
   before it reaches the tagger; the tagger itself must still be linear.
2. The tagger's cost per reply as a call gets long: the same 200 replies tagged with the
   customer's history at turn 10, 100, 1,000 and 5,000 (the customer's lines cycle through
   everything the broadband scenario's customer can say, as in a real call), mean per reply.
   Flat means turn 1,000 costs what turn 10 does.

    .venv/bin/python bench/long_replies.py [--limit 60] [--sizes 1000,10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "broadband-down-repeat-caller.yaml"

PROSE = (
    "I'm so sorry you've been without broadband all week, that must be really frustrating. "
    "What happened when you restarted the router? I'll book an engineer for tomorrow between "
    "8 and 12, or we can send a new router, whichever you prefer. "
)
SHAPES = {
    "sentences": PROSE,
    "run-on": PROSE.lower().replace(",", "").replace(".", "").replace("?", "").replace("'", ""),
    "unfinished cues": "I can see the account here and I know the engineer was booked ",
    "either or": "either or ",
}
CUSTOMER = "My broadband has been down since Monday and I work from home."


def text_of(shape: str, size: int) -> str:
    base = SHAPES[shape]
    return (base * (size // len(base) + 1))[:size]


def one(shape: str, size: int, what: str) -> float:
    """Seconds for one call of the tagger (run in a child process)."""
    from callsim.grading.tagger import explain_reply, tag_reply

    text = text_of(shape, size)
    tag_reply("warm up the normaliser", CUSTOMER)
    start = time.perf_counter()
    if what == "tag":
        tag_reply(text, CUSTOMER)
    else:
        explain_reply(text, CUSTOMER)
    return time.perf_counter() - start


def timed(shape: str, size: int, what: str, limit: float) -> float | None:
    """Seconds, or None when the child ran past `limit`."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--one", shape, str(size), what],
            capture_output=True,
            text=True,
            timeout=limit,
            cwd=ROOT,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def customer_lines() -> list[str]:
    """Everything the bundled scenario's customer can say (stages, reactions, facts)."""
    from callsim.engine.loader import load_scenario

    lines: list[str] = []

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in {"customer", "say", "says"}:
            lines.append(value)

    walk(load_scenario(SCENARIO).scenario.model_dump())
    return [line for line in dict.fromkeys(lines) if line.strip()]


def per_reply_by_turn(turns: list[int], replies: int = 200) -> dict[int, float]:
    """Mean ms per reply with `turn` customer lines of history (the session's call shape)."""
    from callsim.grading.tagger import tag_reply

    sys.path.insert(0, str(ROOT / "bench"))
    from grading_speed import EXAMPLES

    said = customer_lines()
    texts = [EXAMPLES[i % len(EXAMPLES)] for i in range(replies)]
    out = {}
    for turn in turns:
        history = [said[i % len(said)] for i in range(turn)]
        times = []
        for i, text in enumerate(texts):  # as a call goes on: one more line each reply
            history.append(said[(turn + i) % len(said)])
            start = time.perf_counter()
            tag_reply(text, history[-1], tuple(history[:-1]))
            times.append(time.perf_counter() - start)
        out[turn] = statistics.mean(times[20:]) * 1000  # the first few fill the caches
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=60.0, help="seconds per measurement")
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--one", nargs=3, metavar=("SHAPE", "SIZE", "WHAT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(one(args.one[0], int(args.one[1]), args.one[2]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"one reply, seconds (per KB); each in its own process, stopped after {args.limit:g} s")
    print(f"{'shape':<16}{'':9}" + "".join(f"{s // 1000:>7,} KB{'':10}" for s in sizes))
    worst_per_kb: dict[str, float] = {}
    slowest_20k = 0.0
    stopped = False
    for shape in SHAPES:
        for what in ("tag", "explain"):
            cells = []
            over = False
            for size in sizes:
                took = None if over else timed(shape, size, what, args.limit)
                if took is None:
                    over = stopped = True
                    cells.append(f"{'> ' + format(args.limit, 'g') + ' s':>19}")
                    continue
                per_kb = took / (size / 1000) * 1000
                worst_per_kb[what] = max(worst_per_kb.get(what, 0.0), per_kb)
                cells.append(f"{took:>8.3f} s ({per_kb:5.2f} ms)")
            print(f"{shape:<16}{what:<9}" + "".join(cells), flush=True)
        took = timed(shape, 20_000, "explain", args.limit)
        slowest_20k = max(slowest_20k, took if took is not None else float("inf"))

    turns = [10, 100, 1000, 5000]
    by_turn = per_reply_by_turn(turns)
    print("tagger per reply with the call's history (mean of 180 replies):")
    print("  " + ", ".join(f"turn {t:,}: {ms:.3f} ms" for t, ms in by_turn.items()))
    growth = by_turn[1000] / by_turn[10]
    print(f"  turn 1,000 / turn 10: {growth:.2f}x")
    summary = [
        (
            "tagger, 1 KB to 1 MB reply, worst ms per KB",
            "linear (no run stopped)",
            "stopped after the time limit"
            if stopped
            else f"tag {worst_per_kb['tag']:.2f}, explain {worst_per_kb['explain']:.2f}",
            not stopped,
        ),
        (
            "explain, slowest 20,000-character reply",
            "<= 1 s",
            f"{slowest_20k:.2f} s",
            slowest_20k <= 1.0,
        ),
        (
            "tagger per reply, turn 1,000 vs turn 10",
            "flat (<= 1.5x)",
            f"{by_turn[10]:.3f} -> {by_turn[1000]:.3f} ms ({growth:.2f}x)",
            growth <= 1.5,
        ),
    ]
    print("SUMMARY " + json.dumps({"bench": "long_replies", "figures": summary}))


if __name__ == "__main__":
    main()
