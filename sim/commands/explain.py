"""`callsim explain "REPLY" [--customer LINE]`: why a reply earned the tags it did, for a person.

Lists each tag with the words that triggered it and the rubric dimension it feeds, then the
common near-misses (a politeness apology, a negated guarantee, vague timing...) and why they did
not count. Trainee text is printed verbatim but terminal-safe: control characters are shown as
escapes, so a reply can never drive the terminal.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK = 0
EXIT_USAGE = 2


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="explain the behaviour tags of one reply",
        description=(
            "Show which behaviour tags a reply earns, the words that earned each, the rubric "
            "dimension it feeds, and why common look-alikes did not count."
        ),
    )
    p.add_argument("reply", metavar="REPLY", help="the advisor's reply, in quotes")
    p.add_argument("--customer", metavar="LINE", help="the customer's line before the reply")
    p.set_defaults(func=run)


def render(reply: str, customer: str | None = None) -> str:
    """The plain-text explanation of `reply` (terminal-safe)."""
    from callsim.grading.tagger import explain_reply, tag_reply
    from callsim.grading.tags import NEGATIVE_TAGS, TAG_DIMENSION
    from callsim.sim.textsafe import terminal_safe

    result = tag_reply(reply, customer)
    misses = explain_reply(reply, customer)
    lines = [f"Reply:    {terminal_safe(reply)}"]
    if customer:
        lines.append(f"Customer: {terminal_safe(customer)}")
    lines.append("")
    if result.tags:
        lines.append("Tags found:")
        for tag in result.tags:
            verb = "loses credit in" if tag in NEGATIVE_TAGS else "earns credit in"
            lines.append(f"  {tag} ({verb} {TAG_DIMENSION[tag]})")
            lines.append(f'    because of: "{terminal_safe(result.evidence[tag])}"')
    else:
        lines.append("Tags found: none")
    if misses:
        lines.append("")
        lines.append("Not given:")
        for miss in misses:
            lines.append(f'  {miss.tag}: "{terminal_safe(miss.words)}"')
            lines.append(f"    {miss.reason}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if not args.reply.strip():
        print("callsim explain: the reply is empty", file=sys.stderr)
        return EXIT_USAGE
    from callsim.engine.transcript import MAX_TEXT

    for name, value in (("the reply", args.reply), ("--customer", args.customer or "")):
        if len(value) > MAX_TEXT:
            print(
                f"callsim explain: {name} is {len(value):,} characters long; the limit is "
                f"{MAX_TEXT:,} (as in a call)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    sys.stdout.write(render(args.reply, args.customer))
    return EXIT_OK
