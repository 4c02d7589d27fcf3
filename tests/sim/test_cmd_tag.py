"""`callsim tag` (JSON lines in, JSON lines out) and `callsim explain` (for a person)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from callsim.sim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_tag(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, stdin: str):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["tag"])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_tag_keeps_order_and_carries_ids(monkeypatch, capsys) -> None:
    lines = [
        {"id": "a", "text": "Is the light on the router green?"},
        {"id": 2, "text": "I'm so sorry, that sounds really stressful.", "customer": "It's down."},
        {"text": "Calm down, it's not that hard.", "extra": [1, 2]},
    ]
    code, out = run_tag(monkeypatch, capsys, "".join(json.dumps(x) + "\n" for x in lines))
    assert code == 0
    assert [o.get("id") for o in out] == ["a", 2, None]
    assert "id" not in out[2]
    assert out[0]["tags"] == ["closed_question"]
    assert out[1]["tags"] == ["empathy"]
    assert "blame" in out[2]["tags"]
    for o, line in zip(out, lines, strict=True):
        assert set(o["evidence"]) == set(o["tags"])
        assert all(words in line["text"] for words in o["evidence"].values())


def test_bad_lines_get_an_error_and_the_run_continues(monkeypatch, capsys) -> None:
    stdin = "\n".join(
        [
            "this is not json",
            "[1, 2, 3]",
            '{"id": "n", "text": 42}',
            '{"id": "m"}',
            '{"id": "c", "text": "ok", "customer": ["x"]}',
            "",
            "   ",
            '{"id": "good", "text": "Anything else I can help with?"}',
        ]
    )
    code, out = run_tag(monkeypatch, capsys, stdin + "\n")
    assert code == 0
    assert len(out) == 6  # blank lines skipped
    assert all("error" in o for o in out[:5])
    assert "tags" not in out[0]
    assert [o.get("id") for o in out[:5]] == [None, None, "n", "m", "c"]
    assert out[5] == {
        "id": "good",
        "tags": ["closed_question", "check_resolution"],
        "evidence": {
            "closed_question": "Anything else I can help with?",
            "check_resolution": "Anything else I can help with?",
        },
    }


def test_tag_as_a_subprocess_survives_bad_bytes() -> None:
    payload = b'{"id": 1, "text": "When did it stop?"}\n\xff\xfe broken\n{"id": 3, "text": "ok"}\n'
    proc = subprocess.run(
        [sys.executable, "-m", "callsim", "tag"], input=payload, capture_output=True, cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o.get("id") for o in out] == [1, None, 3]
    assert out[0]["tags"] == ["closed_question"]
    assert "error" in out[1]


def test_explain_shows_tags_dimensions_and_near_misses(capsys) -> None:
    code = main([
        "explain",
        "Sorry for the hold. I guarantee it'll be fixed by 5pm.",
        "--customer",
        "When will it be fixed?",
    ])
    out = capsys.readouterr().out
    assert code == 0
    assert "over_promise (loses credit in managing_expectations)" in out
    assert 'because of: "I guarantee"' in out
    assert "timeline (earns credit in managing_expectations)" in out
    assert "Not given:" in out
    assert 'empathy: "Sorry for the hold"' in out
    assert "politeness" in out
    assert "Customer: When will it be fixed?" in out


def test_explain_with_no_tags_still_explains(capsys) -> None:
    assert main(["explain", "It'll be sorted soon."]) == 0
    out = capsys.readouterr().out
    assert "Tags found: none" in out
    assert "vague timing" in out


def test_explain_cannot_inject_terminal_escapes(capsys) -> None:
    reply = "Is it working now?\x1b[2J\x1b]0;pwned\x07\r"
    assert main(["explain", reply, "--customer", "\x1b[31mred"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\\x1b[2J" in out
    assert "check_resolution" in out


def test_explain_rejects_an_empty_reply(capsys) -> None:
    assert main(["explain", "   "]) == 2
    assert "empty" in capsys.readouterr().err
