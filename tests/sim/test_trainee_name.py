"""The trainee's name: asked once in line mode, and never a slash command or control text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from callsim.sim.store import Store
from callsim.sim.trainee import trainee_name_problem

SCENARIO = "broadband-down-repeat-caller"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("/end", "'/end' is a command, not a name"),
        ("  /notes Ann  ", "'/notes' is a command, not a name"),
        ("/", "'/' is a command, not a name"),
        ("Ann\x1b[2J", "cannot hold control characters"),
        ("Ann\u202eevil", "cannot hold control characters"),
        ("   ", "cannot be empty"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_names_that_are_refused_and_why(name, says):
    assert says in (trainee_name_problem(name) or "")


@pytest.mark.parametrize("name", ["Ann Smith", "Zoë O'Brien-Łukasz", "李小龍", "Ann / Bob"])
def test_names_that_are_fine(name):
    assert trainee_name_problem(name) is None


def test_the_line_mode_prompt_refuses_end_and_asks_again(tmp_path):
    config, db = tmp_path / "config", tmp_path / "calls.db"
    env = {**os.environ, "CALLSIM_CONFIG_DIR": str(config), "CALLSIM_DB": str(db)}
    env.pop("CALLSIM_TRAINEE", None)
    typed = "/end\n\x1b[2J\nAnn Smith\n/end\n\n\n"
    done = subprocess.run(
        [sys.executable, "-m", "callsim", "run", SCENARIO], input=typed, capture_output=True,
        text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "'/end' is a command, not a name: type your name" in out
    assert "cannot hold control characters" in out and "\x1b" not in out
    assert json.loads((config / "trainee.json").read_text(encoding="utf-8")) == {
        "trainee": "Ann Smith"
    }
    [call] = Store(db).list_calls()
    assert call.trainee == "Ann Smith"


def test_trainee_flag_and_environment_refuse_a_command_too(tmp_path):
    env = {**os.environ, "CALLSIM_CONFIG_DIR": str(tmp_path), "CALLSIM_TRAINEE": "/end"}
    for extra in ([], ["--trainee", "/quit"]):
        done = subprocess.run(
            [sys.executable, "-m", "callsim", "run", SCENARIO, "--no-save", *extra],
            input="", capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2 and "is a command, not a name" in done.stderr
        assert "Traceback" not in done.stderr
