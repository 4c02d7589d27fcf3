"""The record of one call: every turn as it happened, in a form that saves, exports and imports.

Lives in the core so grading can read it without knowing how a call was run. Imported files are
untrusted, so the same models validate them (unknown keys refused, sizes bounded).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from callsim.engine.models import Outcome

TRANSCRIPT_FORMAT = "callsim-transcript"
TRANSCRIPT_VERSION = 1

#: The longest text a call holds: a reply, the notes, an action's detail, a line of evidence.
#: The session refuses longer text where it enters (sim/session.py), with a message.
MAX_TEXT = 20_000
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Name = Annotated[str, StringConstraints(max_length=200)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Turn(Record):
    """One thing said or done in the call. Trainee turns carry the grading evidence."""

    index: int = Field(ge=0)
    speaker: Literal["customer", "trainee", "action", "system"]
    text: Text
    at: float = Field(ge=0, description="Seconds since the call started.")
    stage: Name = Field(description="The stage the call was in when this was said or done.")
    stage_after: Name | None = None
    mood_before: float | None = None
    mood_after: float | None = None
    # trainee replies
    intent: Name | None = None
    score: float | None = None
    tags: list[Name] = []
    evidence: dict[Name, Text] = {}
    fact_asked: Name | None = None
    revealed: list[Name] = []
    handover: bool = False
    hint_used: bool = False
    # actions
    action: Name | None = None
    arg: Text | None = None
    result: Text | None = None


class Transcript(Record):
    """A whole call, from the customer's first line to the wrap-up notes."""

    format: Literal["callsim-transcript"] = TRANSCRIPT_FORMAT
    format_version: Literal[1] = TRANSCRIPT_VERSION
    call_id: Name
    scenario_id: Name
    scenario_version: Name
    scenario_title: Name = ""
    scenario_hash: Name = ""
    scenario_path: Text = ""
    trainee: Name | None = None
    mode: Literal["practice", "assessment"] = "practice"
    started_at: Name = Field(description="ISO 8601 time the call started.")
    ended_at: Name | None = None
    duration_seconds: float = 0.0
    target_seconds: int = 0
    outcome: Outcome | None = None
    opening_mood: float = 0.0
    final_mood: float = 0.0
    revealed: list[Name] = []
    actions: list[Name] = []
    manager_demanded: bool = False
    escalated: bool = False
    hints_used: int = 0
    wrap_up: Text | None = None
    turns: Annotated[list[Turn], Field(max_length=5000)] = []

    def trainee_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker == "trainee"]

    @property
    def handover(self) -> Turn | None:
        for t in self.turns:
            if t.handover:
                return t
        return None
