"""Line mode's text fitted to the terminal: wrapped at word boundaries, never inside a word.

A continuation line hangs under the text, not under its label ("Customer: ", "- ", a debrief's
value column), so a long reply still reads as one block. Output that is not a terminal (a pipe,
a file, a script's captured output) is never wrapped: scripts and tests see whole lines.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

#: A line's label: leading spaces, a bullet, then "Customer: " or "[Check the bill] ".
_LABEL = re.compile(
    r"[ ]*(?:(?:[-+!*•]|\d+\.)[ ]+)?"  # indent, bullet or number
    r"(?:[A-Z][\w' -]{0,23}:[ ]+|\[[^\]\n]{1,40}\][ ]+)?"  # "Customer: ", "[Check the bill] "
)
#: A row of columns: a name, two or more spaces, the value ("  Handling time     4m 03s ...").
_COLUMN = re.compile(r"[ ]*\S(?:.*?\S)?[ ]{2,}(?=\S)")


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The columns to wrap at, or None when `stream` (stdout) is not a terminal."""
    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # a replaced or closed stream
        return None
    return shutil.get_terminal_size().columns  # COLUMNS wins, then the terminal's own size


def hanging_indent(line: str, width: int) -> int:
    """Where a wrapped line's continuation starts: under the text after its label."""
    label = _LABEL.match(line)
    indent = label.end() if label else 0
    if indent == len(line) - len(line.lstrip(" ")) and (column := _COLUMN.match(line)):
        indent = column.end()
    if indent > width // 2:  # a long label would leave a thin ribbon: indent a little instead
        indent = len(line) - len(line.lstrip(" ")) + 2
    return indent


def wrap(text: str, width: int | None) -> str:
    """`text` with each line wrapped to `width` at word boundaries; unchanged when None."""
    if width is None or width < 20:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        out.append(
            textwrap.fill(
                line,
                width,
                subsequent_indent=" " * hanging_indent(line, width),
                break_long_words=False,  # a word longer than the line keeps its letters together
                break_on_hyphens=False,  # ids like broadband-down-repeat-caller stay whole
            )
        )
    return "\n".join(out)


def printer(stream: TextIO | None = None) -> Callable[[str], None]:
    """A `print` for line mode: wraps to the terminal's width, looked up at each line (the
    window may be resized during a call), and leaves piped output alone."""

    def write(text: str = "") -> None:
        out = stream or sys.stdout
        print(wrap(text, terminal_width(out)), file=out)

    return write
