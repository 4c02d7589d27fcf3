"""`callsim test [PATH...]`: play each scenario's test cases and check what they expect.

`--junit-xml FILE` also writes the results as JUnit XML, which CI services (GitHub Actions
reporters, GitLab, Jenkins) show as a test report: one testsuite per test file, one testcase
per case and per gap, a failure with what was expected and what happened.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

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
    p.add_argument(
        "--junit-xml",
        metavar="FILE",
        help="also write the results as JUnit XML to FILE (for CI test reports)",
    )
    p.set_defaults(func=run)


def _where(where: str) -> tuple[str, str]:
    """(file, line) of a FILE:LINE:COL place."""
    parts = where.rsplit(":", 2)
    return (parts[0], parts[1]) if len(parts) == 3 and parts[1].isdigit() else (where, "")


def junit_xml(suites: list[dict[str, Any]]) -> bytes:
    """JUnit XML for the test files played: each suite is {"name", "cases": [{"name",
    "where", "seconds", "failures": [...], "error": [...] or None}]}. All text is passed
    through `terminal_safe`, so a control character in a reply cannot make the XML invalid."""
    import xml.etree.ElementTree as ET

    def clean(text: str) -> str:
        return terminal_safe(text)

    root = ET.Element("testsuites", name="callsim test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in suites:
        cases = suite["cases"]
        failures = sum(bool(c["failures"]) for c in cases)
        errors = sum(c.get("error") is not None for c in cases)
        seconds = sum(c["seconds"] for c in cases)
        el = ET.SubElement(
            root,
            "testsuite",
            name=clean(suite["name"]),
            tests=str(len(cases)),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{seconds:.3f}",
        )
        for c in cases:
            file, line = _where(c["where"])
            attrs = {"classname": clean(suite["name"]), "name": clean(c["name"])}
            attrs.update({"file": clean(file), "time": f"{c['seconds']:.3f}"})
            if line:
                attrs["line"] = line
            tc = ET.SubElement(el, "testcase", attrs)
            if c.get("error") is not None:
                err = ET.SubElement(tc, "error", message="the test file has errors: not run")
                err.text = clean("\n".join(c["error"]))
            elif c["failures"]:
                fail = ET.SubElement(tc, "failure", message=clean(c["failures"][0]))
                fail.text = clean("\n".join(c["failures"]))
        totals["tests"] += len(cases)
        totals["failures"] += failures
        totals["errors"] += errors
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


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
    suites: list[dict[str, Any]] = []
    for path in files:
        f = shown(path)
        suite: dict[str, Any] = {"name": f, "cases": []}
        suites.append(suite)
        started = [time.perf_counter()]

        def show(r, f: str = f, suite: dict[str, Any] = suite, started=started) -> None:
            now = time.perf_counter()
            suite["cases"].append(
                {
                    "name": r.case,
                    "where": r.where,
                    "seconds": now - started[0],
                    "failures": list(r.failures),
                }
            )
            started[0] = now
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
            where = str(result.problems[0]).split(": ", 1)[0] if result.problems else f
            problems = [str(p) for p in result.problems]
            suite["cases"].append(
                {
                    "name": "(file)",
                    "where": where,
                    "seconds": 0.0,
                    "failures": [],
                    "error": problems,
                }
            )
            continue
        passed += sum(r.passed for r in result.cases)
        failed += sum(not r.passed for r in result.cases)
        for g in result.gaps:
            label = f"gap {g.better} > {g.worse} by at least {g.by_at_least:g}"
            suite["cases"].append(
                {"name": label, "where": g.where, "seconds": 0.0, "failures": list(g.failures)}
            )
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
    if args.junit_xml:
        try:
            Path(args.junit_xml).write_bytes(junit_xml(suites))
        except OSError as exc:
            print(
                f"callsim test: cannot write {terminal_safe(args.junit_xml)}: "
                f"{exc.strerror or exc}",
                file=sys.stderr,
            )
            return 1
    return 1 if failed or broken else 0
