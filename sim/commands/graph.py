"""`callsim graph SCENARIO`: the stages and what leads between them, as Mermaid or dot."""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "graph",
        help="draw a scenario's stages and what leads between them (Mermaid or dot)",
        description=(
            "Print a scenario's stages as a Mermaid flowchart (paste into a Markdown file or "
            "mermaid.live) or Graphviz dot (dot -Tsvg). Arrows are labelled with intents; "
            "fallbacks and 'otherwise' routes are dashed; 'anywhere' responses come from one "
            "separate node; endings are shaped and coloured by outcome."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or a bundled id")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.commands.run import load_or_report
    from callsim.sim.graph import render

    loaded = load_or_report(args.scenario)
    if loaded is None:
        return 1
    text = render(loaded.scenario, args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(
                f"callsim graph: cannot write {terminal_safe(args.output)}: {exc.strerror}",
                file=sys.stderr,
            )
            return 1
    else:
        sys.stdout.write(text)
    return 0
