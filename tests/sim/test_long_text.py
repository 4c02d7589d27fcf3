"""One text limit, checked where text enters: a reply, notes or a tool's detail longer than a
call holds (`MAX_TEXT`) is refused with a message in line mode, scripts, `tag` and `explain`,
never a traceback, and nothing else said in the call is lost."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from callsim.engine.call import CallError
from callsim.engine.loader import load_scenario
from callsim.engine.transcript import MAX_TEXT
from callsim.sim.cli import main
from callsim.sim.commands.run import interactive
from callsim.sim.session import CallSession
from callsim.sim.store import Store

SCENARIO = Path(__file__).parent.parent / "engine" / "fixtures" / "good" / "double-charge.yaml"
ACKNOWLEDGE = "I'm sorry you've been charged twice, let me look into that for you"
REFUND = "I can refund the second payment for you now"
#: Over the limit, and (before the limit was checked where text enters) minutes in the tagger.
HUGE = "I can see the account here and I know the engineer was booked " * 17_000


@pytest.fixture(autouse=True)
def _private_store(monkeypatch, tmp_path):
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "callsim.db"))


def feeder(lines: list[str]):
    queue = list(lines)

    def read(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read


def test_the_session_refuses_an_over_long_reply_and_records_nothing():
    session = CallSession(load_scenario(SCENARIO))
    turns = list(session.turns)
    with pytest.raises(CallError) as refused:
        session.say("x" * (MAX_TEXT + 1))
    assert str(refused.value).startswith(f"The reply is {MAX_TEXT + 1:,} characters long")
    assert f"at most {MAX_TEXT:,}" in str(refused.value)
    assert session.turns == turns
    session.say("y" * MAX_TEXT)  # the limit itself is allowed
    assert session.turns[len(turns)].text == "y" * MAX_TEXT


def test_over_long_notes_and_tool_details_are_refused_and_not_kept():
    session = CallSession(load_scenario(SCENARIO))
    session.write_notes("Refunded.")
    with pytest.raises(CallError, match="notes are 20,001 characters long"):
        session.write_notes("n" * (MAX_TEXT + 1))
    assert session.wrap_up == "Refunded."
    before = len(session.turns)
    with pytest.raises(CallError, match="detail for the tool"):
        session.act("refund", "9" * MAX_TEXT)  # recorded as "LABEL (ARG)": over the limit
    assert len(session.turns) == before


def test_line_mode_says_why_a_long_reply_was_refused_and_the_call_goes_on(tmp_path):
    db = tmp_path / "line.db"
    out: list[str] = []
    with Store(db) as store:
        code = interactive(
            load_scenario(SCENARIO),
            trainee="sam",
            mode="practice",
            read=feeder([ACKNOWLEDGE, HUGE, REFUND, "/end", "Refunded.", ""]),
            write=out.append,
            store=store,
        )
        assert code == 0
        text = "\n".join(out)
        assert f"The reply is {len(HUGE.strip()):,} characters long" in text
        (call,) = store.list_calls()
        said = [t.text for t in store.transcript(call.id).turns if t.speaker == "trainee"]
        assert said == [ACKNOWLEDGE, REFUND]


def test_a_script_reports_long_lines_as_problems_and_plays_the_rest(capsys, tmp_path):
    script = tmp_path / "script.txt"
    lines = [ACKNOWLEDGE, HUGE, "/notes " + "n" * (MAX_TEXT + 1), REFUND, "/notes Refunded."]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["run", str(SCENARIO), "--script", str(script), "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err
    assert f"line 2: The reply is {len(HUGE.strip()):,} characters long" in err
    assert "line 3: The notes are 20,001 characters long" in err
    call = json.loads(out)
    said = [t["text"] for t in call["turns"] if t["speaker"] == "trainee"]
    assert said == [ACKNOWLEDGE, REFUND]
    assert call["wrap_up"] == "Refunded."


def test_tag_refuses_an_over_long_line_and_tags_the_next(monkeypatch, capsys):
    lines = [
        {"id": 1, "text": HUGE},
        {"id": 2, "text": "That sounds really stressful.", "customer": "x" * (MAX_TEXT + 1)},
        {"id": 3, "text": "That sounds really stressful."},
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(x) + "\n" for x in lines)))
    assert main(["tag"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0] == {
        "id": 1,
        "error": f'"text" is {len(HUGE):,} characters long; the limit is {MAX_TEXT:,} '
        "(as in a call): not tagged",
    }
    assert out[1]["error"].startswith('"customer" is 20,001 characters long')
    assert out[2]["tags"] == ["empathy"]


def test_explain_refuses_an_over_long_reply(capsys):
    assert main(["explain", HUGE]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"callsim explain: the reply is {len(HUGE):,} characters long; the limit is "
        f"{MAX_TEXT:,} (as in a call)\n"
    )
