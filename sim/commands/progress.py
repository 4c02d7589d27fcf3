"""`callsim progress TRAINEE`: how a trainee is getting on, as plain-text charts, and what next.

Each rubric dimension's scores over the trainee's calls as a sparkline, first-contact
resolution, handling time and estimated satisfaction over time, the weakest dimensions and a
development plan of bundled scenarios that train them (the rule: sim/store_progress.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from callsim.sim.textsafe import terminal_safe

BARS = "▁▂▃▄▅▆▇█"


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "progress",
        help="a trainee's progress: score trends, indicators, weakest areas and what to practise",
        description="Trends over a trainee's latest calls (a mentor's override counts instead "
        "of the auto-grade), first-contact resolution, average handling time, estimated "
        "satisfaction, the weakest rubric dimensions and bundled scenarios that train them, "
        "easiest first.",
    )
    p.add_argument("trainee", metavar="TRAINEE")
    p.add_argument(
        "--calls", type=int, default=500, metavar="N", help="look at the latest N calls (500)"
    )
    p.add_argument("--width", type=int, default=24, metavar="N", help="chart width (24)")
    add_db_argument(p)
    p.set_defaults(func=run)


def sparkline(values: Sequence[float], low: float = 0, high: float = 100) -> str:
    """Values as block characters on a fixed scale (so two charts compare at a glance)."""
    span = (high - low) or 1
    out = []
    for v in values:
        level = round((min(max(v, low), high) - low) / span * (len(BARS) - 1))
        out.append(BARS[level])
    return "".join(out)


def arrow(change: float, threshold: float = 5) -> str:
    return "↑" if change > threshold else "↓" if change < -threshold else "→"


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def render(rep, width: int) -> list[str]:
    from callsim.sim.store_progress import RECENT, buckets

    out = [f"Progress of {rep.trainee}: {rep.calls} call{'s' if rep.calls != 1 else ''}", ""]
    if rep.trends:
        name_w = min(28, max(len(t.title) for t in rep.trends))
        out.append(
            f"{'Dimension':<{name_w}}  {'scores over time (0-100)':<{width}}  "
            f"first {RECENT} -> last {RECENT}"
        )
        for t in rep.trends:
            chart = sparkline(buckets(t.scores, width))
            out.append(
                f"{t.title[:name_w]:<{name_w}}  {chart:<{width}}  "
                f"{t.first:5.1f} -> {t.recent:5.1f} {arrow(t.change)}"
            )
    else:
        out.append("No graded calls yet: scores appear once calls are graded.")
    out.append("")
    if rep.fcr:
        high = max(rep.handling) or 1
        rows = [
            (
                "First-contact resolution",
                sparkline(rep.fcr),
                f"{rep.fcr[0]:.0f}% -> {rep.fcr[-1]:.0f}%",
            ),
            (
                "Average handling time",
                sparkline(rep.handling, 0, high),
                f"{clock(rep.handling[0])} -> {clock(rep.handling[-1])}",
            ),
        ]
        if rep.satisfaction:
            rows.append(
                (
                    "Satisfaction estimate",
                    sparkline(rep.satisfaction, 1, 5),
                    f"{rep.satisfaction[0]:.1f}/5 -> {rep.satisfaction[-1]:.1f}/5",
                )
            )
        for name, chart, change in rows:
            out.append(f"{name:<25} {chart:<{len(rep.fcr)}}  {change}")
        out.append("")
    if rep.weakest:
        out.append(f"Weakest now (mean of the last {RECENT} calls):")
        for t in rep.weakest:
            out.append(f"  {t.title}: {t.recent:.1f}")
        out.append("")
        out.append("Development plan (bundled scenarios that train them, easiest first):")
        if not rep.plan:
            out.append("  (no bundled scenario trains these; ask a trainer for one)")
        current = None
        for step in rep.plan:
            if step.dimension != current:
                current = step.dimension
                title = next(t.title for t in rep.weakest if t.dimension == step.dimension)
                out.append(f"  {title}:")
            taken = f", taken {step.taken}x" if step.taken else ""
            out.append(
                f"    - {step.scenario_id}: {step.title} (difficulty {step.difficulty}/5{taken})"
            )
    return [terminal_safe(line) for line in out]


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report
    from callsim.sim.store_progress import bundled_library
    from callsim.sim.store_progress import report as progress_report

    if args.calls < 1 or args.width < 4:
        print("callsim progress: --calls must be 1 or more, --width 4 or more", file=sys.stderr)
        return 2
    store = open_or_report(args)
    if store is None:
        return 1
    try:
        points = store.progress(args.trainee, limit=args.calls)
        titles = store.dimension_titles()
    except StoreError as exc:
        report(exc)
        return 1
    if not points:
        known = ", ".join(store.trainees()[:10]) or "none yet"
        print(
            terminal_safe(
                f"callsim progress: no finished calls by '{args.trainee}' (trainees: {known})"
            ),
            file=sys.stderr,
        )
        return 1
    rep = progress_report(args.trainee, points, bundled_library(), titles=titles, width=args.width)
    print("\n".join(render(rep, args.width)))
    return 0
