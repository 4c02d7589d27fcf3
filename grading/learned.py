"""A learned second opinion on the tagger's rules, trained on a labelled corpus of replies.

The rules (grading/tagger.py) fit the sentences they were written from: measured on replies
from industries the rules never saw, blame scored an F1 of 0.26. A logistic regression
per tag, over the reply's words and word pairs and triples (typed words read as meant: "u" is
"you", "cant" is "can not"), how much of the customer's line the reply plays back, and the
rules' own tags, learns from `grading/data/corpus/` (3,000 replies in ten industries, a third
typed carelessly, labelled by TAGS.md) when the rules are right and what they miss. It has no
punctuation features, so a question typed without its mark reads the same.

Training is plain AdaGrad in Python (`python bench/train_tagger.py`), so nothing beyond the
package is needed to retrain; the weights ship as `grading/data/tagger_model.json` and load on
first use. The figures, leave-one-industry-out and on held-out industries, are in
docs/rubric.md.
"""

from __future__ import annotations

import json
import math
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from callsim.engine.language import raw_words, sentences
from callsim.engine.models import TAG_NAMES

MODEL_FILE = Path(__file__).resolve().parent / "data" / "tagger_model.json"
MODEL_FORMAT = 1
#: A tag is given when the model's probability reaches this (chosen leave-one-industry-out).
THRESHOLD = 0.5
#: Features seen in fewer replies than this are not learnt (chosen leave-one-industry-out).
MIN_COUNT = 2

#: Words too common to show that a reply plays back the customer's line.
_COMMON = frozenset(
    """the a an to of and or in on for it is be this that i you we my your our me us not no
    have has had do does did will would can could am are was were been at by with so but""".split()
)


def features(
    text: str,
    customer: str | None,
    rule_tags: Iterable[str],
    history: Sequence[str] = (),
) -> frozenset[str]:
    """What the model sees of one reply: its words, word pairs and triples, its first and last
    words, its length, how much of the customer's line (or an earlier one) it plays back, and
    the rules' tags."""
    ws = raw_words(text)
    out: set[str] = set()
    for i, w in enumerate(ws):
        out.add("w:" + w)
        if i + 1 < len(ws):
            out.add(f"b:{w}_{ws[i + 1]}")
        if i + 2 < len(ws):
            out.add(f"t:{w}_{ws[i + 1]}_{ws[i + 2]}")
    if ws:
        out.add("first:" + ws[0])
        if len(ws) > 1:
            out.add(f"first2:{ws[0]}_{ws[1]}")
        out.add("last:" + ws[-1])
    n = len(ws)
    out.add("len:" + ("1" if n < 4 else "2" if n < 8 else "3" if n < 16 else "4"))
    mine = set(ws)
    best = -1.0
    for line in (customer, *history):
        said = {w for w in raw_words(line or "") if w not in _COMMON}
        if said:
            best = max(best, len(said & mine) / len(said))
    if best >= 0:
        out.add("playback:" + str(min(4, int(best * 10) // 2)))
    out.update("rule:" + t for t in rule_tags)
    return frozenset(out)


@dataclass(frozen=True)
class TagModel:
    """Per tag: a bias and a weight per feature (features the corpus never showed weigh 0)."""

    tags: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    #: Per tag, whose reading counts: "model", "rules", or "either" (chosen per tag by
    #: leave-one-industry-out F1 when the model is trained).
    trust: Mapping[str, str] = field(default_factory=dict)

    def probabilities(self, feats: Iterable[str]) -> dict[str, float]:
        z = list(self.bias)
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                for k, v in enumerate(w):
                    z[k] += v
        return {t: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, v)))) for t, v in zip(
            self.tags, z, strict=True
        )}

    def tag(
        self,
        text: str,
        customer: str | None,
        rule_tags: Iterable[str],
        history: Sequence[str] = (),
    ) -> frozenset[str]:
        rules = frozenset(rule_tags)
        probs = self.probabilities(features(text, customer, rules, history))
        out = set()
        for t, p in probs.items():
            trust = self.trust.get(t, "model")
            by_model = p >= THRESHOLD
            if (
                (trust == "model" and by_model)
                or (trust == "rules" and t in rules)
                or (trust == "either" and (by_model or t in rules))
            ):
                out.add(t)
        return frozenset(out)

    def read(
        self,
        text: str,
        customer: str | None,
        rules: Callable[[str], Iterable[str]],
        history: Sequence[str] = (),
    ) -> frozenset[str]:
        """The tags of a whole reply: the reply as one, and each of its sentences alone.

        The corpus is mostly one or two sentences a reply; a long reply that does three things
        would otherwise be judged by words that belong to its other sentences. `rules` gives
        the rules' tags of any text."""
        found = set(self.tag(text, customer, rules(text), history))
        parts = sentences(text)
        if len(parts) > 1:
            for part in parts:
                found |= self.tag(part, customer, rules(part), history)
        return frozenset(found)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": MODEL_FORMAT,
                "tags": list(self.tags),
                "bias": [round(b, 4) for b in self.bias],
                "trust": dict(self.trust),
                "weights": {f: [round(v, 3) for v in w] for f, w in sorted(self.weights.items())},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> TagModel:
        """Raises ValueError on anything but a model this version wrote."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ValueError("not a callsim tagger model (format 1)")
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
        return cls(tags, bias, weights, trust)


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


def with_trust(model: TagModel, trust: Mapping[str, str]) -> TagModel:
    return replace(model, trust=dict(trust))


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
