"""The scenario format (v1) as typed, immutable models.

These models are the single source of truth for what a trainer may write: the loader validates
against them, `callsim schema` exports their JSON Schema, and the engine reads only them.
Everything is data; nothing here can name Python code to run.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

FORMAT_VERSION = 1

#: Identifiers trainers choose for stages, intents, facts, actions and articles.
Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$"),
]
IDENT_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")

#: Any text shown to a person. Bounded so one field cannot flood a screen.
Line = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Mood = Annotated[float, Field(ge=0, le=10, strict=True)]
MoodChange = Annotated[float, Field(ge=-10, le=10, strict=True)]

#: The behaviour tags of TAGS.md. The engine only knows their names (mood effects);
#: detecting them is grading's job.
TAG_NAMES: tuple[str, ...] = (
    "empathy",
    "reflection",
    "open_question",
    "closed_question",
    "escalation",
    "blame",
    "over_promise",
    "timeline",
    "options",
    "explain_steps",
    "check_resolution",
)
TagName = Literal[
    "empathy",
    "reflection",
    "open_question",
    "closed_question",
    "escalation",
    "blame",
    "over_promise",
    "timeline",
    "options",
    "explain_steps",
    "check_resolution",
]


class Model(BaseModel):
    """Base for scenario parts: unknown keys are errors, values cannot change after loading.

    Validators are built on first use (defer_build), not at import: loading a scenario builds
    the Scenario model's whole tree once, and start-up skips building each part on its own.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True
    )


class Category(str, Enum):
    complaint = "complaint"
    outage = "outage"
    billing = "billing"
    technical = "technical"
    cancellation = "cancellation"
    account = "account"
    sales = "sales"
    other = "other"


class Outcome(str, Enum):
    """How a call ended; feeds first-contact resolution."""

    resolved = "resolved"
    escalated = "escalated"
    hung_up = "hung_up"
    unresolved = "unresolved"


#: How each ending is said to people: (in a sentence, in a table cell). The one wording the
#: app, line mode, debriefs and exports share; ids stay in JSON, scenario files and tests.
OUTCOME_WORDS: dict[Outcome, tuple[str, str]] = {
    Outcome.resolved: ("resolved", "resolved"),
    Outcome.escalated: ("escalated to a manager or another team", "escalated"),
    Outcome.hung_up: ("the customer hung up", "hung up"),
    Outcome.unresolved: ("unresolved", "unresolved"),
}


def outcome_words(outcome: Outcome | str | None, *, short: bool = False, none: str = "open") -> str:
    """How a call ended, in words (`short` for a table cell); `none` for a call still open.

    Takes the stored id too ("hung_up"); an id this version does not know is shown readably.
    """
    if outcome is None:
        return none
    try:
        sentence, cell = OUTCOME_WORDS[Outcome(outcome)]
    except ValueError:
        return str(outcome).replace("_", " ")
    return cell if short else sentence


class MoodLine(Model):
    """A customer line used when the mood is within [min_mood, max_mood]."""

    say: Line
    min_mood: Mood = 0
    max_mood: Mood = 10

    @model_validator(mode="after")
    def _range(self) -> MoodLine:
        if self.min_mood > self.max_mood:
            raise ValueError("min_mood must not be above max_mood")
        return self


#: A customer line: plain text, or variants chosen by the customer's mood (first match wins).
CustomerLines = Annotated[list[MoodLine], Field(min_length=1, max_length=20)] | Line


class Customer(Model):
    name: ShortText
    persona: Line = Field(description="Who the customer is and how they talk; shown to trainers.")
    mood: Mood = Field(description="Opening frustration, 0 (calm) to 10 (furious).")
    patience: int = Field(
        default=3,
        strict=True,
        ge=1,
        le=20,
        description="Replies that get nowhere the customer tolerates before each costs double.",
    )
    demands_manager_at: Mood = Field(
        default=8, description="At or above this mood the customer demands a manager."
    )
    hangs_up_at: Mood = Field(
        default=10, description="At or above this mood the customer hangs up."
    )
    demand_line: Line = "I've had enough of this. Put me through to a manager."
    hang_up_line: Line = "Forget it. I'm done with this call."

    @model_validator(mode="after")
    def _thresholds(self) -> Customer:
        if self.demands_manager_at > self.hangs_up_at:
            raise ValueError("demands_manager_at must not be above hangs_up_at")
        return self


class Intent(Model):
    """What a trainee reply means, given by example phrasings.

    `not` holds contrasting phrasings (e.g. "I cannot refund that") that must not count.
    """

    description: Line | None = None
    examples: Annotated[list[Line], Field(min_length=1, max_length=200)]
    not_: Annotated[list[Line], Field(max_length=200, alias="not")] = []

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, defer_build=True
    )


class Fact(Model):
    """Something the customer knows but says only when asked the right (clarifying) question."""

    summary: ShortText = Field(
        description="The fact in a few words, as a good listener would restate it."
    )
    says: Line = Field(description="What the customer says when asked.")
    asked_by: Annotated[list[Line], Field(min_length=1, max_length=100)] = Field(
        description="Example questions that uncover it."
    )
    keywords: list[ShortText] = Field(
        default=[], description="Words that show the fact was reflected back or recorded."
    )


#: Where an action's result quotes what the trainee entered. Filled in with str.replace, never
#: str.format: a result is a trainer's text and may hold any other braces.
INPUT_PLACEHOLDER = "{input}"
#: What looks like a placeholder in a result: `{input}` is the only one there is.
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
Limit = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def choice_key(text: str) -> str:
    """A choice as compared: case, spacing and the kind of dash do not matter."""
    return " ".join(re.sub(r"[\u2010-\u2015\u2212]", "-", text).casefold().split())


def plain_number(value: float) -> str:
    """A number as a person writes it: '30', '2.5' (no '30.0', no exponent below 1e15)."""
    if abs(value) >= 1e15:
        return f"{value:g}"
    if value.is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


class ActionInput(Model):
    """What a tool asks for, and which values it takes: a pick list or a range of numbers.

    `takes: TEXT` is the short form: free text, optional, nothing checked.
    """

    what: ShortText = Field(description="What to enter, e.g. 'date and slot'.")
    choices: Annotated[list[ShortText], Field(min_length=1, max_length=50)] | None = Field(
        default=None, description="The values allowed, offered as a pick list."
    )
    min: Limit | None = Field(default=None, description="The smallest number allowed.")
    max: Limit | None = Field(default=None, description="The largest number allowed.")
    unit: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = Field(
        default=None,
        description="How the number is counted: a symbol goes before it ('£'), a word after "
        "('months').",
    )
    hint: Line | None = Field(
        default=None, description="One line of guidance shown with the input (a rate, a rule)."
    )

    @field_validator("choices", "min", "max", "unit", "hint", mode="before")
    @classmethod
    def _not_blank(cls, value: object) -> object:
        if value is None:  # `max:` with nothing after it would silently mean "no limit"
            raise ValueError("is empty: give a value or leave the key out")
        return value

    @model_validator(mode="after")
    def _shape(self) -> ActionInput:
        ranged = self.min is not None or self.max is not None
        if self.choices is not None and ranged:
            raise ValueError("give either 'choices' or a range ('min'/'max'), not both")
        if self.unit is not None and not ranged:
            raise ValueError("'unit' only applies to a number with 'min' or 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(
                f"'min' ({self.number(self.min)}) is above 'max' ({self.number(self.max)})"
            )
        seen: dict[str, str] = {}
        for choice in self.choices or ():
            key = choice_key(choice)
            if not key:
                raise ValueError("a choice must not be blank")
            if key in seen:
                raise ValueError(f"'{choice}' is listed twice in 'choices'")
            seen[key] = choice
        return self

    @property
    def checked(self) -> bool:
        """Whether a value is needed and checked (choices or a range), not free text."""
        return self.choices is not None or self.min is not None or self.max is not None

    def number(self, value: float | str) -> str:
        """A number as shown with its unit: '£30', '3 months', '2.5' (text is kept as written,
        so '12.50' stays '£12.50')."""
        text = value if isinstance(value, str) else plain_number(value)
        if self.unit is None:
            return text
        if len(self.unit) == 1 and not self.unit.isalnum():
            return self.unit + text
        return f"{text} {self.unit}"

    @property
    def guide(self) -> str:
        """What may be entered, in words: the same wording for line mode, the app and errors."""
        if self.choices is not None:
            return "one of: " + "; ".join(self.choices)
        if self.min is not None and self.max is not None:
            return f"a number from {self.number(self.min)} to {self.number(self.max)}"
        if self.min is not None:
            return f"a number of at least {self.number(self.min)}"
        if self.max is not None:
            return f"a number up to {self.number(self.max)}"
        return "free text"


class Action(Model):
    """A tool the trainee can use (`/action NAME`), with the result the scenario defines."""

    label: ShortText
    description: Line | None = None
    result: Line = Field(
        description="What the tool shows. '{input}' quotes the value entered (see 'takes')."
    )
    takes: ShortText | ActionInput | None = Field(
        default=None,
        description="What the tool asks for: text (e.g. 'amount in pounds', optional, any "
        "value) or a mapping with 'what' and 'choices' or 'min'/'max' (a value is needed).",
    )
    reveals: list[Ident] = Field(default=[], description="Facts this action brings to light.")
    mood: MoodChange = 0

    @property
    def input(self) -> ActionInput | None:
        """What the tool asks for, however it was written (`takes: TEXT` is free text)."""
        if self.takes is None or isinstance(self.takes, ActionInput):
            return self.takes
        return ActionInput(what=self.takes)


class Article(Model):
    """A knowledge-base article the trainee can read during the call."""

    title: ShortText
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    keywords: list[ShortText] = []


class Requires(Model):
    """What must have happened before a response can lead on."""

    actions: list[Ident] = []
    facts: list[Ident] = []


class Response(Model):
    """A reply the stage expects and where it leads."""

    intent: Ident
    to: Ident | None = Field(default=None, description="Next stage; omitted means stay.")
    say: CustomerLines | None = Field(
        default=None, description="The customer's reaction before the next stage's line."
    )
    mood: MoodChange = 0
    requires: Requires | None = None
    otherwise: Fallback | None = Field(
        default=None, description="What happens when `requires` is not met."
    )


class Fallback(Model):
    """What the customer does when no expected reply matches."""

    say: CustomerLines = "Sorry, what do you mean?"
    mood: MoodChange = 1
    to: Ident | None = None


class Stage(Model):
    customer: CustomerLines = Field(description="What the customer says on entering the stage.")
    responses: list[Response] = []
    fallback: Fallback | None = None
    ending: Outcome | None = Field(default=None, description="Set on stages that end the call.")
    handover: bool = Field(
        default=False,
        description="The trainee's reply here is the handover summary for whoever takes over.",
    )

    @model_validator(mode="after")
    def _shape(self) -> Stage:
        if self.ending is None and not self.responses and self.fallback is None:
            raise ValueError("a stage that is not an ending needs responses or a fallback")
        if self.ending is not None and (self.responses or self.fallback):
            raise ValueError("an ending stage cannot have responses or a fallback")
        return self


class Escalation(Model):
    """When handing over is right, and what the handover must say."""

    policy: Literal["required", "allowed", "avoid"] = Field(
        default="allowed",
        description=(
            "required: the call must be escalated; avoid: escalating passes the customer off."
        ),
    )
    when: Line | None = Field(default=None, description="When escalation is right, in words.")
    not_before: Requires | None = Field(
        default=None, description="Escalating before these is passing the customer off."
    )
    on_manager_demand: bool = Field(
        default=True, description="A customer demanding a manager makes escalation required."
    )
    handover_must_state: list[Literal["issue", "done", "concern"]] = ["issue", "done", "concern"]


class Expectations(Model):
    """Scenario-specific grading expectations."""

    key_facts: list[Ident] = Field(default=[], description="Facts a good listener reflects back.")
    required_actions: list[Ident] = []
    timeline: Line | None = Field(default=None, description="The realistic timeline to give.")
    forbidden_promises: list[Line] = Field(
        default=[], description="Promises the advisor cannot keep here."
    )
    wrap_up_must_record: list[Ident] = Field(
        default=[], description="Facts the wrap-up notes must record (when revealed)."
    )


class MoodRules(Model):
    """How behaviour tags move the mood (negative calms). Overrides the engine's defaults."""

    tags: dict[TagName, MoodChange] = {}
    repeat_decay: float = Field(
        default=0.5,
        strict=True,
        ge=0,
        le=1,
        description="Each repeat of a calming tag counts this fraction of the one before.",
    )


class Scenario(Model):
    format: Literal[1] = 1
    id: Ident
    title: ShortText
    category: Category
    difficulty: int = Field(ge=1, le=5, strict=True)
    version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    target_seconds: int = Field(
        ge=30, le=7200, strict=True, description="Target handling time in seconds."
    )
    briefing: Line = Field(description="What the advisor knows before answering.")
    goal: Line
    customer: Customer
    account: dict[ShortText, Annotated[str, StringConstraints(max_length=2000)]] = {}
    facts: dict[Ident, Fact] = {}
    actions: dict[Ident, Action] = {}
    knowledge: dict[Ident, Article] = {}
    intents: dict[Ident, Intent] = Field(
        default={},
        description="The scenario's own intents; a response may also name a shared intent.",
    )
    anywhere: list[Response] = Field(
        default=[],
        description="Responses available at every stage that is not an ending, after its own.",
    )
    start: Ident
    stages: Annotated[dict[Ident, Stage], Field(min_length=1)]
    escalation: Escalation = Escalation()
    expectations: Expectations = Expectations()
    mood_rules: MoodRules = MoodRules()
    concepts: dict[Ident, Annotated[list[ShortText], Field(min_length=1, max_length=100)]] = (
        Field(
            default={},
            description=(
                "Words and phrases that mean the same in a reply, added to the shared concept "
                "library (engine/concepts.yaml) for this scenario: concept id -> terms."
            ),
        )
    )


class ConceptLibrary(Model):
    """The shared concept file, engine/concepts.yaml."""

    format: Literal[1] = 1
    concepts: dict[Ident, Annotated[list[ShortText], Field(min_length=1, max_length=100)]]
    #: Broader meanings several concepts share ("a worry" and "stressful" both name a feeling).
    families: dict[Ident, Annotated[list[Ident], Field(min_length=2, max_length=100)]] = {}

    @model_validator(mode="after")
    def _families_name_concepts(self) -> ConceptLibrary:
        for family, members in self.families.items():
            unknown = [m for m in members if m not in self.concepts]
            if unknown:
                raise ValueError(f"family '{family}' names unknown concepts: {', '.join(unknown)}")
        return self


class IntentLibrary(Model):
    """A shared intent file in scenarios/intents/."""

    format: Literal[1] = 1
    intents: dict[Ident, Intent]
