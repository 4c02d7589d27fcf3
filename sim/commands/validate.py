"""`callsim validate PATH...`: every problem in scenario and intent files, one line each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check scenario files (and shared intent files) for errors",
        description=(
            "Check scenario files or folders of them. Prints FILE:LINE:COL: error|warning: "
            "MESSAGE per problem and a summary; exits 1 if any error, 0 if none."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    p.add_argument(
        "-q",
        "--quiet",
        "--errors-only",
        dest="quiet",
        action="store_true",
        help="check for errors only (no lint warnings: much faster on a large library)",
    )
    p.set_defaults(func=run)


def collect(paths: list[Path]) -> tuple[list[Path], list[str]]:
    from callsim.sim.scenario_paths import is_scenario_file, scenario_files

    files: list[Path] = []
    missing: list[str] = []
    intents_dirs: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.extend(scenario_files(path))
            intents_dirs.update(d for d in path.rglob("intents") if d.is_dir())
            if path.name == "intents":
                intents_dirs.add(path)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            missing.append(f"{path}: not a file or folder")
        else:
            missing.append(f"{path}: no such file or folder")
    for d in sorted(intents_dirs):
        files.extend(f for f in sorted(d.glob("*.y*ml")) if is_scenario_file(f))
    return list(dict.fromkeys(files)), missing


def validate_files(files: list[Path], *, warnings: bool = True):
    """All problems of these files, in file order; lint warnings only when asked for.

    Lint compares every example with every other one a stage listens for, which costs more
    than loading the file, so a bulk check for errors can leave it out.
    """
    from callsim.engine.loader import ScenarioError, load_intent_library, load_scenario
    from callsim.sim.scenario_paths import is_intent_library

    problems = []
    for f in files:
        try:
            if is_intent_library(f):
                load_intent_library(f)
            else:
                loaded = load_scenario(f)
                if warnings:
                    problems.extend(loaded.warnings)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    return problems


def run(args: argparse.Namespace) -> int:
    files, missing = collect([Path(p) for p in args.paths])
    if missing:
        for m in missing:
            print(f"callsim validate: {terminal_safe(m)}", file=sys.stderr)
        return 2
    problems = validate_files(files, warnings=not args.quiet)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    for p in problems:
        if args.quiet and p.severity != "error":
            continue
        print(terminal_safe(str(p), keep_newlines=False))
    s = "" if len(files) == 1 else "s"
    counted = (
        "warnings not checked"
        if args.quiet
        else (f"{warnings} warning{'' if warnings == 1 else 's'}")
    )
    print(f"{len(files)} file{s} checked: {errors} error{'' if errors == 1 else 's'}, {counted}")
    return 1 if errors else 0
