"""`callsim export ID... --format md|html|json|csv`: saved calls as files to share or print."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe

FORMATS = ("md", "html", "json", "csv")  # as sim.export.FORMATS, without importing it here


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "export",
        help="write saved calls as Markdown, printable HTML, JSON (importable) or CSV",
        description="Write saved calls to a file or standard output. md: readable text; html: "
        "one self-contained printable page; json: the transcript and grade, which 'callsim "
        "import' reads on another machine; csv: one row per turn. With several calls, -o names "
        "a folder that gets one file per call.",
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="call ids (or the start of them)")
    p.add_argument("--format", choices=FORMATS, default="md", help="the file format (md)")
    p.add_argument("-o", "--output", metavar="FILE/DIR", help="where to write (default: stdout)")
    add_db_argument(p)
    p.set_defaults(func=run)


def file_names(call_ids: list[str], fmt: str) -> list[str]:
    """One file name per call for a folder export: `callsim-` and the start of the call id.

    A call id is data (an imported call's, or another tool's), so only letters, digits, '-'
    and '_' are kept of it: a '/' or '..' in an id can neither stop the export nor write
    outside the folder. Two calls whose names would clash get more of their id, then a count.
    """
    names: list[str] = []
    for cid in call_ids:
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", cid)
        name = f"callsim-{safe[:12] or 'call'}.{fmt}"
        if name in names:
            name = f"callsim-{safe[:40]}.{fmt}"
        n = 2
        while name in names:
            name = f"callsim-{safe[:40]}-{n}.{fmt}"
            n += 1
        names.append(name)
    return names


def render(fmt: str, calls: list) -> str:
    """calls: (transcript, grade, dimension scores, comments) per call."""
    from callsim.sim.export import to_csv, to_html, to_json, to_markdown

    if fmt == "json":
        return to_json([(t, g) for t, g, _, _ in calls])
    if fmt == "csv":
        return to_csv([t for t, _, _, _ in calls])
    if fmt == "html":
        return to_html(calls)
    return "\n\n---\n\n".join(to_markdown(t, g, overrides=o, comments=c) for t, g, o, c in calls)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    calls = []
    try:
        for given in args.ids:
            cid = store.resolve_id(given)
            calls.append(
                (
                    store.transcript(cid),
                    store.grade(cid),
                    store.corrections(cid),
                    store.comments(cid),
                )
            )
    except StoreError as exc:
        report(exc)
        return 1
    if args.output is None:
        sys.stdout.write(render(args.format, calls))
        return 0
    out = Path(args.output)
    if len(calls) > 1 or out.is_dir():
        names = file_names([c[0].call_id for c in calls], args.format)
        targets = [(out / n, [c]) for n, c in zip(names, calls, strict=True)]
    else:
        targets = [(out, calls)]
    try:
        if len(calls) > 1:
            out.mkdir(parents=True, exist_ok=True)
        for path, group in targets:
            path.write_text(render(args.format, group), encoding="utf-8", newline="")
            print(f"wrote {terminal_safe(str(path))}")
    except OSError as exc:
        print(
            f"callsim export: cannot write {terminal_safe(str(exc.filename or out))}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    return 0
