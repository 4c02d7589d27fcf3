"""`callsim export --format xapi`: statements a learning record store accepts, stable ids."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import jsonschema
import pytest

from callsim.engine.transcript import Transcript, Turn
from callsim.sim.cli import main
from callsim.sim.store import Store

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "xapi-statement-1.0.3.schema.json").read_text("utf-8")
)
SCRIPTS = Path(__file__).parent / "scripts"
HOME = "https://lms.example.org"
TRAINEE = 'Ann "[b]Lee[/b]" <ann>'


def check(statement: dict) -> None:
    """Valid against the 1.0.3 statement schema, and the rules a schema cannot say."""
    jsonschema.validate(statement, SCHEMA, cls=jsonschema.Draft202012Validator)
    score = statement.get("result", {}).get("score")
    if score:
        assert score["min"] < score["max"]
        assert score["min"] <= score["raw"] <= score["max"]


def play(db: Path) -> str:
    """One graded call in `db`, taken from a script as a trainee would type it; its id."""
    script = SCRIPTS / "broadband-down-repeat-caller.good.txt"
    code = main(
        ["run", "broadband-down-repeat-caller", "--script", str(script), "--db", str(db),
         "--trainee", TRAINEE]
    )  # fmt: skip
    assert code == 0
    (call,) = Store(db).list_calls()
    return call.id


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    db = tmp_path_factory.mktemp("xapi") / "calls.db"
    return db, play(db)


def export(capsys, db, *args) -> tuple[int, str, str]:
    try:
        code = main(["export", *args, "--format", "xapi", "--db", str(db)])
    except SystemExit as exc:  # argparse refusing a value
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_graded_call_gives_completed_and_scored_statements(capsys, played):
    db, cid = played
    code, out, err = export(capsys, db, cid, "--homepage", HOME)
    assert code == 0, err
    completed, scored = json.loads(out)
    for s in (completed, scored):
        check(s)
        assert s["actor"] == {
            "objectType": "Agent",
            "name": TRAINEE,
            "account": {"homePage": HOME, "name": TRAINEE},
        }  # the name verbatim; no e-mail address made up
        assert s["object"]["id"] == "urn:callsim:scenario:broadband-down-repeat-caller"
        assert s["object"]["definition"]["extensions"]["urn:callsim:xapi:scenario-version"]
        assert re.fullmatch(r"PT(\d+M)?\d+(\.\d+)?S", s["result"]["duration"])
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["result"]["extensions"]["urn:callsim:xapi:outcome"] == "resolved"
    assert scored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/scored"
    store = Store(db)
    grade = store.grade(cid)
    transcript = store.transcript(cid)
    assert completed["timestamp"] == transcript.ended_at
    assert scored["result"]["score"]["raw"] == grade.score
    assert scored["result"]["score"]["scaled"] == pytest.approx(grade.score / 100)
    assert scored["result"]["success"] is (grade.score >= 50)  # the rubric's 'fair' boundary
    ext = scored["result"]["extensions"]
    for d in grade.dimensions:
        assert ext[f"urn:callsim:xapi:dimension:{d.id}"] == d.score
    assert completed["context"]["registration"] == scored["context"]["registration"]


def test_exporting_again_gives_the_same_statements(capsys, played):
    """Same ids and same content, so posting them again to a record store is harmless."""
    db, cid = played
    first = export(capsys, db, cid, "--homepage", HOME)[1]
    second = export(capsys, db, cid, "--homepage", HOME)[1]
    assert first == second
    ids = [s["id"] for s in json.loads(first)]
    assert len(set(ids)) == 2 and all(uuid.UUID(i).version == 5 for i in ids)


def test_the_pass_mark_decides_success(capsys, played):
    db, cid = played
    score = Store(db).grade(cid).score
    above = export(capsys, db, cid, "--homepage", HOME, "--pass-mark", str(score + 1))[1]
    at = export(capsys, db, cid, "--homepage", HOME, "--pass-mark", str(score))[1]
    assert json.loads(above)[1]["result"]["success"] is False
    assert json.loads(at)[1]["result"]["success"] is True


def test_a_mentor_correction_is_sent_as_a_new_scored_statement(capsys, tmp_path):
    copy = tmp_path / "corrected.db"
    cid = play(copy)
    capsys.readouterr()
    before = json.loads(export(capsys, copy, cid, "--homepage", HOME)[1])
    store = Store(copy)
    store.set_override(cid, "empathy", 5, "no feeling was named", author="Meg")
    after = json.loads(export(capsys, copy, cid, "--homepage", HOME)[1])
    check(after[1])
    assert after[0] == before[0]  # the completed statement is unchanged
    assert after[1]["id"] != before[1]["id"]
    ext = after[1]["result"]["extensions"]
    assert ext["urn:callsim:xapi:dimension:empathy"] == 5
    assert ext["urn:callsim:xapi:mentor-adjusted"] is True
    assert ext["urn:callsim:xapi:auto-score"] == before[1]["result"]["score"]["raw"]
    assert after[1]["result"]["score"]["raw"] < before[1]["result"]["score"]["raw"]


def test_calls_that_cannot_be_sent_are_named_with_why(capsys, played, tmp_path):
    db = tmp_path / "calls.db"
    store = Store(db)
    for cid, trainee, ended in (("nobody01", None, True), ("open0002", "Ann", False)):
        store.save_call(
            Transcript(
                call_id=cid, scenario_id="broadband-down-repeat-caller", scenario_version="1.0",
                trainee=trainee, started_at="2026-01-05T10:00:00+00:00",
                ended_at="2026-01-05T10:05:00+00:00" if ended else None,
                outcome="resolved" if ended else None,
                turns=[Turn(index=0, speaker="customer", text="Hi", at=0, stage="opening")],
            )
        )  # fmt: skip
    code, out, err = export(capsys, db, "nobody01", "open0002", "--homepage", HOME)
    assert code == 1 and out == ""
    assert "call nobody01 left out: saved without a trainee name" in err
    assert "call open0002 left out: not finished" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--format xapi needs --homepage URL"),
        (("--homepage", "lms.example.org"), "is not an http(s) address"),
        (("--homepage", HOME, "--pass-mark", "120"), "not a number from 0 to 100"),
    ],
)
def test_bad_options_are_refused_with_a_message(capsys, played, args, message):
    db, cid = played
    code, out, err = export(capsys, db, cid, *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_xapi_options_go_with_xapi_only(capsys, played):
    db, cid = played
    code = main(["export", cid, "--format", "md", "--homepage", HOME, "--db", str(db)])
    assert code == 2 and "go with --format xapi" in capsys.readouterr().err


def test_the_schema_refuses_what_a_record_store_would(played, capsys):
    """The checks can fail: an invented second identifier, a scaled score over 1, a bad
    duration, a raw score beyond max are all refused."""
    db, cid = played
    good = json.loads(export(capsys, db, cid, "--homepage", HOME)[1])[1]
    check(good)
    bad = [
        {**good, "actor": {**good["actor"], "mbox": "mailto:ann@example.org"}},
        {**good, "result": {**good["result"], "score": {"scaled": 1.5}}},
        {**good, "result": {**good["result"], "duration": "3 minutes"}},
        {**good, "result": {**good["result"], "score": {"raw": 101, "min": 0, "max": 100}}},
        {**good, "verb": {"display": {"en-US": "scored"}}},
        {**good, "stored": good["timestamp"]},
    ]
    for statement in bad:
        with pytest.raises((jsonschema.ValidationError, AssertionError)):
            check(statement)


def test_one_file_with_output(capsys, played, tmp_path):
    db, cid = played
    code, out, err = export(capsys, db, cid, "--homepage", HOME, "-o", str(tmp_path))
    assert code == 0, err
    written = tmp_path / "callsim-statements.json"
    assert out.strip() == f"wrote {written}"
    assert len(json.loads(written.read_text("utf-8"))) == 2
