"""`callsim validate PATH...`: every problem in scenario and intent files, one line each."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check scenario files (and shared intent files) for errors",
        description=(
            "Check scenario files or folders of them. Prints FILE:LINE:COL: error|warning: "
            "MESSAGE per problem and a summary; exits 1 if any error or a PATH is not there, "
            "0 if none, 2 if the command line is wrong."
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
    """The files to check and the paths that are not there (see `gather`)."""
    files, missing, _ = gather(paths)
    return files, missing


def gather(paths: list[Path]) -> tuple[list[Path], list[str], list]:
    """(files to check, paths not there, problems of files refused unread).

    A folder is walked without following links out of it: a symbolic link that leads outside
    the folder, and anything that is not a regular file (a FIFO would block the read forever),
    is a problem naming it, and nothing of it is opened. A folder holding no scenario files is
    said so rather than checked as "0 files" with success.
    """
    files: list[Path] = []
    missing: list[str] = []
    refused: list = []
    for path in paths:
        if path.is_dir():
            found, problems = _walk(path)
            if not found and not problems:
                missing.append(
                    f"{path}: a folder with no scenario files in it (*.yaml, *.yml); "
                    "give scenario files or folders that hold them"
                )
            files.extend(found)
            refused.extend(problems)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            missing.append(f"{path}: not a regular file or folder (a FIFO, device or socket?)")
        else:
            missing.append(f"{path}: no such file or folder")
    return list(dict.fromkeys(files)), missing, refused


def _walk(folder: Path) -> tuple[list[Path], list]:
    """Scenario files, then intent files, inside `folder`; and the entries refused."""
    from callsim.engine.loader import INTENTS_DIRNAME, library_files
    from callsim.engine.yamlsafe import Problem
    from callsim.sim.scenario_paths import is_scenario_file

    root = folder.resolve()
    scenarios: list[Path] = []
    intents: list[Path] = []
    refused: list[Problem] = []

    def outside(p: Path) -> bool:
        real = p.resolve()
        return real != root and root not in real.parents

    intents_dirs = [folder] if folder.name == INTENTS_DIRNAME else []
    for dirpath, dirnames, filenames in os.walk(folder):  # links to folders are not entered
        here = Path(dirpath)
        dirnames.sort()
        for name in dirnames:
            sub = here / name
            if name == INTENTS_DIRNAME:
                intents_dirs.append(sub)  # library_files checks where it leads
            elif sub.is_symlink() and outside(sub):
                message = f"a symbolic link to a folder outside {folder}: not followed"
                refused.append(Problem(str(sub), 1, 1, "warning", message))
        if here.name == INTENTS_DIRNAME:
            continue
        for name in sorted(filenames):
            f = here / name
            if not is_scenario_file(f):
                continue
            try:
                leaves = outside(f)
                regular = stat.S_ISREG(f.stat().st_mode)
            except (OSError, RuntimeError):
                refused.append(Problem(str(f), 1, 1, "error", "a broken symbolic link: not read"))
                continue
            if leaves:
                message = f"a symbolic link to a file outside {folder}: not read"
                refused.append(Problem(str(f), 1, 1, "error", message))
            elif not regular:
                message = "not a regular file (a FIFO, device or socket): not read"
                refused.append(Problem(str(f), 1, 1, "error", message))
            else:
                scenarios.append(f)
    for d in sorted(set(intents_dirs)):
        found, problems = library_files(d)
        intents.extend(f for f in found if is_scenario_file(f))
        refused.extend(problems)
    return sorted(scenarios) + intents, refused


def validate_files(files: list[Path], *, warnings: bool = True):
    """All problems of these files, in file order; lint warnings only when asked for.

    Lint compares every example with every other one a stage listens for, which costs more
    than loading the file, so a bulk check for errors can leave it out. Files are opened
    without blocking and read only if they are regular files (`read_regular`).
    """
    from callsim.engine.loader import (
        ScenarioError,
        load_intent_library,
        load_scenario,
        read_regular,
    )
    from callsim.sim.scenario_paths import is_intent_library

    problems = []
    for f in files:
        try:
            text = read_regular(f)
            if is_intent_library(f):
                load_intent_library(f, text)
            else:
                loaded = load_scenario(f, text)
                if warnings:
                    problems.extend(loaded.warnings)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    return problems


def run(args: argparse.Namespace) -> int:
    files, missing, refused = gather([Path(p) for p in args.paths])
    if missing:
        for m in missing:
            print(f"callsim validate: {terminal_safe(m)}", file=sys.stderr)
        return 1
    problems = refused + validate_files(files, warnings=not args.quiet)
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
