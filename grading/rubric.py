"""The rubric as data: dimensions, weights, what earns and loses credit, anchors, critical flags.

A rubric file names *kinds* of criteria from a fixed set that the grader implements
(`CRITERION_KINDS`, `FLAG_KINDS`); it can tune every number and every word a trainee reads, but
it can never name code to run. Files are untrusted: they go through the same strict YAML reader
and the same pydantic-error-to-`FILE:LINE:COL` mapping as scenario files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from callsim.engine.models import Ident, Line, Model, Mood, Outcome, ShortText, TagName
from callsim.engine.validation import validated
from callsim.engine.yamlsafe import FileProblems, Problem, YamlError, load, read_text

RUBRIC_FORMAT = 1
DEFAULT_RUBRIC = Path(__file__).resolve().parent / "rubrics" / "default.yaml"

Points = Annotated[float, Field(ge=-100, le=100)]
Loss = Annotated[float, Field(ge=-100, le=0)]
Score = Annotated[float, Field(ge=0, le=100)]
Threshold = Annotated[float, Field(ge=50, le=100)]

#: What each criterion kind checks; the grader implements exactly these (see docs/rubric.md).
CRITERION_KINDS: dict[str, str] = {
    "tag": "each reply showing `tag` (optionally only early, late, or while the customer is "
    "upset) earns `points`; `missing` when no reply in that window shows it",
    "tag_order": "a reply with one of `tags` before the first reply with one of `before` earns "
    "`points`; `missing` when a `before` reply comes first",
    "steady_reply": "each reply without any of `without`, said while the customer's mood was at "
    "least `mood_at_least`, earns `points`",
    "asked_again": "each reply asking again for a fact the customer already gave costs `points`",
    "key_facts_reflected": "each of the scenario's key facts played back (in a reply with one "
    "of `tags`) after the customer gave it earns `points`; each one not played back, `missing`",
    "facts_uncovered": "each hidden fact the trainee's questions uncovered earns `points`; each "
    "one never uncovered, `missing`",
    "required_actions": "each of the scenario's required actions taken earns `points`; each one "
    "not taken, `missing`",
    "timeline_given": "a reply giving a concrete time frame (close to the scenario's timeline "
    "when it has one) earns `points`; none, `missing`",
    "forbidden_promises": "each reply making one of the scenario's forbidden promises costs "
    "`points`",
    "escalation": "escalating when it was required earns `points`; not escalating when it was "
    "required, `missing`; escalating when it passes the customer off, `passed_off`",
    "handover_summary": "each thing the handover must state (issue, what was done, the "
    "customer's concern) earns `points`; each one left out, `missing`",
    "wrap_up_notes": "each fact the notes must record (of those the customer revealed) earns "
    "`points`; each one left out, `missing`",
    "outcome": "a call ending in one of `outcomes` earns `points` (negative: loses them)",
}
CriterionKind = Literal[
    "tag",
    "tag_order",
    "steady_reply",
    "asked_again",
    "key_facts_reflected",
    "facts_uncovered",
    "required_actions",
    "timeline_given",
    "forbidden_promises",
    "escalation",
    "handover_summary",
    "wrap_up_notes",
    "outcome",
]

#: Which keys each kind reads besides the common ones; a key a kind ignores is an error.
_COMMON = {"kind", "points", "label", "missing_label", "try"}
KIND_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required, optional)
    "tag": ({"tag"}, {"limit", "in_first", "in_last", "mood_at_least", "missing"}),
    "tag_order": ({"tags", "before"}, {"missing"}),
    "steady_reply": ({"without"}, {"mood_at_least", "limit"}),
    "asked_again": (set(), {"limit"}),
    "key_facts_reflected": (set(), {"tags", "missing", "threshold"}),
    "facts_uncovered": (set(), {"missing", "limit"}),
    "required_actions": (set(), {"missing"}),
    "timeline_given": (set(), {"missing", "threshold"}),
    "forbidden_promises": (set(), {"threshold", "limit"}),
    "escalation": (set(), {"missing", "passed_off"}),
    "handover_summary": (set(), {"missing", "concern_words", "threshold"}),
    "wrap_up_notes": (set(), {"missing", "threshold"}),
    "outcome": ({"outcomes"}, set()),
}

FLAG_KINDS: dict[str, str] = {
    "tag": "a reply showing `tag` (e.g. over_promise, blame)",
    "forbidden_promise": "a reply making one of the scenario's forbidden promises",
    "escalation_missed": "escalation was required and not made",
    "passed_off": "escalated when the scenario says it passes the customer off",
    "outcome": "the call ended in one of `outcomes` (e.g. hung_up)",
}
FlagKind = Literal["tag", "forbidden_promise", "escalation_missed", "passed_off", "outcome"]
_FLAG_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "tag": ({"tag"}, set()),
    "forbidden_promise": (set(), {"threshold"}),
    "escalation_missed": (set(), set()),
    "passed_off": (set(), set()),
    "outcome": ({"outcomes"}, set()),
}
_FLAG_COMMON = {"kind", "cap", "message", "try"}


def _check_keys(
    kind: str, given: set[str], table: dict[str, tuple[set[str], set[str]]], common: set[str]
) -> None:
    required, optional = table[kind]
    missing = sorted(required - given)
    if missing:
        raise ValueError(f"kind '{kind}' needs {', '.join(repr(k) for k in missing)}")
    unused = sorted(given - required - optional - common)
    if unused:
        allowed = sorted(required | optional | common - {"kind"})
        raise ValueError(
            f"kind '{kind}' does not use {', '.join(repr(k) for k in unused)} "
            f"(it reads {', '.join(allowed)})"
        )


def _given(model: Model) -> set[str]:
    """The keys the trainer wrote, by their names in the file."""
    fields = type(model).model_fields
    return {fields[name].alias or name for name in model.model_fields_set}


class Criterion(Model):
    """One way a dimension earns or loses credit. `kind` picks the check; the rest tunes it."""

    kind: CriterionKind
    points: Points = Field(
        description="Per reply (or per fact, action, element): positive earns, negative loses."
    )
    missing: Loss | None = Field(
        default=None, description="Points (zero or negative) when what is expected never happens."
    )
    passed_off: Loss | None = Field(
        default=None, description="escalation: points when escalating passes the customer off."
    )
    label: Line | None = Field(default=None, description="What earns (or loses) the points.")
    missing_label: Line | None = Field(default=None, description="What was missing, in words.")
    try_: Line | None = Field(
        default=None, alias="try", description="What to try instead: the feedback a trainee reads."
    )
    tag: TagName | None = None
    tags: list[TagName] | None = None
    before: list[TagName] | None = None
    without: list[TagName] | None = None
    outcomes: Annotated[list[Outcome], Field(min_length=1)] | None = None
    limit: int | None = Field(default=None, ge=1, le=100, description="Count at most this many.")
    in_first: int | None = Field(
        default=None, ge=1, le=100, description="Only the first N replies."
    )
    in_last: int | None = Field(default=None, ge=1, le=100, description="Only the last N replies.")
    mood_at_least: Mood | None = Field(
        default=None, description="Only replies said while the customer's mood was this or more."
    )
    threshold: Threshold | None = Field(
        default=None, description="Fuzzy-match score (50-100) that counts as saying it."
    )
    concern_words: list[ShortText] | None = None

    model_config = Model.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _kind_keys(self) -> Criterion:
        _check_keys(self.kind, _given(self), KIND_KEYS, _COMMON)
        if self.in_first is not None and self.in_last is not None:
            raise ValueError("use 'in_first' or 'in_last', not both")
        if (self.points < 0 or (self.missing or 0) < 0 or (self.passed_off or 0) < 0) and not (
            self.try_
        ):
            raise ValueError("a criterion that can lose points needs 'try': what to try instead")
        return self


class Anchors(Model):
    """What a good, fair and poor performance on a dimension looks like, in the guide's words."""

    good: Line
    fair: Line
    poor: Line


class Dimension(Model):
    title: ShortText
    weight: float = Field(gt=0, le=100, description="Relative weight in the total (positive).")
    start: Score = Field(
        default=0, description="The score before any criterion adds or takes points."
    )
    description: Line | None = None
    anchors: Anchors
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=50)]


class Flag(Model):
    """A critical flag: when raised, the call's total cannot exceed `cap`."""

    kind: FlagKind
    cap: Score
    message: Line
    try_: Line = Field(alias="try", description="What to do instead.")
    tag: TagName | None = None
    outcomes: Annotated[list[Outcome], Field(min_length=1)] | None = None
    threshold: Threshold | None = None

    model_config = Model.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _kind_keys(self) -> Flag:
        _check_keys(self.kind, _given(self), _FLAG_KEYS, _FLAG_COMMON)
        return self


class Bands(Model):
    """Score boundaries of the anchors: at least `good` is good, at least `fair` is fair."""

    good: Score = 75
    fair: Score = 50

    @model_validator(mode="after")
    def _order(self) -> Bands:
        if self.fair > self.good:
            raise ValueError("'fair' must not be above 'good'")
        return self


class Rubric(Model):
    format: Literal[1] = 1
    id: Ident
    title: ShortText
    description: Line | None = None
    bands: Bands = Bands()
    feedback_limit: int = Field(default=5, ge=1, le=50, description="Tips shown after a call.")
    dimensions: Annotated[dict[Ident, Dimension], Field(min_length=1, max_length=30)]
    flags: Annotated[dict[Ident, Flag], Field(max_length=30)] = {}


class RubricError(FileProblems):
    """A rubric file has errors; `problems` lists them all, each at FILE:LINE:COL."""


def parse_rubric(text: str, name: str) -> Rubric:
    """A rubric from YAML text; raises RubricError listing every problem."""
    try:
        data, source = load(text, name)
    except YamlError as exc:
        raise RubricError(exc.problems) from None
    if not isinstance(data, dict):
        line, col = source.locate(())
        raise RubricError(
            [Problem(name, line, col, "error", "a rubric file must be a mapping of keys to values")]
        )
    try:
        return validated(Rubric, data, source)
    except FileProblems as exc:
        raise RubricError(exc.problems) from None


def load_rubric(path: Path | str) -> Rubric:
    """Load and check a rubric file; raises RubricError."""
    try:
        text = read_text(Path(path), str(path))
    except YamlError as exc:
        raise RubricError(exc.problems) from None
    return parse_rubric(text, str(path))


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The bundled rubric (grading/rubrics/default.yaml), read once."""
    return load_rubric(DEFAULT_RUBRIC)


def describe_kinds() -> dict[str, Any]:
    """The criterion and flag kinds with what they check, for docs and messages."""
    return {"criteria": dict(CRITERION_KINDS), "flags": dict(FLAG_KINDS)}
