"""The core stays free of the UI and the session layer; UI-less commands stay free of Textual."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {m.split(".")[0] for m in out.split()}


def test_engine_and_grading_import_no_ui_or_session_layer():
    loaded = _modules_after("import engine, engine.loader, engine.call, grading, grading.tags")
    assert not loaded & {"textual", "tui", "sim"}


def test_command_line_without_ui_does_not_import_textual():
    loaded = _modules_after("from sim.cli import build_parser\nbuild_parser()")
    assert "textual" not in loaded
