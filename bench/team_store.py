"""A team's store under load: many trainee processes saving calls into one store at once.

Each writer is its own process (as trainees on their own machines are) that opens the store and
saves `--calls` calls of `--turns` turns the way a call is saved: the call's row when it starts,
then each reply and the customer's answer as one transaction (`Store.record_turns`), then the
whole call at the end. All writers start together. Afterwards every turn must be in the store
(0 lost); the figures are the per-reply commit latency (p50/p99 over every reply of every
writer), calls saved per second over the whole run, and then, over a store filled with
`--fill` calls (the bulk path), what a mentor waits for: `callsim sessions`' first page and
count with a trainee filter, and a trainee's progress.

PostgreSQL (`--url`, or CALLSIM_TEST_PG: a superuser's database URL; a fresh database is made
on that server and dropped at the end) with `--writers` (50), then SQLite with
`--sqlite-writers` (8) for comparison.

    .venv/bin/python bench/team_store.py [--writers 50] [--calls 20] [--turns 30]
        [--sqlite-writers 8] [--fill 100000] [--url postgresql://postgres@HOST:PORT/DB]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(target: str, who: str, calls: int, turns: int, go: str) -> None:
    """One trainee's process: print one JSON line of per-reply commit latencies (ms)."""
    sys.path.insert(0, str(HERE))
    from store_scale import calls as make_calls

    from callsim.sim.store import Store

    store = Store(target)
    template = [t for t, _ in make_calls(calls, turns, 1)]
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    latencies = []
    for n, full in enumerate(template):
        call = full.model_copy(update={"call_id": f"{who}-{n:04d}", "trainee": who})
        store.save_call(call.model_copy(update={"turns": call.turns[:1], "ended_at": None}))
        for i in range(1, len(call.turns), 2):
            t0 = time.perf_counter()
            store.record_turns(call.call_id, call.turns[i : i + 2])
            latencies.append((time.perf_counter() - t0) * 1000)
        store.save_call(call)
    print(json.dumps(latencies), flush=True)


def run_writers(target: str, writers: int, calls: int, turns: int) -> dict[str, float]:
    go = Path(tempfile.mkdtemp()) / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                target,
                f"trainee-{w:03d}",
                str(calls),
                str(turns),
                str(go),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for w in range(writers)
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    t0 = time.perf_counter()
    go.touch()
    latencies: list[float] = []
    for p in procs:
        out, _ = p.communicate(timeout=3600)
        assert p.returncode == 0
        latencies += json.loads(out.strip().splitlines()[-1])
    elapsed = time.perf_counter() - t0
    from callsim.sim.store import Store

    store = Store(target)
    expected = writers * calls * turns
    stored = store._read("SELECT count(*) FROM turns")[0][0]
    latencies.sort()
    return {
        "lost": expected - stored,
        "stored": stored,
        "p50": statistics.median(latencies),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "calls_per_s": writers * calls / elapsed,
        "elapsed": elapsed,
    }


def reads(target: str, fill: int, turns: int) -> dict[str, float]:
    """A mentor's waits over a store of `fill` calls (filled by the bulk path if short)."""
    sys.path.insert(0, str(HERE))
    from store_scale import calls as make_calls

    from callsim.sim.store import Store

    store = Store(target)
    have = store.count()
    if have < fill:
        store.bulk_save(
            (t.model_copy(update={"call_id": f"fill-{n:07d}"}), g)
            for n, (t, g) in enumerate(make_calls(fill - have, turns, 20))
        )

    def timed(fn, repeat: int = 5) -> float:
        best = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            best.append((time.perf_counter() - t0) * 1000)
        return statistics.median(best)

    return {
        "calls": store.count(),
        "sessions_ms": timed(
            lambda: (
                store.list_calls(trainee="trainee-07", limit=50),
                store.count_calls(trainee="trainee-07"),
            )
        ),
        "progress_ms": timed(lambda: store.progress("trainee-07", limit=500)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=50)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--turns", type=int, default=30)
    ap.add_argument("--sqlite-writers", type=int, default=8)
    ap.add_argument("--fill", type=int, default=100_000)
    ap.add_argument("--url", default=os.environ.get("CALLSIM_TEST_PG"))
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        target, who, calls, turns, go = args.worker
        worker(target, who, int(calls), int(turns), go)
        return
    results = []
    if args.url:
        import psycopg

        name = "callsim_bench_" + uuid.uuid4().hex[:8]
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            url = args.url.rsplit("/", 1)[0] + "/" + name
            try:
                from callsim.sim.store import Store

                Store(url).close()  # the schema, before the writers race to it
                load = run_writers(url, args.writers, args.calls, args.turns)
                results.append(
                    ("PostgreSQL", args.writers, load, reads(url, args.fill, args.turns))
                )
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        print("no --url or CALLSIM_TEST_PG: PostgreSQL skipped")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "team.db")
        load = run_writers(db, args.sqlite_writers, args.calls, args.turns)
        results.append(("SQLite", args.sqlite_writers, load, reads(db, args.fill, args.turns)))
    print(f"{args.calls} calls of {args.turns} turns per writer; reads over {args.fill:,} calls")
    for backend, writers, load, read in results:
        print(
            f"  {backend:<10} {writers:>3} writers: {load['stored']:,} turns stored, "
            f"{load['lost']} lost; per reply p50 {load['p50']:.1f} ms, p99 {load['p99']:.1f} ms; "
            f"{load['calls_per_s']:.1f} calls/s; sessions {read['sessions_ms']:.1f} ms, "
            f"progress {read['progress_ms']:.1f} ms ({read['calls']:,} calls)"
        )
    summary = [
        (f"{b}: turns lost ({w} writers)", "0", str(load["lost"]), load["lost"] == 0)
        for b, w, load, _ in results
    ] + [
        (f"{b}: sessions over {read['calls']:,} calls", "<= 200 ms",
         f"{read['sessions_ms']:.1f} ms", read["sessions_ms"] <= 200)
        for b, _, _, read in results
    ]  # fmt: skip
    print("SUMMARY " + json.dumps({"bench": "team_store", "figures": summary}))


if __name__ == "__main__":
    main()
