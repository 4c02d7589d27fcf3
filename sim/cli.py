"""The `callsim` command line.

Each subcommand lives in its own module under `sim.commands` with `add(subparsers)` to declare
its arguments and `run(args) -> int` to do the work. Modules import heavy things (Textual above
all) inside `run`, so subcommands that open no UI start fast and stay free of Textual.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from callsim import __version__
from callsim.engine.yamlsafe import FileProblems
from callsim.sim.install import REINSTALL, damaged_message, is_package_file
from callsim.sim.textsafe import terminal_safe

#: Subcommand name -> module in sim.commands. Order is the order shown in --help.
COMMANDS: dict[str, str] = {
    "app": "app",
    "run": "run",
    "validate": "validate",
    "schema": "schema",
    "test": "test",
    "new": "new",
    "graph": "graph",
    "explore": "explore",
    "phrasings": "phrasings",
    "preview": "preview",
    "tag": "tag",
    "explain": "explain",
    "grade": "grade",
    "sessions": "sessions",
    "show": "show",
    "export": "export",
    "import": "import_",
    "resume": "resume",
    "progress": "progress",
    "cohort": "cohort",
    "assign": "assign",
    "agreement": "agreement",
    "review": "review",
    "serve": "serve",
    "shadow": "shadow",
    "example": "example",
    "goal": "goal",
    "level": "level",
    "admin": "admin",
    "share": "share",
    "peer": "peer",
    "completion": "completion",
    "locate": "locate",
}

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2


def build_parser(commands: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for every subcommand, or only for `commands` (a command line names one: the
    others' modules need not be imported to run it)."""
    parser = argparse.ArgumentParser(
        prog="callsim",
        description="Practise difficult contact-centre calls, graded against a rubric.",
    )
    parser.add_argument("--version", action="version", version=f"callsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if commands is not None and name not in commands:
            continue
        importlib.import_module(f"callsim.sim.commands.{module_name}").add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # callsim uses no pydantic plugins: without this, building the first model looks through
    # every installed package's entry points for one. Set before any model is built; a user's
    # own setting of the variable wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("--") and argv[0] not in ("--help", "--version"):
        argv.insert(0, "app")  # `callsim --db PATH --trainee NAME` opens the app with them
    # A known command's parser alone (plain `callsim`: none); anything else, all of them, so
    # --help and a mistyped command list every command.
    known = argv[:1] if not argv or argv[0] in COMMANDS else None
    args = build_parser(known).parse_args(argv)
    if args.command is None:  # plain `callsim`: open the trainee's app
        from callsim.sim.commands import app

        args = argparse.Namespace(scenarios=[], trainee=None, db=None, func=app.run)
    damaged = damaged_message()
    if damaged:
        print(damaged, file=sys.stderr)
        return EXIT_INPUT
    if args.command not in (None, "app", "locate"):  # those two say it and carry on
        from callsim.sim.config import check_or_report

        if not check_or_report():  # a config.toml with mistakes: like a wrong option
            return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except FileProblems as exc:  # a file no command caught: callsim's own data, most likely
        for problem in exc.problems:
            print(terminal_safe(str(problem)), file=sys.stderr)
        if any(is_package_file(p) for p in exc.problems):
            print(f"callsim: a file of callsim's own is damaged; {REINSTALL}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `callsim ... | head`: the reader has what it wanted
        _quiet_stdout()
        return EXIT_OK


def _quiet_stdout() -> None:
    """Point stdout at the null device, so the flush at exit cannot fail a second time and
    print "Exception ignored ... BrokenPipeError" after a reader such as `head` has gone."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or already closed
        pass


if __name__ == "__main__":
    sys.exit(main())
