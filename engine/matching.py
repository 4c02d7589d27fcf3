"""Matching a trainee reply to what the stage expects, on rapidfuzz.

Trainers give intents as example phrasings. A reply matches the intent whose example it is most
like, provided the score clears a floor and beats the best *other* intent by a margin; otherwise
nothing matches and the stage's fallback plays. No rapidfuzz scorer sees negation ("I can
refund" and "I cannot refund" score ~90), so a reply whose negation differs from the example's
loses points, and intents may list contrasting `not` examples that veto a match outright.

Negation is read per clause: the clause of the reply most like the example decides, so a
reassurance elsewhere in the reply ("no problem, ...") does not turn an offer into a refusal.

Scoring is asymmetric on purpose. Trainees say more than an example, so an example whose words
all appear in the reply should score high: `token_set_ratio` does that. But it also scores a
short reply ("sorry") at 100 against any longer example that contains it, so examples clearly
longer than the reply are scored with `token_sort_ratio`, which charges for the missing words.
Contained examples are also scored by `partial_ratio` (their words in their own order), and the
two are averaged: a short example whose words are merely scattered through a reply is no match.
Examples are kept sorted by length, so each reply costs one pass over the examples, split in two.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from callsim.engine.language import (
    IDIOMS,
    NEGATION_PATTERN,
    asks,
    clauses,
    finds_out,
    has_negation,
    normalise,
)
from callsim.engine.meaning import MeaningIndex, Reader, base_meaning, misses_point

#: A reply must score at least this (0-100) to match anything.
DEFAULT_FLOOR = 72.0
#: ... and beat the best example of any other intent by this many points.
DEFAULT_MARGIN = 4.0
#: Points lost when a reply's negation differs from the example's.
NEGATION_PENALTY = 30.0
#: Points lost when an example names concepts and the reply says none of them.
MISSED_POINT_PENALTY = 15.0
#: Examples up to this many times the reply's length count as "contained" in it.
LENGTH_TOLERANCE = 1.3
#: How many top examples are inspected for the runner-up and for `not` vetoes.
_TOP = 12
#: A meaning score (0-100: how much of an example the reply covers) counts this much against
#: the fuzzy score; calibrated on replies written without sight of the examples
#: (docs/matching.md).
MEANING_WEIGHT = 0.9

#: Negation of what the speaker (or the listener) will do: "I can't", "we won't", "you don't
#: need", "there's no need". A negated description of the fault ("it's still not working") is
#: content, not a refusal, and must not flip the match. The negation words are the language
#: module's, shared with the tagger and the grader.
_SPEAKER_NEGATION = re.compile(
    r"\b(?:i|we|you|i'm|im|we're|you're|i'll|we'll|you'll|i've|we've|there's|theres|there is)"
    r"(?:\s+\w+){0,2}?\s+" + NEGATION_PATTERN + r"\b"
    r"|^\s*(?:no|never)\b",
    re.IGNORECASE,
)


def negated(text: str) -> bool:
    """Whether the speaker refuses or denies: "I cannot refund" against "I can refund"."""
    plain = normalise(text)
    # Most replies carry no negator at all; a word check settles those without the pattern.
    if not has_negation(plain):
        return False
    return bool(_SPEAKER_NEGATION.search(IDIOMS.sub(" ", plain).strip()))


@lru_cache(maxsize=16384)
def _example(example: str) -> tuple[str, bool, tuple[tuple[str, bool], ...]]:
    """An example's processed text and polarity; shared intents recur in every stage."""
    return default_process(example), negated(example), _clauses(example)


def _clauses(reply: str) -> tuple[tuple[str, bool], ...]:
    """The reply's clauses, processed, each with whether it is negated."""
    return tuple((default_process(p), negated(p)) for p in clauses(reply))


def _negation_differs(
    reply_clauses: tuple[tuple[str, bool], ...], example_clauses: tuple[tuple[str, bool], ...]
) -> bool:
    """Whether some part of the example is said with the opposite polarity in the reply.

    Each clause of the example is paired with the reply's clause most like it, and the two
    must agree on negation: "I can't refund that" against "I can refund that" differs; "No
    problem, let me run a test" against "let me run a test" does not; "I'll tell my manager so
    you don't have to repeat it" against itself does not.
    """
    for text, neg in example_clauses:
        if not text:
            continue
        near = max(reply_clauses, key=lambda c: fuzz.partial_ratio(text, c[0]) if c[0] else -1)
        if near[1] != neg:
            return True
    return False


@dataclass(frozen=True)
class Match:
    """The outcome of matching one reply against one set of intents."""

    intent: str | None
    score: float
    example: str | None = None
    runner_up: str | None = None
    runner_up_score: float = 0.0
    vetoed_by: str | None = None
    #: The intent that scored best when none was accepted (below the floor, or a tie).
    candidate: str | None = None
    #: A handover the reply put off or made conditional (the engine sets it).
    deferred: bool = False
    #: How likely the best intent is the one meant (0-1), from the calibrated evidence.
    confidence: float = 0.0
    #: The evidence behind `confidence` (see `_evidence`), kept for calibrating it.
    evidence: tuple[float, ...] = field(default=(), compare=False, repr=False)
    #: Taken on `confidence` alone: neither reading cleared its own bar.
    calibrated: bool = False

    @property
    def ambiguous(self) -> bool:
        return self.intent is None and self.runner_up is not None and self.score > 0


@dataclass(frozen=True)
class _Choice:
    intent: str
    example: str
    negative: bool  # a `not` example of the intent
    negated: bool  # the example itself carries negation
    clauses: tuple[tuple[str, bool], ...] = ()
    asks: bool = False  # the example asks something


class IntentMatcher:
    """Matches replies against a fixed set of intents; build once per stage, reuse per call."""

    def __init__(
        self,
        intents: Iterable[tuple[str, Sequence[str], Sequence[str]]],
        *,
        floor: float = DEFAULT_FLOOR,
        margin: float = DEFAULT_MARGIN,
        negation: bool = True,
        reader: Reader | None = None,
        calibrated: bool = True,
        points: bool = True,
        asking: Iterable[str] = (),
    ):
        """`intents`: (name, examples, not-examples) triples.

        `negation=False` ignores negation, for questions: "Haven't you restarted it?" asks the
        same as "Have you restarted it?". `calibrated=False` takes no best intent on
        `confidence` alone (it was fitted on replies to stages, not on questions for facts);
        `points=False` does not charge an example whose concepts the reply does not name
        (questions for facts are short, and "your direct debit" asks what "the payment" asks).
        `asking`: intents whose description says they ask, so a question may match any of their
        examples.
        """
        asking = frozenset(asking)
        self.calibrated = calibrated
        self.points = points
        self.floor = floor
        self.margin = margin
        self.negation = negation
        entries: list[tuple[str, _Choice]] = []
        for name, examples, negatives in intents:
            for ex, negative in [(e, False) for e in examples] + [(e, True) for e in negatives]:
                text, neg, clauses = _example(ex)
                if reader is not None:  # compared in the same words as replies are
                    text = default_process(" ".join(reader.words(ex)))
                asked = name in asking or asks(ex)
                entries.append((text, _Choice(name, ex, negative, neg, clauses, asked)))
        self.intent_names = tuple(dict.fromkeys(c.intent for _, c in entries))
        entries.sort(key=lambda e: len(e[0]))
        self._texts = [t for t, _ in entries]
        self._lengths = [len(t) for t in self._texts]
        self._choices = [c for _, c in entries]
        self.reader = reader
        self._index: MeaningIndex | None = None
        self._negative_bags: dict[int, frozenset[str]] = {}
        self._index_lock = threading.Lock()

    @property
    def _meaning(self) -> MeaningIndex | None:
        """The examples read for meaning, built on first use (or by `warm`)."""
        if self.reader is None:
            return None
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = MeaningIndex(
                        self.reader,
                        (
                            (i, c.intent, c.example)
                            for i, c in enumerate(self._choices)
                            if not c.negative
                        ),
                    )
        return self._index

    def _negative_bag(self, idx: int) -> frozenset[str]:
        """A `not` example read for meaning (kept once read)."""
        bag = self._negative_bags.get(idx)
        if bag is None and self.reader is not None:
            bag = self._negative_bags[idx] = self.reader.bag(self._choices[idx].example)
        return bag or frozenset()

    def _veto_off_point(self, reply_bag: frozenset[str], idx: int, intent: str) -> bool:
        """Whether a `not` example's own point is missing from the reply: the concepts that
        set it apart from the intent's examples ("feedback" in "I'll pass your feedback on to
        my manager"), else any of its concepts."""
        veto = self._negative_bag(idx)
        meaning = self._meaning
        assert meaning is not None
        own = {base_meaning(t) for t in meaning.union(intent)}
        apart = {base_meaning(t) for t in veto if t.lstrip("~").startswith("#")} - own
        if not apart:
            return misses_point(reply_bag, veto)
        said = {base_meaning(t) for t in reply_bag}
        return any(t.startswith("#") for t in said) and apart.isdisjoint(said)

    def warm(self) -> None:
        """Build what the first reply would otherwise wait for."""
        _ = self._meaning

    def may_confuse(self, example: str, intent: str) -> bool:
        """Whether anything but `intent`'s own examples could come near `example` (a cheap bound).

        Lets a check of every example against its stage skip the full match for the great
        majority that no rival comes near. A rival must score within the margin of 100; its
        score is at most the mean of token set ratio and a partial ratio of at most 100, and
        token sort ratio never exceeds token set ratio, so token set ratio alone bounds it.
        """
        text = _example(example)[0]
        bound = 2 * (self.floor - self.margin - 1) - 100
        for _t, _score, idx in process.extract(
            text,
            self._texts,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=None,
            score_cutoff=bound,
        ):
            choice = self._choices[idx]
            if choice.intent != intent or choice.negative:
                return True
        return False

    def match(self, reply: str) -> Match:
        if self.reader is not None:  # "anythin else i can do for u": the words meant
            processed = default_process(" ".join(self.reader.words(reply)))
        else:
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
        reply_bag = self.reader.bag(reply) if self._meaning is not None else frozenset()
        reply_clauses: tuple[tuple[str, bool], ...] | None = None
        best: dict[str, tuple[float, _Choice]] = {}
        vetoes: dict[str, tuple[float, _Choice]] = {}
        fuzzy_top: tuple[float, str | None] = (-1.0, None)
        wording: dict[str, float] = {}
        only_asking = self.negation and finds_out(reply)  # a fact question: asking examples only
        for text, raw, idx in top:
            choice = self._choices[idx]
            if only_asking and not choice.asks and not choice.negative:
                continue
            score = float(raw)
            if idx < cut:
                # Shared words alone make a high set score ("...runs through the box now"
                # against "I'll put you through now"); the example's words in its own order
                # somewhere in the reply are what set a real match apart.
                score = (score + fuzz.partial_ratio(text, processed)) / 2
            differs = False
            if self.negation and (reply_negated or choice.negated):
                if reply_clauses is None:
                    reply_clauses = _clauses(reply)
                differs = _negation_differs(reply_clauses, choice.clauses)
            if not differs and self.negation and self._meaning is not None and not choice.negative:
                differs = self._meaning.conflicts(reply_bag, idx)  # whatever the subject
            if differs:
                score -= NEGATION_PENALTY
            elif (
                self.points
                and self._meaning is not None
                and (
                    self._meaning.misses_point(reply_bag, idx)
                    if not choice.negative
                    else self._veto_off_point(reply_bag, idx, choice.intent)
                )
            ):
                # "I'll see this through for you" against "I'll put you through now": the
                # shared words are around the point, and the point (a transfer) is not said.
                # So for a `not` example too: "I'll pass you to my manager" is not vetoed by
                # "I'll pass your feedback on to my manager" (passing feedback on is its point)
                score -= MISSED_POINT_PENALTY
            table = vetoes if choice.negative else best
            if score > table.get(choice.intent, (-1.0, choice))[0]:
                table[choice.intent] = (score, choice)
            if not choice.negative and score > wording.get(choice.intent, 0.0):
                wording[choice.intent] = score
            if not choice.negative and score > fuzzy_top[0]:
                fuzzy_top = (score, choice.intent)
        meant: list[tuple[float, str]] = []
        explains: dict[str, float] = {}
        if self._meaning is not None:
            for intent, (sem, key, share) in self._meaning.intent_scores(reply_bag).items():
                if only_asking and not self._choices[key].asks:
                    continue
                meant.append((sem, intent))
                explains[intent] = share
                weighted = MEANING_WEIGHT * sem
                if weighted > best.get(intent, (-1.0,))[0]:
                    best[intent] = (weighted, self._choices[key])
            meant.sort(reverse=True)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        if not ranked:
            return Match(None, 0.0)
        name, (score, choice) = ranked[0]
        runner = ranked[1] if len(ranked) > 1 else None
        runner_name = runner[0] if runner else None
        runner_score = runner[1][0] if runner else 0.0
        signed = self._meaning.signed(reply_bag) if self._meaning is not None else frozenset()
        evidence = _evidence(
            name, wording, meant, explains.get(name, 0.0), len(reply_bag), signed
        )
        confidence = _confidence(evidence)
        veto = vetoes.get(name)
        if veto is not None and veto[0] >= score:
            return Match(
                None, score, choice.example, runner_name, runner_score, veto[1].example,
                evidence=evidence,
            )
        found = Match(
            name, score, choice.example, runner_name, runner_score,
            confidence=confidence, evidence=evidence,
        )
        if score >= self.floor and (runner is None or score - runner_score >= self.margin):
            return found
        if meant and _agree(fuzzy_top, meant):
            # wording nearly there and meaning pointing the same way: two readings agree
            intent = meant[0][1]
            ex = best[intent][1].example
            return replace(found, intent=intent, score=max(self.floor, best[intent][0]), example=ex)
        if self.calibrated and self._meaning is not None and confidence >= ACCEPT_CONFIDENCE:
            return replace(found, calibrated=True)
        return replace(found, intent=None, candidate=name)


def _evidence(
    name: str,
    wording: dict[str, float],
    meant: list[tuple[float, str]],
    explains: float,
    size: int,
    signed: frozenset[str],
) -> tuple[float, ...]:
    """What speaks for `name` over the rest (0-1 scales): each reading's score and its lead,
    whether both readings rank it first, how much of the reply its examples explain, whether
    the reply carries only one or two meanings (a filler's few words prove little), and whether
    it carries a meaning only `name`'s examples carry (its signature) or another intent's."""
    w = wording.get(name, 0.0)
    w_rest = max((v for k, v in wording.items() if k != name), default=0.0)
    s = next((v for v, k in meant if k == name), 0.0)
    s_rest = max((v for v, k in meant if k != name), default=0.0)
    w_first = bool(wording) and max(wording, key=wording.__getitem__) == name
    s_first = bool(meant) and meant[0][1] == name
    return (
        max(w, 0.0) / 100,
        s / 100,
        (w - w_rest) / 100,
        (s - s_rest) / 100,
        float(w_first and s_first),
        explains,
        float(size <= 1),
        float(size == 2),
        float(name in signed),
        float(bool(signed - {name})),
    )


def _confidence(evidence: tuple[float, ...]) -> float:
    if len(evidence) + 1 != len(CALIBRATION):
        return 0.0
    z = CALIBRATION[0] + sum(c * x for c, x in zip(CALIBRATION[1:], evidence, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


#: Logistic weights over `_evidence` (intercept first), fitted by bench/calibrate_matching.py
#: on the dev phrasings (tests/phrasings/dev), never on the held-out ones.
CALIBRATION: tuple[float, ...] = (
    -5.694, 3.205, 7.353, 0.545, -0.674, -0.003, 2.511, -3.748, -0.896, 1.876, -0.151
)
#: A best intent this likely is taken even when neither reading clears its own bar alone: the
#: level with the best recall minus three times the false accepts on the dev phrasings (a
#: reply wrongly understood misleads a trainee more than one the customer asks about).
ACCEPT_CONFIDENCE = 0.5


#: Agreement: the wording's best guess scores at least this (below the floor)...
AGREE_WORDING = 65.0
#: ... the meaning's best guess is the same intent, scoring at least this ...
AGREE_MEANING = 40.0
#: ... and beating the meaning score of any other intent by this much.
AGREE_MARGIN = 10.0


def _agree(fuzzy_top: tuple[float, str | None], meant: list[tuple[float, str]]) -> bool:
    sem, intent = meant[0]
    second = meant[1][0] if len(meant) > 1 else 0.0
    return (
        fuzzy_top[1] == intent
        and fuzzy_top[0] >= AGREE_WORDING
        and sem >= AGREE_MEANING
        and sem - second >= AGREE_MARGIN
    )


#: A stage's own response wins over an `anywhere` one unless that scores this much higher.
OWN_FIRST_WITHIN = 15.0
#: ... unless the confidence in the response allowed anywhere is higher by this much.
ANYWHERE_SURER = 0.15


class StageMatcher:
    """A stage's own expected replies first, then the responses allowed anywhere.

    A reply often does two things ("Yes, I'll get you a manager; can I take a few details
    first?"). The stage's own responses say what the trainer expects at this point, so they
    win a close call against the global ones (escalate, anything else...), which still win
    when the reply is plainly one of them.
    """

    def __init__(self, own: IntentMatcher, anywhere: IntentMatcher | None = None):
        self.own = own
        self.anywhere = anywhere
        self.intent_names = own.intent_names + (anywhere.intent_names if anywhere else ())

    def match(self, reply: str) -> Match:
        mine = self.own.match(reply)
        if self.anywhere is None:
            return mine
        other = self.anywhere.match(reply)
        if other.intent is None:
            return mine
        if mine.intent is None:
            return other
        if other.calibrated:  # a guess from the responses allowed anywhere never overrides
            return mine
        if mine.calibrated or other.score - mine.score > OWN_FIRST_WITHIN:
            return other
        if other.confidence - mine.confidence >= ANYWHERE_SURER:
            # "I'll pass you to the specialist team, they'll sort it" shares "sort it" with an
            # own example, but both readings are far surer it is a transfer
            return other
        return mine

