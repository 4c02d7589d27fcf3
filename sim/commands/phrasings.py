"""`callsim phrasings SCENARIO FILE.jsonl`: how well a scenario understands natural replies."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "phrasings",
        help="measure how well a scenario understands replies in other people's words",
        description=(
            "Check natural replies against a scenario. FILE has one JSON object a line: "
            '{"stage": STAGE, "text": REPLY, "expected_intent": INTENT or null, '
            '"alt_intents": [INTENT, ...]} (alt_intents optional, other fields kept). Each '
            "reply is played as the first reply at the start of its stage in a fresh call. "
            "Prints recall and false accepts per intent and each miss; --json prints one "
            'object per reply with "matched" added. Exit 1 if a line is bad or a --min/--max '
            "target is missed."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or a bundled id")
    p.add_argument("file", metavar="FILE", help="JSON Lines file of replies ('-' = stdin)")
    p.add_argument("--json", action="store_true", help="one JSON object per reply")
    p.add_argument("--min-recall", type=float, metavar="R", help="fail below this recall (0-1)")
    p.add_argument(
        "--max-false-accepts", type=float, metavar="R", help="fail above this false-accept rate"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.commands.run import load_or_report
    from callsim.sim.phrasings import check, json_lines, read_phrasings

    loaded = load_or_report(args.scenario)
    if loaded is None:
        return 1
    name = "<stdin>" if args.file == "-" else args.file
    try:
        if args.file == "-":
            phrasings, problems = read_phrasings(sys.stdin, name, loaded)
        else:
            with Path(args.file).open(encoding="utf-8") as fh:
                phrasings, problems = read_phrasings(fh, name, loaded)
    except OSError as exc:
        print(
            f"callsim phrasings: cannot read {terminal_safe(name)}: {exc.strerror}", file=sys.stderr
        )
        return 1
    except UnicodeDecodeError:
        print(f"callsim phrasings: {terminal_safe(name)} is not UTF-8 text", file=sys.stderr)
        return 1
    for problem in problems:
        print(terminal_safe(str(problem), keep_newlines=False), file=sys.stderr)
    report = check(loaded, phrasings)
    if args.json:
        for obj in json_lines(report):
            print(json.dumps(obj, ensure_ascii=False))
    else:
        sys.stdout.write(render(report, loaded.scenario.id))
    missed = False
    if args.min_recall is not None and (report.recall or 0.0) < args.min_recall:
        missed = True
    rate = report.false_accept_rate
    if args.max_false_accepts is not None and rate is not None and rate > args.max_false_accepts:
        missed = True
    return 1 if problems or missed else 0


def _rate(right: int, total: int) -> str:
    return f"{right / total:.2f} ({right}/{total})" if total else "-"


def render(report, scenario_id: str) -> str:
    """The trainer's reading: overall figures, per intent, per kind of phrasing, each miss."""
    results = report.results
    meant = [c for c in results if c.phrasing.expected is not None]
    none = [c for c in results if c.phrasing.expected is None]
    out = [
        f"{scenario_id}: {len(results)} replies ({len(meant)} meant an intent, "
        f"{len(none)} meant none)",
        f"recall {_rate(sum(c.right for c in meant), len(meant))}   "
        f"false accepts {_rate(sum(not c.right for c in none), len(none))}",
        "",
        f"{'intent':<28}{'recall':>16}{'false accepts':>15}",
    ]
    for intent, f in report.per_intent().items():
        out.append(f"{intent:<28}{_rate(f.understood, f.meant):>16}{f.false_accepts:>15}")
    kinds = report.per_kind()
    if kinds:
        out += ["", "by kind of phrasing (right/checked):"]
        out += [f"  {k:<20}{_rate(r, t):>16}" for k, (r, t) in kinds.items()]
    misses = report.misses()
    if misses:
        out += ["", "misses (line, stage, meant -> matched, reply):"]
        for c in misses:
            p = c.phrasing
            text = terminal_safe(p.text, keep_newlines=False)
            out.append(
                f"  {p.line:>4}  {p.stage}  {p.expected or '(none)'} -> "
                f'{c.matched or "(not understood)"}  "{text}"'
            )
    return "\n".join(out) + "\n"
