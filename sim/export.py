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
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from callsim.engine.models import outcome_words
from callsim.engine.transcript import TRANSCRIPT_FORMAT, Transcript, Turn
from callsim.sim.textsafe import json_text, terminal_safe

if TYPE_CHECKING:
    from callsim.grading.adjusted import Corrections
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
    """A grade as the plain-text, Markdown and HTML views show it, with mentors' overrides.

    `total` and `headline` are the mentor-adjusted grade when a mentor corrected it
    (grading/adjusted.py), and `corrections` says who changed what, when and why.
    """

    total: float | None = None
    headline: str = ""
    corrections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)


def grade_view(
    grade: Grade | None, overrides: Iterable[DimensionScore] | Corrections = ()
) -> GradeView | None:
    """The grade as shown, a mentor's corrections applied. `overrides` is the store's
    `corrections(call_id)` (overrides and cleared flags, with who and when), or the call's
    dimension scores (overrides only)."""
    if grade is None:
        return None
    from callsim.grading.adjusted import (
        Corrections,
        DimensionOverride,
        adjust,
        correction_lines,
        who_when,
    )

    if not isinstance(overrides, Corrections):
        overrides = Corrections(
            tuple(
                DimensionOverride(o.dimension, o.override, o.reason or "", o.author)
                for o in overrides
                if o.override is not None
            )
        )
    adjusted = adjust(grade, overrides)
    by_dim = {o.dimension: o for o in overrides.overrides}
    view = GradeView(
        total=adjusted.score,
        headline=adjusted.headline(),
        corrections=correction_lines(adjusted),
        notes=list(grade.warnings),
    )
    for d in grade.dimensions:
        o = by_dim.pop(d.id, None)
        view.scores.append(
            Score(d.id, d.title or d.id, d.score, o.score if o else None, o.reason if o else None)
        )
    for dim, o in by_dim.items():
        view.scores.append(Score(dim, dim, None, o.score, o.reason))
    view.flags = [f.message for f in adjusted.flags]
    cleared = {c.flag: c for c in overrides.cleared_flags}
    for f in adjusted.cleared:
        c = cleared[f.id]
        view.flags.append(
            f"{f.message} (cleared by {who_when(c.author, c.at)}: {c.reason}; no longer caps "
            "the total)"
        )
    view.feedback = [f.text for f in grade.feedback]
    view.kpis = [
        (k.replace("_", " "), "" if v is None else str(v)) for k, v in grade.kpis.to_json().items()
    ]
    return view


def clock(seconds: float) -> str:
    if not math.isfinite(seconds):  # a call stored before imports were checked
        return "--:--"
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
        ("Outcome", outcome_words(t.outcome, none="open (not finished)")),
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
    overrides: Iterable[DimensionScore] | Corrections = (),
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
        out += [f"**Total:** {md_escape(view.headline)}", ""]
        if view.corrections:
            out += ["**Mentor's correction:**", ""]
            out += [f"- {md_escape(line)}" for line in view.corrections] + [""]
        out += [f"*Note: {md_escape(n)}*  " for n in view.notes] + ([""] if view.notes else [])
        out += [
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


def h(text: Any) -> str:
    return html.escape(terminal_safe(str(text)), quote=True)


def to_html(
    transcripts: Sequence[
        tuple[Transcript, Grade | None, Iterable[DimensionScore] | Corrections, Sequence[Comment]]
    ],
    *,
    template: Path | None = None,
) -> str:
    """One self-contained printable page: (transcript, grade, overrides, comments) per call,
    rendered from `template` (default callsim's own, sim/templates/page.html.j2; sim/page.py).
    Raises `sim.page.TemplateProblem` for a template that cannot be read or rendered."""
    from callsim.sim.page import call_context, render_page

    title = (
        f"Call: {transcripts[0][0].scenario_title or transcripts[0][0].scenario_id}"
        if len(transcripts) == 1
        else f"{len(transcripts)} calls"
    )
    calls = [call_context(*item) for item in transcripts]
    return render_page(title=title, calls=calls, template=template)


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


#: The per-call CSV's columns before the rubric's dimensions, and the one after them.
PER_CALL_COLUMNS = (
    "call_id", "trainee", "scenario_id", "scenario_version", "date", "mode", "outcome",
    "handling_seconds", "target_seconds", "total",
)  # fmt: skip
PER_CALL_LAST = "mentor_adjusted_total"


def local_minute(started_at: str) -> str:
    """A stored UTC time as local `YYYY-MM-DD HH:MM`, which spreadsheets read as a date."""
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except (ValueError, TypeError):
        return started_at[:16] if isinstance(started_at, str) else ""


def _whole(value: float | None) -> float | int | None:
    """95.0 as 95, so a spreadsheet cell reads as the score was given."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def to_csv_per_call(
    calls: Sequence[tuple[Transcript, Grade | None, Iterable[DimensionScore] | Corrections]],
) -> str:
    """One row per call, for a spreadsheet: who, which scenario and version, when (local
    time), mode, how it ended, handling time in seconds, the auto-graded total, one column per
    rubric dimension (the mentor's score where a mentor overrode it), and the mentor-adjusted
    total (empty when no mentor corrected the call). Dimension columns are the dimensions of
    every call exported, by title, in the order first met; a dimension a call's grade did not
    score is empty."""
    rows: list[tuple[Transcript, Grade | None, GradeView | None]] = [
        (t, g, grade_view(g, o or ())) for t, g, o in calls
    ]
    titles: dict[str, str] = {}
    for _, _, view in rows:
        for s in view.scores if view else ():
            titles.setdefault(s.dimension, s.title)
    shown = list(titles.values())
    headers = [
        title if shown.count(title) == 1 else f"{title} ({dim})" for dim, title in titles.items()
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([*PER_CALL_COLUMNS, *headers, PER_CALL_LAST])
    for t, grade, view in rows:
        scores = {
            s.dimension: s.auto if s.override is None else s.override
            for s in (view.scores if view else ())
        }
        corrected = view is not None and bool(view.corrections)
        raw = [
            t.call_id, t.trainee, t.scenario_id, t.scenario_version, local_minute(t.started_at),
            t.mode, outcome_words(t.outcome, short=True, none="open"),
            round(t.duration_seconds) if math.isfinite(t.duration_seconds) else None,
            t.target_seconds, None if grade is None else grade.score,
            *(_whole(scores.get(dim)) for dim in titles),
            _whole(view.total) if corrected and view is not None else None,
        ]  # fmt: skip
        writer.writerow([csv_cell(v) for v in raw])
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

#: A call id that is safe as a file name and in a command line: what callsim writes (32 hex
#: digits) and other tools' ids alike, but no '/', '.', spaces or anything a shell or a path
#: reads; at least 8 characters, so it has a whole short id of its own.
CALL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$")
#: How many characters of a call id the lists show and commands take; an imported id must not
#: share them with another call's (`callsim show 5c1f0e9a` must name one call).
SHORT_ID = 8
#: Bounds on an imported call's numbers: all finite, none beyond what a call can hold.
MAX_NUMBER = 10**9
MAX_SECONDS = 10**8  # over three years since the call started
MAX_DEPTH = 16  # a callsim call nests 5 levels deep
#: What an imported grade says when it could not be re-graded here.
IMPORTED_GRADE = "as graded on the other machine (imported with the call; not re-graded here)"


@dataclass
class ImportBatch:
    """What one file holds: the calls that passed every check, and why the others did not."""

    calls: list[tuple[Transcript, Grade | None]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _json_number(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return f"{value:.3g}" if isinstance(value, float) else _big(value)


def _big(value: int) -> str:
    digits = len(str(abs(value)))
    return str(value) if digits <= 12 else f"a {digits}-digit number"


def number_problems(item: Any) -> list[str]:
    """Numbers that are not finite or beyond any call's, and nesting deeper than any call's.

    Walked without recursion, so a hostile file cannot exhaust the stack; checked before the
    models see the call, since a NaN or 10**30 that passes them breaks a screen, an export or
    the store later (an OverflowError half-way through an import).
    """
    found: list[str] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(item, ())]
    while stack and len(found) < 5:
        value, path = stack.pop()
        where = ".".join(str(p) for p in path) or "(top level)"
        if len(path) > MAX_DEPTH:
            found.append(f"{where}: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, float) and not math.isfinite(value):
            found.append(f"{where}: {_json_number(value)} is not a finite number")
        elif isinstance(value, (int, float)) and abs(value) > MAX_NUMBER:
            found.append(f"{where}: {_json_number(value)} is out of range")
    return found


def _parses(when: str) -> bool:
    try:
        datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def transcript_problems(t: Transcript) -> list[str]:
    """What a valid-looking transcript holds that no call can: ids of an unsafe shape, times
    that do not parse, numbers out of their range, turns out of order."""
    from callsim.engine.models import IDENT_RE

    out: list[str] = []
    if not CALL_ID_RE.match(t.call_id):
        out.append(
            f"call_id: '{t.call_id[:80]}' is not a call id (8-64 letters, digits, '-' or '_', "
            "starting with a letter or digit)"
        )
    if not IDENT_RE.match(t.scenario_id):
        out.append(f"scenario_id: '{t.scenario_id[:80]}' is not a scenario id")
    for key in ("started_at", "ended_at"):
        when = getattr(t, key)
        if when is not None and not _parses(when):
            out.append(f"{key}: '{when[:80]}' is not a date and time (ISO 8601)")

    def within(where: str, value: float | None, low: float, high: float) -> None:
        if value is not None and not low <= value <= high:
            out.append(f"{where}: {number(value)} is outside {low:g} to {high:g}")

    within("opening_mood", t.opening_mood, 0, 10)
    within("final_mood", t.final_mood, 0, 10)
    within("duration_seconds", t.duration_seconds, 0, MAX_SECONDS)
    within("target_seconds", t.target_seconds, 0, MAX_SECONDS)
    within("hints_used", t.hints_used, 0, MAX_NUMBER)
    for turn in t.turns:
        at = f"turns.{turn.index}"
        within(f"{at}.at", turn.at, 0, MAX_SECONDS)
        within(f"{at}.mood_before", turn.mood_before, 0, 10)
        within(f"{at}.mood_after", turn.mood_after, 0, 10)
        within(f"{at}.score", turn.score, 0, 100)
    if [turn.index for turn in t.turns] != list(range(len(t.turns))):
        out.append("turns: indexes must run 0, 1, 2, ... in order")
    return out[:10]


def grade_problems(grade: Grade) -> list[str]:
    """Scores outside 0-100 (the models take any finite number)."""
    out: list[str] = []
    for where, score in (
        ("grade.score", grade.score),
        *((f"grade.dimensions '{d.id[:40]}'.score", d.score) for d in grade.dimensions),
    ):
        if score is not None and not 0 <= score <= 100:
            out.append(f"{where}: {number(score)} is outside 0 to 100")
    return out


def read_import(raw: bytes, name: str) -> ImportBatch:
    """Every call in an exported or `run --json` file, each checked in full before any is kept.

    A file that is not a callsim export at all (not JSON, another tool's JSON) raises
    ImportProblem. Otherwise each call is checked on its own: the models (unknown keys, sizes),
    finite numbers in range, safe ids, dates that parse, turns in order, and a grade callsim
    wrote (`Grade.from_json`) for this call. A call failing any check is skipped with its
    reasons and the others are kept, so one bad call never stops the rest.
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
    except RecursionError:
        raise ImportProblem(f"{name}: JSON nested too deeply; not a transcript") from None
    except ValueError:  # Python reads no integer of more than 4,300 digits
        raise ImportProblem(f"{name}: a number too long to read; not a transcript") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ImportProblem(f"{name}: an empty list, no calls in it")
    if not any(isinstance(i, dict) and i.get("format") == TRANSCRIPT_FORMAT for i in items):
        where = name if len(items) == 1 else f"{name}: call 1"
        raise ImportProblem(
            f'{where}: not a callsim transcript (no "format": "{TRANSCRIPT_FORMAT}"); '
            "export calls with 'callsim export ID --format json'"
        )
    batch = ImportBatch()
    for n, item in enumerate(items):
        where = name if len(items) == 1 else f"{name}: call {n + 1}"
        problems = _call_problems(item)
        if problems:
            batch.skipped.extend(f"{where}: {p}" for p in problems)
            continue
        item = dict(item)
        sent = item.pop("grade", None)
        for key in _RUN_EXTRAS:
            item.pop(key, None)
        try:
            transcript = Transcript.model_validate(item)
        except ValidationError as exc:
            shown = [
                f"{where}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                for e in exc.errors()[:10]
            ]
            more = exc.error_count() - len(shown)
            batch.skipped.extend(shown + ([f"{where}: ... and {more} more"] if more > 0 else []))
            continue
        problems = transcript_problems(transcript)
        try:
            grade = None if sent is None else Grade.from_json(sent)
        except GradeFormatError as exc:
            problems.append(str(exc))
        except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            problems.append(f"grade: cannot be read ({type(exc).__name__})")
        else:
            if grade is not None:
                problems += grade_problems(grade)
        if problems:
            batch.skipped.extend(f"{where}: {p}" for p in problems)
            continue
        batch.calls.append((transcript, grade))
    return batch


def _call_problems(item: Any) -> list[str]:
    if not isinstance(item, dict) or item.get("format") != TRANSCRIPT_FORMAT:
        return [f'not a callsim transcript (no "format": "{TRANSCRIPT_FORMAT}")']
    return number_problems(item)


def read_calls(raw: bytes, name: str) -> list[tuple[Transcript, Grade | None]]:
    """Every call in the file, or ImportProblem with every reason if any call is bad.

    For one-file uses (tests, `grade`); `callsim import` uses `read_import` to keep the good
    calls of a file with a bad one.
    """
    batch = read_import(raw, name)
    if batch.skipped:
        raise ImportProblem("\n".join(batch.skipped))
    return batch.calls


def mark_imported(grade: Grade) -> Grade:
    """A grade sent with an imported call and not re-graded here, saying so wherever shown."""
    from dataclasses import replace

    if IMPORTED_GRADE in grade.warnings:
        return grade
    return replace(grade, warnings=(IMPORTED_GRADE, *grade.warnings))
