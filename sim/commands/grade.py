"""`callsim grade TRANSCRIPT.json`: re-grade a saved call, against any rubric.

The transcript is the record, not a replay: its turns already carry the behaviour tags, so the
grade comes from what was said and done then. The scenario is only read for its expectations;
when its file has changed since the call, the grade says so. A transcript file is untrusted, so
the scenario path it records is never opened (`sim.resume.match_scenario`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from callsim.sim.textsafe import json_text, terminal_safe

MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024
#: Keys `callsim run --script --json` puts around the transcript's own fields.
RUN_WRAPPER_KEYS = ("scenario", "problems", "grade")


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade",
        help="re-grade a saved transcript and print the debrief",
        description=(
            "Grade a saved call: the JSON that 'callsim run --script FILE --json' prints, or a "
            "bare transcript. Unless --scenario names it, the scenario is the one among "
            "--scenarios DIR and the bundled scenarios with the call's content, else its id "
            "and version; the path a transcript records is never opened."
        ),
    )
    p.add_argument("transcript", metavar="TRANSCRIPT", help="a transcript JSON file ('-' = stdin)")
    p.add_argument(
        "--rubric",
        metavar="FILE",
        help="grade against this rubric file (default: rubric in config.toml, else the bundled)",
    )
    p.add_argument("--scenario", metavar="PATH", help="the scenario file (or bundled id)")
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also look for the call's scenario in DIR (repeatable; the bundled ones always)",
    )
    p.add_argument("--json", action="store_true", help="print the grade as one JSON object")
    p.set_defaults(func=run)


def _say(message: str) -> None:
    print(terminal_safe(message, keep_newlines=False), file=sys.stderr)


def _read(source: str) -> bytes | None:
    if source == "-":
        return sys.stdin.buffer.read(MAX_TRANSCRIPT_BYTES + 1)
    path = Path(source)
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as exc:
        _say(f"callsim grade: cannot read {source}: {exc.strerror or exc}")
        return None


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_transcript(source: str):
    """The transcript in a file, or None after saying clearly what is wrong with the file."""
    from pydantic import ValidationError

    from callsim.engine.transcript import TRANSCRIPT_FORMAT, Transcript
    from callsim.sim.export import number_problems

    raw = _read(source)
    if raw is None:
        return None
    if len(raw) > MAX_TRANSCRIPT_BYTES:
        _say(f"{source}: error: over {MAX_TRANSCRIPT_BYTES:,} bytes; not a transcript")
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        _say(f"{source}: error: not UTF-8 text; a transcript is a JSON file")
        return None
    except json.JSONDecodeError as exc:
        _say(f"{source}:{exc.lineno}:{exc.colno}: error: not valid JSON: {exc.msg}")
        return None
    except RecursionError:
        _say(f"{source}: error: JSON nested too deeply; not a transcript")
        return None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]  # an export of one call
    elif isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
        _say(f"{source}: error: holds {len(data)} calls; grade them one file at a time")
        return None
    if isinstance(data, dict) and isinstance(data.get("transcript"), dict):
        data = data["transcript"]  # a store export or another wrapper around one transcript
    if not isinstance(data, dict) or data.get("format") != TRANSCRIPT_FORMAT:
        kind = (
            f"a '{data['format']}' file"
            if isinstance(data, dict) and isinstance(data.get("format"), str)
            else "not a callsim transcript"
        )
        _say(
            f"{source}: error: {kind}: expected a JSON object with "
            f'"format": "{TRANSCRIPT_FORMAT}" (as \'callsim run --script FILE --json\' prints)'
        )
        return None
    data = {k: v for k, v in data.items() if k not in RUN_WRAPPER_KEYS}
    bad = number_problems(data)  # NaN, Infinity or 10**30 would break the report, not say why
    if bad:
        for problem in bad:
            _say(f"{source}: error: {problem}")
        _say(f"callsim grade: {source} is not a valid callsim transcript")
        return None
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        for err in errors[:10]:
            _say(f"{source}: error: {_loc(tuple(err.get('loc', ())))}: {err.get('msg', '')}")
        if len(errors) > 10:
            _say(f"{source}: ... and {len(errors) - 10} more problems")
        _say(f"callsim grade: {source} is not a valid callsim transcript")
        return None


def find_scenario(transcript, given: str | None, dirs: list[Path] | None = None):
    """(loaded scenario or None, exact, ok). Not ok means a message was printed; grading stops.

    The transcript is untrusted: its `scenario_path` and `scenario_id` never name a file to
    open. The scenario is the one given with --scenario, else the one among --scenarios DIR and
    the bundled scenarios with the call's content hash, or its id and version
    (`sim.resume.match_scenario`). A file found that way and broken is named, not echoed.
    """
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.sim.resume import ResumeError, match_scenario
    from callsim.sim.scenario_paths import resolve_scenario

    if given is None:
        try:
            match = match_scenario(transcript, dirs or ())
        except ResumeError as exc:
            _say(f"callsim grade: {exc} (or use --scenario to pick another)")
            return None, False, False
        if match is None:
            return None, False, True
        return match.loaded, match.exact, True
    path = resolve_scenario(given, dirs or ())
    if path is None:
        _say(f"callsim grade: no scenario file or bundled scenario named '{given}'")
        return None, False, False
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        for problem in exc.problems:
            _say(str(problem))
        _say(f"callsim grade: the scenario {path} has errors (use --scenario to pick another)")
        return None, False, False
    if loaded.scenario.id != transcript.scenario_id:
        _say(
            f"callsim grade: the transcript is a call of scenario '{transcript.scenario_id}', "
            f"but {path} is scenario '{loaded.scenario.id}'"
        )
        return None, False, False
    exact = not transcript.scenario_hash or loaded.content_hash == transcript.scenario_hash
    return loaded, exact, True


def run(args: argparse.Namespace) -> int:
    from callsim.grading.grader import grade_transcript
    from callsim.grading.report import format_report
    from callsim.grading.rubric import RubricError, load_rubric

    transcript = load_transcript(args.transcript)
    if transcript is None:
        return 1
    from callsim.sim.config import setting

    chosen = setting("rubric", args.rubric)  # --rubric, else config.toml's, else the bundled
    rubric = None
    if chosen.value:
        try:
            rubric = load_rubric(chosen.value)
        except RubricError as exc:
            for problem in exc.problems:
                _say(str(problem))
            named = "" if chosen.source == "option" else f" (from {chosen.origin})"
            _say(f"callsim grade: the rubric {chosen.value}{named} has errors")
            return 1
    from callsim.sim.config import scenario_dirs

    dirs = scenario_dirs(args.scenarios)  # --scenarios, else config.toml's
    loaded, exact, ok = find_scenario(transcript, args.scenario, dirs)
    if not ok:
        return 1
    notes: list[str] = []
    if loaded is None:
        from callsim.sim.resume import where_looked

        notes.append(
            f"scenario '{transcript.scenario_id}' not found among {where_looked(dirs)} (give "
            "it with --scenario PATH, or its folder with --scenarios DIR); graded from the "
            "transcript alone"
        )
    elif not exact:
        notes.append(
            f"the scenario file {loaded.path} has changed since this call was taken (its "
            f"content hash differs; version {transcript.scenario_version} then, "
            f"{loaded.scenario.version} now): its expectations are graded as they are now"
        )
    grade = grade_transcript(transcript, loaded, rubric)
    for note in notes:
        _say(f"callsim grade: note: {note}")
    if args.json:
        data = grade.to_json()
        data["warnings"] = notes + data["warnings"]
        print(json_text(data))
    else:
        print(terminal_safe(format_report(grade, transcript)))
    return 0
