"""Practice-mode coaching: why the customer's mood moved after a reply, in one line.

The engine records each cause of a mood change (a behaviour it heard, a fact the reply drew
out, the response the stage has for what was said, a reply that got nowhere). This turns them
into the trainee's words, so a trainee practising learns what calmed or inflamed the customer
while the call is still going. Line mode and the app show the same line: the wording lives
here, not in tui/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from callsim.engine.call import MoodChange
from callsim.engine.loader import LoadedScenario

#: A behaviour the tagger heard, as the reason the customer reacted to it.
TAG_WORDS: dict[str, str] = {
    "empathy": "you acknowledged how they feel",
    "reflection": "you played back what they said",
    "timeline": "you gave a concrete time",
    "explain_steps": "you explained the next steps",
    "options": "you offered a choice",
    "check_resolution": "you checked it was sorted",
    "open_question": "you asked an open question",
    "closed_question": "you asked a focused question",
    "escalation": "you offered to hand them over",
    "over_promise": "you promised what you cannot control",
    "blame": "you blamed or talked down to them",
}

#: How many causes one line names (the largest first); the rest are counted.
MAX_CAUSES = 2


@dataclass(frozen=True)
class MoodCause:
    """One reason the mood moved, and by how much (positive: more frustrated)."""

    delta: float
    why: str


@dataclass(frozen=True)
class MoodNote:
    """Why the customer's mood moved after one reply."""

    before: float
    after: float
    causes: tuple[MoodCause, ...]

    @property
    def direction(self) -> str:
        moved = round(self.after - self.before, 2)
        if moved < 0:
            return "Calmer"
        if moved > 0:
            return "More frustrated"
        if self.after <= 0 and any(c.delta < 0 for c in self.causes):
            return "No change (already as calm as can be)"
        if self.after >= 10 and any(c.delta > 0 for c in self.causes):
            return "No change (already furious)"
        return "No change"

    def line(self) -> str:
        """One line: the direction, then the largest causes with their effect."""
        if not self.causes:
            return f"{self.direction}: nothing in that reply moved them."
        ranked = sorted(self.causes, key=lambda c: -abs(c.delta))
        named = [f"{c.why} ({_signed(c.delta)})" for c in ranked[:MAX_CAUSES]]
        rest = len(ranked) - MAX_CAUSES
        if rest > 0:
            named.append(f"and {rest} more")
        return f"{self.direction}: " + ", ".join(named) + "."


def _signed(delta: float) -> str:
    return f"{round(delta, 2):+g}"


def _intent_words(loaded: LoadedScenario, name: str) -> str:
    try:
        description = loaded.intent(name).description
    except KeyError:
        description = None
    text = " ".join((description or name.replace("_", " ")).split())
    text = text.split(". ")[0].rstrip(".")  # its first sentence: what the reply does
    return text[:1].lower() + text[1:]


def _fact_words(loaded: LoadedScenario, fid: str) -> str:
    fact = loaded.scenario.facts.get(fid)
    return fact.summary if fact is not None else fid.replace("_", " ")


def cause(loaded: LoadedScenario, change: MoodChange) -> MoodCause:
    """One of the engine's mood changes in the trainee's words."""
    kind, _, what = change.reason.partition(":")
    if kind == "tag":
        why = TAG_WORDS.get(what, f"your reply showed {what.replace('_', ' ')}")
    elif kind == "fact":
        why = f"your question drew out something new ({_fact_words(loaded, what)})"
    elif kind == "asked again":
        why = f"you asked again for what they had already told you ({_fact_words(loaded, what)})"
    elif kind == "intent":
        words = _intent_words(loaded, what)
        if change.delta < 0:
            why = f"your reply was what they needed ({words})"
        else:
            why = f"they took your reply badly ({words})"
    elif kind == "not yet":
        why = f"you said it before it was done ({_intent_words(loaded, what)})"
    elif kind == "no progress":
        why = "your reply did not move things on"
    else:
        why = change.reason
    return MoodCause(change.delta, why)


def mood_note(
    loaded: LoadedScenario, changes: Sequence[MoodChange], before: float, after: float
) -> MoodNote:
    """Why the mood went from `before` to `after`, from the engine's record of one reply."""
    return MoodNote(before, after, tuple(cause(loaded, c) for c in changes if c.delta))
