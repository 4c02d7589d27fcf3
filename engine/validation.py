"""Pydantic's validation errors, turned into problems a trainer can act on at FILE:LINE:COL.

Scenario, intent, rubric and test files all go through `validated`, so their messages agree;
it needs only the models' classes and the source map, so grading can read rubric files without
the engine's loader.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from rapidfuzz import process as fuzz_process
from rapidfuzz import utils as fuzz_utils
from rapidfuzz.distance import OSA

from callsim.engine.yamlsafe import DataPath, FileProblems, Problem, SourceMap

M = TypeVar("M", bound=BaseModel)


_KEY_LABEL = "[key]"
#: 'Did you mean' compares whole names, counting a swap of two letters as one slip ('dnoe' is
#: close to 'done'); WRatio would also suggest 'format' for 'a' because 'a' is inside it.
SIMILAR = OSA.normalized_similarity
CLOSE = 0.65


@dataclass(frozen=True)
class _Where:
    """Where a pydantic error falls in the data."""

    path: DataPath  # the part of the location that exists in the data
    branch: str | None = None  # the union branch pydantic tried, when there was a union
    branch_at: DataPath = ()  # the path the union sits at
    key: bool = False  # the error is about a mapping key, not its value


def _where(loc: tuple[Any, ...], data: Any) -> _Where:
    """Map a pydantic error location onto the data, setting aside the labels pydantic adds."""
    path: list[str | int] = []
    node = data
    branch: str | None = None
    branch_at: DataPath = ()
    key = False
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif part == _KEY_LABEL:
            key = True
        elif branch is None and isinstance(part, str):
            branch, branch_at = part, tuple(path)
    return _Where(tuple(path), branch, branch_at, key)


def _node(data: Any, path: DataPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _dotted(path: DataPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _candidates(annotation: Any) -> list[Any]:
    """The types an annotation may be: Annotated and unions unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _candidates(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [c for arg in get_args(annotation) for c in _candidates(arg)]
    return [annotation]


def _models_at(model: type[BaseModel], path: DataPath) -> list[type[BaseModel]]:
    """The model classes a mapping at `path` may be, following fields, dicts and lists."""
    current: list[Any] = [model]
    for part in path:
        nxt: list[Any] = []
        for ann in current:
            for c in _candidates(ann):
                if isinstance(c, type) and issubclass(c, BaseModel) and isinstance(part, str):
                    for name, fi in c.model_fields.items():
                        if part in (name, fi.alias):
                            nxt.append(fi.annotation)
                elif get_origin(c) is dict and isinstance(part, str):
                    nxt.append(get_args(c)[1])
                elif get_origin(c) is list and isinstance(part, int):
                    nxt.append(get_args(c)[0])
        current = nxt
    return [
        c
        for ann in current
        for c in _candidates(ann)
        if isinstance(c, type) and issubclass(c, BaseModel)
    ]


def _allowed_keys(model: type[BaseModel], path: DataPath, data: Any = None) -> list[str]:
    """The keys a mapping at `path` may have, for 'did you mean' hints."""
    keys: dict[str, None] = {}
    for m in _models_at(model, path):
        keys.update((fi.alias or name, None) for name, fi in m.model_fields.items())
    return list(keys)


def _required_keys(model: type[BaseModel], path: DataPath) -> list[str]:
    keys: dict[str, None] = {}
    for m in _models_at(model, path):
        keys.update(
            (fi.alias or name, None) for name, fi in m.model_fields.items() if fi.is_required()
        )
    return list(keys)


def shown(value: Any) -> str:
    """A value as the trainer wrote it, briefly."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + (value if len(value) <= 40 else value[:37] + "...") + "'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a value of another kind"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _friendly(err: Mapping[str, Any], required: list[str] = ()) -> str:  # type: ignore[assignment]
    """A pydantic error in a trainer's words, with the value they wrote."""
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", "invalid value"))
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = shown(value)
    if kind == "string_pattern_mismatch":
        return (
            f"{got} is not a valid id: use lowercase letters, digits, '-' or '_', "
            "starting with a letter, at most 64 characters"
        )
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', '')}, not {got}"
    if kind == "missing":
        return "is required"
    if kind == "string_type":
        if isinstance(value, (bool, int, float)):
            return f'must be text, not {got} (put it in quotes: "{got}")'
        return f"must be text, not {got}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number, not {got}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number, not {got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, not {got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if required:
            return f"must be a mapping with {_and([repr(k) for k in required])}, not {got}"
        return f"must be a mapping of keys to values, not {got}"
    if kind == "list_type":
        return f"must be a list (one '- ' item per line), not {got}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return f"can have at most {ctx.get('max_length')} items"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    for kind_, word in (
        ("greater_than_equal", "at least {ge}"),
        ("less_than_equal", "at most {le}"),
        ("greater_than", "above {gt}"),
        ("less_than", "below {lt}"),
    ):
        if kind == kind_:
            limits = {k: shown(float(v)) for k, v in ctx.items() if isinstance(v, (int, float))}
            return f"must be {word.format(**limits)}, not {got}"
    if kind.startswith("value_error") or kind == "assertion_error":
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return msg[0].lower() + msg[1:] if msg else "invalid value"


def _branch_words(label: str) -> str:
    """What a union branch pydantic tried means to a trainer."""
    if label.startswith("list[") and "MoodLine" in label:
        return "a list of variants, each with 'say:' (and optional 'min_mood:', 'max_mood:')"
    if label.startswith("list["):
        return "a list"
    if label.startswith("dict["):
        return "a mapping"
    if "str" in label:
        return "text"
    if label.startswith("int"):
        return "a whole number"
    if label.startswith("float"):
        return "a number"
    return "a mapping"


def _branch_fits(label: str, value: Any) -> bool:
    if isinstance(value, list):
        return label.startswith("list[")
    if isinstance(value, str):
        return "str" in label and not label.startswith(("list[", "dict["))
    if isinstance(value, dict):
        return not label.startswith("list[") and "str" not in label
    return False


def _resolve_unions(
    errors: list[tuple[Mapping[str, Any], _Where]], data: Any
) -> tuple[list[tuple[Mapping[str, Any], _Where]], list[tuple[DataPath, str]]]:
    """Keep only the union branch that fits what the trainer wrote.

    Pydantic reports every branch of a union (`customer:` is text or a list of variants); the
    errors of the branches the value was never meant for only confuse. When no branch fits
    (a number where text or a list was expected), one message lists what would.
    """
    kept: list[tuple[Mapping[str, Any], _Where]] = []
    unions: dict[DataPath, list[str]] = {}
    for err, where in errors:
        if where.branch is None:
            kept.append((err, where))
        else:
            unions.setdefault(where.branch_at, [])
            if where.branch not in unions[where.branch_at]:
                unions[where.branch_at].append(where.branch)
    whole: list[tuple[DataPath, str]] = []
    for at, labels in unions.items():
        value = _node(data, at)
        fitting = [lb for lb in labels if _branch_fits(lb, value)]
        if fitting:
            kept.extend(
                (err, where)
                for err, where in errors
                if where.branch_at == at and where.branch in fitting
            )
        else:
            options = sorted(dict.fromkeys(_branch_words(lb) for lb in labels), key=len)
            whole.append((at, f"must be {' or '.join(options)}, not {shown(value)}"))
    return kept, whole


def problems_from_validation(
    exc: ValidationError, model: type[BaseModel], data: Any, source: SourceMap
) -> list[Problem]:
    """Pydantic's errors as positioned problems, one per place, in a trainer's words."""
    located = [
        (err, _where(tuple(err.get("loc", ())), data)) for err in exc.errors(include_url=False)
    ]
    located, whole = _resolve_unions(located, data)
    unknown: list[tuple[DataPath, str]] = []
    missing: dict[DataPath, list[str]] = {}
    grouped: dict[tuple[DataPath, bool], list[Mapping[str, Any]]] = {}
    for err, where in located:
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "extra_forbidden":
            unknown.append((where.path[:-1], str(loc[-1])))
        elif err.get("type") == "missing":
            missing.setdefault(where.path, []).append(str(loc[-1]))
        else:
            grouped.setdefault((where.path, where.key), []).append(err)

    problems = []
    for path, name in unknown:
        allowed = _allowed_keys(model, path, data)
        hint = ""
        match = fuzz_process.extractOne(
            name,
            allowed,
            scorer=SIMILAR,
            processor=fuzz_utils.default_process,
            score_cutoff=CLOSE,
        )
        if match:
            hint = f"; did you mean '{match[0]}'?"
            if match[0] in missing.get(path, []):  # the misspelling explains the missing key
                missing[path].remove(match[0])
        elif allowed:
            hint = f"; allowed here: {', '.join(allowed)}"
        line, col = source.locate((*path, name), key=True)
        where = f" in {_dotted(path)}" if path else ""
        problems.append(
            Problem(source.path, line, col, "error", f"unknown key '{name}'{where}{hint}")
        )
    for path, names in missing.items():
        line, col = source.locate(path, key=True)
        for name in dict.fromkeys(names):
            where = f" in {_dotted(path)}" if path else ""
            message = f"missing key '{name}'{where}"
            problems.append(Problem(source.path, line, col, "error", message))
    for path, text in whole:
        line, col = source.locate(path)
        problems.append(Problem(source.path, line, col, "error", f"{_dotted(path)}: {text}"))
    for (path, key), errs in grouped.items():
        line, col = source.locate(path, key=key)
        required = _required_keys(model, path)
        messages = list(dict.fromkeys(_friendly(e, required) for e in errs))
        text = "; ".join(messages)
        shown = _dotted(path[:-1] if key else path)  # a bad key is named in the message
        problems.append(Problem(source.path, line, col, "error", f"{shown}: {text}"))
    return sorted(problems, key=lambda p: (p.line, p.col))



def validated(model: type[M], data: Any, source: SourceMap) -> M:
    """`data` as `model`, or FileProblems with every mistake positioned in the file.

    Scenario, intent, rubric and test files all go through here, so their messages agree.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FileProblems(problems_from_validation(exc, model, data, source)) from None

