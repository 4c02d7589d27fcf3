"""Matching a trainee reply to what the stage expects, on rapidfuzz.

Trainers give intents as example phrasings. A reply matches the intent whose example it is most
like, provided the score clears a floor and beats the best *other* intent by a margin; otherwise
nothing matches and the stage's fallback plays. No rapidfuzz scorer sees negation ("I can
refund" and "I cannot refund" score ~90), so a reply whose negation differs from the example's
loses points, and intents may list contrasting `not` examples that veto a match outright.

Scoring is asymmetric on purpose. Trainees say more than an example, so an example whose words
all appear in the reply should score high: `token_set_ratio` does that. But it also scores a
short reply ("sorry") at 100 against any longer example that contains it, so examples clearly
longer than the reply are scored with `token_sort_ratio`, which charges for the missing words.
Examples are kept sorted by length, so each reply costs one pass over the examples, split in two.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

#: A reply must score at least this (0-100) to match anything.
DEFAULT_FLOOR = 72.0
#: ... and beat the best example of any other intent by this many points.
DEFAULT_MARGIN = 4.0
#: Points lost when a reply's negation differs from the example's.
NEGATION_PENALTY = 30.0
#: Examples up to this many times the reply's length count as "contained" in it.
LENGTH_TOLERANCE = 1.3
#: How many top examples are inspected for the runner-up and for `not` vetoes.
_TOP = 12

_NEGATOR = (
    r"(?:not|no|never|cannot|cant|unable|dont|wont|didnt|isnt|arent|wasnt|couldnt|wouldnt"
    r"|shouldnt|\w+n't)"
)
#: Negation of what the speaker (or the listener) will do: "I can't", "we won't", "you don't
#: need", "there's no need". A negated description of the fault ("it's still not working") is
#: content, not a refusal, and must not flip the match.
_SPEAKER_NEGATION = re.compile(
    r"\b(?:i|we|you|i'm|im|we're|you're|i'll|we'll|you'll|i've|we've|there's|theres|there is)"
    r"(?:\s+\w+){0,2}?\s+" + _NEGATOR + r"\b"
    r"|^\s*(?:no|never)\b",
    re.IGNORECASE,
)


def negated(text: str) -> bool:
    """Whether the speaker refuses or denies: "I cannot refund" against "I can refund"."""
    return bool(_SPEAKER_NEGATION.search(text.replace("\u2019", "'")))


@dataclass(frozen=True)
class Match:
    """The outcome of matching one reply against one set of intents."""

    intent: str | None
    score: float
    example: str | None = None
    runner_up: str | None = None
    runner_up_score: float = 0.0
    vetoed_by: str | None = None

    @property
    def ambiguous(self) -> bool:
        return self.intent is None and self.runner_up is not None and self.score > 0


@dataclass(frozen=True)
class _Choice:
    intent: str
    example: str
    negative: bool  # a `not` example of the intent
    negated: bool  # the example itself carries negation


class IntentMatcher:
    """Matches replies against a fixed set of intents; build once per stage, reuse per call."""

    def __init__(
        self,
        intents: Iterable[tuple[str, Sequence[str], Sequence[str]]],
        *,
        floor: float = DEFAULT_FLOOR,
        margin: float = DEFAULT_MARGIN,
        negation: bool = True,
    ):
        """`intents`: (name, examples, not-examples) triples.

        `negation=False` ignores negation, for questions: "Haven't you restarted it?" asks the
        same as "Have you restarted it?".
        """
        self.floor = floor
        self.margin = margin
        self.negation = negation
        entries: list[tuple[str, _Choice]] = []
        for name, examples, negatives in intents:
            for ex in examples:
                entries.append((default_process(ex), _Choice(name, ex, False, negated(ex))))
            for ex in negatives:
                entries.append((default_process(ex), _Choice(name, ex, True, negated(ex))))
        self.intent_names = tuple(dict.fromkeys(c.intent for _, c in entries))
        entries.sort(key=lambda e: len(e[0]))
        self._texts = [t for t, _ in entries]
        self._lengths = [len(t) for t in self._texts]
        self._choices = [c for _, c in entries]

    def match(self, reply: str) -> Match:
        processed = default_process(reply)
        if not processed or not self._texts:
            return Match(None, 0.0)
        reply_negated = negated(reply)
        cut = bisect_right(self._lengths, len(processed) * LENGTH_TOLERANCE)
        cutoff = self.floor - self.margin - 1
        top = process.extract(
            processed,
            self._texts[:cut],
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=_TOP,
            score_cutoff=cutoff,
        )
        if cut < len(self._texts):
            longer = process.extract(
                processed,
                self._texts[cut:],
                scorer=fuzz.token_sort_ratio,
                processor=None,
                limit=_TOP,
                score_cutoff=cutoff,
            )
            top += [(text, score, idx + cut) for text, score, idx in longer]
        best: dict[str, tuple[float, _Choice]] = {}
        vetoes: dict[str, tuple[float, _Choice]] = {}
        for _text, raw, idx in top:
            choice = self._choices[idx]
            score = float(raw)
            if self.negation and choice.negated != reply_negated:
                score -= NEGATION_PENALTY
            table = vetoes if choice.negative else best
            if score > table.get(choice.intent, (-1.0, choice))[0]:
                table[choice.intent] = (score, choice)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        if not ranked:
            return Match(None, 0.0)
        name, (score, choice) = ranked[0]
        runner = ranked[1] if len(ranked) > 1 else None
        runner_name = runner[0] if runner else None
        runner_score = runner[1][0] if runner else 0.0
        veto = vetoes.get(name)
        if veto is not None and veto[0] >= score:
            return Match(None, score, choice.example, runner_name, runner_score, veto[1].example)
        if score < self.floor:
            return Match(None, score, choice.example, runner_name, runner_score)
        if runner is not None and score - runner_score < self.margin:
            return Match(None, score, choice.example, runner_name, runner_score)
        return Match(name, score, choice.example, runner_name, runner_score)
