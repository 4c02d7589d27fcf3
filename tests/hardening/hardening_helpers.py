"""What the hardening tests share: what may never reach a terminal, and small seams."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Characters that must never reach a terminal raw: C0 controls but newline and tab (ESC, BEL,
#: CR, backspace...), DEL, C1 controls (8-bit CSI/OSC), bidi embeddings, overrides, isolates
#: and marks, and the Unicode line/paragraph separators.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def unsafe_in(text: str) -> list[str]:
    """The unsafe characters in `text`, as code points, for a readable failure.

    CR LF is a line end (CSV rows end so), not a carriage return that overwrites a line.
    """
    return sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text.replace("\r\n", "\n"))})


def screen_text(app) -> str:
    """What the app's current screen shows, line by line, as painted."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


@dataclass
class Tagged:
    tags: list[str]
    evidence: dict[str, str] = field(default_factory=dict)


def stub_tagger(text: str, customer: str | None = None, history=()) -> Tagged:
    """Keyword tags, so these tests do not hang on the real tagger's judgement."""
    return Tagged(["empathy"] if "sorry" in text.lower() else [], {})
