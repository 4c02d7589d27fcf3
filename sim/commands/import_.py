"""`callsim import FILE.json...`: calls sent in by trainees on other machines.

Each call is checked in full before anything from its file is stored (`sim.export.read_import`:
the models, finite numbers in range, safe ids, dates that parse, a grade callsim wrote), and
against the store (its short id must not be another call's); a call failing a check is skipped
with its reasons and the others are imported. A call already in the store (same call id) is
left as it is. A grade is re-graded here when the call's exact scenario is here; otherwise the
grade sent with it is kept and marked "as graded on the other machine".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from callsim.sim.textsafe import terminal_safe

if TYPE_CHECKING:
    from callsim.engine.transcript import Transcript
    from callsim.grading.grader import Grade
    from callsim.sim.store import Store


def add(sub: argparse._SubParsersAction) -> None:
    from callsim.sim.store_cli import add_db_argument

    p = sub.add_parser(
        "import",
        help="add calls exported on another machine (callsim export --format json)",
        description="Add calls from JSON files made by 'callsim export ID --format json' (or "
        "'callsim run --script FILE --json'). A call already stored is not added twice. A file "
        "that is not a callsim export, and a call in it that fails a check, is reported and "
        "skipped (the other calls are imported); exit 1 if any was. A call whose exact "
        "scenario is here (bundled or in --scenarios DIR) is re-graded here; otherwise its grade "
        "is kept, marked as graded on the other machine.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.json")
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also look for the calls' scenarios in DIR, to re-grade them (repeatable)",
    )
    add_db_argument(p)
    p.set_defaults(func=run)


def _say(message: str) -> None:
    print(terminal_safe(message, keep_newlines=False), file=sys.stderr)


def settle_grade(
    transcript: Transcript, sent: Grade | None, dirs: Sequence[Path] = ()
) -> tuple[Grade | None, str]:
    """The grade to store with an imported call, and how it was got (for the output line).

    Re-graded here when the call's exact scenario (same content) is here and the grade sent,
    if any, used the same rubric; else the grade sent, marked as graded on the other machine.
    """
    from callsim.grading.grader import grade_transcript
    from callsim.sim.export import mark_imported
    from callsim.sim.resume import ResumeError, match_scenario

    try:
        match = match_scenario(transcript, dirs)
    except ResumeError:
        match = None
    if match is None:
        why = "its scenario is not here"
    elif not match.exact:
        why = "its scenario here has changed since"
    else:
        try:
            regraded = grade_transcript(transcript, match.loaded)
        except Exception as exc:  # untrusted call: a grading failure must not stop the import
            why = f"it could not be graded here: {exc}"
        else:
            if sent is None or sent.rubric_id == regraded.rubric_id:
                return regraded, "graded here"
            why = f"it was graded against the rubric '{sent.rubric_id}'"
    if sent is None:
        return None, f"not graded: {why}"
    return mark_imported(sent), f"as graded on the other machine ({why})"


def collision(store: Store, call_id: str, taken: dict[str, str]) -> str | None:
    """Why `call_id` cannot be added beside the calls stored (and those of this import), so
    that every short id still names one call; None when it can (or is stored already)."""
    from callsim.sim.export import SHORT_ID

    short = call_id[:SHORT_ID]
    others = [i for i in store.ids_near(short) if i != call_id]
    others += [i for s, i in taken.items() if i != call_id and s == short]
    if not others:
        return None
    return (
        f"call_id: '{call_id}' shares its first {SHORT_ID} characters with call "
        f"'{others[0]}', so 'callsim show {short}' could not tell them apart; not imported"
    )


def run(args: argparse.Namespace) -> int:
    from callsim.sim.export import MAX_IMPORT_BYTES, SHORT_ID, ImportProblem, read_import
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import open_or_report, report

    store = open_or_report(args)
    if store is None:
        return 1
    from callsim.sim.config import scenario_dirs

    dirs = scenario_dirs(args.scenarios)  # --scenarios, else config.toml's
    failed = False
    for name in args.files:
        shown = terminal_safe(name, keep_newlines=False)
        try:
            with Path(name).open("rb") as fh:
                raw = fh.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            _say(f"callsim import: cannot read {shown}: {exc.strerror or exc}")
            failed = True
            continue
        try:
            batch = read_import(raw, shown)
        except ImportProblem as exc:
            print(terminal_safe(str(exc)), file=sys.stderr)
            failed = True
            continue
        for reason in batch.skipped:
            _say(f"skipped: {reason}")
        failed = failed or bool(batch.skipped)
        taken: dict[str, str] = {}
        ready = []
        try:
            for transcript, grade in batch.calls:
                problem = collision(store, transcript.call_id, taken)
                if problem is not None:
                    _say(f"skipped: {shown}: {problem}")
                    failed = True
                    continue
                taken[transcript.call_id[:SHORT_ID]] = transcript.call_id
                ready.append((transcript, grade))
            for transcript, sent in ready:
                who = terminal_safe(
                    f"{transcript.call_id[:12]} ({transcript.trainee or 'no trainee'}, "
                    f"{transcript.scenario_id})",
                    keep_newlines=False,
                )
                if transcript.call_id in store.ids_near(transcript.call_id[:SHORT_ID]):
                    print(f"already stored: {who}")
                    continue
                grade, how = settle_grade(transcript, sent, dirs)
                added = store.import_call(transcript, grade)
                print(f"{'imported' if added else 'already stored'}: {who}; {how}")
        except StoreError as exc:
            report(exc)
            return 1
    return 1 if failed else 0
