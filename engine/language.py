"""Language basics shared by the engine, the tagger and the grader, so they read a reply alike.

One place decides how text is normalised, which words negate, where sentences and clauses
break and which sentences ask. The matcher, the call, the tagger and the grader each build on
these; none keeps its own list, so they cannot disagree about one reply ("we havent charged
you" is a negation to all of them; "I've checked the line; what time suits you" asks, for the
call as for the tagger).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from rapidfuzz.utils import default_process

# ----------------------------------------------------------------------------------------------
# Normalising

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def fold(text: str) -> str:
    """`text` with compatibility forms unified (NFKC) and curly apostrophes made straight.

    Keeps the text's case and, for all but rare ligatures, its length, so offsets into the
    folded text still point into what was typed.
    """
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)


def normalise(text: str) -> str:
    """Folded, lowercase, whitespace collapsed: the form rules and word lists are written in."""
    return " ".join(fold(text).lower().split())


def comparable(text: str) -> str:
    """`text` for fuzzy comparison: folded, apostrophes dropped ("can't" is "cant", not "can
    t"), then rapidfuzz's processing (lowercase, punctuation out)."""
    return default_process(fold(text).replace("'", ""))


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def words(text: str) -> list[str]:
    """The words of `text` in normalised form, inner apostrophes kept ("can't", "it's")."""
    return _WORD.findall(normalise(text))


# ----------------------------------------------------------------------------------------------
# Negation

#: Set phrases with a negation word that negate nothing ("no problem, I'll refund it", "no
#: prob ill put u thru"), and asides that say nothing to match on ("out of interest" is not
#: interest on a loan).
IDIOMS = re.compile(
    r"\b(?:no (?:problem|probs?|worries|worry|bother|trouble|doubt|matter)|np|not a problem"
    r"|out of interest|yes or no"
    r"|never mind|(?:do not|don't|dont) worry|not only|not just"
    r"|no[,.!]? +(?=(?:i|we|you|it|that)\b))\b",
    re.IGNORECASE,
)

#: Words that negate what follows, in their written form. Apostrophe-less spellings ("cant",
#: "havent") and any other "-n't" word count too (see `is_negation`).
NEGATION_WORDS: frozenset[str] = frozenset(
    """not no never cannot can't won't don't didn't doesn't isn't aren't wasn't weren't
    couldn't wouldn't shouldn't haven't hasn't hadn't mustn't needn't ain't unable nobody
    nothing neither nor""".split()
)
_UNMARKED = frozenset(w.replace("'", "") for w in NEGATION_WORDS if "'" in w)

#: A regular-expression alternative matching one negation word in lowercase text, for rules
#: that look for a negation next to other words.
NEGATION_PATTERN = (
    "(?:"
    + "|".join(re.escape(w) for w in sorted(NEGATION_WORDS | _UNMARKED, key=len, reverse=True))
    + r"|\w+n't)"
)


def is_negation(word: str) -> bool:
    """Whether one (lowercase) word negates: "not", "never", "can't", "cant", "nobody"..."""
    return word in NEGATION_WORDS or word in _UNMARKED or word.endswith("n't")


def has_negation(text: str) -> bool:
    """Whether any word of `text` negates."""
    return any(is_negation(w) for w in words(text))


def negation_count(text: str) -> int:
    """How many words of `text` negate (an even count reads as no negation)."""
    return sum(1 for w in words(text) if is_negation(w))


# ----------------------------------------------------------------------------------------------
# Sentences and clauses

#: Marks that end a sentence. A line break ends one too.
SENTENCE_MARKS = frozenset(".?!;")
#: Marks that end a clause: those that end a sentence, and ',', ':' and a dash.
CLAUSE_MARKS = SENTENCE_MARKS | frozenset(",:—")
#: Words that join two clauses.
CLAUSE_WORDS = frozenset("but so and because although though if unless n cos".split())
_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\s*\n\s*")
_CLAUSE_BREAK = re.compile(
    r"[.!?;:,—\n]+|\s(?:" + "|".join(sorted(CLAUSE_WORDS)) + r")\s", re.IGNORECASE
)


def sentences(text: str) -> list[str]:
    """The sentences of `text`, split after '.', '?', '!', ';' or '…' and at line breaks."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def clauses(text: str) -> list[str]:
    """The clauses of `text`: split at punctuation and at "but", "so", "and", "because"..."""
    return [p for p in _CLAUSE_BREAK.split(text) if p and p.strip()]


# ----------------------------------------------------------------------------------------------
# Questions

#: A sentence that asks even without a question mark ("what make is the laptop").
_ASKING_START = re.compile(
    r"^(?:(?:and|so|but|just|okay|ok|right|sorry|also|then)\b[\s,]*)*"
    r"(?:what|when|where|which|who|whose|why|how|whats|whens|wheres|whos|whys|hows"
    r"|is|are|was|were|do|does|did|has|have|had"
    r"|can|could|would|will|shall|should|may|any|tell me|talk me through|walk me through)\b",
    re.IGNORECASE,
)


#: A statement that opens like a question: "What I can do is...", "What we'll do is...".
_TELLING_START = re.compile(r"^(?:(?:and|so|but|ok|okay|right)\b[\s,]*)*what (?:i|we)\b", re.I)


def asks(sentence: str) -> bool:
    """Whether one sentence asks something: a question mark, or a question's opening."""
    s = sentence.strip()
    if s.endswith("?"):
        return True
    return bool(_ASKING_START.match(s)) and not _TELLING_START.match(s)


def question_part(text: str) -> str:
    """The sentences of a reply that ask something, joined (what a clarifying question is)."""
    return " ".join(s for s in sentences(text) if asks(s))


# ----------------------------------------------------------------------------------------------
# Deferring

#: Marks of an action put off until something else is done, or offered on a condition:
#: "..., but let me take your details first", "once I've checked", "if you still want one".
_DEFERRED = re.compile(
    r"\b(?:but first|first (?:let|can|could|i need|we need)"
    r"|(?:let me|can i|could i|may i|can you|could you|can u|could u|(?:i|we) need to)"
    r"\b[^.?!]*\bfirst|before (?:i|we) (?:do|put|pass|transfer|get|bring|hand)|once (?:i|we)"
    r"|after (?:i|we)|when (?:i|we)(?:'ve| have)|in a (?:moment|minute|bit|sec)|later on"
    r"|if (?:you|that|it)|should you|would you like)\b",
    re.IGNORECASE,
)


def defers(text: str) -> bool:
    """Whether the reply puts its action off or makes it conditional ("I'll get my manager,
    but let me take the details first"): an offer, not the act."""
    return bool(_DEFERRED.search(normalise(text)))


#: A question that asks the customer for information ("when did it start", "do you have the
#: letter"), not an offer put as a question ("shall I book it", "would you like me to...").
_FINDING_OUT = re.compile(
    r"^(?:(?:and|so|but|just|okay|ok|right|sorry|also|then|um|er)\b[\s,]*)*"
    r"(?!(?:how|what) about\b|what if\b|what (?:i|we)\b)"  # offers: "how about a credit?"
    r"(?:what|when|where|which|who|whose|why|how"
    r"|(?:do|did|does|have|has|had|are|is|was|were)\s+(?:you|it|they|there|the|your|that|this|he|she))\b",
    re.IGNORECASE,
)


#: An intent described as asking ("Asks why they want to leave", "Finds out where the move
#: is"): a question may match it even when its examples are statements. Asking someone to do
#: something ("asks to move the router") is a request, not a question for information.
_DESCRIBES_ASKING = re.compile(
    r"\b(?:(?:asks?|asking)(?! (?:\w+ )?to (?!understand|know|hear|learn|find|gather|check)\w)"
    r"|questions?|finds? out|enquires?|inquires?)\b",
    re.IGNORECASE,
)


def describes_asking(description: str | None) -> bool:
    """Whether an intent's description says the reply asks the customer something."""
    return bool(description) and bool(_DESCRIBES_ASKING.search(description or ""))


def finds_out(text: str) -> bool:
    """Whether every sentence of a reply asks the customer for information: a fact question,
    which an intent written as statements must not take for one of its own."""
    parts = sentences(text)
    return bool(parts) and all(asks(s) and _FINDING_OUT.match(s.strip()) for s in parts)


# ----------------------------------------------------------------------------------------------
# Words as people type them (the engine's meaning reading and the grader's learned tagger)

#: Text-speak and common run-together forms, to the words they stand for.
TEXT_SPEAK: Mapping[str, str] = {
    "u": "you", "ur": "your", "ure": "you are", "r": "are", "ya": "you", "yr": "your",
    "pls": "please", "plz": "please", "thx": "thanks", "thnx": "thanks", "ty": "thank you",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "lemme": "let me",
    "gimme": "give me", "dunno": "do not know", "cuz": "because", "cos": "because",
    "coz": "because", "bc": "because", "tho": "though", "k": "okay", "ok": "okay",
    "okey": "okay", "2day": "today", "2moro": "tomorrow", "2morrow": "tomorrow",
    "tmrw": "tomorrow", "tmr": "tomorrow", "b4": "before", "msg": "message", "acc": "account",
    "acct": "account", "a/c": "account", "info": "information", "asap": "as soon as possible",
    "im": "i am", "ive": "i have", "youre": "you are", "youve": "you have", "youll": "you will",
    "theyre": "they are", "weve": "we have", "thats": "that is",
    "whats": "what is", "theres": "there is", "lets": "let us", "dont": "do not",
    "cant": "can not", "wont": "will not", "didnt": "did not", "isnt": "is not",
    "doesnt": "does not", "havent": "have not", "hasnt": "has not", "wasnt": "was not",
    "arent": "are not", "couldnt": "could not", "wouldnt": "would not",
    "shouldnt": "should not", "ppl": "people", "n": "and", "w/": "with", "rn": "right now",
    "atm": "at the moment", "sec": "second", "secs": "seconds", "min": "minute",
    "mins": "minutes", "hr": "hour", "hrs": "hours", "appt": "appointment", "mgr": "manager",
    "wat": "what", "wot": "what", "wud": "would", "cud": "could", "shud": "should",
    "abt": "about", "bout": "about", "hv": "have", "yep": "yes", "yup": "yes", "yeah": "yes",
    "yeh": "yes", "ya'll": "you all", "nope": "no", "nah": "no", "thru": "through",
    "tho'": "though", "pw": "password", "dob": "date of birth", "approx": "approximately",
    "mo": "month", "mth": "month", "wk": "week", "wks": "weeks", "esp": "especially",
    "plus": "and", "&": "and", "+": "and",
}

#: Contractions, longest first ("won't" before "n't").
_CONTRACTIONS = (
    ("won't", "will not"), ("can't", "can not"), ("cannot", "can not"), ("shan't", "shall not"),
    ("ain't", "is not"), ("let's", "let us"), ("n't", " not"), ("'ll", " will"),
    ("'ve", " have"), ("'re", " are"), ("'m", " am"), ("'d", " would"),
)
_IS_AFTER = frozenset("it that there what here who he she where how everything nothing".split())

#: "ill" typed for "I'll": at the start of a clause or after a filler ("ok ill check"), before
#: another word; "he's been ill" keeps its meaning.
_ILL = re.compile(
    r"(^\s*|[.,;:!?-]\s*|\b(?:so|and|then|ok|okay|yes|yeah|yep|right|now|but|sure|fine|problem"
    r"|prob|probs|worries|course|thanks|cheers|hi|hello|sorry|oh|ah|um|er|well)\s+)ill\b(?=\s+[a-z])"
)

#: ... or anywhere before a verb an advisor says they will do ("hi tom ill put leah thru"),
#: unless the word before makes it the adjective ("she's been ill", "felt very ill").
_ILL_BEFORE_VERB = re.compile(
    r"\b(\w+\s+)?ill(?=\s+(?:put|get|check|make|call|ring|phone|send|pass|transfer|sort|have"
    r"|look|do|see|be|just|need|take|try|give|let|arrange|book|pop|raise|speak|talk|email|text"
    r"|go|find|ask|keep|update|stay|add|set|also|definitely|def|personally|never|always|chase"
    r"|log|note|escalate|refund|credit|apply|waive|cancel|process|order|reset|run|fix|write"
    r"|contact|follow|come|bring|explain|confirm|start|leave|happily|gladly|sit)\b)"
)
_ILL_ADJECTIVE_AFTER = frozenset(
    """be been is was are were am being feel feeling felt feels very so really quite seriously
    terribly fell fall falls taken get got gets getting become became look looks looked""".split()
)


def _ill_before_verb(m: re.Match[str]) -> str:
    before = m.group(1) or ""
    if before.strip() in _ILL_ADJECTIVE_AFTER:
        return m.group(0)
    return f"{before}i will"


_TOKEN = re.compile(r"[£$€]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[a-z0-9£$€]+(?:['./-][a-z0-9]+)*")


def _expand(text: str) -> str:
    low = fold(text).lower()
    for short, long in _CONTRACTIONS:
        if short in low:
            low = low.replace(short, long)

    def is_or_drop(m: re.Match[str]) -> str:
        word = m.group(1)
        return f"{word} is" if word in _IS_AFTER else word

    low = re.sub(r"\b(\w+)'s\b", is_or_drop, low)
    if "ill" not in low:
        return low
    return _ILL_BEFORE_VERB.sub(_ill_before_verb, _ILL.sub(r"\1i will", low))


def raw_words(text: str) -> list[str]:
    """Words with contractions and text-speak expanded, lowercase, punctuation gone."""
    out: list[str] = []
    for word in _TOKEN.findall(_expand(text)):
        out.extend(TEXT_SPEAK.get(word, word).split())
    return out
