"""Scenario test files: every bundled one passes, and the runner tells a trainer what broke.

The bundled cases are collected one test per case (and one per gap), so a failure names the
scenario and the case.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import pytest

from callsim.engine.loader import BUNDLED_SCENARIOS
from callsim.sim.cli import main
from callsim.sim.scenario_tests import (
    CaseResult,
    TestFileError,
    check_gaps,
    load_tests,
    prepare,
    run_case,
    run_file,
)

POSITION = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): error: ")
BUNDLED_TESTS = sorted(BUNDLED_SCENARIOS.glob("*.tests.yaml"))


def _bundled_params():
    cases, gaps = [], []
    for f in BUNDLED_TESTS:
        try:
            lt = load_tests(f)
        except TestFileError:  # reported by test_every_bundled_test_file_loads
            continue
        cases += [pytest.param(f, c, id=f"{f.name[:-11]}:{c}") for c in lt.tests.cases]
        gaps += [
            pytest.param(f, i, id=f"{f.name[:-11]}:{g.better}>{g.worse}")
            for i, g in enumerate(lt.tests.gaps)
        ]
    return cases, gaps


CASE_PARAMS, GAP_PARAMS = _bundled_params()


@cache
def _prepared(path: Path):
    return prepare(path)


@cache
def _played(path: Path, case: str) -> CaseResult:
    lt, loaded = _prepared(path)
    return run_case(lt, loaded, case)


def test_the_three_first_scenarios_have_test_files():
    names = {f.name for f in BUNDLED_TESTS}
    for sid in (
        "broadband-down-repeat-caller",
        "double-charge-october",
        "manager-from-the-first-line",
    ):
        assert f"{sid}.tests.yaml" in names


@pytest.mark.parametrize("path", BUNDLED_TESTS, ids=lambda p: p.name)
def test_every_bundled_test_file_loads(path):
    try:
        _prepared(path)
    except TestFileError as exc:
        pytest.fail(str(exc))


@pytest.mark.parametrize(("path", "case"), CASE_PARAMS)
def test_bundled_case(path, case):
    result = _played(path, case)
    assert result.passed, f"{result.where}: " + "; ".join(result.failures)


@pytest.mark.parametrize(("path", "index"), GAP_PARAMS)
def test_bundled_gap(path, index):
    lt, _ = _prepared(path)
    gap = lt.tests.gaps[index]
    results = {c: _played(path, c) for c in (gap.better, gap.worse)}
    (result,) = [g for g in check_gaps(lt, results) if g.where == lt.at(("gaps", index))]
    assert result.passed, "; ".join(result.failures)


def test_every_bundled_scenario_has_a_good_and_a_poor_case_far_apart():
    for f in BUNDLED_TESTS:
        lt = load_tests(f)
        assert len(lt.tests.cases) >= 2, f.name
        assert any(g.by_at_least >= 30 for g in lt.tests.gaps), f.name


# ---------------------------------------------------------------------------------------------
# The runner, on a copy of a bundled scenario

GOOD = """\
format: 1
cases:
  good:
    script: |
      Hello, it's Ellie in billing. Oh no, being charged twice is the last thing you need.
      When did the two payments come out?
      /action view_payments
      /end
    expect:
      revealed: [payment_dates]
      actions: [view_payments]
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    shutil.copy(BUNDLED_SCENARIOS / "double-charge-october.yaml", tmp_path)
    return tmp_path


def write(folder: Path, text: str, name: str = "double-charge-october.tests.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["test", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


test.__test__ = False  # a helper, not a test


def test_a_passing_file_exits_0_and_finds_the_scenario_by_its_stem(folder, capsys):
    path = write(folder, GOOD)
    code, lines, err = test(capsys, str(path))
    assert code == 0, lines
    assert lines[0].startswith("PASS ") and " good " in lines[0]
    assert lines[-1] == "1 test file, 1 check: 1 passed, 0 failed"
    assert err == ""


def test_a_scenario_path_runs_the_test_file_beside_it(folder, capsys):
    write(folder, GOOD)
    code, lines, _ = test(capsys, str(folder / "double-charge-october.yaml"))
    assert code == 0 and lines[-1].endswith("1 passed, 0 failed")


def test_a_failing_expectation_says_expected_and_actual(folder, capsys):
    text = GOOD.replace(
        "      actions: [view_payments]\n",
        "      actions: [view_payments, raise_refund]\n"
        "      outcome: resolved\n"
        "      score: {min: 95}\n"
        "      mood: {max: 1}\n"
        "      flags: [blamed_customer]\n"
        "      not_revealed: [payment_dates]\n",
    )
    path = write(folder, text)
    code, lines, _ = test(capsys, str(path))
    assert code == 1
    assert lines[0].startswith("FAIL ") and f"at {path}:3:3" in lines[0]
    details = "\n".join(lines[1:-1])
    assert "outcome: expected resolved, got unresolved" in details
    assert "actions: expected [view_payments, raise_refund], got [view_payments]" in details
    assert "(missing [raise_refund])" in details
    assert re.search(r"score: expected at least 95, got \d+", details)
    assert re.search(r"mood: expected at most 1, got [\d.]+", details)
    assert "flags: expected [blamed_customer], got []" in details
    assert "not_revealed: expected none of [payment_dates], but they were revealed" in details
    assert lines[-1] == "1 test file, 1 check: 0 passed, 1 failed"


def test_a_gap_too_small_fails_with_both_scores(folder, capsys):
    text = GOOD + (
        "  same:\n"
        "    script: |\n"
        "      Hello, it's Ellie in billing. Oh no, being charged twice is the last thing you"
        " need.\n"
        "gaps:\n"
        "  - {better: good, worse: same, by_at_least: 90}\n"
    )
    path = write(folder, text)
    code, lines, _ = test(capsys, str(path))
    assert code == 1
    fail = [ln for ln in lines if ln.startswith("FAIL")]
    assert len(fail) == 1 and "gap good > same by at least 90" in fail[0]
    detail = lines[lines.index(fail[0]) + 1]
    assert re.search(
        r"gap: expected good to score at least 90 above same, got -?\d+ \(\d+ vs \d+\)", detail
    )


def test_script_problems_fail_the_case_unless_allowed(folder, capsys):
    script_line = "      /action no_such_tool\n"
    text = GOOD.replace("      /end\n", script_line + "      /end\n")
    path = write(folder, text)
    code, lines, _ = test(capsys, str(path))
    assert code == 1
    assert any("script line 4: no action 'no_such_tool'" in ln for ln in lines)
    write(folder, text.replace("    expect:\n", "    expect:\n      no_script_problems: false\n"))
    code, lines, _ = test(capsys, str(path))
    assert code == 0, lines


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        (GOOD.replace("    expect:", "    expects:"), 9, 5, "unknown key 'expects'"),
        (GOOD.replace("      revealed:", "      revaeled:"), 10, 7, "did you mean 'revealed'"),
        (GOOD.replace("format: 1\n", "format: 1\nformat: 1\n"), 2, 1, "duplicate key"),
        (GOOD.replace("good:", "Good Case:"), 3, 3, "cases"),
        (GOOD.replace("[payment_dates]", "[payment_date]"), 10, 18, "no fact 'payment_date'"),
        (
            GOOD + "gaps:\n  - {better: good, worse: bad, by_at_least: 30}\n",
            13,
            27,
            "no case 'bad'",
        ),
        (
            GOOD.replace(
                "      actions:", "      dimensions: {kindness: {min: 1}}\n      actions:"
            ),
            11,
            20,
            "no rubric dimension 'kindness'",
        ),
        (
            GOOD.replace("      actions:", "      score: {}\n      actions:"),
            11,
            14,
            "give min, max or both",
        ),
        ("- just a list\n", 1, 1, "mapping"),
    ],
    ids=[
        "unknown key",
        "misspelt key",
        "duplicate key",
        "bad case id",
        "unknown fact",
        "unknown gap case",
        "unknown dimension",
        "empty range",
        "not a mapping",
    ],
)
def test_malformed_test_files_give_file_line_col_and_exit_1(
    folder, capsys, text, line, col, message
):
    path = write(folder, text)
    code, lines, _ = test(capsys, str(path))
    assert code == 1
    problems = [ln for ln in lines if POSITION.match(ln)]
    assert problems, lines
    assert any(
        ln.startswith(f"{path}:{line}:{col}: error: ") and message in ln for ln in problems
    ), problems
    assert lines[-1].endswith("1 file with errors")


def test_a_broken_scenario_is_reported_at_its_own_lines(folder, capsys):
    write(folder, GOOD)
    scenario = folder / "double-charge-october.yaml"
    scenario.write_text(scenario.read_text().replace("start: ", "start: nowhere_"), "utf-8")
    code, lines, _ = test(capsys, str(folder))
    assert code == 1
    assert any(ln.startswith(f"{scenario}:") and "is not defined" in ln for ln in lines)


def test_a_named_scenario_file_that_is_missing_is_an_error_at_the_key(folder, capsys):
    path = write(folder, GOOD.replace("format: 1\n", "format: 1\nscenario: other.yaml\n"))
    code, lines, _ = test(capsys, str(path))
    assert code == 1
    assert any(ln.startswith(f"{path}:2:11: error: scenario file") for ln in lines)


def test_paths_with_nothing_to_test_exit_1(tmp_path, capsys):
    """A path that is not there or holds no tests is bad input (1), as in `callsim run`."""
    code, _, err = test(capsys, str(tmp_path / "nope.tests.yaml"))
    assert code == 1 and "no such file or folder" in err
    code, _, err = test(capsys, str(tmp_path))
    assert code == 1 and "no test files" in err
    shutil.copy(BUNDLED_SCENARIOS / "double-charge-october.yaml", tmp_path)
    code, _, err = test(capsys, str(tmp_path / "double-charge-october.yaml"))
    assert code == 1 and "no test file beside it" in err


def test_only_named_cases_run(folder, capsys):
    write(folder, GOOD + "  other:\n    script: /end\n")
    code, lines, _ = test(capsys, str(folder), "--case", "other")
    assert code == 0
    assert lines[-1] == "1 test file, 1 check: 1 passed, 0 failed"
    assert " other " in lines[0]


def test_run_file_reports_the_last_scenario_stage_after_a_hang_up():
    path = BUNDLED_SCENARIOS / "double-charge-october.tests.yaml"
    result = run_file(path, cases=["poor-advisor"])
    (case,) = result.cases
    assert case.outcome == "hung_up"
    lt, loaded = _prepared(path)
    assert case.stage in loaded.scenario.stages


def test_the_tests_schema_accepts_every_bundled_test_file(capsys):
    import json

    from callsim.engine.yamlsafe import load

    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema", "--tests"]) == 0
    schema = json.loads(capsys.readouterr().out)
    for f in BUNDLED_TESTS:
        data, _ = load(f.read_text(encoding="utf-8"), str(f))
        jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"cases": {"a": {"script": "x", "expects": {}}}}, schema)


def test_scenarios_written_from_the_docs_alone_still_pass_their_own_tests(capsys):
    # four scenarios a trainer new to callsim wrote from the docs (tests/untuned): a change to
    # the engine or the grader must not break calls nobody tuned for it
    folder = Path(__file__).resolve().parents[1] / "untuned" / "scenarios"
    assert main(["test", str(folder)]) == 0
    assert "22 checks: 22 passed, 0 failed" in capsys.readouterr().out
