"""Making untrusted text safe to print on a terminal.

Scenario lines, trainee replies and imported transcripts may contain escape sequences (ESC [ ...),
carriage returns that overwrite what a mentor sees, or bidi overrides that reorder it. Printed
as-is they would reach the terminal as commands; here they become visible, inert placeholders.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def visible(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"
    return f"\\U{code:08x}"


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """Text with every control or format character (C0, C1, DEL, bidi overrides) made visible."""
    out = []
    for ch in text:
        if ch in _KEEP and (keep_newlines or ch == "\t"):
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") and ch not in (
            "\u200d",  # zero-width joiner: part of many emoji
        ):
            out.append(visible(ch))
        else:
            out.append(ch)
    return "".join(out)
