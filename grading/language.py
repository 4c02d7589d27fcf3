"""Text normalisation for the behaviour tagger: tokens, texting slips, typos, lemmas.

The basics every layer shares (folding, negation words, sentence and clause marks) live in
`callsim.engine.language`; this module adds what only the tagger needs.

The tagger's rules are written against one canonical form of a reply (lowercase words separated
by single spaces, punctuation as its own token, texting forms expanded, small typos of cue words
corrected) so that sloppy typing cannot change the answer. Every canonical token remembers the
span of the original text it came from, so evidence is always quoted from the reply as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA
from rapidfuzz.utils import default_process

from callsim.engine.language import fold

#: One raw token: a word (with inner apostrophes), a number/amount, or a punctuation mark.
_TOKEN_RE = re.compile(
    r"(?P<word>[£$€]?[^\W_]+(?:[:.][0-9]+)?%?(?:['’][^\W\d_]+)*['’]?)"
    r"|(?P<range>(?<=[0-9])\s*[-–]\s*(?=[0-9]))"
    r"|(?P<punct>\.{2,}|…|[?!.;:,—–]|(?<=\s)-(?=\s)|\n)",
    re.UNICODE,
)

#: Texting forms and common run-together contractions -> canonical words.
TEXTING: dict[str, str] = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "r": "are",
    "pls": "please", "plz": "please", "plse": "please", "thx": "thanks", "thnx": "thanks",
    "thanx": "thanks", "ty": "thank you", "im": "i'm", "ive": "i've", "id": "i'd",
    "cant": "can't", "cannot": "can't", "dont": "don't", "wont": "won't", "didnt": "didn't",
    "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't", "arent": "aren't",
    "werent": "weren't", "havent": "haven't", "hasnt": "hasn't", "hadnt": "hadn't",
    "couldnt": "couldn't", "shouldnt": "shouldn't", "wouldnt": "wouldn't", "aint": "isn't",
    "youre": "you're", "youve": "you've", "youll": "you'll", "youd": "you'd",
    "thats": "that's", "theres": "there's", "whats": "what's", "hows": "how's",
    "wheres": "where's", "whos": "who's", "its": "it's", "itll": "it'll", "thatll": "that'll",
    "hes": "he's", "shes": "she's", "theyre": "they're", "theyll": "they'll",
    "theyve": "they've", "weve": "we've", "lets": "let's", "heres": "here's",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "gimme": "give me",
    "cos": "because", "coz": "because", "cuz": "because", "bc": "because", "b4": "before",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tomoz": "tomorrow", "2moro": "tomorrow",
    "2morrow": "tomorrow", "tmoro": "tomorrow", "tomoro": "tomorrow",
    "tomorow": "tomorrow", "tommorow": "tomorrow",
    "tommorrow": "tomorrow", "2mro": "tomorrow", "gr8": "great", "l8r": "later", "w8": "wait",
    "n": "and", "&": "and", "plz.": "please", "2day": "today", "2nite": "tonight",
    "tonite": "tonight", "tonights": "tonight's", "tomorrows": "tomorrow's",
    "todays": "today's", "thru": "through", "tho": "though", "wiv": "with", "w/": "with",
    "pic": "picture", "txt": "text", "txts": "texts", "msg": "message", "msgs": "messages",
    "defo": "definitely", "deffo": "definitely", "def": "definitely", "deffinately": "definitely",
    "prob": "probably", "probs": "problems", "np": "no problem", "nvm": "never mind",
    "sry": "sorry", "srry": "sorry", "soz": "sorry", "sozz": "sorry", "thnks": "thanks",
    "pls.": "please", "ok": "okay", "k": "okay", "kk": "okay", "okey": "okay", "oki": "okay",
    "owt": "anything", "summat": "something", "nowt": "nothing", "wat": "what", "wot": "what",
    "wen": "when", "hw": "how", "y": "why", "abt": "about", "bout": "about",
    "coupla": "a couple of",
    "asap": "as soon as possible", "eta": "estimate", "mins": "minutes", "min": "minute",
    "hrs": "hours", "hr": "hour", "secs": "seconds", "sec": "second", "wk": "week",
    "wks": "weeks", "mth": "month", "mths": "months", "mo": "month", "yrs": "years",
    "mgr": "manager", "sup": "supervisor", "info": "information", "acc": "account",
    "acct": "account", "approx": "about", "wd": "would", "cd": "could", "shd": "should",
    "cud": "could", "cld": "could", "shud": "should", "shld": "should", "wud": "would",
    "wld": "would", "definately": "definitely", "definatly": "definitely",
    "tues": "tuesday", "tue": "tuesday", "weds": "wednesday", "wed": "wednesday",
    "thurs": "thursday", "thur": "thursday", "thu": "thursday", "fri": "friday",
    "sat": "saturday", "mon": "monday", "sun": "sunday",
}

#: "ill" is "I'll" unless it plainly means unwell.
_ILL_ADJ_BEFORE = frozenset(
    "feel feeling felt been is was are were very so really quite seriously gets got being".split()
)

#: Number words -> digits, so "fifteen years" and "15 years" are the same content.
NUMBER_WORDS: dict[str, str] = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "sixty": "60", "ninety": "90", "hundred": "100",
}

#: After "ur", these words mean it was "you're", not "your".
_YOURE_NEXT = frozenset(
    "still not so really very right welcome without stuck in on at being gonna going a an the "
    "such too always never already just".split()
)
#: After "hell"/"shell", these words mean "he'll"/"she'll".
_MODAL_NEXT = frozenset(
    "have be get call ring come sort fix look need do send let definitely probably defo".split()
)
_NUM_UNIT_RE = re.compile(r"([0-9]+)(mins?|hrs?|secs?)")

#: "must of" and friends are "must have".
_OF_AS_HAVE = frozenset({"must", "should", "could", "would", "might"})


class Token(NamedTuple):
    """One canonical word or punctuation mark and the original span it came from."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Normalised:
    """A reply in canonical form, with the way back to the original characters."""

    original: str
    tokens: tuple[Token, ...]
    text: str  #: canonical tokens joined by single spaces
    offsets: tuple[int, ...]  #: start offset of each token in `text`

    def token_index(self, pos: int) -> int:
        """Index of the token covering canonical character `pos`."""
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def source(self, start: int, end: int) -> str:
        """The original words behind canonical characters [start, end)."""
        if not self.tokens or end <= start:
            return ""
        first = self.token_index(start)
        last = self.token_index(max(start, end - 1))
        return self.original[self.tokens[first].start : self.tokens[last].end]

    def source_tokens(self, first: int, last: int) -> str:
        """The original words behind tokens first..last (inclusive)."""
        if not self.tokens:
            return ""
        first = max(0, first)
        last = min(len(self.tokens) - 1, last)
        return self.original[self.tokens[first].start : self.tokens[last].end]


def _known_forms(words: Iterable[str]) -> frozenset[str]:
    """Cue words plus simple inflections of them, which are real words, not typos."""
    known: set[str] = set()
    for word in words:
        known.add(word)
        stem = re.sub(r"(ies|ied|ing|ed|es|er|s|e|y)$", "", word)
        for suffix in ("", "e", "s", "es", "ed", "ing", "er", "ers", "ement", "y", "ies", "ied",
                       "ly", "ful", "ness", "ion", "ions"):
            known.add(stem + suffix)
    return frozenset(known)


def _is_word(word: str) -> bool:
    """Whether the English dictionary simplemma ships knows `word` (so it is not a slip).
    Loaded the first time a word looks like a slip of a cue word."""
    from simplemma import is_known

    return bool(is_known(word, lang="en"))


class Normaliser:
    """Turns replies into canonical token streams; fuzzy-corrects typos of cue words.

    `cue_words` are the words the tagger's rules look for. A word of five or more letters that
    is not a cue word (nor an inflection of one, nor in `common_words`) but lies within one edit
    (two for eight letters or more) of a cue word with the same first letter is read as that cue
    word: "guarenteed" is "guaranteed", "frustratin" is "frustrating".
    """

    def __init__(self, cue_words: Iterable[str], common_words: Iterable[str] = ()) -> None:
        cues = sorted({w for w in cue_words if len(w) >= 5 and w.isalpha()})
        self._known = _known_forms(cues) | frozenset(common_words)
        self._by_key: dict[str, list[str]] = {}
        for word in cues:
            self._by_key.setdefault(word[0], []).append(word)
        self._fix = lru_cache(maxsize=65536)(self._fix_uncached)
        #: Words that never change (known, no texting form, no context rule): the fast path.
        self._plain = frozenset(
            w for w in self._known
            if w not in TEXTING and w not in NUMBER_WORDS and w not in {"ill", "of", "r", "ur",
                                                                      "hell", "shell"}
            and not w.endswith("in")
        )

    def _fix_uncached(self, word: str) -> str:
        if len(word) < 5 or not word.isalpha() or word in self._known:
            return word
        limit = 1 if len(word) < 10 else 2
        candidates = [c for c in self._by_key.get(word[0], ()) if abs(len(c) - len(word)) <= limit]
        if not candidates:
            return word
        best = process.extractOne(
            word, candidates, scorer=OSA.distance, processor=default_process, score_cutoff=limit
        )
        if best is None or _is_word(word):
            return word  # "flight" is not a slip for "fright", nor "locked" for "looked"
        return best[0]

    def normalise(self, text: str) -> Normalised:
        """Canonical form of `text` (see the module docstring)."""
        original = text
        cleaned = fold(text)
        # NFKC can change lengths (rare ligatures); fall back to the cleaned text as "original".
        if len(cleaned) != len(original):
            original = cleaned
        raw: list[tuple[str, int, int]] = []
        for m in _TOKEN_RE.finditer(cleaned):
            if m.group("word") is not None:
                raw.append((m.group("word").lower().strip("'"), m.start(), m.end()))
            elif m.group("range") is not None:
                raw.append(("to", m.start(), m.end()))
            else:
                p = m.group("punct")
                p = {"…": ".", "–": "—", "-": "—", "\n": "."}.get(p, p)
                if p.startswith(".."):
                    p = "."
                raw.append((p, m.start(), m.end()))
        tokens: list[Token] = []
        for i, (word, start, end) in enumerate(raw):
            prev = raw[i - 1][0] if i else ""
            nxt = raw[i + 1][0] if i + 1 < len(raw) else ""
            for piece in self._canon(word, prev, nxt).split():
                tokens.append(Token(piece, start, end))
        offsets: list[int] = []
        pos = 0
        for tok in tokens:
            offsets.append(pos)
            pos += len(tok.text) + 1
        return Normalised(
            original, tuple(tokens), " ".join(t.text for t in tokens), tuple(offsets)
        )

    def _canon(self, word: str, prev: str, nxt: str) -> str:
        if not word or not (word[0].isalnum() or word[0] in "£$€"):
            return word
        if word in self._plain:
            return word
        if word == "ill":
            return "ill" if prev in _ILL_ADJ_BEFORE else "i'll"
        if word == "of" and prev in _OF_AS_HAVE:
            return "have"
        if word == "r" and nxt in {"you", "u", "ya"}:
            return "are"
        if word in ("hell", "shell") and nxt in _MODAL_NEXT:
            return word[:-3] + "e'll"
        if word == "ur" and (nxt.endswith("ing") or nxt in _YOURE_NEXT):
            return "you're"
        m = _NUM_UNIT_RE.fullmatch(word)
        if m:
            return f"{m.group(1)} {TEXTING.get(m.group(2), m.group(2))}"
        if word in TEXTING:
            return TEXTING[word]
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
        if word.endswith("in") and len(word) >= 6 and (word[:-2] + "ing") in self._known:
            return word[:-2] + "ing"  # "askin", "waitin"
        if "'" in word:
            head, _, tail = word.partition("'")
            head = self._fix(head) if len(head) >= 5 else head
            return f"{head}'{tail}"
        return self._fix(word)


# ----------------------------------------------------------------------------------------------
# Lemmas and content words, for reflection (did the advisor play back what the customer said?)

STOPWORDS: frozenset[str] = frozenset(
    """a an the and or but if so because as of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same than too very can will just don't should now i me my myself we our ours you your
    yours he him his she her it its they them their what which who whom this that these those am
    is are was were be been being have has had having do does did doing would could shall might
    must may i'm i've i'll i'd you're you've you'll you'd he's she's it's we're we've we'll they're
    they've they'll that's there's what's let's can't won't didn't doesn't isn't wasn't aren't
    haven't hasn't couldn't wouldn't shouldn't okay yes yeah no right well really still even also
    just get got getting go going gone went come came want wanted need needed know think thing
    things like look looking see make made keep keeps kept one ever never always lot bit anything
    something nothing everything anyone someone please thanks thank sorry actually literally mean
    say said tell told way time hi hello oh um erm hmm sure fine great good new sort
    sorted""".split()
)

#: Irregular forms worth knowing when comparing what was said.
IRREGULAR: dict[str, str] = {
    "went": "go", "gone": "go", "came": "come", "broke": "break", "broken": "break",
    "paid": "pay", "said": "say", "got": "get", "left": "leave", "bought": "buy", "sent": "send",
    "lost": "lose", "losing": "lose", "loosing": "lose", "spent": "spend", "told": "tell",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "felt": "feel",
    "kept": "keep", "saw": "see", "seen": "see", "stuck": "stick", "hung": "hang", "fell": "fall",
    "children": "child", "kids": "child", "kid": "child", "people": "person", "men": "man",
    "women": "woman", "died": "die", "dead": "die", "nights": "night", "evenings": "evening",
}

#: General synonym groups: words a paraphrase may swap (kept to everyday service vocabulary).
_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("internet", "broadband", "wifi", "connection", "online", "web", "network", "signal"),
    ("bill", "invoice", "statement"),
    ("charge", "fee", "cost", "payment", "price", "amount"),
    ("refund", "reimburse", "repay"),
    ("cancel", "terminate", "close", "quit"),
    ("drop", "disconnect", "cut", "lose"),
    ("phone", "mobile", "handset", "cell"),
    ("engineer", "technician"),
    ("worry", "concern", "anxious", "nervous", "stress", "scare", "afraid", "fear"),
    ("angry", "annoy", "frustrate", "upset", "furious", "mad", "irritate", "sick"),
    ("tired", "exhaust", "drain", "wear"),
    ("night", "evening"),
    ("slow", "sluggish"),
    ("money", "cash", "fund"),
    ("doctor", "gp", "physician"),
    ("flight", "plane"),
    ("bag", "luggage", "suitcase", "baggage"),
    ("drink", "drinking", "alcohol", "booze"),
    ("smoke", "cigarette", "smoking"),
    ("job", "work"),
    ("card", "debit", "credit"),
)
def _stem(word: str) -> str:
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in IRREGULAR:
        w = IRREGULAR[w]
    elif len(w) > 4:
        for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""),
                             ("s", "")):
            if w.endswith(suffix) and not w.endswith("ss"):
                base = w[: -len(suffix)] + repl
                if len(base) >= 3:
                    if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2]:
                        base = base[:-1]  # stopped -> stop
                    w = base
                break
        for suffix in ("ation", "ment", "ful", "ly", "er"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
    if len(w) >= 4 and w.endswith("e"):
        w = w[:-1]
    return w


SYNONYMS: dict[str, str] = {_stem(w): _stem(group[0]) for group in _SYNONYM_GROUPS for w in group}


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """A crude lemma: irregular forms, then simple suffixes, then a synonym group head."""
    w = _stem(word)
    return SYNONYMS.get(w, w)


def content_lemmas(words: Iterable[str]) -> list[str]:
    """Lemmas of the content words among `words` (stopwords and punctuation dropped)."""
    out = []
    for w in words:
        if not w or not (w[0].isalnum() or w[0] in "£$€") or w in STOPWORDS:
            continue
        out.append(lemma(w))
    return out
