"""Exports show hostile text verbatim and inert; JSON exports import back unchanged."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import replace

import pytest
from markdown_it import MarkdownIt

from callsim.engine.transcript import Transcript, Turn
from callsim.grading.grader import Feedback, Grade, grade_transcript
from callsim.sim.export import (
    ImportProblem,
    md_escape,
    read_calls,
    to_csv,
    to_html,
    to_json,
    to_markdown,
)

HOSTILE = [
    "<script>alert('x')</script> & \"quotes\"",
    '=HYPERLINK("http://evil","click")',
    "+1 and -2 and @SUM(A1)",
    "**not bold** [a link](http://evil) `code` # not a heading",
    "    four spaces in front\n> not a quote\n- not a list",
    "\tTabbed =1+1",
    "\x1b[31mred?\x1b[0m",
    "1. not a list\n=====\n&amp; &copy; stay as typed\n+ no\nends with a backslash \\",
]


@pytest.fixture(scope="module")
def transcript():
    turns = [
        Turn(index=0, speaker="customer", text="<i>Customer</i> *line*", at=1, stage="opening")
    ]
    for line in HOSTILE:
        turns.append(
            Turn(
                index=len(turns), speaker="trainee", text=line, at=len(turns) * 5.0,
                stage="opening", tags=["empathy"], mood_before=7, mood_after=6.5,
            )
        )  # fmt: skip
        turns.append(
            Turn(index=len(turns), speaker="customer", text="-ok", at=len(turns) * 5, stage="x")
        )
    return Transcript(
        call_id="c0ffee01",
        scenario_id="broadband-down-repeat-caller",
        scenario_version="1.0",
        scenario_title="Broadband <down>",
        trainee="<b>Ann</b> =cmd",
        started_at="2025-01-02T10:00:00+00:00",
        ended_at="2025-01-02T10:05:00+00:00",
        outcome="unresolved",
        wrap_up="=SUM(1)\n<img src=x onerror=alert(1)>",
        turns=turns,
    )


@pytest.fixture(scope="module")
def grade(transcript) -> Grade:
    """The call's real grade, with hostile words where a rubric's title and advice go."""
    real = grade_transcript(transcript)
    dims = (replace(real.dimensions[0], title="Empathy <b>"), *real.dimensions[1:])
    advice = Feedback("Try <naming> the impact", 1, real.dimensions[0].id)
    return replace(real, dimensions=dims, feedback=(advice, *real.feedback))


def test_html_is_one_self_contained_page_with_every_text_escaped(transcript, grade):
    page = to_html([(transcript, grade, (), ())])
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"<(script|img|link|b)\b", page)
    assert not re.search(r"<[^>]*\b(src|href)=", page) and "@import" not in page
    assert html.escape(HOSTILE[0]) in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x1b" not in page and "\\x1b[31mred?" in page
    assert "Empathy &lt;b&gt;" in page and "Try &lt;naming&gt; the impact" in page


def _plain(rendered_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered_html))


@pytest.mark.parametrize("text", HOSTILE[:6] + HOSTILE[7:])
def test_markdown_renders_every_text_verbatim(text):
    rendered = MarkdownIt("commonmark").render(md_escape(text))
    body = rendered.strip()
    assert body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1
    inner = body[3:-4].replace("<br />\n", "\n")
    assert "<" not in inner  # no element at all: no emphasis, link, code, heading, list
    assert html.unescape(inner).replace("\xa0", " ") == text.replace("\t", "    ")


def test_a_markdown_export_holds_the_whole_call(transcript, grade):
    rendered = MarkdownIt("commonmark").enable("table").render(to_markdown(transcript, grade))
    assert not re.search(r"<(script|img|a |code|blockquote)", rendered)
    assert "&lt;b&gt;Ann&lt;/b&gt;" in rendered and "Empathy &lt;b&gt;" in rendered
    assert rendered.count("Trainee:") == 1 + len(HOSTILE)  # the header, then each reply


def test_csv_is_one_row_per_turn_with_formulas_neutralised(transcript):
    rows = list(csv.DictReader(io.StringIO(to_csv([transcript]))))
    assert len(rows) == len(transcript.turns)
    texts = [r["text"] for r in rows if r["speaker"] == "trainee"]
    assert [r["text"] for r in rows if r["speaker"] == "customer"][1] == "'-ok"
    assert texts[1] == "'" + HOSTILE[1]
    assert texts[2] == "'" + HOSTILE[2]
    assert texts[5] == "'" + HOSTILE[5]
    assert all(r["trainee"] == "<b>Ann</b> =cmd" for r in rows)  # not at the start: kept
    for r in rows:
        for cell in r.values():
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
    assert texts[0] == HOSTILE[0]


def test_json_export_imports_back_unchanged(transcript, grade):
    [(back, back_grade)] = read_calls(to_json([(transcript, grade)]).encode(), "call.json")
    assert back == transcript and back_grade == grade
    both = read_calls(to_json([(transcript, None), (transcript, grade)]).encode(), "two.json")
    assert [g for _, g in both] == [None, grade]


def test_an_import_whose_grade_is_damaged_is_refused(transcript, grade):
    data = json.loads(to_json([(transcript, grade)]))
    data["grade"] = {**data["grade"], "dimensions": [{"title": "no id"}]}
    with pytest.raises(ImportProblem, match=r"x\.json: grade\.dimensions\[0\]: 'id' is missing"):
        read_calls(json.dumps(data).encode(), "x.json")
    data["grade"] = "80"
    with pytest.raises(ImportProblem, match="grade: must be a JSON object"):
        read_calls(json.dumps(data).encode(), "x.json")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"format": "callsim-transcript", ', r"bad\.json:1:\d+: not valid JSON"),
        (b"\xff\xfe not text", "not a text file"),
        (b'{"name": "my-app", "version": "1.0.0"}', "not a callsim transcript"),
        (b"[1, 2]", "call 1: not a callsim transcript"),
        (b"[]", "no calls"),
        (b'{"format": "callsim-transcript", "call_id": "x"}', "scenario_id: Field required"),
    ],
)
def test_files_that_are_not_transcripts_get_a_clear_message(raw, message):
    with pytest.raises(ImportProblem, match=message):
        read_calls(raw, "bad.json")


def test_an_imported_transcript_with_unknown_keys_or_gaps_is_refused(transcript):
    data = json.loads(to_json([(transcript, None)]))
    with pytest.raises(ImportProblem, match="run_this"):
        read_calls(json.dumps({**data, "run_this": "rm -rf"}).encode(), "x.json")
    data["turns"] = data["turns"][1:]
    with pytest.raises(ImportProblem, match="indexes"):
        read_calls(json.dumps(data).encode(), "x.json")
