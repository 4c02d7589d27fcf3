"""Strict, position-keeping YAML reading for files written by other people.

PyYAML (libyaml where present) does the parsing; this module builds plain Python values from
its event stream so that it can (a) remember where every key and value came from, for
`FILE:LINE:COL` messages, and (b) refuse what a safe loader lets through quietly: aliases and
anchors (alias bombs, action at a distance), duplicate keys (silently overwritten otherwise),
explicit tags such as `!!python/object`, runaway nesting, and YAML 1.1 guessing, where `no`,
`off` and `1:30` stop being the text the trainer wrote. Plain scalars follow the YAML 1.2 core
schema instead: only `true`/`false`, `null`/`~`, and plain numbers change type.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's parser when built; never the unsafe CLoader.
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
TOO_DEEP = f"lists and mappings nested deeper than {MAX_DEPTH} levels; not read further"

#: A path into the loaded data: mapping keys and sequence indexes.
DataPath = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {_STR_TAG, "!"}
#: The plain scalars that are null or true or false in the core schema, and nothing else is.
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("~", "null", "Null", "NULL", ""), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
#: First characters of every plain scalar that can be a number in the core schema.
_NUMBER_STARTS = frozenset("+-.0123456789")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in a file, at a place a trainer can jump to."""

    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


#: Where the items of one list or mapping stand: a mapping's table maps each key to (the key's
#: position, the value's position, the value's table or None); a list's holds (the item's
#: position, its table or None) per item.
PositionTable = dict[str, tuple[tuple[int, int], tuple[int, int], Any]] | list[
    tuple[tuple[int, int], Any]
]


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a loaded file stands in the text.

    Kept in the file's own shape (a table per list and mapping, see PositionTable), filled as
    the file is read: no path into the data is built unless a message asks for one.
    """

    path: str
    root: tuple[int, int] | None = None
    table: PositionTable | None = None

    def locate(self, data_path: DataPath, *, key: bool = False) -> tuple[int, int]:
        """The position of `data_path` (of its key, with `key`, where it has one), or of its
        nearest ancestor that exists."""
        if self.root is None:
            return (1, 1)
        pos, key_pos, table = self.root, None, self.table
        for part in data_path:
            if isinstance(table, dict):
                entry = table.get(part) if isinstance(part, str) else None
                if entry is None:
                    break
                key_pos, pos, table = entry
            elif isinstance(table, list) and isinstance(part, int) and 0 <= part < len(table):
                (pos, table), key_pos = table[part], None
            else:
                break
        return key_pos if key and key_pos is not None else pos

    @property
    def values(self) -> dict[DataPath, tuple[int, int]]:
        """Every value's position by its path (for tests and tools; `locate` reads less)."""
        return dict(self._walk(key=False))

    @property
    def keys(self) -> dict[DataPath, tuple[int, int]]:
        """Every mapping key's position by the path of its value."""
        return dict(self._walk(key=True))

    def _walk(self, *, key: bool) -> Iterator[tuple[DataPath, tuple[int, int]]]:
        if self.root is None:
            return
        if not key:
            yield (), self.root
        todo: list[tuple[DataPath, Any]] = [((), self.table)]
        while todo:
            path, table = todo.pop()
            if isinstance(table, dict):
                for k, (key_pos, pos, inner) in table.items():
                    yield (*path, k), key_pos if key else pos
                    todo.append(((*path, k), inner))
            elif isinstance(table, list):
                for i, (pos, inner) in enumerate(table):
                    if not key:
                        yield (*path, i), pos
                    todo.append(((*path, i), inner))


class FileProblems(Exception):
    """A file a person wrote has problems; `problems` lists every one, each at FILE:LINE:COL."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class YamlError(FileProblems):
    """The file could not be read as strict YAML."""


def read_text(path: Path, display: str | None = None) -> str:
    """Read a file as UTF-8 text, refusing oversized and binary files with a positioned error."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(
            [Problem(name, 1, 1, "error", f"cannot read file: {exc.strerror}")]
        ) from None
    if size > MAX_BYTES:
        raise YamlError(
            [Problem(name, 1, 1, "error", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlError(
            [Problem(name, 1, 1, "error", f"cannot read file: {exc.strerror}")]
        ) from None
    if len(raw) > MAX_BYTES:
        raise YamlError([Problem(name, 1, 1, "error", f"file is over {MAX_BYTES:,} bytes")])
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (an optional BOM allowed); NUL bytes or invalid UTF-8 mean a binary file."""
    wide = _wide_encoding(raw)
    if wide:  # Notepad's "Unicode": text, but not in the encoding scenario files use
        raise YamlError(
            [Problem(name, 1, 1, "error", f"the file is saved as {wide} text: save it as UTF-8")]
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _offset_position(raw, nul)
        raise YamlError(
            [Problem(name, line, col, "error", "binary data (NUL byte): not a text file")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _offset_position(raw, exc.start)
        raise YamlError(
            [Problem(name, line, col, "error", "not UTF-8 text (binary data or another encoding)")]
        ) from None
    return text


def _wide_encoding(raw: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' when the bytes start with that byte-order mark or look like it."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = raw[:8]
    if len(head) == 8 and (head[1::2] == b"\x00" * 4 or head[0::2] == b"\x00" * 4):
        return "UTF-16"  # ASCII text with every other byte NUL, no byte-order mark
    return None


def _offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def load(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document strictly into plain values plus a SourceMap.

    Raises YamlError listing every structural problem found (aliases, tags, duplicate keys...);
    a syntax error stops parsing, so it is reported alone.
    """
    if len(text) > MAX_BYTES:
        raise YamlError(
            [Problem(name, 1, 1, "error", f"file is over {MAX_BYTES:,} characters; not read")]
        )
    cut = _deep_flow_cut(text)
    if cut is not None:
        # libyaml queues every flow token before handing over the first event, so its own
        # nesting limit (1,000 levels since PyYAML 6.0.2) would fire before ours. Reading just
        # the text up to the bracket that opens one level too many gives our message at the
        # place a trainer must fix; anything else found there means the cut misread the
        # text, and the whole file is read as usual.
        source, builder = _parse(text[:cut], name, _line_mapper(text))
        if builder.too_deep:
            raise YamlError(sorted(set(builder.problems)))
    source, builder = _parse(text, name, _line_mapper(text))
    if builder.problems:
        raise YamlError(sorted(set(builder.problems)))
    if builder.documents == 0:
        raise YamlError([Problem(name, 1, 1, "error", "the file is empty")])
    return builder.result, source


def load_head(text: str, name: str, enough: Callable[[dict[str, Any]], bool]) -> dict | None:
    """The top of a mapping document, read by `load`'s strict rules until `enough` says so.

    For a quick look at a file (the app's scenario list) that must not cost a full read: the
    top-level mapping is handed to `enough` after each complete entry, and reading stops once
    it returns True. None when the text read so far breaks any rule or is no mapping: `load`
    then reports the problems with their places.
    """
    if len(text) > MAX_BYTES:
        return None
    builder = _Builder(name, SourceMap(name))
    loader = _SafeLoader(text)
    try:
        while True:
            event = loader.get_event()
            if event is None or type(event) is yaml.StreamEndEvent:
                break
            builder.feed(event)
            if builder.problems:
                return None
            stack = builder.stack
            if len(stack) == 1 and stack[0][2] is _NO_KEY and isinstance(stack[0][0], dict):
                if enough(stack[0][0]):
                    return stack[0][0]
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    return builder.result if isinstance(builder.result, dict) else None


def _parse(text: str, name: str, line_mapper: Any) -> tuple[SourceMap, _Builder]:
    """Feed libyaml's events for `text` to a builder; problems are left on the builder."""
    source = SourceMap(name)
    builder = _Builder(name, source, line_mapper)
    loader = _SafeLoader(text)
    try:
        builder.run(loader.get_event)
    except yaml.MarkedYAMLError as exc:
        line, col, message = _syntax_message(exc, text)
        if "nesting depth" in (exc.problem or ""):  # libyaml's own limit, reached first
            builder.too_deep = True
            message = TOO_DEEP
        else:
            message = f"invalid YAML: {message}"
        builder.problems.append(Problem(name, line, col, "error", message))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a file
        offset = exc.position
        if _SafeLoader is not yaml.SafeLoader:  # libyaml counts this offset in UTF-8 bytes
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
        before = text[:offset]
        line = before.count("\n") + 1
        col = offset - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"invalid YAML: control character U+{code:04X} is not allowed in a text file"
        builder.problems.append(Problem(name, line, col, "error", message))
    except yaml.YAMLError as exc:  # other errors without a mark
        builder.problems.append(Problem(name, 1, 1, "error", f"invalid YAML: {exc}"))
    except RecursionError:
        builder.problems.append(Problem(name, 1, 1, "error", "nesting is too deep"))
    finally:
        loader.dispose()
    return source, builder


_FLOW_MARKS = re.compile(r"[\[\]{}\"'#]")
_TOKEN_STARTS = frozenset("\n[{,:-?")


def _deep_flow_cut(text: str) -> int | None:
    """The offset just past the bracket that opens flow level MAX_DEPTH + 1, if one may.

    A quick reading of brackets, quotes and comments, not a YAML parser: it may see a bracket
    inside plain text as a real one, which is why the caller confirms with libyaml.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    i = 0
    search = _FLOW_MARKS.search
    while (m := search(text, i)) is not None:
        j = m.start()
        c = text[j]
        i = j + 1
        if c == "#":
            if j == 0 or text[j - 1] in " \t\n":  # a comment runs to the end of its line
                nl = text.find("\n", j)
                if nl < 0:
                    return None
                i = nl + 1
        elif c in "[{":
            if depth or _starts_token(text, j):
                depth += 1
                if depth > MAX_DEPTH:
                    return j + 1
        elif c in "]}":
            depth = max(0, depth - 1)
        elif _starts_token(text, j):  # a quoted scalar: skip to its closing quote
            end = _closing_quote(text, j)
            if end >= 0:  # never closed (or inside a block scalar): read on past it
                i = end + 1
    return None


def _starts_token(text: str, index: int) -> bool:
    """True where the previous non-blank character leaves room for a new YAML token."""
    k = index - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] in _TOKEN_STARTS


def _closing_quote(text: str, start: int) -> int:
    """Offset of the quote closing the one at `start` (escapes followed), or -1."""
    quote = text[start]
    k = start + 1
    while True:
        k = text.find(quote, k)
        if k < 0:
            return -1
        if quote == "'":
            if text.startswith("''", k):
                k += 2
                continue
            return k
        slashes = 0
        while text[k - 1 - slashes] == "\\":
            slashes += 1
        if slashes % 2 == 0:
            return k
        k += 1


_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


def _line_mapper(text: str) -> Any:
    """Positions by '\n' lines, when libyaml's would differ; None when they agree (nearly always).

    libyaml also starts a new line at NEL, U+2028, U+2029 and a lone CR; editors, grep and
    `sed -n` do not, so a message after one of them would name the wrong line.
    """
    if not any(c in text for c in _ODD_BREAKS) and text.count("\r") == text.count("\r\n"):
        return None
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def position(index: int) -> tuple[int, int]:
        line = bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    return position


def _index_position(text: str, index: int) -> tuple[int, int]:
    """(line, column) of a character offset, lines split at '\n' only.

    Used for syntax errors rather than libyaml's own line and column, which also count NEL,
    U+2028 and U+2029 as line breaks and, at the end of a file with no final newline, point
    at a line after the last one.
    """
    index = max(0, min(index, len(text)))
    start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, start) + 1, index - start + 1


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """Where a YAML syntax error is and what it means, in words a trainer can act on.

    libyaml reports where it gave up; for an unclosed quote or bracket the place that needs
    fixing is where it was opened, so that is where the message points.
    """
    problem = exc.problem or exc.context or "not valid YAML"
    context = exc.context or ""
    at = exc.problem_mark or exc.context_mark
    opened = exc.context_mark

    def where(mark: Any) -> tuple[int, int]:
        return _index_position(text, mark.index)

    pos = where(at) if at else (1, 1)
    if opened is not None:
        start = where(opened)
        if "quoted scalar" in context:
            return (*start, "this quoted text is never closed (a closing quote is missing)")
        if "flow sequence" in context:
            return (*start, "this '[' list is never closed with ']' (or a ',' is missing)")
        if "flow mapping" in context:
            return (*start, "this '{' mapping is never closed with '}' (or a ',' is missing)")
    char = ""
    if at is not None and 0 <= at.index < len(text):
        char = text[at.index]
    if char == "\t":
        return (*pos, "a tab character: indent with spaces, not tabs")
    if "mapping values are not allowed" in problem:
        return (
            *pos,
            "unexpected ':' (put text that contains ': ' in quotes, or check the indentation)",
        )
    if "did not find expected key" in problem or "expected '-' indicator" in problem:
        return (*pos, "this line's indentation does not line up with the lines above it")
    if "cannot start any token" in problem and char:
        return (*pos, f"'{char}' cannot start a value here (put the text in quotes)")
    if context and opened is not None:
        return (*pos, f"{problem} ({context} at line {where(opened)[0]})")
    return (*pos, problem)


class _Builder:
    """Turns parser events into dicts, lists and scalars, recording positions and problems."""

    def __init__(self, name: str, source: SourceMap, line_mapper: Any = None):
        self.name = name
        self._lines = line_mapper
        self.source = source
        self.problems: list[Problem] = []
        self.fatal = False
        self.too_deep = False
        self.documents = 0
        self.result: Any = None
        # Stack of open containers: (container, its position table, pending key, key position)
        self.stack: list[list[Any]] = []

    def position(self, mark: Any) -> tuple[int, int]:
        """A mark as (line, column), both from 1, lines split at '\n' only."""
        if self._lines is not None:
            return self._lines(mark.index)
        return mark.line + 1, mark.column + 1

    def _problem(self, mark: Any, message: str, *, fatal: bool = False) -> None:
        line, col = self.position(mark) if mark is not None else (1, 1)
        self.problems.append(Problem(self.name, line, col, "error", message))
        if fatal:
            self.fatal = True

    def feed(self, event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or (
                event.tag is not None and event.tag not in _ALLOWED_TAGS
            ):
                self._refuse_node(event)
            self._add(self._scalar(event), event.start_mark)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or (
                event.tag is not None and event.tag not in _ALLOWED_TAGS
            ):
                self._refuse_node(event)
            if len(self.stack) >= MAX_DEPTH:
                self._problem(event.start_mark, TOO_DEEP, fatal=True)
                self.too_deep = True
                return
            container: Any = [] if kind is yaml.SequenceStartEvent else {}
            table = self._add(container, event.start_mark)
            self.stack.append([container, table, _NO_KEY, None])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            if self.stack:
                self.stack.pop()
        elif kind is yaml.AliasEvent:
            self._problem(event.start_mark, f"aliases (*{event.anchor}) are not allowed")
            self._add(None, event.start_mark)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self._problem(event.start_mark, "only one YAML document per file", fatal=True)

    def run(self, get_event: Callable[[], Any]) -> None:
        """`feed` every event up to the end of the stream or a fatal problem.

        The hot path of reading a file (about 900 events for a 10 KiB scenario): text values,
        and lists and mappings opened and closed, are handled here inline, exactly as `feed`
        and `_add` would; every other event, and any node with an anchor or a tag, goes
        through `feed`.
        """
        scalar_event, stream_end = yaml.ScalarEvent, yaml.StreamEndEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        stack = self.stack
        lines = self._lines
        allowed = _ALLOWED_TAGS
        words, number_starts = _WORDS, _NUMBER_STARTS
        scalar = self._scalar
        feed = self.feed
        no_key = _NO_KEY
        while True:  # pulled one by one (not yaml.parse's generator)
            event = get_event()
            kind = type(event)
            # the kinds in the order they are most common: text values first
            if kind is scalar_event:
                tag = event.tag
                if (
                    not stack
                    or event.anchor is not None
                    or (tag is not None and tag not in allowed)
                ):
                    feed(event)
                    if self.fatal:
                        return
                    continue
                value = event.value
                if not event.style and tag is None:  # plain: maybe null, true, false, a number
                    if value in words:
                        value = words[value]
                    elif value[0] in number_starts:
                        value = scalar(event)
                inner = None
            elif kind is map_end or kind is seq_end:
                if stack:  # as feed: an end with nothing open is passed over
                    stack.pop()
                continue
            elif kind is map_start or kind is seq_start:
                tag = event.tag
                if (
                    not stack
                    or event.anchor is not None
                    or (tag is not None and tag not in allowed)
                ):
                    feed(event)
                    if self.fatal:
                        return
                    continue
                if len(stack) >= MAX_DEPTH:
                    feed(event)  # too deep: feed says so and stops
                    return
                if kind is map_start:
                    value, inner = {}, {}
                else:
                    value, inner = [], []
            elif event is None or kind is stream_end:
                return
            else:
                feed(event)
                if self.fatal:
                    return
                continue
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1) if lines is None else lines(mark.index)
            frame = stack[-1]
            container, table = frame[0], frame[1]
            if type(container) is list:
                container.append(value)
                table.append((pos, inner))
            elif frame[2] is no_key:  # this value is a key
                if type(value) is not str:
                    self._add_key(frame, value, mark, pos)
                else:
                    frame[2], frame[3] = value, pos
            else:
                key, key_pos = frame[2], frame[3]
                frame[2] = no_key
                if key in table:
                    self._duplicate(key, key_pos, table)
                else:
                    table[key] = (key_pos, pos, inner)
                    container[key] = value
            if inner is not None:
                stack.append([value, inner, no_key, None])

    def _add_key(self, frame: list[Any], value: Any, mark: Any, pos: tuple[int, int]) -> None:
        """Set `value` as the pending key of a mapping's frame: keys are text."""
        if isinstance(value, (dict, list)):
            self._problem(mark, "a mapping key must be plain text, not a list or mapping")
            key: Any = f"<complex key at {pos[0]}:{pos[1]}>"
        else:
            key = (
                ""
                if value is None
                else str(value)
                if not isinstance(value, bool)
                else str(value).lower()
            )
        frame[2], frame[3] = key, pos

    def _duplicate(self, key: str, key_pos: tuple[int, int], table: dict) -> None:
        first = table[key][0]
        self.problems.append(
            Problem(
                self.name,
                key_pos[0],
                key_pos[1],
                "error",
                f"duplicate key '{key}' (first at line {first[0]})",
            )
        )

    def _refuse_node(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            self._problem(event.start_mark, f"anchors (&{event.anchor}) are not allowed")
        tag = event.tag
        if tag is not None and tag not in _ALLOWED_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self._problem(event.start_mark, f"tag '{shown}' is not allowed")

    @staticmethod
    def _scalar(event: yaml.ScalarEvent) -> Any:
        value = event.value
        if event.style or event.tag in _ALLOWED_TAGS:
            return value  # quoted, block, !!str or the non-specific '!': always text
        if value in _WORDS:
            return _WORDS[value]
        if value[0] not in _NUMBER_STARTS:
            return value  # most plain text: no number starts with this letter
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value) and any(c.isdigit() for c in value):
            return float(value)
        return value

    def _add(self, value: Any, mark: Any) -> Any:
        """Place a value in the open container (or as the document root) and its position in
        the container's table; return the value's own table (None for a scalar)."""
        pos = (mark.line + 1, mark.column + 1) if self._lines is None else self._lines(mark.index)
        inner: Any = {} if isinstance(value, dict) else [] if isinstance(value, list) else None
        if not self.stack:
            self.result = value
            self.source.root, self.source.table = pos, inner
            return inner
        frame = self.stack[-1]
        container, table = frame[0], frame[1]
        if isinstance(container, list):
            container.append(value)
            table.append((pos, inner))
            return inner
        if frame[2] is _NO_KEY:  # this value is a key
            self._add_key(frame, value, mark, pos)
            return inner
        key, key_pos = frame[2], frame[3]
        frame[2] = _NO_KEY
        if key in table:
            self._duplicate(key, key_pos, table)
            return inner
        table[key] = (key_pos, pos, inner)
        container[key] = value
        return inner


_NO_KEY = object()
