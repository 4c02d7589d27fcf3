"""`callsim import FILE.json...`: calls sent in by trainees on other machines.

Each file is checked in full (valid JSON, a callsim transcript, every field valid) before any
of it is stored; a call already in the store (same call id) is left as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "import",
        help="add calls exported on another machine (callsim export --format json)",
        description="Add calls from JSON files made by 'callsim export ID --format json' (or "
        "'callsim run --script FILE --json'). A call already stored is not added twice. A file "
        "that is not a valid callsim transcript is reported and skipped; exit 1 if any was.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.json")
    add_db_argument(p)
    p.set_defaults(func=run)


def grade_if_possible(transcript):
    """Grade an imported call that came without a grade, if its exact scenario is here."""
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.grading.grader import grade_transcript
    from callsim.sim.scenario_paths import resolve_scenario

    path = resolve_scenario(transcript.scenario_id)
    if path is None or Path(path) == Path(transcript.scenario_id):
        return None
    try:
        loaded = load_scenario(path)
    except ScenarioError:
        return None
    if loaded.scenario.id != transcript.scenario_id or (
        transcript.scenario_hash and loaded.content_hash != transcript.scenario_hash
    ):
        return None
    try:
        return grade_transcript(transcript, loaded)
    except Exception as exc:  # untrusted call: a grading failure must not stop the import
        print(
            f"callsim import: {transcript.call_id}: not graded ({terminal_safe(str(exc))})",
            file=sys.stderr,
        )
        return None


def run(args: argparse.Namespace) -> int:
    from callsim.sim.export import ImportProblem, read_calls
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    failed = False
    for name in args.files:
        shown = terminal_safe(name, keep_newlines=False)
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            print(f"callsim import: cannot read {shown}: {exc.strerror or exc}", file=sys.stderr)
            failed = True
            continue
        try:
            calls = read_calls(raw, shown)
        except ImportProblem as exc:
            print(terminal_safe(str(exc)), file=sys.stderr)
            failed = True
            continue
        for transcript, grade in calls:
            who = terminal_safe(
                f"{transcript.call_id[:12]} ({transcript.trainee or 'no trainee'}, "
                f"{transcript.scenario_id})",
                keep_newlines=False,
            )
            if grade is None:
                grade = grade_if_possible(transcript)
            try:
                added = store.import_call(transcript, grade)
            except StoreError as exc:
                report(exc)
                return 1
            print(f"{'imported' if added else 'already stored'}: {who}")
    return 1 if failed else 0
