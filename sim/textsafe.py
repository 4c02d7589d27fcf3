"""Making untrusted text safe to print on a terminal.

Scenario lines, trainee replies and imported transcripts may contain escape sequences (ESC [ ...),
carriage returns that overwrite what a mentor sees, or bidi overrides that reorder it. Printed
as-is they would reach the terminal as commands; here they become visible, inert placeholders.
JSON must stay exact (it is read back), so `json_text` writes the same characters as escapes.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

_KEEP = {"\n", "\t"}


def visible(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"
    return f"\\U{code:08x}"


def hidden(char: str) -> bool:
    """A control or format character (C0, C1, DEL, bidi overrides, line separators...)."""
    return (
        unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
        and char != "\u200d"  # zero-width joiner: part of many emoji
    )


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """Text with every control or format character (C0, C1, DEL, bidi overrides) made visible."""
    if text.isprintable():  # none of them (nor a newline or tab): nearly every line printed
        return text
    out = []
    for ch in text:
        if ch in _KEEP and (keep_newlines or ch == "\t"):
            out.append(ch)
        elif hidden(ch):
            out.append(visible(ch))
        else:
            out.append(ch)
    return "".join(out)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """`data` as JSON that is safe to print and reads back exactly.

    `json.dumps(ensure_ascii=False)` escapes C0 controls but leaves C1 controls (8-bit CSI),
    DEL and bidi overrides raw; they are escaped here too. Other text (accents, emoji, RTL
    letters) stays readable.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(_json_escape(ch) if ch != "\n" and hidden(ch) else ch for ch in text)
