"""`callsim grade`: a saved call re-graded from its record, and every way the file can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsim.sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "broadband-down-repeat-caller.yaml"
RUBRICS = ROOT / "tests" / "grading" / "fixtures" / "rubrics"

SCRIPT = [
    "I'm so sorry it's still not working, that must be really frustrating.",
    "When did it first stop working?",
    "So it's been down since Monday morning?",
    "Let me run a test on the line from our end now.",
    "/action line_test",
    "The test shows a fault, so I've booked an engineer for Thursday between 8 and 1.",
    "/action book_engineer Thursday 8am-1pm",
    "Is there anything else I can help with today?",
    "/notes Down since Monday morning. Engineer Thursday 8-1.",
]


@pytest.fixture(autouse=True)
def _private_store(monkeypatch, tmp_path):
    monkeypatch.setenv("CALLSIM_DB", str(tmp_path / "callsim.db"))


def run_json(capsys, tmp_path, lines=SCRIPT, scenario=SCENARIO) -> dict:
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["run", str(scenario), "--script", str(script), "--json", "--no-save"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def grade(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["grade", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def saved(capsys, tmp_path) -> tuple[Path, dict]:
    data = run_json(capsys, tmp_path)
    path = tmp_path / "call.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, data


def test_run_json_carries_the_grade_and_each_replys_tags(saved):
    _, data = saved
    assert isinstance(data["grade"]["score"], int)
    trainee = [t for t in data["turns"] if t["speaker"] == "trainee"]
    assert "empathy" in trainee[0]["tags"] and trainee[0]["evidence"]["empathy"]
    cited = {c["turn"] for d in data["grade"]["dimensions"] for c in d["earned"] + d["lost"]}
    assert cited <= {t["index"] for t in data["turns"]}


def test_grading_a_saved_call_prints_the_debrief(capsys, saved):
    path, data = saved
    code, out, err = grade(capsys, path)
    assert code == 0, err
    assert out.startswith(f"Grade: {data['grade']['score']}/100")
    assert "Dimensions" in out and "KPIs" in out and "First-contact resolution" in out
    assert "+ turn 1 (+30): acknowledged the customer's feelings early" in out
    assert err == ""


def test_json_regrade_matches_the_grade_given_when_the_call_was_played(capsys, saved):
    path, data = saved
    code, out, _ = grade(capsys, path, "--json")
    assert code == 0
    assert json.loads(out) == data["grade"]


def test_a_bare_transcript_and_an_export_of_one_call_grade_too(capsys, saved, tmp_path):
    _, data = saved
    bare = {k: v for k, v in data.items() if k not in ("scenario", "problems", "grade")}
    for i, content in enumerate((bare, [data])):
        path = tmp_path / f"other{i}.json"
        path.write_text(json.dumps(content), encoding="utf-8")
        code, out, _ = grade(capsys, path, "--json")
        assert code == 0 and json.loads(out)["score"] == data["grade"]["score"]


def test_another_rubric(capsys, saved):
    path, _ = saved
    code, out, _ = grade(capsys, path, "--rubric", RUBRICS / "small.yaml", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["rubric"]["id"] == "small"
    assert [d["id"] for d in result["dimensions"]] == ["empathy", "promises"]


def test_a_bad_rubric_is_reported_with_its_position(capsys, saved):
    path, _ = saved
    bad = RUBRICS / "unknown-key.yaml"
    code, out, err = grade(capsys, path, "--rubric", bad)
    assert code == 1 and out == ""
    assert f"{bad}:7:5: error: unknown key 'wieght'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "callsim-transcript", ', ":1:"),
        ("[1, 2, 3]", "not a callsim transcript"),
        ('{"name": "a package.json"}', "not a callsim transcript"),
        ('{"format": "har"}', "a 'har' file"),
        ("[{}, {}]", "holds 2 calls"),
        (b"\xff\xfe\x00junk", "not UTF-8"),
    ],
)
def test_files_that_are_not_transcripts_get_a_clear_message(capsys, tmp_path, content, expected):
    path = tmp_path / "other.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, out, err = grade(capsys, path)
    assert code == 1 and out == ""
    assert expected in err and str(path) in err
    assert "Traceback" not in err


def test_a_malformed_transcript_names_the_bad_field(capsys, saved, tmp_path):
    _, data = saved
    data["turns"][1]["speaker"] = "robot"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = grade(capsys, path)
    assert code == 1
    assert "turns[1].speaker" in err and "not a valid callsim transcript" in err


def test_a_missing_file(capsys, tmp_path):
    code, _, err = grade(capsys, tmp_path / "nope.json")
    assert code == 1 and "cannot read" in err


def test_a_changed_scenario_is_said_clearly(capsys, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    scenario = folder / "broadband.yaml"
    text = SCENARIO.read_text(encoding="utf-8")
    scenario.write_text(
        text.replace("id: broadband-down-repeat-caller", "id: my-broadband"), encoding="utf-8"
    )
    data = run_json(capsys, tmp_path, scenario=scenario)
    path = tmp_path / "call.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = grade(capsys, path, "--scenarios", folder)
    assert code == 0 and "changed" not in err and "not found" not in err
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    code, out, err = grade(capsys, path, "--scenarios", folder)
    assert code == 0 and out.startswith("Grade:")
    assert "has changed since this call was taken" in err and "content hash differs" in err
    # the path the transcript records is never opened: without the folder it is not found
    code, out, err = grade(capsys, path)
    assert code == 0 and "scenario 'my-broadband' not found among the bundled scenarios" in err


def test_the_scenario_is_found_by_id_when_its_path_is_gone(capsys, saved, tmp_path):
    _, data = saved
    data["scenario_path"] = str(tmp_path / "moved-away.yaml")
    path = tmp_path / "call.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = grade(capsys, path, "--json")
    assert code == 0 and json.loads(out)["scenario_checked"] is True


def test_without_any_scenario_the_call_is_still_graded_and_says_so(capsys, saved, tmp_path):
    _, data = saved
    data["scenario_path"] = ""
    data["scenario_id"] = "no-such-scenario"
    path = tmp_path / "call.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = grade(capsys, path)
    assert code == 0
    assert "scenario 'no-such-scenario' not found" in err
    assert "graded without the scenario" in out


def test_a_scenario_of_another_call_is_refused(capsys, saved):
    path, _ = saved
    other = ROOT / "scenarios" / "double-charge-october.yaml"
    code, out, err = grade(capsys, path, "--scenario", other)
    assert code == 1 and out == ""
    assert "is scenario 'double-charge-october'" in err


def test_quoted_words_reach_the_terminal_inert(capsys, tmp_path):
    lines = ["\x1b[2J\x1b[31mI'm so sorry\u202e, that must be really frustrating.", *SCRIPT[1:]]
    data = run_json(capsys, tmp_path, lines=lines)
    path = tmp_path / "call.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = grade(capsys, path)
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J\\x1b[31mI'm so sorry\\u202e" in out
