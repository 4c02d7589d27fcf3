"""One import namespace; the core stays free of the UI and the session layer; UI-less commands
stay free of Textual."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = {"engine", "grading", "sim", "tui"}


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,  # not the repository: its folders must not import as top-level names
    ).stdout
    names = set()
    for module in out.split():
        parts = module.split(".")
        names.add(parts[1] if parts[0] == "callsim" and len(parts) > 1 else parts[0])
    return names


def test_engine_and_grading_import_no_ui_or_session_layer():
    modules = sorted(
        f"callsim.{path.parent.name}.{path.stem}"
        for folder in ("engine", "grading")
        for path in (ROOT / folder).glob("*.py")
        if path.stem != "__init__"
    )
    assert len(modules) > 10
    loaded = _modules_after("import " + ", ".join(modules))
    assert not loaded & {"textual", "tui", "sim"}


def test_grading_imports_only_the_engines_models():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, callsim.grading.grader, callsim.grading.tagger, callsim.grading.rubric\n"
            "print(' '.join(m for m in sys.modules if m.startswith('callsim.engine')))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,
    ).stdout.split()
    # the domain types, the strict YAML reader and its messages, the shared language basics
    allowed = {"engine", "models", "transcript", "yamlsafe", "validation", "language"}
    assert {m.removeprefix("callsim.engine").lstrip(".") or "engine" for m in out} <= allowed


def test_command_line_without_ui_does_not_import_textual():
    loaded = _modules_after("from callsim.sim.cli import build_parser\nbuild_parser()")
    assert "textual" not in loaded


def test_every_import_goes_through_the_callsim_package():
    bare = []
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "build" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bare += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {n}"
                for n in names
                if n.split(".")[0] in SUBPACKAGES
            ]
    assert not bare, "\n".join(bare)


def test_the_repository_folders_are_not_top_level_modules():
    for name in sorted(SUBPACKAGES):
        code = f"import importlib.util; print(importlib.util.find_spec({name!r}) is None)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT.parent
        )
        assert out.stdout.strip() == "True", name


def test_the_app_takes_only_domain_types_from_the_core():
    """tui/ talks to the session layer; from engine/ and grading/ it takes types and constants
    (a Grade to show, a Turn to draw), never the functions that load, match or grade."""
    import importlib

    calls = []
    for path in sorted((ROOT / "tui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if not node.module.startswith(("callsim.engine", "callsim.grading")):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(module, alias.name)
                if callable(value) and not isinstance(value, type):
                    calls.append(f"tui/{path.name}:{node.lineno}: {node.module}.{alias.name}")
    assert not calls, "\n".join(calls)
