"""callsim installs as one package from a wheel, with its data, and the pins fit the ranges."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "broadband-down-repeat-caller"

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")


def _pins() -> dict[str, list[tuple[str, str]]]:
    """Package name -> [(version, marker)] from constraints.txt."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for raw in (ROOT / "constraints.txt").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", line
        pins.setdefault(req.name.lower().replace("_", "-"), []).append(
            (spec.version, str(req.marker or ""))
        )
    return pins


def test_every_declared_dependency_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = _pins()
    env = default_environment()
    for text in declared:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is declared but not pinned in constraints.txt"
        for version, marker in pins[name]:
            if marker and not Requirement(f"x; {marker}").marker.evaluate(env):
                continue
            assert req.specifier.contains(version, prereleases=True), (
                f"constraints.txt pins {name}=={version}, outside pyproject's {req.specifier}"
            )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the tree (offline, no build isolation)."""
    src = tmp_path_factory.mktemp("src") / "callsim"
    skip = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*cache", "*.db*"
    )
    shutil.copytree(ROOT, src, ignore=skip)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=src,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (whl,) = out.glob("callsim-*.whl")
    return whl


def test_the_wheel_holds_one_package_and_all_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"callsim"}
    inside = {n.removeprefix("callsim/") for n in names}
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        assert str(path.relative_to(ROOT)) in inside, path
    for data in (
        "engine/concepts.yaml",
        "docs/scenario.schema.json",
        "grading/rubrics/default.yaml",
        "grading/data/tagger_model.json",
        "grading/data/corpus/energy.jsonl",
        "tui/callsim.tcss",
        "sim/templates/page.html.j2",
        "py.typed",
        "__main__.py",
    ):
        assert data in inside, data
    assert not any(n.startswith(("tests/", "bench/")) for n in inside)


@pytest.fixture(scope="module")
def unpacked(wheel, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    zipfile.ZipFile(wheel).extractall(site)
    return site


def _callsim(site: Path, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "CALLSIM_DB": str(cwd / "calls.db")}
    env.pop("CALLSIM_TRAINEE", None)
    return subprocess.run(
        [sys.executable, "-m", "callsim", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_unpacked_wheel_plays_and_checks_bundled_scenarios_from_another_folder(
    unpacked, tmp_path
):
    where = subprocess.run(
        [sys.executable, "-c", "import callsim; print(callsim.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(unpacked)},
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(unpacked)), where  # not the repository's copy
    version = _callsim(unpacked, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("callsim "), version
    script = "Hello, thanks for calling, I'm Sam.\n/end\n"
    played = _callsim(unpacked, tmp_path, "run", SCENARIO, "--script", "-", stdin=script)
    assert played.returncode == 0, played.stderr
    assert "Customer:" in played.stdout
    listed = _callsim(unpacked, tmp_path, "sessions")
    assert SCENARIO in listed.stdout, listed
    tested = _callsim(unpacked, tmp_path, "test")
    assert tested.returncode == 0, tested.stdout[-2000:] + tested.stderr
    assert "0 failed" in tested.stdout
    made = _callsim(unpacked, tmp_path, "new", "mine.yaml")
    assert made.returncode == 0, made.stderr
    checked = _callsim(unpacked, tmp_path, "validate", "mine.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert _callsim(unpacked, tmp_path, "test", "mine.yaml").returncode == 0
    schema = _callsim(unpacked, tmp_path, "schema")
    assert schema.returncode == 0 and '"$defs"' in schema.stdout


def test_missing_or_damaged_package_data_is_a_clear_message(unpacked, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(unpacked, site)
    rubric = site / "callsim" / "grading" / "rubrics" / "default.yaml"
    rubric.write_text("dimensions: [\n")
    script = "Hello, thanks for calling.\n/end\n"
    damaged = _callsim(site, tmp_path, "run", SCENARIO, "--script", "-", stdin=script)
    assert damaged.returncode == 1
    assert "Traceback" not in damaged.stderr
    assert f"{rubric}:2:1: error" in damaged.stderr
    assert "reinstall callsim" in damaged.stderr
    rubric.unlink()
    shutil.rmtree(site / "callsim" / "scenarios")
    missing = _callsim(site, tmp_path, "run", SCENARIO)
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    assert "installation is incomplete" in missing.stderr
    assert "grading/rubrics/default.yaml" in missing.stderr
    assert "scenarios/*.yaml" in missing.stderr
