"""`callsim tag`: behaviour tags for a stream of replies, JSON lines in, JSON lines out.

Each input line is `{"text": ..., "customer": ...}` (customer optional, other fields ignored);
each output line is `{"tags": [...], "evidence": {...}}` in the same order, carrying any `id`.
A bad line gets `{"error": ...}` and the run goes on, so one typo cannot sink a batch; a text
longer than a call holds (`MAX_TEXT`, 20,000 characters) is such a line, refused before tagging.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from callsim.sim.textsafe import json_text

EXIT_OK = 0
EXIT_INPUT = 1


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tag",
        help="tag replies read as JSON lines on stdin",
        description=(
            'Read JSON lines {"text": REPLY, "customer": LINE} on stdin and write one JSON line '
            '{"tags": [...], "evidence": {tag: words}} per input line, in order, carrying any '
            '"id". A bad line gets {"error": ...} and the run continues. Blank lines are skipped.'
        ),
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--rules",
        dest="learned",
        action="store_false",
        help="the rules alone, on the reply as written, without the learned model",
    )
    how.add_argument(
        "--learned",
        dest="learned",
        action="store_true",
        help="the rules and the learned model together, as calls are graded (the default)",
    )
    p.set_defaults(learned=True)
    p.set_defaults(func=run)


def _lines(stream: IO[Any]) -> Iterator[str | UnicodeDecodeError]:
    """Input lines, decoded one by one so a single bad byte spoils only its own line."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        yield from stream
        return
    for raw in buffer:
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield exc


def tag_line(line: str, *, learned: bool = True) -> dict[str, Any]:
    """The output object for one input line (an error object if the line is unusable)."""
    from callsim.grading.tagger import tag_reply

    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return {"error": f"not valid JSON: {msg}"}
    if not isinstance(obj, dict):
        return {"error": f"expected a JSON object, got {type(obj).__name__}"}
    out: dict[str, Any] = {"id": obj["id"]} if "id" in obj else {}
    text = obj.get("text")
    customer = obj.get("customer")
    if "text" not in obj:
        out["error"] = 'missing "text"'
    elif not isinstance(text, str):
        out["error"] = f'"text" must be a string, got {type(text).__name__}'
    elif customer is not None and not isinstance(customer, str):
        out["error"] = f'"customer" must be a string, got {type(customer).__name__}'
    elif too_long := _too_long(text, customer):
        out["error"] = too_long
    else:
        result = tag_reply(text, customer, learned=learned)
        out["tags"] = list(result.tags)
        out["evidence"] = result.evidence
    return out


def _too_long(text: str, customer: str | None) -> str | None:
    from callsim.engine.transcript import MAX_TEXT

    for name, value in (("text", text), ("customer", customer or "")):
        if len(value) > MAX_TEXT:
            return (
                f'"{name}" is {len(value):,} characters long; the limit is {MAX_TEXT:,} '
                "(as in a call): not tagged"
            )
    return None


def tag_stream(
    lines: Iterable[str | UnicodeDecodeError], out: IO[str], *, learned: bool = True
) -> None:
    for line in lines:
        if isinstance(line, UnicodeDecodeError):
            result: dict[str, Any] = {"error": f"not UTF-8: {line.reason}"}
        elif not line.strip():
            continue
        else:
            result = tag_line(line, learned=learned)
        out.write(json_text(result, indent=None) + "\n")
        out.flush()


def run(args: argparse.Namespace) -> int:
    try:
        if args.learned:
            from callsim.grading.learned import shipped_model

            if shipped_model() is None:
                print(
                    "callsim tag: the learned model shipped with callsim is missing or damaged "
                    "(grading/data/tagger_model.json); reinstall callsim",
                    file=sys.stderr,
                )
                return EXIT_INPUT
        tag_stream(_lines(sys.stdin), sys.stdout, learned=args.learned)
    except BrokenPipeError:  # the reader stopped (`| head`): not an input problem
        raise
    except OSError as exc:
        print(f"callsim tag: cannot read input: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK
