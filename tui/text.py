"""Untrusted text (scenario lines, trainee replies, notes) made safe to show in a widget.

Everything a person typed goes through here: it becomes a `Content` object (never parsed as
markup, so `[/]` or `[red]x` show as typed), with control characters such as ESC made visible
by `terminal_safe` rather than reaching the terminal or being silently dropped.
"""

from __future__ import annotations

from textual.content import Content

from callsim.sim.textsafe import terminal_safe


def plain(text: str | None, *, keep_newlines: bool = True) -> Content:
    """Verbatim text as inert `Content`."""
    return Content(terminal_safe(text or "", keep_newlines=keep_newlines))


def styled(text: str | None, style: str, *, keep_newlines: bool = True) -> Content:
    """Verbatim text with one style of ours applied to all of it."""
    return plain(text, keep_newlines=keep_newlines).stylize(style)


def join(*parts: Content | str) -> Content:
    """Join our own literal strings and already-safe Content (strings here are ours, not markup)."""
    return Content.assemble(*[p if isinstance(p, Content) else Content(p) for p in parts])


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
