"""`callsim progress TRAINEE`: how a trainee is getting on, as plain-text charts, and what next.

Each rubric dimension's scores over the trainee's calls as a sparkline, first-contact
resolution, handling time and estimated satisfaction over time, the weakest dimensions and a
development plan of bundled scenarios that train them (the rule: sim/store_progress.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from callsim.sim.textsafe import terminal_safe

if TYPE_CHECKING:
    from callsim.sim.store_progress import Comparison, Report

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
    p.add_argument(
        "--format",
        choices=("text", "html"),
        default="text",
        help="text for the terminal (default), or html: the printable page callsim export uses",
    )
    p.add_argument(
        "--template",
        metavar="FILE",
        help="with --format html: render the page from this Jinja2 template (docs/mentor-guide.md)",
    )
    p.add_argument(
        "--include-scripted",
        action="store_true",
        help="count calls played from a script (callsim run --script), left out by default",
    )
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


def basis(calls: int, to: str = "->") -> str:
    """The heading over a trend's two figures, for `calls` calls (rule: store_progress.compare)."""
    from callsim.sim.store_progress import RECENT

    if calls < 2:
        return "1 call: no trend yet"
    window = RECENT if calls >= 2 * RECENT else calls // 2
    return f"first {window} {to} last {window}"


def basis_note(calls: int) -> str | None:
    """The sentence that says what a short history's trends compare; None from 20 calls on (and
    for one call, whose heading says it all)."""
    from callsim.sim.store_progress import RECENT

    if calls >= 2 * RECENT or calls < 2:
        return None
    odd = " (middle call left out)" if calls % 2 else ""
    return f"Trends over {calls} calls: first half against second half{odd}."


def trend_text(
    c: Comparison | None,
    fmt: Callable[[float], str],
    *,
    shared: int,
    to: str = "->",
    direction: bool = False,
) -> str:
    """A trend's two figures (one with a single call), naming its own basis when it is not the
    heading's: `shared` is the number of calls the heading's basis speaks of."""
    from callsim.sim.store_progress import RECENT

    if c is None:
        return ""
    if c.change is None:
        text = fmt(c.later)
    else:
        text = f"{fmt(c.earlier)} {to} {fmt(c.later)}"
        if direction:
            text += f" {arrow(c.change)}"
    if c.calls != shared and min(c.calls, shared) < 2 * RECENT:
        own = f"over {c.calls} calls" if 2 <= c.calls < 2 * RECENT else basis(c.calls, to)
        text += f" ({own})"
    return text


def recent_basis(calls: int) -> str:
    """Which calls "weakest now" is worked out from."""
    from callsim.sim.store_progress import RECENT

    if calls > RECENT:
        return f"mean of the last {RECENT} calls"
    return f"mean of all {calls} calls" if calls > 1 else "from the one graded call"


def graded_calls(rep: Report) -> int:
    """The calls the dimension trends are worked out over (a dimension may skip some)."""
    return max((len(t.scores) for t in rep.trends), default=0)


def indicator_rows(rep: Report) -> list[tuple[str, str, str]]:
    """(name, chart, trend) of first-contact resolution, handling time and satisfaction; none
    before a call has ended."""
    if not rep.fcr or rep.fcr_trend is None or rep.handling_trend is None:
        return []
    ended = rep.fcr_trend.calls
    high = max(rep.handling) or 1
    rows = [
        (
            "First-contact resolution",
            sparkline(rep.fcr),
            trend_text(rep.fcr_trend, lambda v: f"{v:.0f}%", shared=ended),
        ),
        (
            "Average handling time",
            sparkline(rep.handling, 0, high),
            trend_text(rep.handling_trend, clock, shared=ended),
        ),
    ]
    if rep.satisfaction:
        rows.append(
            (
                "Satisfaction estimate",
                sparkline(rep.satisfaction, 1, 5),
                trend_text(rep.satisfaction_trend, lambda v: f"{v:.1f}/5", shared=ended),
            )
        )
    return rows


def progress_context(rep: Report, width: int) -> dict:
    """What the printable page is given for a progress report (the same figures as `render`;
    keys documented in docs/mentor-guide.md)."""
    from callsim.sim.store_progress import buckets

    graded = graded_calls(rep)
    titles = {t.dimension: t.title for t in rep.weakest}
    plan: list[dict] = []
    for step in rep.plan:
        if not plan or plan[-1]["dimension"] != step.dimension:
            plan.append({"dimension": step.dimension, "title": titles[step.dimension]})
            plan[-1]["scenarios"] = []
        plan[-1]["scenarios"].append(
            {
                "scenario_id": step.scenario_id,
                "title": step.title,
                "difficulty": step.difficulty,
                "taken": step.taken,
            }
        )
    return {
        "trainee": rep.trainee,
        "calls": rep.calls,
        "note": basis_note(graded),
        "basis": basis(graded),
        "dimensions": [
            {
                "dimension": t.dimension,
                "title": t.title,
                "scores": t.scores,
                "chart": sparkline(buckets(t.scores, width)),
                "change": trend_text(
                    t.comparison, lambda v: f"{v:.1f}", shared=graded, direction=True
                ),
            }
            for t in rep.trends
        ],
        "indicator_basis": basis(rep.fcr_trend.calls) if rep.fcr_trend else "",
        "indicators": [{"name": n, "chart": c, "change": ch} for n, c, ch in indicator_rows(rep)],
        "weakest_basis": recent_basis(graded),
        "weakest": [
            {"dimension": t.dimension, "title": t.title, "recent": f"{t.recent:.1f}"}
            for t in rep.weakest
        ],
        "plan": plan,
        "goals": [],  # filled by `run` from the store (issue 17)
        "self_assessment": [],
    }


def render(rep: Report, width: int) -> list[str]:
    from callsim.sim.store_progress import buckets

    out = [f"Progress of {rep.trainee}: {rep.calls} call{'s' if rep.calls != 1 else ''}", ""]
    graded = graded_calls(rep)
    if rep.trends:
        name_w = min(28, max(len(t.title) for t in rep.trends))
        if note := basis_note(graded):
            out.append(note)
        out.append(
            f"{'Dimension':<{name_w}}  {'scores over time (0-100)':<{width}}  {basis(graded)}"
        )
        for t in rep.trends:
            chart = sparkline(buckets(t.scores, width))
            change = trend_text(t.comparison, lambda v: f"{v:5.1f}", shared=graded, direction=True)
            out.append(f"{t.title[:name_w]:<{name_w}}  {chart:<{width}}  {change}")
    else:
        out.append("No graded calls yet: scores appear once calls are graded.")
    out.append("")
    rows = indicator_rows(rep)
    if rows and rep.fcr_trend is not None:
        ended = rep.fcr_trend.calls
        out.append(f"{'Indicator':<25} {'over time':<{len(rep.fcr)}}  {basis(ended)}")
        for name, chart, change in rows:
            out.append(f"{name:<25} {chart:<{len(rep.fcr)}}  {change}")
        out.append("")
    if rep.weakest:
        out.append(f"Weakest now ({recent_basis(graded)}):")
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
    from callsim.sim.store_training import self_assessments

    if args.calls < 1 or args.width < 4:
        print("callsim progress: --calls must be 1 or more, --width 4 or more", file=sys.stderr)
        return 2
    if args.template and args.format != "html":
        print("callsim progress: --template goes with --format html", file=sys.stderr)
        return 2
    store = open_or_report(args)
    if store is None:
        return 1
    try:
        points = store.progress(
            args.trainee, limit=args.calls, include_scripted=args.include_scripted
        )
        titles = store.dimension_titles()
    except StoreError as exc:
        report(exc)
        return 1
    if not points:
        known = ", ".join(store.trainees()[:10]) or "none yet"
        print(
            terminal_safe(
                f"callsim progress: no finished calls by '{args.trainee}' (trainees: {known})"
                + ("" if args.include_scripted else "; calls played from a script are left out")
            ),
            file=sys.stderr,
        )
        return 1
    rep = progress_report(args.trainee, points, bundled_library(), titles=titles, width=args.width)
    if args.format == "html":
        from pathlib import Path

        from callsim.sim.page import TemplateProblem, render_page

        context = progress_context(rep, args.width)
        try:  # the mentor's goals and how self-assessment matches (issue 17), when there are any
            goals = goal_lines(store, args.trainee, titles)[1:]  # without the heading
            context["goals"] = [line.strip() for line in goals]
            if self_assessments(store, [p.call_id for p in points]):
                lines = self_assessment_lines(store, points, titles, args.width)
                context["self_assessment"] = [line.strip() for line in lines]
        except StoreError as exc:
            report(exc)
            return 1
        try:
            page = render_page(
                title=f"Progress of {args.trainee}",
                progress=context,
                template=Path(args.template) if args.template else None,
            )
        except TemplateProblem as exc:
            print(f"callsim progress: {terminal_safe(str(exc))}", file=sys.stderr)
            return 1
        sys.stdout.write(page)
        return 0
    lines = render(rep, args.width)
    try:
        goals = goal_lines(store, args.trainee, titles)
        if goals:  # the mentor's goals come before the plan from the weakest dimensions
            at = next((i for i, line in enumerate(lines) if line.startswith("Weakest")), len(lines))
            lines[at:at] = [*goals, ""]
        lines += ["", *self_assessment_lines(store, points, titles, args.width)]
    except StoreError as exc:
        report(exc)
        return 1
    print("\n".join(lines))
    return 0


def goal_lines(store, trainee: str, titles: dict[str, str]) -> list[str]:
    """The mentor's goals for the trainee, how far each has come, and what to practise for
    those not met (sim/store_goals.py)."""
    from callsim.sim.store_goals import plan_for_goals, statuses
    from callsim.sim.store_progress import bundled_library

    library = bundled_library()
    found = statuses(store, trainee, library)
    if not found:
        return []
    out = ["Goals (set by a mentor):"]
    out += [f"  {st.words(titles)}" for st in found]
    plan = plan_for_goals(found, library, titles)
    if plan:
        out.append("Practise for your goals first (easiest first):")
        for goal, scenarios in plan:
            names = ", ".join(sc.id for sc in scenarios) or "(no bundled scenario fits)"
            out.append(f"  {goal}: {names}")
    return [terminal_safe(line) for line in out]


def self_assessment_lines(store, points: Sequence, titles: dict[str, str], width: int) -> list[str]:
    """How the trainee's self-assessments matched the grade over these calls (issue 17)."""
    from callsim.sim.self_assessment import calibration, calibration_lines
    from callsim.sim.store_progress import buckets
    from callsim.sim.store_training import self_assessments

    found = self_assessments(store, [p.call_id for p in points])
    cal = calibration(points, found)
    chart = sparkline(buckets([c.share * 100 for c in cal.calls], width))
    return [terminal_safe(line) for line in calibration_lines(cal, titles, chart)]
