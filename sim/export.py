"""Saved calls as files: Markdown, one printable HTML page, CSV (one row per turn), and JSON.

Every text in a call is untrusted (trainee replies, imported transcripts), so each format shows
it verbatim and inert: Markdown escapes every punctuation mark, HTML escapes every text,
CSV neutralises cells a spreadsheet would read as a formula, and control characters become
visible placeholders (sim/textsafe.py). JSON is the `Transcript` plus the grade
(`Grade.to_json`), and is what `callsim import` reads back (`read_calls`, decoding the grade
with `Grade.from_json`).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from callsim.engine.transcript import TRANSCRIPT_FORMAT, Transcript, Turn
from callsim.sim.textsafe import json_text, terminal_safe

if TYPE_CHECKING:
    from callsim.grading.grader import Grade
    from callsim.sim.store import Comment, DimensionScore

SPEAKERS = {"customer": "Customer", "trainee": "Trainee", "action": "Action", "system": "System"}
FORMATS = ("md", "html", "json", "csv")
MAX_IMPORT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Score:
    """One dimension as shown: the auto-grade, and the mentor's override when there is one."""

    dimension: str
    title: str
    auto: float | None
    override: float | None = None
    reason: str | None = None


@dataclass
class GradeView:
    """A grade as the plain-text, Markdown and HTML views show it, with mentors' overrides."""

    total: float | None = None
    scores: list[Score] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)


def grade_view(grade: Grade | None, overrides: Iterable[DimensionScore] = ()) -> GradeView | None:
    """The grade as shown; `overrides` are the call's dimension scores (a mentor's wins)."""
    if grade is None:
        return None
    by_dim = {o.dimension: o for o in overrides if o.override is not None}
    view = GradeView(total=grade.score)
    for d in grade.dimensions:
        o = by_dim.pop(d.id, None)
        view.scores.append(
            Score(
                d.id, d.title or d.id, d.score, o.override if o else None, o.reason if o else None
            )
        )
    for dim, o in by_dim.items():
        view.scores.append(Score(dim, dim, None, o.override, o.reason))
    view.flags = [f.message for f in grade.flags]
    view.feedback = [f.text for f in grade.feedback]
    view.kpis = [
        (k.replace("_", " "), "" if v is None else str(v)) for k, v in grade.kpis.to_json().items()
    ]
    return view


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def turn_details(turn: Turn) -> list[str]:
    """The grading facts of a turn: tags, intent, the stage it moved to, mood."""
    out = []
    if turn.tags:
        out.append("tags: " + ", ".join(turn.tags))
    if turn.intent:
        out.append(f"intent: {turn.intent}")
    if turn.stage_after and turn.stage_after != turn.stage:
        out.append(f"stage: {turn.stage} -> {turn.stage_after}")
    if turn.mood_before is not None and turn.mood_after is not None:
        out.append(f"mood {turn.mood_before:.1f} -> {turn.mood_after:.1f}")
    if turn.hint_used:
        out.append("after a hint")
    if turn.handover:
        out.append("handover")
    return out


def turn_text(turn: Turn) -> str:
    if turn.speaker == "action":
        return f"[{turn.text}] {turn.result or ''}".rstrip()
    return turn.text


def header_facts(t: Transcript) -> list[tuple[str, str]]:
    return [
        ("Call", t.call_id),
        ("Trainee", t.trainee or "-"),
        (
            "Scenario",
            f"{t.scenario_title or t.scenario_id} ({t.scenario_id} v{t.scenario_version})",
        ),
        ("Started", t.started_at),
        ("Mode", t.mode),
        ("Outcome", t.outcome.value.replace("_", " ") if t.outcome else "open (not finished)"),
        ("Handling time", f"{clock(t.duration_seconds)} (target {clock(t.target_seconds)})"),
        ("Customer mood", f"{t.opening_mood:.1f} -> {t.final_mood:.1f} /10"),
        ("Hints used", str(t.hints_used)),
    ]


# ---------------------------------------------------------------------------------------------
# Markdown

#: Characters Markdown may read as markup anywhere in a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>#!|~&])")
#: Line starts that make a list item, a setext heading or an ordered list.
_MD_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def md_escape(text: str) -> str:
    """Text that renders verbatim: markup characters escaped, leading spaces and lines kept."""
    lines = []
    for line in terminal_safe(text).split("\n"):
        stripped = line.lstrip(" \t")
        indent = line[: len(line) - len(stripped)].replace("\t", "    ")
        body = _MD_INLINE.sub(r"\\\1", stripped)
        body = _MD_LINE_START.sub(
            lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), body
        )
        lines.append("&nbsp;" * len(indent) + body)
    return "  \n".join(lines)  # a hard line break keeps the speaker's lines apart


def to_markdown(
    transcript: Transcript,
    grade: Grade | None = None,
    *,
    overrides: Iterable[DimensionScore] = (),
    comments: Sequence[Comment] = (),
) -> str:
    t = transcript
    out = [f"# Call: {md_escape(t.scenario_title or t.scenario_id)}", ""]
    out += [f"- **{k}:** {md_escape(v)}" for k, v in header_facts(t)]
    out += ["", "## Transcript", ""]
    notes = _comments_by_turn(comments)
    for turn in t.turns:
        who = SPEAKERS.get(turn.speaker, turn.speaker)
        out.append(f"**{clock(turn.at)} {who}:** {md_escape(turn_text(turn))}")
        details = turn_details(turn)
        if details:
            out += ["", f"*{md_escape('; '.join(details))}*"]
        for c in notes.get(turn.index, ()):
            out += ["", f"> Mentor{_by(c)}: {md_escape(c.text)}"]
        out.append("")
    out += ["## Wrap-up notes", "", md_escape(t.wrap_up) if t.wrap_up else "*(none)*", ""]
    for c in notes.get(None, ()):
        out += [f"> Mentor{_by(c)}: {md_escape(c.text)}", ""]
    view = grade_view(grade, overrides)
    out += ["## Grade", ""]
    if view is None:
        out += ["*Not graded.*", ""]
    else:
        out += [
            f"**Total:** {number(view.total)}",
            "",
            "| Dimension | Score | Mentor |",
            "|---|---|---|",
        ]
        for s in view.scores:
            mentor = "" if s.override is None else f"{number(s.override)}: {s.reason or ''}"
            out.append(f"| {md_escape(s.title)} | {number(s.auto)} | {md_escape(mentor)} |")
        out.append("")
        for title, items in (("Critical flags", view.flags), ("Feedback", view.feedback)):
            if items:
                out += [f"### {title}", ""] + [f"- {md_escape(i)}" for i in items] + [""]
        if view.kpis:
            out += ["### Indicators", ""] + [
                f"- {md_escape(k)}: {md_escape(v)}" for k, v in view.kpis
            ]
            out.append("")
    return "\n".join(out)


def _comments_by_turn(comments: Sequence[Any]) -> dict[int | None, list[Any]]:
    by: dict[int | None, list[Any]] = {}
    for c in comments:
        by.setdefault(c.turn, []).append(c)
    return by


def _by(comment: Any) -> str:
    return f" ({comment.author})" if comment.author else ""


# ---------------------------------------------------------------------------------------------
# HTML

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}
.turn{margin:.6em 0;padding:.4em .7em;border-left:4px solid #bbb;white-space:pre-wrap}
.customer{border-color:#c0392b}.trainee{border-color:#2471a3;background:#f4f8fb}
.action{border-color:#7d6608;font-style:italic}.who{font-weight:600}.when{color:#666}
.details{color:#555;font-size:.9em;white-space:normal}
.comment{margin:.3em 0 .3em 1em;padding:.3em .6em;background:#fff8dc;border:1px solid #e6d9a8}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
@media print{body{margin:0;max-width:none}.turn{break-inside:avoid}}
"""


def h(text: Any) -> str:
    return html.escape(terminal_safe(str(text)), quote=True)


def to_html(
    transcripts: Sequence[
        tuple[Transcript, Grade | None, Iterable[DimensionScore], Sequence[Comment]]
    ],
) -> str:
    """One self-contained printable page: (transcript, grade, overrides, comments) per call."""
    title = (
        f"Call: {transcripts[0][0].scenario_title or transcripts[0][0].scenario_id}"
        if len(transcripts) == 1
        else f"{len(transcripts)} calls"
    )
    body = [_html_call(*item) for item in transcripts]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{h(title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n<hr>\n".join(body)
        + "\n</body></html>\n"
    )


def _html_call(
    t: Transcript,
    grade: Grade | None,
    overrides: Iterable[DimensionScore],
    comments: Sequence[Comment],
) -> str:
    out = [f'<article><h1>{h(t.scenario_title or t.scenario_id)}</h1><dl class="facts">']
    out += [f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in header_facts(t)]
    out.append("</dl><h2>Transcript</h2>")
    notes = _comments_by_turn(comments)
    for turn in t.turns:
        who = SPEAKERS.get(turn.speaker, turn.speaker)
        details = turn_details(turn)
        out.append(
            f'<div class="turn {h(turn.speaker)}"><span class="when">{clock(turn.at)}</span> '
            f'<span class="who">{h(who)}:</span> {h(turn_text(turn))}'
            + (f'<div class="details">{h("; ".join(details))}</div>' if details else "")
            + "</div>"
        )
        for c in notes.get(turn.index, ()):
            out.append(f'<div class="comment">Mentor{h(_by(c))}: {h(c.text)}</div>')
    out.append("<h2>Wrap-up notes</h2>")
    out.append(f'<div class="turn">{h(t.wrap_up)}</div>' if t.wrap_up else "<p>(none)</p>")
    for c in notes.get(None, ()):
        out.append(f'<div class="comment">Mentor{h(_by(c))}: {h(c.text)}</div>')
    out.append("<h2>Grade</h2>")
    view = grade_view(grade, overrides or ())
    if view is None:
        out.append("<p>Not graded.</p>")
    else:
        out.append(f"<p><strong>Total: {h(number(view.total))}</strong></p>")
        out.append("<table><tr><th>Dimension</th><th>Score</th><th>Mentor</th></tr>")
        for s in view.scores:
            mentor = "" if s.override is None else f"{number(s.override)}: {s.reason or ''}"
            out.append(
                f"<tr><td>{h(s.title)}</td><td>{h(number(s.auto))}</td><td>{h(mentor)}</td></tr>"
            )
        out.append("</table>")
        for title, items in (("Critical flags", view.flags), ("Feedback", view.feedback)):
            if items:
                out.append(f"<h3>{h(title)}</h3><ul>")
                out += [f"<li>{h(i)}</li>" for i in items]
                out.append("</ul>")
        if view.kpis:
            out.append("<h3>Indicators</h3><ul>")
            out += [f"<li>{h(k)}: {h(v)}</li>" for k, v in view.kpis]
            out.append("</ul>")
    out.append("</article>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# CSV

CSV_COLUMNS = (
    "call_id", "trainee", "scenario_id", "started_at", "turn", "at_seconds", "speaker", "text",
    "stage", "stage_after", "mood_before", "mood_after", "intent", "tags", "action", "arg",
    "result", "hint_used",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will show as text: a leading = + - @ (or tab/CR) gets a quote, and
    control characters are visible placeholders (a CSV is also read with `cat`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (int, float)):
        return value
    text = terminal_safe(str(value))
    if text.startswith(_FORMULA_START) or text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_rows(t: Transcript) -> Iterable[list[Any]]:
    for turn in t.turns:
        raw = [
            t.call_id, t.trainee, t.scenario_id, t.started_at, turn.index, turn.at, turn.speaker,
            turn.text, turn.stage, turn.stage_after, turn.mood_before, turn.mood_after,
            turn.intent, ";".join(turn.tags), turn.action, turn.arg, turn.result, turn.hint_used,
        ]  # fmt: skip
        yield [csv_cell(v) for v in raw]


def to_csv(transcripts: Iterable[Transcript]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for t in transcripts:
        writer.writerows(csv_rows(t))
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# JSON, and reading it back


def call_json(transcript: Transcript, grade: Grade | None = None) -> dict[str, Any]:
    data = transcript.model_dump(mode="json")
    if grade is not None:
        data["grade"] = grade.to_json()
    return data


def to_json(calls: Sequence[tuple[Transcript, Grade | None]]) -> str:
    data: Any = [call_json(t, g) for t, g in calls]
    if len(data) == 1:
        data = data[0]
    return json_text(data) + "\n"


class ImportProblem(ValueError):
    """Why a file cannot be imported, said for the person who has it."""


#: Keys `callsim run --script --json` adds around a transcript; dropped on import.
_RUN_EXTRAS = ("scenario", "problems")


def read_calls(raw: bytes, name: str) -> list[tuple[Transcript, Grade | None]]:
    """Transcripts (with grades) from an exported or `run --json` file: one object or a list.

    A grade must be one callsim wrote (`Grade.from_json` reads it): a file whose grade is not
    is refused whole, like any other damage, rather than stored for the screens to trip on.
    """
    from callsim.grading.grader import Grade, GradeFormatError

    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblem(f"{name}: larger than {MAX_IMPORT_BYTES // 2**20} MB; not a transcript")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportProblem(f"{name}: not a text file (not UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ImportProblem(f"{name}: an empty list, no calls in it")
    out = []
    for n, item in enumerate(items):
        where = name if len(items) == 1 else f"{name}: call {n + 1}"
        if not isinstance(item, dict) or item.get("format") != TRANSCRIPT_FORMAT:
            raise ImportProblem(
                f'{where}: not a callsim transcript (no "format": "{TRANSCRIPT_FORMAT}"); '
                "export calls with 'callsim export ID --format json'"
            )
        item = dict(item)
        grade = item.pop("grade", None)
        for key in _RUN_EXTRAS:
            item.pop(key, None)
        try:
            decoded = None if grade is None else Grade.from_json(grade)
        except GradeFormatError as exc:
            raise ImportProblem(f"{where}: {exc}") from None
        try:
            transcript = Transcript.model_validate(item)
        except ValidationError as exc:
            problems = [
                f"{where}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                for e in exc.errors()[:10]
            ]
            more = exc.error_count() - len(problems)
            raise ImportProblem(
                "\n".join(problems) + (f"\n{where}: ... and {more} more" if more > 0 else "")
            ) from None
        if [t.index for t in transcript.turns] != list(range(len(transcript.turns))):
            raise ImportProblem(f"{where}: turns: indexes must run 0, 1, 2, ... in order")
        out.append((transcript, decoded))
    return out
