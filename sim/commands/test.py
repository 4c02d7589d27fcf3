"""`callsim test [PATH...]`: play each scenario's test cases and check what they expect."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test",
        help="play scenario test cases (*.tests.yaml) and check their expectations",
        description=(
            "Play the cases of scenario test files (SCENARIO.tests.yaml beside each scenario) "
            "and check outcome, facts, actions, grades and the gaps between cases. PATH is a "
            "test file, a scenario file (its test file is used) or a folder; default: the "
            "bundled scenarios. Exits 0 if all pass; 1 if any fail, a file has errors or a "
            "PATH holds no tests; 2 if the command line is wrong."
        ),
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="test files, scenarios or folders")
    p.add_argument(
        "-k", "--case", action="append", metavar="CASE", help="run only this case (repeatable)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only failures and the summary")
    p.set_defaults(func=run)


def shown(path: Path) -> str:
    """A path as short as it can be said: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _say(text: str) -> None:
    print(terminal_safe(text, keep_newlines=False))


def run(args: argparse.Namespace) -> int:
    from callsim.engine.loader import BUNDLED_SCENARIOS
    from callsim.sim.scenario_tests import find_tests, run_file

    paths = [Path(p) for p in args.paths] or [BUNDLED_SCENARIOS]
    files, errors, _untested = find_tests(paths)
    if errors:
        for e in errors:
            print(f"callsim test: {terminal_safe(e)}", file=sys.stderr)
        return 1
    if not files:
        print("callsim test: no test files (*.tests.yaml) found", file=sys.stderr)
        return 1
    passed = failed = broken = 0
    for path in files:
        f = shown(path)

        def show(r, f: str = f) -> None:
            if r.passed:
                if not args.quiet:
                    _say(f"PASS {f} {r.case} ({r.outcome}, score {r.score}, mood {r.mood:.1f})")
            else:
                _say(f"FAIL {f} {r.case} ({r.outcome}, score {r.score}) at {r.where}")
                for line in r.failures:
                    _say(f"    {line}")

        result = run_file(path, cases=args.case, on_case=show)
        if result.problems:
            broken += 1
            for p in result.problems:
                _say(str(p))
            _say(f"ERROR {f}: not run ({len(result.problems)} problem(s) above)")
            continue
        passed += sum(r.passed for r in result.cases)
        failed += sum(not r.passed for r in result.cases)
        for g in result.gaps:
            label = f"gap {g.better} > {g.worse} by at least {g.by_at_least:g}"
            if g.passed:
                passed += 1
                if not args.quiet:
                    _say(f"PASS {f} {label} (got {g.actual})")
            else:
                failed += 1
                _say(f"FAIL {f} {label} at {g.where}")
                for line in g.failures:
                    _say(f"    {line}")
    total = passed + failed
    summary = f"{len(files)} test file{'' if len(files) == 1 else 's'}, {total} check"
    summary += f"{'' if total == 1 else 's'}: {passed} passed, {failed} failed"
    if broken:
        summary += f", {broken} file{'' if broken == 1 else 's'} with errors"
    print(summary)
    return 1 if failed or broken else 0
