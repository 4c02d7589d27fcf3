"""The printable HTML page, rendered from a Jinja2 template (callsim's own or a team's).

Why a template: a training department can re-brand the page (`--template FILE`) without
touching callsim, and one template serves a call, several calls and a trainee's progress report.
Why it stays safe with anyone's template: every text handed to it has control characters made
visible first (`terminal_safe`), and autoescaping plus `finalize` escape every `{{ value }}`
exactly as `html.escape` does, so a template cannot forget to escape a trainee's words. The
template runs sandboxed (no attribute tricks into Python), and a name it uses that the page does
not give is an error (`StrictUndefined`) rather than a silently empty cell. Any error, while
reading or while rendering, is a `TemplateProblem` naming the template's file and line.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from callsim.sim.textsafe import terminal_safe

DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "page.html.j2"
#: A template larger than this is refused unread (a page template is a few KiB).
MAX_TEMPLATE_BYTES = 1024 * 1024

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}
.turn{margin:.6em 0;padding:.4em .7em;border-left:4px solid #bbb;white-space:pre-wrap}
.customer{border-color:#c0392b}.trainee{border-color:#2471a3;background:#f4f8fb}
.action{border-color:#7d6608;font-style:italic}.who{font-weight:600}.when{color:#666}
.details{color:#555;font-size:.9em;white-space:normal}
.comment{margin:.3em 0 .3em 1em;padding:.3em .6em;background:#fff8dc;border:1px solid #e6d9a8}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
td.chart{font-family:monospace;letter-spacing:-.05em}
@media print{body{margin:0;max-width:none}.turn{break-inside:avoid}}
"""


class TemplateProblem(Exception):
    """A page template that cannot be read or rendered, said as `FILE:LINE: error: MESSAGE`."""


def _safe(value: Any) -> Any:
    """Every text inside `value` with control characters made visible (containers rebuilt)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return terminal_safe(value)
    if isinstance(value, Mapping):
        return {_safe(k): _safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe(v) for v in value]
    return value


def _finalize(value: Any) -> Any:
    """What `{{ value }}` prints: escaped as `html.escape` escapes (None prints nothing)."""
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(terminal_safe(str(value)), quote=True))


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateProblem(
                f"{path}: error: {size:,} bytes; a page template is refused over "
                f"{MAX_TEMPLATE_BYTES:,}"
            )
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateProblem(f"{path}: error: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise TemplateProblem(f"{path}: error: cannot read it: {exc.strerror or exc}") from None


def _line_of(exc: BaseException, filename: str) -> int | None:
    """The template line an error was raised at (Jinja2 puts template frames in the traceback)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_page(
    *,
    title: str,
    calls: Sequence[Mapping[str, Any]] = (),
    progress: Mapping[str, Any] | None = None,
    template: Path | None = None,
) -> str:
    """The page for these calls (`call_context`) and/or a progress report, from `template`
    (default: callsim's own). Raises TemplateProblem."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    path = template or DEFAULT_TEMPLATE
    source = _read(path)
    filename = str(path)

    def load(name: str) -> tuple[str, str, Any] | None:
        return (source, filename, lambda: True) if name == "page" else None

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    try:
        page = env.get_template("page")
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{path}:{exc.lineno}: error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"{path}: error: {exc}") from None
    context = {
        "title": _safe(title),
        "calls": _safe(list(calls)),
        "progress": _safe(dict(progress)) if progress is not None else None,
        "css": Markup(CSS),
    }
    try:
        return page.render(context)
    except Exception as exc:  # a team's template can fail in any way: say where, never a trace
        line = _line_of(exc, filename)
        where = f"{path}:{line}" if line else str(path)
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise TemplateProblem(f"{where}: error: {message}") from None


def call_context(
    transcript: Any, grade: Any = None, overrides: Any = (), comments: Sequence[Any] = ()
) -> dict[str, Any]:
    """What the page is given for one call (its keys are documented in docs/mentor-guide.md)."""
    from callsim.sim.export import (
        SPEAKERS,
        _comments_by_turn,
        clock,
        grade_view,
        header_facts,
        number,
        turn_details,
        turn_text,
    )

    t = transcript
    notes = _comments_by_turn(comments)

    def said(items: Sequence[Any]) -> list[dict[str, Any]]:
        return [{"author": c.author, "text": c.text} for c in items]

    view = grade_view(grade, overrides or ())
    return {
        "id": t.call_id,
        "title": t.scenario_title or t.scenario_id,
        "trainee": t.trainee,
        "facts": [list(f) for f in header_facts(t)],
        "turns": [
            {
                "index": turn.index,
                "speaker": turn.speaker,
                "who": SPEAKERS.get(turn.speaker, turn.speaker),
                "when": clock(turn.at),
                "text": turn_text(turn),
                "details": turn_details(turn),
                "comments": said(notes.get(turn.index, ())),
            }
            for turn in t.turns
        ],
        "wrap_up": t.wrap_up,
        "comments": said(notes.get(None, ())),
        "grade": None
        if view is None
        else {
            "total": view.total,
            "headline": view.headline,
            "corrections": view.corrections,
            "notes": view.notes,
            "scores": [
                {
                    "dimension": s.dimension,
                    "title": s.title,
                    "score": number(s.auto),
                    "mentor": None if s.override is None else number(s.override),
                    "reason": s.reason or "",
                }
                for s in view.scores
            ],
            "flags": view.flags,
            "feedback": view.feedback,
            "kpis": [list(k) for k in view.kpis],
        },
    }
