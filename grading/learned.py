"""A learned reading of replies beside the tagger's rules, trained on a labelled corpus.

The rules (grading/tagger.py) fit the sentences they were written from: measured on replies
from the ten industries of the corpus, blame scores an F1 of 0.34. A logistic regression per
tag, over the reply's canonical words and word pairs and triples (texting forms and slips of
cue words read as meant; no case, no punctuation), how much of the customer's line the reply
plays back, and the rules' own tags, learns from `grading/data/corpus/` (3,000 replies in ten
industries, labelled by TAGS.md) when the rules are right and what they miss. Every corpus
reply is trained on as written and as `careless` renders it, and the model reads no case or
punctuation, so careful and careless typing mostly get the same tags. Per tag the
model's reading, the rules' or either counts, with a threshold per tag; both are chosen
leaving one industry out (`bench/train_tagger.py`).

Training is plain AdaGrad (in Python, or numpy when present: `python bench/train_tagger.py`);
the weights ship as `grading/data/tagger_model.json` and load on first use. The figures, leave
one industry out and on held-out industries, are in docs/rubric.md.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from callsim.engine.language import is_negation
from callsim.engine.models import TAG_NAMES

MODEL_FILE = Path(__file__).resolve().parent / "data" / "tagger_model.json"
MODEL_FORMAT = 2
#: A tag is given when the model's probability reaches this (chosen leave-one-industry-out).
THRESHOLD = 0.5
#: Features seen in fewer replies than this are not learnt (chosen leave-one-industry-out).
MIN_COUNT = 2
#: How many words after a negation ("not", "never", "can't") the model reads as negated.
NEGATION_SCOPE = 3

#: Punctuation left out in `unpunctuated`; marks inside a word or number ("12.50", "8-12",
#: "a/c") stay, as they do when people type quickly.
_MARK = r"[.,;:!?\"()\u2026\u2014\u2013/-]+"
_ALL_MARKS = re.compile(rf"(?<!\w){_MARK}|{_MARK}(?!\w)")
#: The same without the comma, which `careless` keeps.
_MARK_NOT_COMMA = r"[.;:!?\"()\u2026\u2014\u2013/-]+"
_CARELESS_MARKS = re.compile(rf"(?<!\w){_MARK_NOT_COMMA}|{_MARK_NOT_COMMA}(?!\w)")
_APOSTROPHE = re.compile("['\u2019]")


def careless(text: str) -> str:
    """`text` as someone typing quickly would send it: lowercase, no apostrophes, no full stops,
    question or exclamation marks, one space between words; commas stay, since people who
    leave out capitals, apostrophes and question marks mostly still type them. The model is
    trained on each corpus reply in this form as well as as written, and the bench measures
    how many replies change their tags between the two."""
    text = _CARELESS_MARKS.sub(" ", _APOSTROPHE.sub("", text.lower()))
    return " ".join(text.replace(" ,", ",").split())


def unpunctuated(text: str) -> str:
    """`text` lowercase with no punctuation at all (commas too): the harsher rendering issue
    13's target is stated for, measured beside `careless`."""
    return " ".join(_ALL_MARKS.sub(" ", text.lower()).split())


def features_of(
    words: Sequence[str],
    lemmas: Iterable[str],
    customer: frozenset[str],
    rule_tags: Iterable[str],
) -> frozenset[str]:
    """What the model sees of one reply: its words, word pairs and triples, its first and last
    words, the words in a negation's scope, its length, how much of the customer's last line
    its content words play back, and the rules' tags (which see the whole call: a playback of
    an earlier line reaches the model through the rules' `reflection`).

    `words` are the reply's canonical words with the punctuation left out (texting forms and
    slips of cue words read as meant), so a reply typed carelessly gives the same features as
    the same reply typed with care; `lemmas` are its content words' lemmas; `customer` the
    content lemmas of the customer's last line."""
    out: set[str] = set()
    n = len(words)
    scope = 0
    for i, w in enumerate(words):
        # a negation's scope: the next few words are read as negated ("never promised")
        if scope:
            out.add("neg:" + w)
            scope -= 1
        if is_negation(w):
            scope = NEGATION_SCOPE
        out.add("w:" + w)
        if i + 1 < n:
            out.add(f"b:{w}_{words[i + 1]}")
            if i + 2 < n:
                out.add(f"t:{w}_{words[i + 1]}_{words[i + 2]}")
    if words:
        out.add("first:" + words[0])
        if n > 1:
            out.add(f"first2:{words[0]}_{words[1]}")
        out.add("last:" + words[-1])
    out.add("len:" + ("1" if n < 4 else "2" if n < 8 else "3" if n < 16 else "4"))
    mine = set(lemmas)
    if customer:
        shared = len(customer & mine)
        out.add("playback:" + str(min(4, shared * 10 // len(customer) // 2)))
        out.add("played:" + str(min(3, shared)))
    out.update("rule:" + t for t in rule_tags)
    return frozenset(out)


def features(
    text: str,
    customer: str | None,
    rule_tags: Iterable[str],
    history: Sequence[str] = (),
) -> frozenset[str]:
    """`features_of` for a reply given as text (training and tests; the tagger reuses the
    reading its rules already made)."""
    from callsim.grading.tagger import model_inputs

    words, lemmas, cust = model_inputs(text, customer, history)
    return features_of(words, lemmas, cust, rule_tags)


@dataclass(frozen=True)
class TagModel:
    """Per tag: a bias and a weight per feature (features the corpus never showed weigh 0)."""

    tags: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    #: Per tag, whose reading counts: "model", "rules", or "either" (chosen per tag by
    #: leave-one-industry-out F1 when the model is trained).
    trust: Mapping[str, str] = field(default_factory=dict)
    #: Per tag, the probability from which the model gives it (default THRESHOLD; chosen per
    #: tag leaving one industry out).
    thresholds: Mapping[str, float] = field(default_factory=dict)

    def scores(self, feats: Iterable[str]) -> list[float]:
        """Per tag (in `tags` order), the model's log-odds that the reply shows it."""
        return list(map(sum, zip(self.bias, *filter(None, map(self.weights.get, feats)),
                                 strict=True)))

    def probabilities(self, feats: Iterable[str]) -> dict[str, float]:
        return {
            t: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            for t, z in zip(self.tags, self.scores(feats), strict=True)
        }

    def found(self, feats: Iterable[str]) -> frozenset[str]:
        """The tags the model alone gives."""
        return frozenset(
            t for t, z, cut in zip(self.tags, self.scores(feats), self._cuts, strict=True)
            if z >= cut
        )

    @cached_property
    def _cuts(self) -> tuple[float, ...]:
        """Per tag, the log-odds from which the model gives it."""
        return tuple(
            math.log(th / (1.0 - th))
            for th in (self.thresholds.get(t, THRESHOLD) for t in self.tags)
        )

    def combine(self, by_model: Iterable[str], rule_tags: Iterable[str]) -> frozenset[str]:
        """The tags given: per tag, the model's reading, the rules', or either's (`trust`)."""
        model, rules = frozenset(by_model), frozenset(rule_tags)
        out = set()
        for t in self.tags:
            trust = self.trust.get(t, "model")
            if (t in model and trust != "rules") or (t in rules and trust != "model"):
                out.add(t)
        return frozenset(out)

    def tag(self, feats: Iterable[str], rule_tags: Iterable[str]) -> frozenset[str]:
        return self.combine(self.found(feats), rule_tags)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": MODEL_FORMAT,
                "tags": list(self.tags),
                "bias": [round(b, 4) for b in self.bias],
                "trust": dict(self.trust),
                "thresholds": {t: round(v, 3) for t, v in self.thresholds.items()},
                "weights": {f: [round(v, 3) for v in w] for f, w in sorted(self.weights.items())},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> TagModel:
        """Raises ValueError on anything but a model this version wrote."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a callsim tagger model (format {MODEL_FORMAT})")
        tags = tuple(data["tags"])
        if set(tags) - set(TAG_NAMES):
            raise ValueError("the model names tags this version does not know")
        k = len(tags)
        bias = tuple(float(b) for b in data["bias"])
        weights = {
            str(f): tuple(float(v) for v in w)
            for f, w in data["weights"].items()
        }
        if len(bias) != k or any(len(w) != k for w in weights.values()):
            raise ValueError("the model's weights do not fit its tags")
        if not all(math.isfinite(v) for w in (bias, *weights.values()) for v in w):
            raise ValueError("the model holds a number that is not finite")
        trust = {str(t): str(v) for t, v in dict(data.get("trust", {})).items()}
        if set(trust) - set(tags) or set(trust.values()) - {"model", "rules", "either"}:
            raise ValueError("the model's trust table names unknown tags or readings")
        thresholds = {str(t): float(v) for t, v in dict(data.get("thresholds", {})).items()}
        if set(thresholds) - set(tags) or not all(0.0 < v < 1.0 for v in thresholds.values()):
            raise ValueError("the model's thresholds name unknown tags or are not between 0 and 1")
        return cls(tags, bias, weights, trust, thresholds)


def train(
    rows: Sequence[tuple[frozenset[str], frozenset[str]]],
    *,
    tags: Sequence[str] = TAG_NAMES,
    epochs: int = 12,
    rate: float = 0.3,
    l2: float = 1e-5,
    min_count: int = MIN_COUNT,
    seed: int = 0,
) -> TagModel:
    """Logistic regression per tag by AdaGrad over (features, gold tags) pairs. Features seen in
    fewer than `min_count` replies are left out: one sentence's words teach nothing general,
    and they would make the shipped model large and slow to load."""
    seen: dict[str, int] = {}
    for feats, _gold in rows:
        for f in feats:
            seen[f] = seen.get(f, 0) + 1
    rows = [(frozenset(f for f in feats if seen[f] >= min_count), gold) for feats, gold in rows]
    k = len(tags)
    weights: dict[str, list[float]] = {}
    grads: dict[str, list[float]] = {}
    bias = [0.0] * k
    bias_g = [0.0] * k
    order = list(range(len(rows)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            feats, gold = rows[i]
            vecs = [weights.setdefault(f, [0.0] * k) for f in feats]
            gvecs = [grads.setdefault(f, [0.0] * k) for f in feats]
            for t, tag in enumerate(tags):
                z = bias[t] + sum(v[t] for v in vecs)
                p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
                g = p - (1.0 if tag in gold else 0.0)
                if abs(g) < 1e-4:
                    continue
                bias_g[t] += g * g
                bias[t] -= rate * g / math.sqrt(bias_g[t] + 1e-8)
                for v, gv in zip(vecs, gvecs, strict=True):
                    step = g + l2 * v[t]
                    gv[t] += step * step
                    v[t] -= rate * step / math.sqrt(gv[t] + 1e-8)
    return TagModel(tuple(tags), tuple(bias), {f: tuple(w) for f, w in weights.items()})


def with_trust(
    model: TagModel, trust: Mapping[str, str], thresholds: Mapping[str, float] | None = None
) -> TagModel:
    """`model` with its per-tag trust (and thresholds) chosen leaving one industry out."""
    return replace(model, trust=dict(trust), thresholds=dict(thresholds or {}))


_MODEL: list[TagModel | None] = []
_LOCK = threading.Lock()


def shipped_model() -> TagModel | None:
    """The model shipped with callsim, read once; None if the file is missing or damaged
    (the tagger then uses its rules alone, and `callsim explain` says so)."""
    if not _MODEL:
        with _LOCK:
            if not _MODEL:
                try:
                    model: TagModel | None = TagModel.from_json(
                        MODEL_FILE.read_text(encoding="utf-8")
                    )
                except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
                    model = None
                _MODEL.append(model)
    return _MODEL[0]
