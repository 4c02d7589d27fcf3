"""The behaviour tags of TAGS.md and the default rubric dimension each one feeds."""

from __future__ import annotations

from callsim.engine.models import TAG_NAMES

#: Rubric dimension ids of the default rubric, in the guide's order.
DIMENSIONS: tuple[str, ...] = (
    "calm_tone",
    "active_listening",
    "clarifying_questions",
    "empathy",
    "problem_solving",
    "managing_expectations",
    "follow_up",
    "escalation",
)

#: Which dimension a tag earns (or, for blame and over_promise, loses) credit in.
TAG_DIMENSION: dict[str, str] = {
    "empathy": "empathy",
    "reflection": "active_listening",
    "open_question": "clarifying_questions",
    "closed_question": "clarifying_questions",
    "escalation": "escalation",
    "blame": "calm_tone",
    "over_promise": "managing_expectations",
    "timeline": "managing_expectations",
    "options": "problem_solving",
    "explain_steps": "problem_solving",
    "check_resolution": "follow_up",
}

#: Tags that lose credit rather than earn it.
NEGATIVE_TAGS: frozenset[str] = frozenset({"blame", "over_promise"})

assert set(TAG_DIMENSION) == set(TAG_NAMES)
