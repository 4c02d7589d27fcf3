"""`callsim validate PATH...`: every problem in scenario and intent files, one line each.

`--format` says for whom: `text` for a person, `json` for a program, `github` for GitHub
Actions (each problem an annotation on its file and line in the pull request).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from callsim.sim.textsafe import json_text, terminal_safe


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
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text: FILE:LINE:COL lines (default); json: one object; github: GitHub Actions "
        "annotations (::error file=F,line=L,col=C::MESSAGE)",
    )
    p.set_defaults(func=run)


FORMATS = ("text", "json", "github")


def github_data(text: str) -> str:
    """A GitHub workflow command's message: %, CR and LF encoded (GitHub decodes them)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (file=...): also ':' and ',' encoded."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem) -> str:
    """`::error file=F,line=L,col=C,title=callsim validate::MESSAGE` for one problem."""
    kind = "error" if problem.severity == "error" else "warning"
    where = (
        f"file={github_property(terminal_safe(problem.path, keep_newlines=False))},"
        f"line={problem.line},col={problem.col},title=callsim validate"
    )
    return f"::{kind} {where}::{github_data(terminal_safe(problem.message))}"


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
                # os.walk enters no linked folder, so only a link itself can lead outside:
                # resolving every file (a system call per part of its path) is for links
                mode = f.lstat().st_mode
                link = stat.S_ISLNK(mode)
                leaves = link and outside(f)
                regular = stat.S_ISREG(f.stat().st_mode if link else mode)
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

    Lint costs more than loading a file, so a bulk check for errors can leave it out. Many
    files are checked on every core, in the same order (`engine.loader.check_files`).
    """
    from callsim.engine.loader import check_files

    return check_files(files, warnings=warnings)


def run(args: argparse.Namespace) -> int:
    fmt = getattr(args, "format", "text")
    files, missing, refused = gather([Path(p) for p in args.paths])
    if missing:
        for m in missing:
            print(f"callsim validate: {terminal_safe(m)}", file=sys.stderr)
            if fmt == "github":  # shown on the workflow run, not only in its log
                print(f"::error title=callsim validate::{github_data(terminal_safe(m))}")
        return 1
    problems = refused + validate_files(files, warnings=not args.quiet)
    if args.quiet:
        problems = [p for p in problems if p.severity == "error"]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        print(
            json_text(
                {
                    "files": len(files),
                    "errors": errors,
                    "warnings": None if args.quiet else warnings,
                    "problems": [
                        {
                            "file": p.path,
                            "line": p.line,
                            "col": p.col,
                            "severity": p.severity,
                            "message": p.message,
                        }
                        for p in problems
                    ],
                },
            )
        )
        return 1 if errors else 0
    for p in problems:
        if fmt == "github":
            print(github_annotation(p))
        else:
            print(terminal_safe(str(p), keep_newlines=False))
    s = "" if len(files) == 1 else "s"
    counted = (
        "warnings not checked"
        if args.quiet
        else (f"{warnings} warning{'' if warnings == 1 else 's'}")
    )
    print(f"{len(files)} file{s} checked: {errors} error{'' if errors == 1 else 's'}, {counted}")
    return 1 if errors else 0
