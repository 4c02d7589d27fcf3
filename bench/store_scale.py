"""How the store holds up with a year of a team's calls: 10,000 calls of 30 turns (or more).

Fills a fresh store with the bulk path (`Store.bulk_save`, not the per-turn path), then times
what a mentor waits for: `callsim sessions` with a filter (target <= 100 ms) and one trainee's
progress over 500 calls (target <= 200 ms); looking a call up by its id or the start of it
(target <= 5 ms); `callsim show ID`, `callsim export ID` and `callsim sessions` (its first page)
run in-process, without the interpreter's start-up (target <= 100 ms each); and reports the
store's size per call. Last, a call of 12 replies played through `CallSession` into the store,
as `callsim run` saves it: commits per reply (target: 1) and milliseconds per reply.

    .venv/bin/python bench/store_scale.py [--calls 10000] [--turns 30] [--trainees 20]
        [--db PATH]   (keep the filled store there; a store already holding the calls is reused)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from callsim.engine.models import Outcome
from callsim.engine.transcript import Transcript, Turn
from callsim.grading.grader import Grade, grade_transcript
from callsim.grading.tags import DIMENSIONS
from callsim.sim.commands.sessions import PAGE
from callsim.sim.store import Store

SCENARIOS = ("broadband-down-repeat-caller", "double-charge-october", "manager-from-the-first-line")
REPLIES = (
    "I'm so sorry it's still not working, that must be really frustrating with you at home",
    "So it has been down since Monday morning and you've already restarted the router?",
    "Let me run a line test first, then if it shows a fault I'll book an engineer for you",
)
CUSTOMER = "It went off on Monday morning and it hasn't come back once. Not once."


def turns(count: int) -> list[Turn]:
    out = []
    for i in range(count):
        if i % 2:
            out.append(
                Turn(
                    index=i, speaker="trainee", text=REPLIES[i % 3], at=i * 9.5, stage="diagnose",
                    stage_after="diagnose", mood_before=6.0, mood_after=5.5, intent="acknowledge",
                    score=88.0, tags=["empathy", "reflection"],
                    evidence={"empathy": "so sorry", "reflection": "down since Monday"},
                )
            )  # fmt: skip
        else:
            out.append(
                Turn(index=i, speaker="customer", text=CUSTOMER, at=i * 9.5, stage="diagnose",
                     mood_after=5.5)
            )  # fmt: skip
    return out


def calls(n: int, turn_count: int, trainees: int):
    shared = turns(turn_count)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    template: Grade | None = None
    for i in range(n):
        scores = {d: (i * 7 + k * 13) % 101 for k, d in enumerate(DIMENSIONS)}
        when = start + timedelta(minutes=37 * i)
        transcript = Transcript.model_construct(
            call_id=f"{i:08x}bench",
            scenario_id=SCENARIOS[i % len(SCENARIOS)],
            scenario_version="1.0",
            scenario_title="Bench call",
            scenario_hash="0" * 64,
            scenario_path="",
            trainee=f"trainee-{i % trainees:02d}",
            mode="practice",
            started_at=when.isoformat(timespec="seconds"),
            ended_at=(when + timedelta(minutes=6)).isoformat(timespec="seconds"),
            duration_seconds=360.0,
            target_seconds=480,
            outcome=Outcome.resolved if i % 3 == 0 else Outcome.unresolved,
            opening_mood=7.0,
            final_mood=4.5,
            revealed=[],
            actions=["line_test"],
            manager_demanded=False,
            escalated=False,
            hints_used=0,
            wrap_up="Down since Monday; line test fault; engineer Thursday 8-1.",
            turns=shared,
            format="callsim-transcript",
            format_version=1,
        )
        if template is None:  # one real grade of the call; each call gets its own scores
            template = grade_transcript(transcript)
        kpis = replace(
            template.kpis, satisfaction_estimate=1 + i % 5, first_contact_resolution=i % 3 == 0
        )
        grade = replace(
            template,
            call_id=transcript.call_id,
            score=sum(scores.values()) // len(scores),
            dimensions=tuple(replace(d, score=scores.get(d.id)) for d in template.dimensions),
            kpis=kpis,
        )
        yield transcript, grade


def timed(fn, repeat: int = 15) -> float:
    """Median milliseconds of `repeat` runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def cli_ms(argv: list[str], repeat: int = 7) -> float:
    """Median ms of one `callsim` command run in-process (output discarded)."""
    from callsim.sim.cli import main

    def run() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(argv) == 0, argv

    return timed(run, repeat)


@dataclass
class _Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def reply_saving(path: Path, replies: int = 12) -> tuple[float, float]:
    """(commits per reply, ms per reply) for a call played into a fresh store at `path`."""
    from callsim.engine.loader import load_scenario
    from callsim.sim.scenario_paths import resolve_scenario
    from callsim.sim.session import CallSession, SimulatedClock

    loaded = load_scenario(resolve_scenario(SCENARIOS[0]))
    lines = [REPLIES[i % len(REPLIES)] for i in range(replies)]
    store = Store(path)
    session = CallSession(
        loaded,
        tagger=lambda text, customer=None, history=(): _Tagged(["empathy"]),
        clock=SimulatedClock(),
    )
    store.recorder(session)
    commits = []
    store._conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    times = []
    for line in lines:
        if session.ended:
            break
        t0 = time.perf_counter()
        session.say(line)
        times.append((time.perf_counter() - t0) * 1000)
    store.close()
    return len(commits) / len(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=10_000)
    ap.add_argument("--turns", type=int, default=30)
    ap.add_argument("--trainees", type=int, default=20)
    ap.add_argument("--db", help="keep the filled store here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        store = Store(path)
        fill = 0.0
        if store.count() < args.calls:
            t0 = time.perf_counter()
            store.bulk_save(calls(args.calls, args.turns, args.trainees))
            fill = time.perf_counter() - t0
            with store._write("review a tenth of the calls") as conn:
                conn.exec_driver_sql(
                    "UPDATE calls SET reviewed_at = started_at WHERE rowid % 10 = 0"
                )
                conn.exec_driver_sql(
                    "INSERT OR IGNORE INTO overrides SELECT id, 'empathy', 50, 'bench', NULL, "
                    "started_at FROM calls WHERE rowid % 20 = 0"
                )
            store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        per_trainee = args.calls // args.trainees

        def page(**filters: str) -> None:  # what `callsim sessions` reads: a page and a count
            store.list_calls(**filters, limit=PAGE)
            store.count_calls(**filters)

        listing = timed(lambda: page(trainee="trainee-07"))
        listing_since = timed(lambda: page(scenario=SCENARIOS[1], since="2025-06-01"))
        listing_all = timed(lambda: store.list_calls(), repeat=5)
        progress = timed(lambda: store.progress("trainee-07", limit=500))
        agreement = timed(store.agreement, repeat=5)
        reviewed = store._read("SELECT count(*) FROM calls WHERE reviewed_at IS NOT NULL")[0][0]
        one = next(calls(1, args.turns, 1))[0].model_copy(update={"call_id": "per-turn"})
        store.save_call(one.model_copy(update={"turns": one.turns[:1]}))
        turn_ms = timed(lambda: store.record_turn("per-turn", one.turns[1]), repeat=30)
        middle = f"{args.calls // 2:08x}bench"
        by_id = timed(lambda: store.resolve_id(middle), repeat=50)
        by_prefix = timed(lambda: store.resolve_id(middle[:8]), repeat=50)
        db = ["--db", str(path)]
        show_ms = cli_ms(["show", middle[:8], *db])
        export_ms = cli_ms(["export", middle[:8], "--format", "json", *db])
        sessions_ms = cli_ms(["sessions", *db])
        commits, reply_ms = reply_saving(Path(tmp) / "replies.db")
        rows = [
            ("fill (bulk path)", f"{fill:.1f} s" if fill else "reused", ""),
            ("a call by its id", f"{by_id:.2f} ms", "target <= 5"),
            ("a call by the start of its id", f"{by_prefix:.2f} ms", "target <= 5"),
            ("callsim show ID (in-process)", f"{show_ms:.1f} ms", "target <= 100"),
            ("callsim export ID --format json", f"{export_ms:.1f} ms", "target <= 100"),
            ("callsim sessions (first page)", f"{sessions_ms:.1f} ms", ""),
            (
                f"list: one trainee (a page of {PAGE} of {per_trainee})",
                f"{listing:.1f} ms",
                "target <= 100",
            ),
            (
                f"list: one scenario since a date (a page of {PAGE})",
                f"{listing_since:.1f} ms",
                "target <= 100",
            ),
            (f"list: everything ({args.calls} rows)", f"{listing_all:.1f} ms", ""),
            ("progress: one trainee, 500 calls", f"{progress:.1f} ms", "target <= 200"),
            (f"agreement ({reviewed} reviewed calls)", f"{agreement:.1f} ms", ""),
            ("one turn committed (synchronous=FULL)", f"{turn_ms:.1f} ms", ""),
            ("a reply saved: commits", f"{commits:.2f}", "target 1"),
            ("a reply said and saved (tagger stubbed)", f"{reply_ms:.1f} ms", ""),
            ("store size", f"{size / 2**20:.1f} MiB", f"{size / args.calls / 1024:.1f} KiB/call"),
        ]
        print(f"store: {args.calls} calls x {args.turns} turns, {args.trainees} trainees")
        for name, value, note in rows:
            print(f"  {name:<40} {value:>10}  {note}".rstrip())
        store.close()
    summary = [
        ("sessions list, one trainee", "<= 100 ms", f"{listing:.1f} ms", listing <= 100),
        ("sessions list, scenario + date", "<= 100 ms", f"{listing_since:.1f} ms",
         listing_since <= 100),
        ("progress, 500 calls", "<= 200 ms", f"{progress:.1f} ms", progress <= 200),
        (f"a call by its id or its start ({args.calls:,} calls)", "<= 5 ms",
         f"{max(by_id, by_prefix):.2f} ms", max(by_id, by_prefix) <= 5),
        ("show / export one call", "<= 100 ms", f"{show_ms:.0f} / {export_ms:.0f} ms",
         max(show_ms, export_ms) <= 100),
        ("commits per reply", "1", f"{commits:.2f}", commits <= 1),
    ]  # fmt: skip
    print("SUMMARY " + json.dumps({"bench": "store_scale", "figures": summary}))


if __name__ == "__main__":
    main()
