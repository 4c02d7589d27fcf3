"""`callsim export ID... --format md|html|json|csv|xapi`: saved calls as files to share or print,
or as xAPI statements for a learning record store (sim/xapi.py, docs/lms.md)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe

FORMATS = ("md", "html", "json", "csv", "xapi")  # sim.export.FORMATS and xapi, not imported here
HOMEPAGE_ENV = "CALLSIM_XAPI_HOMEPAGE"


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "export",
        help="write saved calls as Markdown, printable HTML, JSON (importable) or CSV",
        description="Write saved calls to a file or standard output. md: readable text; html: "
        "one self-contained printable page; json: the transcript and grade, which 'callsim "
        "import' reads on another machine; csv: one row per turn, or with --per-call one row "
        "per call for a spreadsheet; xapi: xAPI statements to post to a learning record store "
        "(docs/lms.md). With several calls, -o names a folder that gets one file "
        "per call (--per-call: one file). Give call ids, or choose calls with --trainee, "
        "--scenario and --since.",
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="call ids (or the start of them)")
    p.add_argument("--format", choices=FORMATS, default="md", help="the file format (md)")
    p.add_argument(
        "--per-call",
        action="store_true",
        help="with --format csv: one row per call (trainee, scenario, version, date, mode, "
        "outcome, handling time, total, a column per rubric dimension, mentor-adjusted total)",
    )
    p.add_argument("--trainee", metavar="T", help="export this trainee's calls")
    p.add_argument("--scenario", metavar="S", help="export the calls of this scenario id")
    p.add_argument(
        "--since", metavar="DATE", type=since_date, help="export calls started on or after DATE"
    )
    p.add_argument(
        "--template",
        metavar="FILE",
        help="with --format html: render the page from this Jinja2 template (docs/mentor-guide.md)",
    )
    p.add_argument(
        "--homepage",
        metavar="URL",
        help="with --format xapi: the system where trainee names are learners' accounts (the "
        f"xAPI account homePage, e.g. your LMS's address; default {HOMEPAGE_ENV})",
    )
    p.add_argument(
        "--pass-mark",
        metavar="N",
        type=pass_mark,
        help="with --format xapi: the total (0-100) that counts as success (default: the "
        "rubric's 'fair' boundary, 50 in the bundled rubric)",
    )
    p.add_argument("-o", "--output", metavar="FILE/DIR", help="where to write (default: stdout)")
    add_db_argument(p)
    p.set_defaults(func=run)


def since_date(text: str) -> str:
    """As `callsim sessions --since` (a local date or time, stored as UTC)."""
    from callsim.sim.commands.sessions import since_date as parse

    return parse(text)


def pass_mark(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number from 0 to 100") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number from 0 to 100")
    return value


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


def render(fmt: str, calls: list, *, per_call: bool = False, template: Path | None = None) -> str:
    """calls: (transcript, grade, dimension scores, comments) per call."""
    from callsim.sim.export import to_csv, to_csv_per_call, to_html, to_json, to_markdown

    if per_call:
        return to_csv_per_call([(t, g, o) for t, g, o, _ in calls])
    if fmt == "json":
        return to_json([(t, g) for t, g, _, _ in calls])
    if fmt == "csv":
        return to_csv([t for t, _, _, _ in calls])
    if fmt == "html":
        return to_html(calls, template=template)
    return "\n\n---\n\n".join(to_markdown(t, g, overrides=o, comments=c) for t, g, o, c in calls)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    per_call = getattr(args, "per_call", False)
    filters = {k: getattr(args, k, None) for k in ("trainee", "scenario", "since")}
    if per_call and args.format != "csv":
        print("callsim export: --per-call goes with --format csv", file=sys.stderr)
        return 2
    template = getattr(args, "template", None)
    if template and args.format != "html":
        print("callsim export: --template goes with --format html", file=sys.stderr)
        return 2
    template = Path(template) if template else None
    xapi = None
    if args.format == "xapi":
        xapi = xapi_options(args)
        if xapi is None:
            return 2
    elif getattr(args, "homepage", None) or getattr(args, "pass_mark", None) is not None:
        print("callsim export: --homepage and --pass-mark go with --format xapi", file=sys.stderr)
        return 2
    chosen = any(v is not None for v in filters.values())
    if bool(args.ids) == chosen:
        print(
            "callsim export: give call ids, or choose calls with --trainee, --scenario or "
            "--since (not both)",
            file=sys.stderr,
        )
        return 2
    store = open_or_report(args)
    if store is None:
        return 1
    calls = []
    try:
        ids = args.ids or [c.id for c in reversed(store.list_calls(**filters))]
        if not ids:
            print("callsim export: no saved calls match", file=sys.stderr)
            return 1
        for given in ids:
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
    out = None if args.output is None else Path(args.output)
    if xapi is not None:
        return write_xapi(calls, xapi, out)
    if out is None:
        targets: list[tuple[Path | None, list]] = [(None, calls)]
    elif per_call:  # one file, one row per call
        targets = [(out / "callsim-calls.csv" if out.is_dir() else out, calls)]
    elif len(calls) > 1 or out.is_dir():
        names = file_names([c[0].call_id for c in calls], args.format)
        targets = [(out / n, [c]) for n, c in zip(names, calls, strict=True)]
    else:
        targets = [(out, calls)]
    from callsim.sim.page import TemplateProblem

    try:  # all rendered before anything is written: a broken template leaves no files behind
        pages = [
            (path, render(args.format, group, per_call=per_call, template=template))
            for path, group in targets
        ]
    except TemplateProblem as exc:
        print(f"callsim export: {terminal_safe(str(exc))}", file=sys.stderr)
        return 1
    if out is None:
        sys.stdout.write(pages[0][1])
        return 0
    try:
        if len(calls) > 1 and not per_call:
            out.mkdir(parents=True, exist_ok=True)
        for path, text in pages:
            assert path is not None
            path.write_text(text, encoding="utf-8", newline="")
            print(f"wrote {terminal_safe(str(path))}")
    except OSError as exc:
        print(
            f"callsim export: cannot write {terminal_safe(str(exc.filename or out))}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    return 0


def xapi_options(args: argparse.Namespace):
    """sim.xapi.Options from --homepage (or its variable) and --pass-mark; None after saying
    what is missing or wrong."""
    import os

    from callsim.sim.xapi import Options, homepage_problem

    homepage = getattr(args, "homepage", None) or os.environ.get(HOMEPAGE_ENV, "").strip()
    if not homepage:
        print(
            "callsim export: --format xapi needs --homepage URL (or CALLSIM_XAPI_HOMEPAGE): the "
            "address of the system where trainee names are learners' accounts, e.g. your LMS",
            file=sys.stderr,
        )
        return None
    problem = homepage_problem(homepage)
    if problem is not None:
        print(f"callsim export: --homepage: {terminal_safe(problem)}", file=sys.stderr)
        return None
    return Options(homepage=homepage, pass_mark=getattr(args, "pass_mark", None))


def write_xapi(calls: list, options, out: Path | None) -> int:
    """One JSON array of every call's statements (what a record store takes in one POST); a
    call that cannot be sent is named on stderr with why, and only no statements at all fails."""
    from callsim.sim.xapi import to_xapi

    text, skipped = to_xapi([(t, g, o) for t, g, o, _ in calls], options)
    for cid, why in skipped:
        print(f"callsim export: call {terminal_safe(cid)} left out: {why}", file=sys.stderr)
    if len(skipped) == len(calls):
        return 1
    if out is None:
        sys.stdout.write(text)
        return 0
    target = out / "callsim-statements.json" if out.is_dir() else out
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(
            f"callsim export: cannot write {terminal_safe(str(target))}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {terminal_safe(str(target))}")
    return 0
