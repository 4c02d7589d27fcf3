"""`callsim new`: a starter scenario that validates clean and whose tests pass."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim.cli import main
from callsim.sim.commands.new import scenario_id
from callsim.sim.scenario_tests import run_file


def new(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def modeline_target(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    return (path.parent / m.group(1)).resolve()


def test_the_starter_validates_with_no_warnings_and_its_tests_pass(tmp_path, capsys):
    path = tmp_path / "team" / "late-router.yaml"
    code, out, _ = new(capsys, "--category", "billing", "--difficulty", "4", str(path))
    assert code == 0
    assert f"wrote {path}" in out and f"wrote {tmp_path / 'team' / 'late-router.tests.yaml'}" in out
    loaded = load_scenario(path)
    assert loaded.warnings == ()
    sc = loaded.scenario
    assert (sc.id, sc.category.value, sc.difficulty) == ("late-router", "billing", 4)
    result = run_file(path.with_name("late-router.tests.yaml"))
    assert result.passed, [c.failures for c in result.cases] + [g.failures for g in result.gaps]
    assert {c.case for c in result.cases} == {"good-advisor", "poor-advisor"}
    assert result.gaps and result.gaps[0].actual >= 30


def test_the_modelines_point_at_schemas_that_exist(tmp_path, capsys):
    path = tmp_path / "deep" / "er" / "call.yaml"
    assert new(capsys, str(path))[0] == 0
    scenario_schema = modeline_target(path)
    assert json.loads(scenario_schema.read_text())["title"] == "callsim scenario (format 1)"
    tests_schema = modeline_target(path.with_name("call.tests.yaml"))
    assert "scenario tests" in json.loads(tests_schema.read_text())["title"]


def test_existing_files_are_not_overwritten_without_force(tmp_path, capsys):
    path = tmp_path / "call.yaml"
    path.write_text("mine\n")
    code, _, err = new(capsys, str(path))
    assert code == 1 and "already exists" in err and "--force" in err
    assert path.read_text() == "mine\n"
    assert not (tmp_path / "call.tests.yaml").exists()
    path.unlink()
    (tmp_path / "call.tests.yaml").write_text("mine too\n")
    assert new(capsys, str(path))[0] == 1
    assert not path.exists()
    code, _, _ = new(capsys, "--force", str(path))
    assert code == 0 and load_scenario(path).scenario.id == "call"
    assert (tmp_path / "call.tests.yaml").read_text() != "mine too\n"


@pytest.mark.parametrize("name", ["call.txt", "call.tests.yaml"])
def test_a_name_that_is_not_a_scenario_file_is_a_usage_error(tmp_path, capsys, name):
    code, _, err = new(capsys, str(tmp_path / name))
    assert code == 2 and "ends in .yaml" in err


@pytest.mark.parametrize(
    ("stem", "ident"),
    [("Late Router!", "late-router"), ("2024 refund", "scenario-2024-refund"), ("__", "scenario")],
)
def test_ids_follow_the_format_rules(stem, ident):
    assert scenario_id(stem) == ident
