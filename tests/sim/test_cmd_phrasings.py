"""`callsim phrasings`: a trainer measures a scenario against replies in other people's words."""

from __future__ import annotations

import json

import pytest

from callsim.sim.cli import main

SCENARIO = "double-charge-october"


def lines(*objs) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs)


def phrasings(tmp_path, capsys, text: str, *flags: str) -> tuple[int, str, str]:
    path = tmp_path / "replies.jsonl"
    path.write_text(text, encoding="utf-8")
    code = main(["phrasings", SCENARIO, str(path), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_recall_false_accepts_and_each_miss_are_reported(tmp_path, capsys):
    code, out, err = phrasings(
        tmp_path,
        capsys,
        lines(
            # the scenario's own example: understood
            {
                "stage": "opening",
                "text": "let me look at the payments",
                "expected_intent": "look_into_payments",
            },
            # an apology that also takes the problem on: either intent is right
            {
                "stage": "opening",
                "text": "let me look at the payments",
                "expected_intent": "acknowledge",
                "alt_intents": ["look_into_payments"],
            },
            # nonsense meant as nothing: right when nothing matches
            {
                "stage": "checking",
                "text": "purple elephants dance quietly",
                "expected_intent": None,
                "kind": "off_topic",
            },
            # the scenario's own refund example, claimed to mean something else: a miss
            {
                "stage": "confirmed",
                "text": "I've raised a refund",
                "expected_intent": "promise_today",
            },
        ),
    )
    assert code == 0, err
    assert "4 replies (3 meant an intent, 1 meant none)" in out
    assert "recall 0.67 (2/3)" in out
    assert "false accepts 0.00 (0/1)" in out
    assert "off_topic" in out
    assert '4  confirmed  promise_today -> refund  "I\'ve raised a refund"' in out


def test_json_output_is_one_object_per_reply_with_what_matched(tmp_path, capsys):
    code, out, _ = phrasings(
        tmp_path,
        capsys,
        lines(
            {
                "stage": "opening",
                "text": "let me look at the payments",
                "expected_intent": "look_into_payments",
                "writer": "w1",
            },
            {
                "stage": "checking",
                "text": "purple elephants dance quietly",
                "expected_intent": None,
            },
        ),
        "--json",
    )
    assert code == 0
    objs = [json.loads(x) for x in out.splitlines()]
    assert [o["matched"] for o in objs] == ["look_into_payments", None]
    assert objs[0]["writer"] == "w1" and objs[0]["line"] == 1
    assert [o["text"] for o in objs] == [
        "let me look at the payments",
        "purple elephants dance quietly",
    ]


def test_bad_lines_each_get_a_numbered_message_and_the_rest_are_still_checked(tmp_path, capsys):
    code, out, err = phrasings(
        tmp_path,
        capsys,
        lines(
            "{not json",
            {"stage": "nowhere", "text": "hello", "expected_intent": None},
            {"stage": "opening", "text": "hello", "expected_intent": "refund"},
            {"stage": "opening", "text": "hello"},
            "[1, 2]",
            '{"stage": "opening", "text": "x", "expected_intent": NaN}',
            {
                "stage": "opening",
                "text": "let me look at the payments",
                "expected_intent": "look_into_payments",
            },
        ),
    )
    assert code == 1
    path = tmp_path / "replies.jsonl"
    assert f"{path}:1: not valid JSON" in err
    assert f"{path}:2: no stage 'nowhere'" in err
    assert f"{path}:3: stage 'opening' does not listen for 'refund'" in err
    assert f'{path}:4: needs "expected_intent"' in err
    assert f"{path}:5: each line must be one JSON object" in err
    assert f"{path}:6: not valid JSON" in err
    assert "1 replies (1 meant an intent, 0 meant none)" in out
    assert "Traceback" not in err


def test_targets_fail_the_run_when_missed(tmp_path, capsys):
    miss = lines(
        {"stage": "confirmed", "text": "I've raised a refund", "expected_intent": "promise_today"}
    )
    assert phrasings(tmp_path, capsys, miss, "--min-recall", "0.5")[0] == 1
    assert phrasings(tmp_path, capsys, miss, "--max-false-accepts", "0.1")[0] == 0


@pytest.mark.parametrize("text", ["\x1b]0;owned\x07 [red]hi[/]", "[/]" * 50])
def test_replies_are_printed_inert(tmp_path, capsys, text):
    code, out, _ = phrasings(
        tmp_path, capsys, lines({"stage": "opening", "text": text, "expected_intent": "greeting"})
    )
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out


def test_a_file_that_cannot_be_read_is_a_message(tmp_path, capsys):
    assert main(["phrasings", SCENARIO, str(tmp_path / "missing.jsonl")]) == 1
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00binary")
    assert main(["phrasings", SCENARIO, str(tmp_path / "bin.jsonl")]) == 1
    assert "not UTF-8" in capsys.readouterr().err
