"""Issue 18, item 1: a scenario repository checked in CI and by pre-commit.

`validate --format text|json|github`, `test --junit-xml`, and callsim's `.pre-commit-hooks.yaml`
run on a temporary git repository laid out as docs/authoring.md (section 9) shows. pre-commit
itself is not installed by the test extra, so each hook is run the way pre-commit runs it: its
`entry` and `args`, then the staged files its `files`/`exclude` patterns (and the repository's
`files:` override from the documented `.pre-commit-config.yaml`) select.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from callsim.engine.yamlsafe import Problem
from callsim.sim.cli import main
from callsim.sim.commands.validate import github_annotation

ROOT = Path(__file__).resolve().parents[2]
AUTHORING = ROOT / "docs" / "authoring.md"


def callsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "callsim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def doc_block(marker: str) -> str:
    """The fenced block of docs/authoring.md whose first line is `marker`."""
    blocks: list[list[str]] = []
    inside = False
    for line in AUTHORING.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
            if inside:
                blocks.append([])
        elif inside:
            blocks[-1].append(line)
    return next("\n".join(b) + "\n" for b in blocks if b and b[0] == marker)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A trainer's scenario repository: one scenario from `callsim new`, its tests, the
    documented .pre-commit-config.yaml and workflow, all staged in git."""
    path = tmp_path_factory.mktemp("my-scenarios")
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    assert callsim("new", "scenarios/late-router.yaml", cwd=path).returncode == 0
    (path / ".pre-commit-config.yaml").write_text(doc_block("# .pre-commit-config.yaml"))
    workflow = path / ".github" / "workflows" / "scenarios.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(doc_block("# .github/workflows/scenarios.yml"))
    (path / "mkdocs.yml").write_text("site_name: our scenarios\n")  # YAML that is no scenario
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    return path


def hook_commands(repo: Path) -> dict[str, list[str]]:
    """Each configured hook's command line as pre-commit would build it for the staged files."""
    offered = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    staged = subprocess.run(
        ["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    commands = {}
    for hook in config["repos"][0]["hooks"]:
        merged = {**offered[hook["id"]], **hook}
        files = [
            f
            for f in staged
            if re.search(merged.get("files", ""), f)
            and re.search(offered[hook["id"]]["files"], f)
            and not (merged.get("exclude") and re.search(merged["exclude"], f))
        ]
        argv = shlex.split(merged["entry"]) + merged.get("args", [])
        assert argv[0] == "callsim"
        commands[hook["id"]] = argv[1:] + (files if merged.get("pass_filenames", True) else [])
    return commands


def ci_commands(repo: Path) -> list[list[str]]:
    """The `callsim ...` steps of the documented workflow."""
    workflow = yaml.safe_load((repo / ".github/workflows/scenarios.yml").read_text())
    runs = [s["run"] for s in workflow["jobs"]["check"]["steps"] if "run" in s]
    return [shlex.split(r)[1:] for r in runs if r.startswith("callsim ")]


def test_the_hooks_and_ci_pass_on_a_good_repository_and_fail_on_a_broken_one(repo):
    hooks = hook_commands(repo)
    assert set(hooks) == {"callsim-validate", "callsim-test"}
    # the scenario alone for validate; the scenario and its tests for test; never mkdocs.yml,
    # the workflow or the pre-commit config
    assert hooks["callsim-validate"] == ["validate", "scenarios/late-router.yaml"]
    assert hooks["callsim-test"] == [
        "test",
        "--quiet",
        "scenarios/late-router.tests.yaml",
        "scenarios/late-router.yaml",
    ]
    ci = ci_commands(repo)
    assert [c[0] for c in ci] == ["validate", "test"]
    for argv in [*hooks.values(), *ci]:
        done = callsim(*argv, cwd=repo)
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
    report = ET.parse(repo / "test-results.xml").getroot()
    assert (report.get("tests"), report.get("failures"), report.get("errors")) == ("3", "0", "0")

    scenario = repo / "scenarios" / "late-router.yaml"
    good = scenario.read_text()
    scenario.write_text(good.replace("start: opening", "start: openning"))
    try:
        line = next(n for n, t in enumerate(good.splitlines(), 1) if t == "start: opening")
        done = callsim(*hooks["callsim-validate"], cwd=repo)
        assert done.returncode == 1
        assert f"scenarios/late-router.yaml:{line}:8: error: stage 'openning'" in done.stdout
        done = callsim(*hooks["callsim-test"], cwd=repo)
        assert done.returncode == 1 and "ERROR scenarios/late-router.tests.yaml" in done.stdout
        done = callsim(*ci[0], cwd=repo)
        assert done.returncode == 1
        assert done.stdout.splitlines()[0] == (
            f"::error file=scenarios/late-router.yaml,line={line},col=8,title=callsim validate"
            "::stage 'openning' is not defined; did you mean 'opening'?"
        )
        done = callsim(*ci[1], cwd=repo)
        assert done.returncode == 1
        report = ET.parse(repo / "test-results.xml").getroot()
        [error] = report.iter("error")
        assert "stage 'openning' is not defined" in (error.text or "")
    finally:
        scenario.write_text(good)


def test_a_scenario_without_tests_fails_the_test_hook(repo, tmp_path):
    lone = repo / "scenarios" / "lone.yaml"
    lone.write_text((repo / "scenarios" / "late-router.yaml").read_text())
    try:
        done = callsim("test", "--quiet", "scenarios/lone.yaml", cwd=repo)
        assert done.returncode == 1 and "no test file beside it" in done.stderr
    finally:
        lone.unlink()


def test_github_annotations_encode_what_github_would_misread():
    problem = Problem("dir,a/odd:name.yaml", 3, 5, "warning", "100% sure\nsecond line")
    assert github_annotation(problem) == (
        "::warning file=dir%2Ca/odd%3Aname.yaml,line=3,col=5,title=callsim validate"
        "::100%25 sure%0Asecond line"
    )


def test_validate_json_lists_every_problem(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitel: y\n", encoding="utf-8")
    assert main(["validate", "--format", "json", str(bad)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == 1 and data["errors"] == len(data["problems"]) >= 1
    first = data["problems"][0]
    assert set(first) == {"file", "line", "col", "severity", "message"}
    assert first["file"] == str(bad) and first["severity"] == "error"
    assert main(["validate", "--format", "json", "-q", str(bad)]) == 1
    assert json.loads(capsys.readouterr().out)["warnings"] is None  # not checked


def test_validate_github_reports_a_missing_path_on_the_run(capsys, tmp_path):
    assert main(["validate", "--format", "github", str(tmp_path / "gone.yaml")]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("::error title=callsim validate::") and "no such file" in out
    assert "no such file or folder" in err


def test_junit_xml_names_the_failing_case_and_why(capsys, tmp_path):
    assert main(["new", str(tmp_path / "s.yaml")]) == 0
    tests = tmp_path / "s.tests.yaml"
    tests.write_text(tests.read_text().replace("score: {min: 70}", "score: {min: 99}"))
    out = tmp_path / "report.xml"
    assert main(["test", str(tmp_path), "--junit-xml", str(out)]) == 1
    capsys.readouterr()
    root = ET.parse(out).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    [failure] = root.iter("failure")
    case = next(c for c in root.iter("testcase") if c.find("failure") is not None)
    assert case.get("name") == "good-advisor" and case.get("line", "").isdigit()
    assert failure.get("message", "").startswith("score: expected at least 99")


def test_junit_xml_that_cannot_be_written_is_a_message(capsys, tmp_path):
    assert main(["new", str(tmp_path / "s.yaml")]) == 0
    target = tmp_path / "no" / "such" / "folder" / "r.xml"
    assert main(["test", str(tmp_path), "-q", "--junit-xml", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"callsim test: cannot write {target}" in err and "Traceback" not in err
