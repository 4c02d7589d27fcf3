"""`callsim run`: a scripted call prints the whole call; the line mode takes a call end to end."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from callsim.engine.loader import load_scenario
from callsim.sim import session as sim_session
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive

FIXTURES = Path(__file__).parent.parent / "engine" / "fixtures"
GOOD = FIXTURES / "good"
SCENARIO = GOOD / "double-charge.yaml"

ACKNOWLEDGE = "I'm sorry you've been charged twice, let me look into that for you"
REFUND = "I can refund the second payment for you now"
TIMELINE = "The refund will reach your account in 3 to 5 working days"
SCRIPT = [
    ACKNOWLEDGE,
    "When were you charged?",
    "/action check_bill",
    REFUND,
    "/action refund 30",
    TIMELINE,
    "/notes Duplicate DD refunded, 3-5 working days.",
]


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def stub_tagger(text, customer=None, history=()):
    """Stands in for grading's tagger so these tests do not depend on its wording."""
    return Tagged(["empathy"] if "sorry" in text.lower() else [], {})


@pytest.fixture(autouse=True)
def _stub_tagger_and_private_store(monkeypatch, tmp_path):
    monkeypatch.setattr(sim_session, "default_tagger", lambda: stub_tagger)
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "callsim.db"))


def run_script(capsys, tmp_path, lines, *extra, scenario=SCENARIO):
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["run", str(scenario), "--script", str(script), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_one_object_with_the_whole_call(capsys, tmp_path):
    code, out, err = run_script(capsys, tmp_path, SCRIPT, "--json")
    assert code == 0, err
    data = json.loads(out)  # the whole of stdout is one JSON object
    assert data["scenario"] == {"id": "double-charge", "version": "2.1"}
    assert data["outcome"] == "resolved" and data["opening_mood"] == 5.0
    assert data["final_mood"] < 5.0 and data["final_mood"] == data["turns"][-1]["mood_after"]
    assert data["revealed"] == ["charged_twice"] and data["problems"] == []
    assert data["actions"] == ["check_bill", "refund"]
    assert data["wrap_up"] == "Duplicate DD refunded, 3-5 working days."
    turns = data["turns"]
    assert [t["index"] for t in turns] == list(range(len(turns)))
    for turn in turns:
        for key in ("speaker", "text", "stage", "intent", "score", "mood_after", "revealed"):
            assert key in turn, key
    trainee = [t for t in turns if t["speaker"] == "trainee"]
    assert [t["text"] for t in trainee] == [ACKNOWLEDGE, "When were you charged?", REFUND, TIMELINE]
    assert [t["intent"] for t in trainee] == [
        "acknowledge_charge",
        None,
        "promise_refund",
        "give_timeline",
    ]
    assert trainee[0]["score"] == 100.0 and trainee[0]["stage"] == "opening"
    assert trainee[0]["stage_after"] == "investigate" and trainee[0]["tags"] == ["empathy"]
    assert trainee[1]["fact_asked"] == "charged_twice"
    assert trainee[1]["revealed"] == ["charged_twice"]
    actions = [t for t in turns if t["speaker"] == "action"]
    assert [(a["action"], a["arg"]) for a in actions] == [("check_bill", None), ("refund", "30")]
    assert actions[0]["result"].startswith("Direct debit collected twice")
    assert all(t["mood_after"] is not None for t in turns)
    assert (
        turns[-1]["speaker"] == "customer" and turns[-1]["text"] == "Okay. Thanks for sorting it."
    )


def test_plain_output_shows_each_turn_and_the_ending(capsys, tmp_path):
    code, out, _ = run_script(capsys, tmp_path, SCRIPT)
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "Customer: You've taken my money twice. Twice!"
    assert f"You: {ACKNOWLEDGE}" in lines
    assert any(line.startswith("[Check the bill] Direct debit collected twice") for line in lines)
    assert lines[-1].startswith("-- call ended: resolved; customer mood")


def test_script_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(SCRIPT) + "\n"))
    code = main(["run", str(SCENARIO), "--script", "-", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["outcome"] == "resolved"


def test_an_unknown_action_is_reported_and_exits_1(capsys, tmp_path):
    code, out, err = run_script(
        capsys, tmp_path, [ACKNOWLEDGE, "/action teleport now", "/end"], "--json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["problems"] == [
        "line 2: no action 'teleport' in this scenario (available: check_bill, refund)"
    ]
    assert data["outcome"] == "unresolved"
    assert "callsim: script line 2: no action 'teleport'" in err and "Traceback" not in err


def test_a_scenario_with_errors_lists_them_and_exits_1(capsys, tmp_path):
    bad = FIXTURES / "bad" / "several-problems.yaml"
    code, out, err = run_script(capsys, tmp_path, ["hello"], scenario=bad)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert [line.split(": error: ")[0] for line in lines[:4]] == [
        f"{bad}:2:5",
        f"{bad}:4:11",
        f"{bad}:5:13",
        f"{bad}:14:3",
    ]
    assert lines[-1] == f"callsim: {bad} has errors; run 'callsim validate {bad}'"
    assert "Traceback" not in err


def test_an_unknown_scenario_name_says_so(capsys):
    code = main(["run", "no-such-scenario-anywhere", "--script", "-"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "no scenario file or bundled scenario named 'no-such-scenario-anywhere'" in err


ANSI_SCENARIO = """\
format: 1
id: ansi
title: "Escape \\e[2J test"
category: other
difficulty: 1
version: "1"
target_seconds: 60
briefing: "The customer's line holds \\e]0;pwned\\a a title change."
goal: Notice nothing.
customer:
  name: Eve
  persona: Tricky.
  mood: 3
start: opening
stages:
  opening:
    customer: "Hello \\e[31mred\\e[0m and \\r overwrite \\u202e reversed"
    fallback:
      say: "\\e[2J cleared?"
      to: done
  done:
    ending: resolved
    customer: Bye.
"""


def test_escape_sequences_in_scenario_lines_are_shown_inert(capsys, tmp_path):
    path = tmp_path / "ansi.yaml"
    path.write_text(ANSI_SCENARIO, encoding="utf-8")
    code, out, err = run_script(capsys, tmp_path, ["hi \x1b[2J there"], scenario=path)
    assert code == 0, err
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "Customer: Hello \\x1b[31mred\\x1b[0m and \\x0d overwrite \\u202e reversed" in out
    assert "You: hi \\x1b[2J there" in out
    lines: list[str] = []
    interactive(
        load_scenario(path),
        trainee=None,
        mode="practice",
        read=feeder(["/end", ""]),
        write=lines.append,
    )
    shown = "\n".join(lines)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Escape \\x1b[2J test" in shown and "\\x1b]0;pwned\\x07" in shown


def feeder(lines: list[str]):
    """A fake `input`: gives the lines in turn, then end of input."""
    queue = list(lines)
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    read.prompts = prompts  # type: ignore[attr-defined]
    return read


def test_interactive_call_end_to_end():
    loaded = load_scenario(SCENARIO)
    read = feeder(
        [
            "/help",
            "/hint",
            ACKNOWLEDGE,
            "/actions",
            "/action",
            "/action check_bill",
            "/facts",
            "/action teleport",
            "/frobnicate",
            "",
            REFUND,
            "/end",
            "Refunded the duplicate direct debit.",
            "Customer to see it in 3-5 working days.",
            "",
        ]
    )
    out: list[str] = []
    code = interactive(loaded, trainee="sam", mode="practice", read=read, write=out.append)
    assert code == 0
    text = "\n".join(out)
    assert out[0].startswith("Charged twice for one month  (billing, difficulty 2/5)")
    assert "/action NAME [ARGS]" in text and "/end" in text  # /help
    assert f'Hint: try something like "{ACKNOWLEDGE}"' in text
    assert "  (heard: empathy)" in text
    assert "check_bill" in text and "Check the bill" in text  # /actions
    assert "Usage: /action NAME [ARGS]" in text
    assert "Direct debit collected twice on the 3rd" in text  # the action's result
    assert "charged twice on the 3rd" in text  # /facts: revealed by the action
    assert "no action 'teleport' in this scenario" in text
    assert "unknown command /frobnicate" in text
    assert "Customer: And when will I get it back?" in text  # REFUND moved the call on
    assert "-- call ended: unresolved" in text
    assert any(line.startswith("mood ") for line in out)
    assert read.prompts.count("notes> ") == 3


def test_interactive_call_ends_unresolved_on_end_of_input():
    out: list[str] = []
    code = interactive(
        load_scenario(SCENARIO), trainee=None, mode="assessment", read=feeder([]), write=out.append
    )
    assert code == 0 and "-- call ended: unresolved" in "\n".join(out)


def test_interactive_hint_is_refused_in_assessment():
    out: list[str] = []
    interactive(
        load_scenario(SCENARIO),
        trainee=None,
        mode="assessment",
        read=feeder(["/hint", ACKNOWLEDGE, "/end", ""]),
        write=out.append,
    )
    text = "\n".join(out)
    assert "Hints are off in assessment mode." in text and "(heard:" not in text
