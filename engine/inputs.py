"""What a trainee enters for a tool, checked against what the scenario allows.

One rule wherever the value was typed: `CallMachine.action` calls `accept`, and the app, line
mode and scripts all reach it through the session, so a slot that is not offered or an amount
outside the range is refused with the same message everywhere. The result text quotes the
accepted value by plain replacement of `{input}`: a trainer's text is never a format string.
"""

from __future__ import annotations

import re

from callsim.engine.models import (
    INPUT_PLACEHOLDER,
    Action,
    ActionInput,
    choice_key,
    plain_number,
)

#: A number as a trainee types it: digits with an optional decimal part (no exponents, no 'nan').
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CURRENCY = "£$€"


class InputRefused(ValueError):
    """A value the tool does not take; the message says what it does take."""


def _typed(text: str) -> str:
    """What the trainee typed, quoted briefly in a message."""
    return "'" + (text if len(text) <= 40 else text[:39] + "…") + "'"


def needs_value(action: Action) -> bool:
    """Whether the tool cannot be used without a value: it checks one, or its result quotes it."""
    inp = action.input
    return inp is not None and (inp.checked or INPUT_PLACEHOLDER in action.result)


def accept(action: Action, raw: str | None) -> str | None:
    """The value as recorded (a choice as the scenario spells it, a number as typed with its
    unit: '£12.50'), or InputRefused saying what the tool takes. Free text is kept as typed.
    """
    value = raw.strip() if raw is not None else ""
    inp = action.input
    if inp is None or not value:
        if needs_value(action):
            assert inp is not None
            raise InputRefused(f"{action.label} needs {inp.what}: {inp.guide}")
        return value or None
    if inp.choices is not None:
        return _choice(action, inp, value)
    if inp.min is not None or inp.max is not None:
        return _number(action, inp, value)
    return value


def _choice(action: Action, inp: ActionInput, value: str) -> str:
    """The choice the value names: in full (case, spaces and dashes aside) or by a unique start."""
    assert inp.choices is not None
    key = choice_key(value)
    for choice in inp.choices:
        if choice_key(choice) == key:
            return choice
    starts = [c for c in inp.choices if choice_key(c).startswith(key)]
    if len(starts) == 1:
        return starts[0]
    if len(starts) > 1:
        raise InputRefused(
            f"{action.label}: {_typed(value)} could be any of: {'; '.join(starts)}. "
            "Type more of it."
        )
    raise InputRefused(f"{action.label}: {_typed(value)} is not offered; {inp.what} is {inp.guide}")


def _number(action: Action, inp: ActionInput, value: str) -> str:
    """The number in the value, inside the range; the unit may be typed with it ('£12')."""
    text = value
    unit = (inp.unit or "").casefold()
    if text and text[0] in _CURRENCY:
        text = text[1:].strip()
    for word in (unit, unit[:-1] if unit.endswith("s") and len(unit) > 2 else ""):
        if word and text.casefold().endswith(word):  # '12 pounds', '£12', '1 month'
            text = text[: -len(word)].strip()
            break
    if not _NUMBER.fullmatch(text):
        raise InputRefused(
            f"{action.label}: {_typed(value)} is not a number; {inp.what} is {inp.guide}"
        )
    number, shown = float(text), inp.number(text.lstrip("+"))  # shown as typed: '£12.50'
    if inp.min is not None and number < inp.min:
        raise InputRefused(
            f"{action.label}: {shown} is below the lowest allowed; {inp.what} is {inp.guide}"
        )
    if inp.max is not None and number > inp.max:
        raise InputRefused(
            f"{action.label}: {shown} is above the highest allowed; {inp.what} is {inp.guide}"
        )
    return shown


def result_text(action: Action, value: str | None) -> str:
    """The tool's result with the accepted value in place of `{input}` (str.replace only)."""
    if value is None:
        return action.result
    return action.result.replace(INPUT_PLACEHOLDER, value)


def example_value(action: Action) -> str | None:
    """A value the tool accepts, for automatic calls (`callsim explore`); None if it needs none."""
    inp = action.input
    if inp is None:
        return None
    if inp.choices is not None:
        return inp.choices[0]
    for limit in (inp.min, inp.max):
        if limit is not None:
            return plain_number(limit)
    return "1"
