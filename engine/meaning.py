"""Reading a reply for what it means, not how it is spelt.

Trainees say the right thing in their own words: "I'll kick this upstairs to my supervisor"
means the trainer's "let me get my manager". Fuzzy string scores (engine/matching.py) see
wording only, so a reply is also read as a bag of *meanings*: words folded, contractions and
text-speak expanded, slips corrected against the scenario's own vocabulary, each word reduced
to its lemma (simplemma, measured in docs/matching.md), and runs of lemmas that a concept
library says mean the same replaced by the concept ("team leader", "supervisor", "someone
senior" -> `manager`). Two bags are compared with weights learnt from the scenario's examples
(inverse document frequency), so words every intent shares count for little and the words that
tell intents apart count for much.

The concept library is shared (engine/concepts.yaml) and a scenario can add its own
(`concepts:` in the scenario file). Nothing here is keyed to particular sentences.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from callsim.engine.language import (  # noqa: F401 (TEXT_SPEAK, raw_words: re-exported)
    IDIOMS,
    TEXT_SPEAK,
    clauses,
    fold,
    is_negation,
    raw_words,
)

# ----------------------------------------------------------------------------------------------
# Words as people type them

#: US spellings (as simplemma lemmatises them) to the British ones scenarios mostly use.
_SPELLING = {
    "cancell": "cancel", "installment": "instalment", "color": "colour", "favor": "favour",
    "center": "centre", "behavior": "behaviour", "check-up": "checkup", "program": "programme",
    "license": "licence", "fulfill": "fulfil", "enroll": "enrol", "gray": "grey",
    "mom": "mum", "apologize": "apologise", "realize": "realise", "authorize": "authorise",
}
#: Past forms simplemma's English dictionary gets wrong ("gone" -> "gan").
_IRREGULAR = {"gone": "go", "thought": "think", "felt": "feel", "rung": "ring"}
_IZE = re.compile(r"(?<=\w{3})iz(?=e|es|ed|ing|ation|ations)\b")

#: Words too common to say what a reply means; negation is read separately (per clause).
STOPWORDS: frozenset[str] = frozenset(
    """a an the and or but if so because as of at by for with about to from in on into onto
    up out over off then than too very just really quite also even still again here there
    this that these those it its i me my myself we us our you your yourself he him his she her
    they them their be is am are was were been being have has had do does did will would shall
    should can could may might must ok okay well right yes oh um uh erm hmm sure please
    let which who whom whose""".split()
)

#: A time of day as typed ("4pm", "8-1", "5ish"): which time matters less than that the reply
#: names one, so they all read as one word, `clocktime` (a term in engine/concepts.yaml).
_CLOCK_TIME = re.compile(
    r"\d{1,2}(?:[:.]\d{2})?(?:am|pm|ish)|\d{1,2}[:.]\d{2}|\d{1,2}(?:am|pm)?-\d{1,2}(?:am|pm)?"
    r"|pm|oclock"
)


#: An amount of money as typed ("£21", "£35.50", "£1,840", "20p"): the same for amounts as
#: for times, the reply names one; which one is the customer's business to query.
_MONEY = re.compile(r"[£$€]\d[\d,]*(?:\.\d{1,2})?k?|\d+(?:\.\d{2})?p")


#: "by four", "at 3", "around half two": an hour said after a word that places it in the day
#: is a time, as "4pm" is, unless a unit follows ("in four days", "about 3 weeks").
_HOURS = frozenset(
    "1 2 3 4 5 6 7 8 9 10 11 12 one two three four five six seven eight nine ten eleven "
    "twelve".split()
)
_TIME_PLACERS = frozenset("by at around about before after till til until from half".split())
_UNITS = frozenset(
    """day days week weeks month months year years hour hours minute minutes min mins time
    times pound pounds quid p percent working business bill bills call calls people person
    item items of more less""".split()
)


def read_hours(words: list[str]) -> list[str]:
    """The words with each hour said as a time of day read as `clocktime` (see _HOURS)."""
    out = list(words)
    for i, w in enumerate(words):
        if w in _HOURS and i and words[i - 1] in _TIME_PLACERS:
            after = words[i + 1] if i + 1 < len(words) else ""
            if after not in _UNITS:
                out[i] = "clocktime"
                if after in ("o", "oclock"):
                    out[i + 1] = "clocktime"
    return out


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of one lowercase word, British spelling."""
    if _CLOCK_TIME.fullmatch(word):
        return "clocktime"
    if _MONEY.fullmatch(word):
        return "money"
    if not word.isalpha() or len(word) < 3:
        return word
    from simplemma import lemmatize  # the dictionary loads on first use (docs/matching.md)

    base = _IRREGULAR.get(word) or lemmatize(word, lang="en").lower()
    base = _SPELLING.get(base, base)
    return _IZE.sub("is", base) if "iz" in base else base


@lru_cache(maxsize=65536)
def known_word(word: str) -> bool:
    """Whether a word is in the English dictionary simplemma ships (not a slip)."""
    from simplemma import is_known

    return is_known(word, lang="en")


# ----------------------------------------------------------------------------------------------
# Concepts


class Concepts:
    """Runs of lemmas that mean the same thing, each mapped to its concept id.

    Built on first use: lemmatising the library loads simplemma's dictionary (a third of a
    second, once per process), which a call screen should not wait for before it is drawn.
    """

    def __init__(
        self,
        *libraries: Mapping[str, Sequence[str]],
        families: Mapping[str, Sequence[str]] | None = None,
    ):
        """Later libraries win on a term they share with earlier ones. `families`: broader
        meanings, each shared by several concepts."""
        self._libraries = libraries
        self._families = families or {}
        #: concept -> the families it belongs to
        self.family: dict[str, tuple[str, ...]] = {}
        for fam, members in self._families.items():
            for m in members:
                self.family[m] = (*self.family.get(m, ()), fam)
        self._table: dict[tuple[str, ...], str] | None = None
        self._gapped: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = {}
        self._longest = 0
        self._lock = threading.Lock()

    @classmethod
    def build(
        cls,
        groups: Mapping[str, Sequence[str]],
        families: Mapping[str, Sequence[str]] | None = None,
    ) -> Concepts:
        return cls(groups, families=families)

    def merged(self, groups: Mapping[str, Sequence[str]]) -> Concepts:
        """This library with a scenario's own groups added (theirs win on a shared term)."""
        return Concepts(*self._libraries, groups, families=self._families)

    def terms(self) -> Iterator[str]:
        """Every term as written (cheap: nothing is lemmatised)."""
        for groups in self._libraries:
            for terms in groups.values():
                yield from terms

    @property
    def table(self) -> Mapping[tuple[str, ...], str]:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    table: dict[tuple[str, ...], str] = {}
                    gapped: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = {}
                    for groups in self._libraries:
                        for concept, terms in groups.items():
                            for term in terms:
                                if GAP in term:  # "put ... through": someone in between
                                    head, _, tail = term.partition(GAP)
                                    h = tuple(lemma(w) for w in raw_words(head))
                                    t = tuple(lemma(w) for w in raw_words(tail))
                                    if h and t:
                                        gapped.setdefault(h, []).append((t, concept))
                                    continue
                                key = tuple(lemma(w) for w in raw_words(term))
                                if key:
                                    table[key] = concept
                    self._gapped = gapped
                    self._longest = max((len(k) for k in table), default=0)
                    self._table = table
        return self._table

    def apply(self, lemmas: Sequence[str], names: frozenset[str] = frozenset()) -> list[str]:
        """`lemmas` with each longest run that names a concept replaced by `#concept`.

        A term written with `...` ("put ... through") allows up to three words for a person
        in between ("put Mrs Doyle through", "pop him through"): pronouns, titles, `names`
        (the reply's capitalised words) and words no dictionary knows. Those words stay in.
        """
        table = self.table
        out: list[str] = []
        i = 0
        n = len(lemmas)
        while i < n:
            for size in range(min(self._longest, n - i), 0, -1):
                concept = table.get(tuple(lemmas[i : i + size]))
                if concept is not None:
                    out.append("#" + concept)
                    i += size
                    break
            else:
                found = self._around(lemmas, i, names) if self._gapped else None
                if found is not None:
                    concept, between, i = found
                    out.append("#" + concept)
                    out.extend(between)
                else:
                    out.append(lemmas[i])
                    i += 1
        return out

    def _around(
        self, lemmas: Sequence[str], i: int, names: frozenset[str]
    ) -> tuple[str, list[str], int] | None:
        """A gapped term starting at `i`: (concept, the words between, the index after it)."""
        for size in range(1, 4):
            tails = self._gapped.get(tuple(lemmas[i : i + size]))
            if not tails:
                continue
            start = i + size
            for gap in range(1, MAX_GAP + 1):
                between = lemmas[start : start + gap]
                if len(between) < gap or not _person(between[-1], names):
                    break
                for tail, concept in tails:
                    end = start + gap + len(tail)
                    if tuple(lemmas[start + gap : end]) == tail:
                        return concept, list(between), end
        return None


#: Marks the place in a concept term where a person may stand ("put ... through").
GAP = " ... "
#: At most this many words for that person ("Mrs Grace Whitfield").
MAX_GAP = 3
_PERSON_WORDS = frozenset(
    """he she they you u i him her them me us mr mrs ms miss dr sir madam the this our my your
    customer caller gentleman lady man woman mum dad husband wife son daughter partner""".split()
)


def _person(word: str, names: frozenset[str]) -> bool:
    """Whether a word can be (part of) who is put through: a pronoun, a title, a name."""
    return word in _PERSON_WORDS or word in names or (word.isalpha() and not known_word(word))


NO_CONCEPTS = Concepts()

_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<=\s)([A-Z][a-z]+)")


_BEFORE_NO = re.compile(r"\s(?=no\s)")


def _scopes(text: str) -> Iterator[str]:
    """The clauses of a text, each cut again before "no": "no" negates what follows it ("I
    can split it over 3 months, no interest"), not what the clause said before it."""
    for part in clauses(text):
        yield from _BEFORE_NO.split(part)


def _names(text: str) -> frozenset[str]:
    """Words capitalised inside a sentence ("put Tom through"), as lemmas: likely names."""
    return frozenset(lemma(w.lower()) for w in _CAPITALISED.findall(text))

# ----------------------------------------------------------------------------------------------
# Reading a text


class Reader:
    """Turns text into a bag of meanings, with one scenario's vocabulary and concepts."""

    def __init__(
        self,
        concepts: Concepts = NO_CONCEPTS,
        vocabulary: Iterable[str] = (),
        people: Iterable[str] = (),
    ):
        """`people`: names in the call (the customer's), however a reply types them."""
        self.concepts = concepts
        self._people = tuple(people)
        words = set()
        for text in vocabulary:
            words.update(w for w in raw_words(text) if w.isalpha())
        for term in concepts.terms():
            words.update(w for w in raw_words(term) if w.isalpha())
        self._vocabulary = sorted(w for w in words if len(w) >= 3)
        self._vocab_set = frozenset(self._vocabulary)
        self._fixes: dict[str, str] = {}

    @cached_property
    def people(self) -> frozenset[str]:
        """The names in the call as lemmas, read on first use: lemmatising loads simplemma's
        dictionary, which building a call (before its screen is drawn) must not wait for."""
        return frozenset(lemma(w) for name in self._people for w in raw_words(name))

    def corrected(self, word: str) -> str:
        """A slip corrected to the nearest word the scenario uses ("refnd" -> "refund")."""
        if len(word) < 4 or not word.isalpha() or word in self._vocab_set:
            return word
        fix = self._fixes.get(word)
        if fix is None:
            fix = word
            if not known_word(word):
                limit = 1 if len(word) < 7 else 2
                found = process.extractOne(
                    word, self._vocabulary, scorer=OSA.distance, score_cutoff=limit
                )
                if found is not None:
                    fix = found[0]
            if len(self._fixes) < 50_000:
                self._fixes[word] = fix
        return fix

    def words(self, text: str, keep: frozenset[str] = frozenset()) -> list[str]:
        """The text's words as meant: contractions and text-speak expanded, slips corrected
        (but not the words in `keep`: names are not slips)."""
        return [w if w in keep else self.corrected(w) for w in raw_words(text)]

    def lemmas(self, text: str) -> list[str]:
        """The text's words, corrected and lemmatised, concepts applied, stopwords kept."""
        return self.concepts.apply([lemma(w) for w in self.words(text)])

    def bag(self, text: str) -> frozenset[str]:
        """What the text talks about: its concepts and content lemmas, stopwords left out.

        Negation is read per clause, whatever its subject: every meaning in a clause with a
        negation word is marked `~` ("the credit won't go on" has `~credit`), so it can only
        meet the same meaning negated ("I can't put you through" is not "I'll put you
        through", but is "I'm unable to transfer you").
        """
        out: set[str] = set()
        names = _names(text) | self.people
        for part in _scopes(IDIOMS.sub(" ", fold(text).lower())):
            words = read_hours(self.words(part, names))
            negated = any(is_negation(w) for w in words)
            mark = "~" if negated else ""
            for t in self.concepts.apply([lemma(w) for w in words], names):
                if t.startswith("#"):
                    out.add(mark + t)
                    for fam in self.concepts.family.get(t[1:], ()):  # "a worry" names a feeling
                        out.add(mark + "@" + fam)
                elif t in names and not (t in STOPWORDS or t in _PERSON_WORDS):
                    out.add("#person")  # "Mrs Doyle", "Leah": someone, whoever it is
                elif t not in STOPWORDS and not is_negation(t) and len(t) > 1:
                    out.add(mark + t)
        return frozenset(out)


# ----------------------------------------------------------------------------------------------
# Comparing bags


#: How an intent's meaning score weighs its closest example against all its examples together.
EXAMPLE_SHARE = 0.7
#: A meaning no example of the stage carries weighs this share of the rarest one's weight in
#: the reply: it says the reply talks of something else too, but a person's own asides ("sit
#: tight", "love", "to be fair") are not evidence against what the rest of the reply says.
UNSEEN_SHARE = 0.7
#: A meaning is an intent's signature when no other intent's examples carry it and at least
#: this many of its own do ...
SIGNATURE_EXAMPLES = 2
#: ... and at least this share of them: a meaning two of twelve examples happen to share is
#: not what the intent is about.
SIGNATURE_SHARE = 0.3


def base_meaning(token: str) -> str:
    """A meaning without its negation mark."""
    return token[1:] if token.startswith("~") else token


class MeaningIndex:
    """Intents' examples as bags of meanings, weighted by how rare each meaning is among them.

    Two readings of one reply are combined per intent: how much of its closest example the
    reply covers (a paraphrase of one example), and how much of the reply the intent's
    examples together explain (a reply that mixes words from several of them).
    """

    def __init__(self, reader: Reader, examples: Iterable[tuple[int, str, str]]):
        """`examples`: (key, intent, text) triples; keys are the caller's."""
        self.reader = reader
        self._bags: dict[int, tuple[str, frozenset[str]]] = {}
        df: dict[str, int] = {}
        union: dict[str, set[str]] = {}
        for key, intent, text in examples:
            bag = reader.bag(text)
            self._bags[key] = (intent, bag)
            union.setdefault(intent, set()).update(bag)
            for t in bag:
                df[t] = df.get(t, 0) + 1
        n = max(1, len(self._bags))
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._unseen = UNSEEN_SHARE * math.log((n + 1) / 0.5)
        self._weights = {k: sum(self._idf[t] for t in bag) for k, (_i, bag) in self._bags.items()}
        self._union = {i: frozenset(u) for i, u in union.items()}
        # across intents: a meaning every intent uses tells none of them apart
        dfi: dict[str, int] = {}
        for u in self._union.values():
            for t in u:
                dfi[t] = dfi.get(t, 0) + 1
        m = max(1, len(self._union))
        self._idf_intent = {t: math.log((m + 1) / (c + 0.5)) + 0.1 for t, c in dfi.items()}
        self._unseen_intent = math.log((m + 1) / 0.5) + 0.1
        # an intent's signature: meanings two or more of its examples carry and no other
        # intent's ("split" for instalments), which a reply rarely carries by chance
        per_intent: dict[tuple[str, str], int] = {}
        counts: dict[str, int] = {}
        for intent, bag in self._bags.values():
            counts[intent] = counts.get(intent, 0) + 1
            for t in bag:
                per_intent[(intent, t)] = per_intent.get((intent, t), 0) + 1
        self._signature = {
            t: intent
            for (intent, t), c in per_intent.items()
            if dfi[t] == 1 and c >= max(SIGNATURE_EXAMPLES, SIGNATURE_SHARE * counts[intent])
        }

    def union(self, intent: str) -> frozenset[str]:
        """Every meaning the intent's examples carry."""
        return self._union.get(intent, frozenset())

    def weight(self, token: str) -> float:
        return self._idf.get(token, self._unseen)

    def signed(self, reply_bag: frozenset[str]) -> frozenset[str]:
        """The intents whose signature meanings the reply carries."""
        return frozenset(self._signature[t] for t in reply_bag if t in self._signature)

    def conflicts(self, reply_bag: frozenset[str], key: int) -> bool:
        """Whether the reply says the example's meanings with the opposite polarity more than
        with the same ("the credit won't go on" against "the credit will go on")."""
        ex = self._bags[key][1]
        flipped = {("~" + t if not t.startswith("~") else t[1:]) for t in reply_bag}
        against = sum(self.weight(t) for t in flipped & ex)
        if not against:
            return False
        return against > sum(self.weight(t) for t in reply_bag & ex)

    def misses_point(self, reply_bag: frozenset[str], key: int) -> bool:
        """Whether the example names concepts and the reply names others instead: none of the
        example's, in either polarity, nor any of their families ("direct debit" says what
        "payment" says)."""
        return misses_point(reply_bag, self._bags[key][1])

    def intent_scores(self, reply_bag: frozenset[str]) -> dict[str, tuple[float, int, float]]:
        """intent -> (0-100, key of its closest example, share of the reply its examples
        explain 0-1) for intents sharing a meaning."""
        if not reply_bag:
            return {}
        reply_weight = sum(self.weight(t) for t in reply_bag)
        closest: dict[str, tuple[float, int]] = {}
        for key, (intent, ex) in self._bags.items():
            shared = reply_bag & ex
            if not shared:
                continue
            w = sum(self._idf[t] for t in shared)
            cover = w / self._weights[key]
            precision = w / reply_weight
            score = 100.0 * cover**0.75 * precision**0.25
            if score > closest.get(intent, (-1.0, key))[0]:
                closest[intent] = (score, key)
        reply_weight_i = sum(self._idf_intent.get(t, self._unseen_intent) for t in reply_bag)
        out = {}
        for intent, (score, key) in closest.items():
            shared = reply_bag & self._union[intent]
            explained = 100.0 * sum(self._idf_intent[t] for t in shared) / reply_weight_i
            out[intent] = (
                EXAMPLE_SHARE * score + (1 - EXAMPLE_SHARE) * explained, key, explained / 100
            )
        return out


def misses_point(reply_bag: frozenset[str], example_bag: frozenset[str]) -> bool:
    """`MeaningIndex.misses_point` for any example's bag (a `not` example's too)."""
    example = {base_meaning(t) for t in example_bag}
    points = {t for t in example if t.startswith("#")}
    if not points:
        return False
    said = {base_meaning(t) for t in reply_bag}
    if not any(t.startswith("#") for t in said):
        return False  # "yes, both": says no point at all, so it misses none
    families = {t for t in example if t.startswith("@")}
    return points.isdisjoint(said) and families.isdisjoint(said)
