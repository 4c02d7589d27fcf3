"""The behaviour tagger: which TAGS.md behaviours one advisor reply shows, and the words why.

Rules are general linguistic cues (question forms, negation and hedges, apology vs. naming a
feeling, played-back content, time expressions, choice and sequence structures, hand-overs,
blame and certainty markers), run on a canonical form of the reply (see `grading.language`).
`tag_reply`, what calls are graded with, reads the reply as a careless typist would send it (no
case; every sentence mark a plain stop, a typed question mark still asking) with the rules and
the learned model (`grading.learned`) together, so that case, punctuation and texting slips
change few answers; `tag_by_rules` is the rules alone on the reply as written (`callsim tag
--rules`). Deterministic; no network, no extra libraries.
"""

from __future__ import annotations

import re
import sys
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from callsim.engine.language import (
    CLAUSE_MARKS,
    NEGATION_PATTERN,
    SENTENCE_MARKS,
    is_negation,
)
from callsim.engine.models import TAG_NAMES
from callsim.grading.language import (
    STOPWORDS,
    Normalised,
    Normaliser,
    Token,
    _stem,
    content_lemmas,
)
from callsim.grading.learned import features_of, shipped_model

_stem_only = _stem


@dataclass(frozen=True)
class TagResult:
    """Tags found in one reply (in TAG_NAMES order) and, per tag, the words that earned it."""

    tags: tuple[str, ...]
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NearMiss:
    """A cue that looks like a tag but is not one, and why (for `callsim explain`)."""

    tag: str
    words: str  #: the words of the reply that looked like the tag
    reason: str


# ----------------------------------------------------------------------------------------------
# Lexicon fragments (regular-expression source, canonical text: lowercase, single spaces,
# punctuation as separate tokens, "ur" -> "your"/"you're", "cant" -> "can't", numbers as digits)

class _Lazy:
    """A pattern compiled the first time a reply needs it, not at import: compiling the
    tagger's hundred-odd patterns took about 60 ms of every start that imports the tagger."""

    __slots__ = ("pattern", "flags", "search", "match", "fullmatch", "finditer", "findall",
                 "split", "sub")
    _METHODS = ("search", "match", "fullmatch", "finditer", "findall", "split", "sub")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Callable[..., object]:
        # Only reached while a method is unset: compile once, then the methods are plain slots.
        compiled = re.compile(_factored(self.pattern), self.flags)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        split = _after_boundary(self.pattern)
        if split is not None and compiled.pattern == self.pattern:
            bounded, others = split
            fast = _BoundaryFirst(
                compiled,
                re.compile(bounded, self.flags),
                None if others is None else re.compile(others, self.flags),
            )
            self.search, self.finditer = fast.search, fast.finditer
        return getattr(self, name)


#: From this many leading branches that start with a word boundary, a pattern is compiled as
#: one `\b` before their alternation (the same matches: the branches keep their order).
FACTOR_BRANCHES = 6


def _factored(pattern: str) -> str:
    """`\bA|\bB|...|C` as `\b(?:A|B|...)|C` when it opens with many boundary branches: the
    engine then tries the alternation only where a word starts, which for a long list of cues
    is faster than searching for their first words (measured per pattern on generated replies:
    the time cue list 58 -> 41 us a reply, "never again" 26 -> 13)."""
    branches = _top_level_branches(pattern)
    if not branches:
        return pattern
    lead = 0
    while lead < len(branches) and branches[lead].startswith("\\b") and len(branches[lead]) > 2:
        lead += 1
    if lead < FACTOR_BRANCHES:
        return pattern
    head = r"\b(?:" + "|".join(b[2:] for b in branches[:lead]) + ")"
    return "|".join([head, *branches[lead:]])


def _top_level_branches(pattern: str) -> list[str] | None:
    """`pattern` split at its top-level "|" (None if it cannot be read simply)."""
    branches, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]" or pattern[i + 1 : i + 3] == "^]":
                return None
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches if depth == 0 and not in_class else None


def _after_boundary(pattern: str) -> tuple[str, str | None] | None:
    """For a pattern some of whose branches start with a word boundary: those branches without
    it, and the other branches (None if there are none).

    Python's regex engine scans fast for a pattern that starts with literal text, and slowly,
    trying every position, for one that starts with a boundary `\\b`: the same cues found a
    boundary first run many times slower (most of the tagger's time was spent so)."""
    branches = _top_level_branches(pattern)
    if not branches:
        return None
    bounded = [b[2:] for b in branches if b.startswith("\\b") and len(b) > 2]
    others = [b for b in branches if not (b.startswith("\\b") and len(b) > 2)]
    if not bounded:
        return None
    return "(?:" + "|".join(bounded) + ")", ("|".join(others) if others else None)


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


class _BoundaryFirst:
    """`search` and `finditer` of a pattern `\\bX|\\bY|Z`, run as a fast search for `X|Y` whose
    hits count only where a word boundary stands, and a search for `Z`: the pattern itself is
    then matched where the first of them starts, so the matches are the same, in the same
    order."""

    __slots__ = ("compiled", "fast", "others")

    def __init__(
        self, compiled: re.Pattern[str], fast: re.Pattern[str], others: re.Pattern[str] | None
    ) -> None:
        self.compiled = compiled
        self.fast = fast
        self.others = others

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        endpos = min(endpos, len(text))
        start = pos
        first = None
        while (m := self.fast.search(text, start, endpos)) is not None:
            at = m.start()
            if (at > 0 and _is_word(text[at - 1])) != (at < len(text) and _is_word(text[at])):
                first = at
                break
            start = at + 1
        if self.others is not None:
            m = self.others.search(text, pos, endpos)
            if m is not None and (first is None or m.start() < first):
                first = m.start()
        # the pattern itself, matched where the first hit starts
        return None if first is None else self.compiled.match(text, first, endpos)

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        while (m := self.search(text, pos, endpos)) is not None:
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1


_lazy = _Lazy

_SENTENCE_START = "(?:^|[.?!] )"


class _Gate:
    """Whether any of many patterns could match a text, in two searches instead of one per
    pattern: the branches that start at a word boundary as one alternation behind a single
    `\b` (the engine then tries the alternation only where words start), and those that start
    a sentence (`(?:^|[.?!] )...`) behind a sentence mark, searched in the text with a full stop
    put before it. A miss means none of the patterns matches; a hit is checked pattern by
    pattern. Compiled the first time it is asked."""

    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = tuple(sources)
        self._compiled: list[tuple[re.Pattern[str], str]] | None = None

    def _compile(self) -> list[tuple[re.Pattern[str], str]]:
        bounded: list[str] = []
        starts: list[str] = []
        others: list[str] = []
        for source in self.sources:
            for b in _top_level_branches(source) or [f"(?:{source})"]:
                if b.startswith("\\b") and len(b) > 2:
                    bounded.append(b[2:])
                elif b.startswith(_SENTENCE_START):
                    starts.append(b[len(_SENTENCE_START):])
                else:
                    others.append(b)
        out = []
        if bounded:
            out.append((re.compile(r"\b(?:" + "|".join(bounded) + ")"), ""))
        if starts:
            out.append((re.compile(r"[.?!] (?:" + "|".join(starts) + ")"), ". "))
        if others:
            out.append((re.compile("|".join(others)), ""))
        return out

    def found(self, text: str) -> bool:
        if self._compiled is None:
            self._compiled = self._compile()
        return any(p.search(before + text) for p, before in self._compiled)


_P = r"(?: [,—:] )?"  # an optional comma or dash between words
_HEDGES = _lazy(
    r"\b(?:can't|cannot|not able to|unable to|won't|no one can|nobody can|don't want to|"
    r"wouldn't)(?: \w+){0,2} (?:promise|guarantee|say for (?:sure|certain)|be (?:sure|certain))"
    r"|\bno guarantee|\bhopefully\b|\bshould\b|\btry (?:to|and)\b|\baim to\b|\bdo (?:my|our) best"
    r"|\bwith any luck\b|\bfingers crossed\b|\bexpect\b|\blikely\b|\bprobably\b"
)

_FEEL = (
    r"(?:frustrat\w*|annoy\w*|upset\w*|worr(?:y|ied|ies|ying|isome)|stress\w*|anxi\w*|"
    r"scar(?:y|ed|ing)|frighten\w*|terrif\w*|afraid|angry|anger|furious|fed up|exhaust\w*|"
    r"tir(?:ed|ing)|drain\w*|overwhelm\w*|disappoint\w*|exasperat\w*|unhappy|sad|sadness|"
    r"hurt\w*|distress\w*|awful|horrible|horrid|terrible|dreadful|nightmare|difficult|hard|"
    r"tough|rough|shock\w*|isolat\w*|lonely|embarrass\w*|concern\w*|disrupt\w*|hassle|"
    r"inconvenien\w*|let down|a lot to (?:deal with|cope with|take in|handle|manage)|"
    r"a lot on your plate|(?:a )?big change|(?:a )?huge (?:cost|impact|deal|blow)|struggl\w*|"
    r"panic\w*|fear\w*|torn|confus\w*|helpless|hopeless|ashamed|guilty|nervous|uneasy|"
    r"desperate|grie\w*|loss|bereave\w*|heartbr\w*|devastat\w*|infuriat\w*|madden\w*|"
    r"irritat\w*|livid|gutted|miserable|depress\w*|rubbish time|unsettl\w*|painful|alarm\w*|"
    r"agoni\w*|had enough|sick of \w+|sick and tired|unacceptable|ordeal|upheaval|unfair|"
    r"pressure|on edge|at your wits'? end|ambivalen\w*|hesitant|unsure|not sure|"
    r"(?:a )?(?:real |big )?(?:worry|pain|blow|shame)|lot to deal|mess|tricky|scary|fright)"
)
_FEEL_NOT_AFTER = r"(?! to (?:say|tell|know|predict|guess|judge|estimate|find|see|pin|work|get)\b)"
_MODS = (
    r"(?:(?:really|so|very|incredibly|such|a|an|real|absolutely|pretty|quite|bit|little|"
    r"completely|totally|extremely|utterly|genuinely|truly|just|most|massively|particularly|"
    r"awfully|terribly|understandably|also|both|all|of|that|too|how|big|huge|massive|total|"
    r"serious|proper|horrible|horrid|awful|bit of a) )*"
)

_EMPATHY = [
    # "I can hear how frustrating this is", "I know bills can be a real worry"
    _lazy(
        r"\b(?:i|we) (?:can |do |completely |totally |really |truly |fully |definitely |"
        r"absolutely |only |just )*(?:hear|see|imagine|understand|appreciate|know|tell|get|"
        r"recogni[sz]e|sense)\b(?: [^.?!;\n]*?)?\b" + _FEEL + r"\b" + _FEEL_NOT_AFTER
    ),
    # "That sounds really stressful", "that must be so frustrating", "That's a real worry"
    _lazy(
        r"\b(?:(?:that|this|it|which|what)(?: (?:sounds|must|seems|has|had|can|could|would|is|"
        r"was|feels|'s|must've))?|that's|this's|it's|what's|sounds|must|how)"
        r"(?: (?:be|been|have|feel|like|seem|seems|sound|sounds|'ve))* " + _MODS + _FEEL
        + r"\b" + _FEEL_NOT_AFTER
    ),
    # "I'm sorry you've been without a line all week", "sorry for your loss"
    _lazy(
        r"\b(?:sorry|apologi[sz]e|apologies)(?: [,—] )?(?: (?:to hear about|to hear that|to hear|"
        r"to learn|that|about|for|if))?"
        r"(?: (?:all|what|how|everything))? (?:you're|you've|you have|you are|you were|"
        r"you had|you went|you lost|you've had|your (?!call\b|patience\b|wait\b|time\b)\w+|"
        r"the (?:hassle|trouble|stress|worry|upset|loss|disruption|distress|mess)|"
        r"how (?:\w+ )?(?:it's|this has|that's|that has|things)|"
        r"(?:this|that|it) (?:has|'s|is|was)(?: been)?(?: \w+)? (?:so |really |such )?" + _FEEL
        + r"|(?:this|that|it) (?:happened|is happening))"
    ),
    # "no wonder you're exasperated", "you deserve better", "that can't be easy"
    _lazy(
        r"\bno wonder (?:you|you're|you've)\b|\bi'd (?:feel|be) (?:exactly |just )?(?:the same|"
        + _MODS + _FEEL + r" (?:too|as well))|\banyone would (?:be|feel)\b|"
        r"\byou deserve (?:far |much |a lot |so much )?better\b|\byou (?:really )?deserve more\b|"
        r"\b(?:can't|cannot|won't) (?:have )?(?:be|been) (?:easy|nice|fun|pleasant)\b|"
        r"\bnot (?:the experience|the service|what) you (?:should|deserve|expect)|"
        r"\byou've been (?:badly |really |completely |totally )?let down\b|"
        r"\bi can(?:'t| only) imagine\b|\b(?:completely |totally |perfectly )?understandabl[ey]\b|"
        r"\b(?:it's|that's) (?:only |completely |perfectly )?natural to (?:feel|be)\b|"
        r"\bweigh(?:ing|s)? (?:heavily )?on (?:you|your mind)\b|\bgetting you down\b|"
        r"\btaking (?:its|a) toll\b|\bthe last thing you (?:need|needed|want|wanted)\b|"
        r"\bsorry (?:that )?you (?!feel that way\b|feel like that\b)(?:\w+ed|got|had|went|lost|"
        r"were|are|'ve|'re|have|been|couldn't|can't|didn't|haven't|weren't)\b|"
        r"\bsorry (?:that )?(?:he|she|they|we|someone|our \w+|the \w+) (?:\w+ ){0,2}(?:you|your)\b|"
        r"\b(?:is|was|'s|has been|must be) (?:such )?(?:a )?(?:huge|big|real|massive|serious) "
        r"(?:cost|impact|worry|blow|shock|strain|deal|loss|upheaval) (?:to|for|on) you\b"
    ),
    # "Standing for two hours is exhausting": any subject, a strong feeling or impact word
    _lazy(
        r"\b(?:is|are|was|were|must be|must have been|sounds|has been|have been|'s) " + _MODS
        + r"(?:exhausting|frustrating|stressful|upsetting|worrying|awful|horrible|terrible|"
        r"distressing|infuriating|maddening|heartbreaking|devastating|frightening|scary|"
        r"draining|disappointing|overwhelming|exasperating|miserable|isolating|"
        r"a nightmare|an ordeal|a real worry|a worry)\b(?! to \w+)"
    ),
    # MI-style feeling reflections: "you're feeling torn about cutting down"
    _lazy(
        r"(?<!\bif )(?<!\bin case )(?<!\bwhether )\b(?:you're|you are|you've been|you seem|"
        r"you sound|you feel|you felt|you're feeling|you've been feeling|feeling)(?: \w+)? "
        + _MODS + _FEEL + r"\b" + _FEEL_NOT_AFTER
    ),
]
#: Politeness or filler apologies: an apology that names no feeling or impact.
_FILLER_SORRY = _lazy(
    r"\bsorry(?: [,—] | )(?:for (?:the |your |keeping you |any )?(?:wait|waiting|hold|delay|"
    r"confusion|interruption|inconvenience)\w*|to (?:keep|have kept) you|to interrupt|"
    r"(?:could|can|would|what|i|you cut|you broke|say)|to hear that(?! you)|about that\b|"
    r"you feel that way|if you feel)|\bsorry\s*[.!,]?$"
)
_EMPTY_UNDERSTAND = _lazy(
    r"\b(?:i (?:completely |totally |do )?understand|i hear (?:you|what you're saying)|"
    r"i get (?:it|that)|i see|noted)\b"
)
_SARCASM = _lazy(
    r"\bwhat a (?:tragedy|disaster|shame)\b|\bpoor (?:you|thing)\b|\bboo hoo\b|"
    r"\bmy heart bleeds\b|\bhow (?:ever|on earth) did you (?:cope|survive|manage)\b|"
    r"\bthe horror\b|\bfirst world problem|\bcry me a river\b|\bwhat a shame\b(?=[^.?!\n]*\?)"
)

_BLAME_SOURCES = (

        r"\bcalm down\b",
        r"\b(?:there's |there is )?no need to (?:shout|swear|yell|raise your voice|"
        r"get (?:so |all )?(?:worked up|angry|upset|shirty|arsey|stroppy|aggressive|rude|nasty|"
        r"funny|personal|heated|excited)|be (?:so )?(?:rude|angry|aggressive|like that|"
        r"difficult|dramatic|nasty|funny))",
        r"\b(?:not much|no|little) point (?:in )?(?:getting|being|shouting|complaining|moaning|"
        r"asking|going|talking|arguing)\b|\bso there's no point\b|\bthere's no point\s*[.!]",
        r"\b(?:not|isn't|is not) (?:my|our) (?:problem|fault|job|concern)\b",
        r"\bthat's on you\b|\b(?:it's|that's|its) (?:your|ur) (?:own )?(?:problem|fault|lookout|"
        r"responsibility|job|issue)\b|\byour (?:own )?fault\b|\byour own (?:problem|doing)\b|"
        r"\byour responsibility to\b",
        r"\byou (?:should|shouldn't|should not|ought to|oughta) (?:have|'ve)\b(?! (?:had|been|got|"
        r"received|heard|gotten|seen a)\b)|\byou should've\b(?! (?:had|been|got|received)\b)",
        r"\bif you(?:'d| had| would've| would have) (?:just |only |actually )?(?!received\b|"
        r"been charged\b)\w+ed\b|"
        r"\bif you(?:'d| had| would've| would have)? (?:just |only |actually )?(?:told|read|"
        r"listened|checked|called|looked|paid|bothered|done|followed|set|plugged|used|kept|"
        r"been|ignored|let|rung|contacted|turned)\b(?! (?:us )?(?:so far|already))",
        r"\byou (?:ignored|didn't bother|never bothered|didn't listen|never listen|don't listen|"
        r"weren't listening|aren't listening|didn't read|never read)\b",
        r"\byou must (?:have|'ve) (?!been\b|had\b|felt\b|found\b|gone through\b)\w+",
        r"\byou(?:'ve| have)? (?:obviously|clearly|evidently) (?!been\b)\w+",
        r"\byou(?:'ve| have)? (?!been\b)(?:\w+ ){1,4}(?:up |in |it )?wrong(?:ly)?\b(?! (?:bill|"
        r"amount|address|date|charge|information|details|price))",
        r"\byou(?:'re| are| were) (?:meant|supposed) to\b|\byou need to (?:learn|listen|calm|"
        r"understand|read|be patient|stop)\b",
        r"\b(?:it's|its|it is|that's|it was) all (?:in|explained in|on) (?:the|your) (?:guide|"
        r"terms|contract|manual|letter|email|instructions|leaflet|booklet|small print|t&cs)",
        r"\b(?:every(?:one|body)|anyone|any fool) (?:knows|else (?:manages|can|does|seems|"
        r"copes))\b|\byou'd be (?:amazed|surprised) how many\b",
        r"\b(?:have|did|do) you (?:actually|even|honestly) \w+",
        r"\bdon't say i didn't warn you\b|\bi (?:did|told you|said) (?:warn you|so)\b",
        r"\b(?:that's|it's) (?:your choice|your call|your lookout|your decision) ?(?:[,—] )?but\b",
        r"\bthese things happen\b|\bthat's life\b|\bit is what it is\b",
        r"\b(?:alright|okay|all right) (?:, )?(?:alright|okay|all right)\b",
        r"\bsee (?:, )?(?:it|that) (?:wasn't|was not|isn't|is not) (?:that |so )?(?:hard|"
        r"difficult|bad)|\bwasn't (?:that|so) (?:hard|difficult)\b",
        r"\beven (?:my|a|your|our) (?:\d+ year old |little )?(?:kids?|child|children|son|"
        r"daughter|grandma|gran|granny|nan|mum|dog|toddler|baby)\b|\brocket science\b",
        r"(?:^|[.?!] )(?:seriously|really|honestly|come on|oh please)\s*[?!]",
        r"\bi've (?:already )?(?:explained|told you|said) (?:this|that|it)(?: to you)? "
        r"(?:\d+|several|many|a few|twice|again|already|before)\b|"
        r"\bhow many times (?:do|have|must) i (?:have to|got to|need to|tell|explain|say)\b|"
        r"\bif you(?:'d| would)? (?:just )?listen(?:ed)?\b|\byou're not listening\b|"
        r"\bare you (?:even )?listening\b",
        r"(?:^|[.?!] )because (?:that's|those are|it's|them's) (?:the|our) \w+\s*(?:[.!]|$)|"
        r"\bif you don't like it\b|\btake it or leave it\b|"
        r"\b(?:aren't|are not|isn't|is not|we're not|i'm not) (?:miracle workers?|magicians?|"
        r"mind ?readers?)\b|\bcan't work miracles\b|"
        r"(?:^|[.?!] )(?:it's|it is|that's) (?:really |so |very |dead |pretty )?(?:simple|easy|"
        r"obvious|basic)\s*[.!]|(?:^|[.?!] )(?:just )?read the (?:leaflet|manual|guide|terms|"
        r"instructions|website|faqs?|letter|small print)\s*(?:[.!]|$)|"
        r"\b(?:those are|that's|them's) the rules\b|"
        r"\b(?:rules|policy) (?:are|is) (?:rules|policy)\b",
        r"\byou were (?:late|warned|careless|told (?:this|that|already|before|twice))\b|"
        r"\bare you sure (?:that )?you(?:'re| are|'ve| have) not\b|"
        r"\byou(?:'re| are) not (?:special|the only)\b|\beveryone(?:'s| else's| is| else is)? in "
        r"the same (?:boat|position)\b|\byou'll just have to\b|\bwe wouldn't be (?:here|having "
        r"this conversation)\b|\bare you sure (?:you|it) (?:didn't|wasn't|haven't|weren't|did|"
        r"hadn't|'re not|aren't|are not)\b|, you know\s*[.!]",
        r"(?:^|[.?!] )(?:isn't that|oh|well|just) (?:great|lovely|wonderful|brilliant|fantastic|"
        r"marvellous|perfect)\s*(?:, )?(?:another|more|just what)\b|\bjust what i needed\b",
        r"\bi can't help you\s*(?:[.!]|$|then|if you)",
        r"\b(?:wait|sit|hang) around for you\b|\byou're not the only (?:customer|person|one)\b",
        r"\b(?:that's|it's|that has|it has|honestly,? that's) (?:got )?nothing to do with "
        r"(?:it|me|us|anything)\b",
        r"\bmaybe (?:you should |you could )?(?:read|keep an eye|pay attention|listen|learn|think "
        r"(?:before|next)|remember|watch)\b|\b(?:read|check) (?:it|them|the terms|the small "
        r"print|your \w+) (?:next time|properly|first)\b|\bnext time,? (?:read|check|listen)",
        r"\bthat's what the \w+(?:'s| is| are) for\b",
        r"(?:^|[.?!] )(?:well (?:, )?)?that's just (?:how|the way|what)\b|"
        r"\bthat's (?:just )?how (?:\w+ )?(?:works?|it is|things are)\b|"
        r"(?:^|[.?!] )well (?:, )?that's just\b",
        r"\byou'll (?:just )?have to (?:live with it|accept it|put up with it|wait like|deal)\b|"
        r"\b(?:live|deal) with it\b",
        r"(?:^|[.?!] )yeah (?:, )?well\b|(?:^|[.?!] )whatever\s*(?:[.!,]|$)",
        r"\bwhat (?:do|did) you expect\b|\bgrow up\b|\bstop (?:moaning|whining|complaining|"
        r"shouting|being (?:so )?(?:rude|difficult|silly))\b|\bi haven't got all day\b|"
        r"\byou people\b|\bcommon sense\b|\bit's not rocket\b",
        r"\b(?<!if )(?<!in case )you(?:'ve| have|'re| are|'d| had)?(?: (?:must|might|may|"
        r"could)(?: have|'ve)?)?(?: (?:probably|possibly|likely|maybe|perhaps|just|simply|only|"
        r"obviously|clearly|accidentally|somehow|actually))* (?:misheard|misunderstood|misread|"
        r"misremember\w*|(?:mixed|mixing|confused|confusing) (?:it|them|that|this|the \w+)"
        r"(?: up| with)?|mixed up|imagined it|(?:looking at|reading|looked at|read) (?:the |a )?"
        r"wrong)\b|"
        r"\byou've got (?:it|that) wrong\b|\byou're (?:wrong|mistaken)\b|"
        r"\byou got the wrong end\b",
        r"\b(?:shouting|swearing|getting angry|complaining|moaning|yelling) (?:at me )?(?:isn't|"
        r"won't|is not|will not|doesn't) (?:going to )?(?:help|fix|change|get|make)\b",
        r"\bthat's not how (?:you|it's|it is|u|to) (?:do|done|work|supposed|use)\b|"
        r"\bthat's not how you\b",
        r"\bwhy (?:didn't|don't|did|would) you (?:just )?(?:not )?(?:read|check|call|tell|ask|"
        r"listen|bother|think)\b",
        # the customer's own household is guessed at as the cause: doubting their account
        r"\b(?:someone|somebody|one of your \w+) (?:at|in|from) your (?:address|house|home|"
        r"household|place|building|flat|family) (?:must (?:have|'ve|of)|probably|likely)\b|"
        r"\b(?:must|probably) (?:have )?(?:(?:be|been) )?(?:someone|somebody) (?:at|in|from) "
        r"your (?:address|house|home|household|place|building|flat|family)\b",
)
_BLAME = [_lazy(p) for p in _BLAME_SOURCES]
_ANY_EMPATHY = _Gate([p.pattern for p in _EMPATHY])
#: Every blame cue in one pattern: one search tells most replies (no blame) apart, instead of
#: one search per cue; the cues are then tried in order only for a reply it found something in.
_ANY_BLAME = _Gate(_BLAME_SOURCES)
_BLAME_SARCASM = _SARCASM
_GO_AHEAD = _lazy(r"(?:^|[.?!] )go ahead\b[^.?!\n]*\b(?:up to you|your (?:choice|call))")
_BLAME_ALL = (*_BLAME, _SARCASM, _GO_AHEAD)

_PROMISE = _lazy(
    r"\b(?:i|we)(?: (?:can|do|will|'ll|absolutely|personally|faithfully|100%|definitely))* "
    r"(?:promise|guarantee|swear)\b(?! (?:(?:you |that )?(?:i'll|i will|we'll|we will) "
    r"(?:call|ring|phone|email|text|write|send|check|look|update|chase|pass|note|log|raise|keep|"
    r"get back|do (?:my|our) best)|to (?:call|ring|phone|email|text|write|check|look|update|"
    r"chase|keep|do (?:my|our) best)))"
    r"|\bguarantee[ds]?\b(?= *(?:[.!,;—]|$| you| it| that|,))"
    r"|\b(?:i'll|i will|we'll|we will) make sure of (?:that|it)\b|\bno chance (?:of|that)\b"
    r"|\b(?:zero|no) (?:risk|chance) of\b|\bnothing (?:will|can) go wrong\b"
    r"|\b(?:it's|it is|he's|she's|they're|you're) (?:definitely|100%|certainly|"
    r"absolutely) (?:going|coming|arriving|happening|leaving|getting|sorted|fixed)\b"
    r"|\byou have my (?:word|promise)\b|\bi give you my word\b|\btake my word for it\b"
    r"|\bi (?:can )?assure you (?:that )?(?:it|this|you|they|he|she)(?:'ll| will| won't)\b"
)
#: "a/the/no/under ... guarantee" is the noun (a warranty, or its absence), not a promise.
_GUARANTEE_NOUN_BEFORE = frozenset("a the no under not back your our money-back any".split())
_CERTAIN_ADV = r"(?:definitely|certainly|absolutely|100%|100 %|def|surely|for sure|for certain|" \
    r"without (?:a )?doubt|no doubt|without fail|no question)"
_CERTAIN = _lazy(
    r"\b(?:it'll|it will|you'll|you will|they'll|they will|that'll|that will|he'll|he will|"
    r"she'll|she will|this will|it's going to|you're going to|they're going to|he's going to|"
    r"she's going to|that's going to|will)(?: \w+)? " + _CERTAIN_ADV + r"\b(?! not\b)"
    r"|\b" + _CERTAIN_ADV + r" (?:it|he|she|they|you|that)(?:'ll| will)\b"
    r"|\b(?:yes|yeah|yep)(?: [,—] | )(?:definitely|100%|absolutely|certainly)(?: [,—] | )"
    r"(?:it|he|she|they|you|that)(?:'ll| will)\b"
    r"|\b(?:fixed|sorted|resolved|refunded|back|there|done|working|approved|accepted)\b[^.?!\n]{0,25}"
    r"\b(?:for sure|for certain|no question|no doubt|100%|without fail)\b"
    r"|\b(?:i'm|i am) (?:100% |absolutely |completely )?(?:sure|certain|positive) (?:that )?"
    r"(?:it|this|they|he|she|you|the \w+)(?:'ll| will)\b"
    r"|\b100%(?! (?:of|refund|sure i|cotton)\b)"
)
_NEVER_AGAIN = _lazy(
    r"\b(?:won't|will not|will never|'ll never|never|wouldn't|shall not)\b[^.?!,;\n]{0,30}"
    r"\b(?:again|anymore|any more)\b"
    r"|\b(?:ever again|never again)\b"
    r"|\b(?:never|won't|will not) (?:\w+ ){0,3}(?:another|any more|a single)\b"
    r"|\b(?:the )?(?:very )?last time (?:you|you'll|you will) (?:\w+ )?(?:have|need|ever)\b"
    r"|\bvery last (?:visit|time|call|engineer|problem)\b"
    r"|\b(?:fixed|sorted|resolved|gone|right|working|solved|cured|stopped) for good\b"
    r"|\bit's fixed for good\b|\bfor good now\b"
    r"|\b(?:nobody|no one|nothing) (?:will )?(?:\w+ )?ever\b"
    r"|\b(?:right|fine|correct|perfect|okay|sorted) (?:from now on|forever|for ever)\b"
    r"|\b(?:will|it'll|'ll|they'll|he'll|she'll) never (?:\w+ )?(?:happen|drop|fail|break|go|"
    r"charge|be|get|have|see)\b"
    r"|\b(?:make sure|ensure) (?:this|that|it|nobody|no one|you)[^.?!\n]{0,40}\b(?:never|again|"
    r"ever|last)\b"
    r"|\b(?:won't|will not) (?:find|get) (?:a )?(?:better|cheaper)\b"
    r"|\b(?:sort|fix|solve|resolve) (?:everything|all of it|it all)\b(?= (?:out )?(?:on|today|"
    r"in one|first))"
    r"|\bfix (?:it|this) first time\b"
)
#: "You won't have to explain it all again": sparing the customer a retelling is the advisor's
#: own doing (notes, a briefed colleague), not a promise about what the advisor cannot control.
_RETELLING = (
    r"(?:'ll |will )?(?:won't|will not|never|shouldn't|should not|wouldn't)(?: ever)? "
    r"(?:have|need|got) to "
    r"(?:\w+ )?(?:explain|repeat|tell|go through|go over|run through|say|give|spell|describe|"
    r"recount|relive|start)\b"
)
_RETELLING_SPARED = _lazy(_RETELLING)
_RETELLING_IN = _lazy(r"\b" + _RETELLING)
#: Words that address the customer: without one, a reply is not blame by the model's reading.
_ADDRESSED = frozenset("you your yours yourself yourselves you're you've you'll you'd".split())
#: Reassurance: telling the customer a slip is common or not theirs (TAGS.md: never blame).
_REASSURANCE = _lazy(
    r"\b(?:(?:it's|that's|it is|that is|its|thats) (?:so |really |very |an? |quite |such an? )?"
    r"(?:easy|easily|common|understandable|natural|normal) (?:to|mistake|thing|one)\b|"
    r"easily done|(?:it's|that's|it is|that is|its|thats) (?:really |absolutely |definitely )?"
    r"not (?:your|on you)|not your fault|you(?:'ve| have)? (?:done )?nothing wrong|"
    r"you (?:haven't|have not|didn't|did not) do (?:anything|owt) wrong|don't worry|"
    r"no need to (?:apologi[sz]e|worry|be sorry|feel)|happens to (?:everyone|everybody|all of us|"
    r"the best of us|loads of people|a lot of people))"
)
_ADVISOR_OWN_ACTION = _lazy(
    r"\b(?:i'll|i will|we'll|we will)(?: \w+)? (?:definitely|certainly|absolutely|100%) "
    r"(?:call|ring|phone|email|text|write|send|check|look|update|chase|pass|note|log|raise|keep|"
    r"be in touch|get back|do|make a note|add|put)\b"
)

# Time -----------------------------------------------------------------------------------------
_NUM = r"(?:\d+(?:\.\d+)?|a|an|1|one|a couple of|couple of|a few|few|several|half an?)"
_UNIT = r"(?:working |business |full |calendar |clear )?(?:seconds?|minutes?|hours?|days?|" \
    r"weekdays?|weeks?|fortnight|months?)"
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)s?"
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|" \
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
_TIMELINE = _lazy(
    r"\bwithin (?:the next |the |about |around |roughly |approximately |up to )*"
    r"(?:" + _NUM + r" (?:(?:to|or) \d+ )?)?" + _UNIT + r"\b"
    r"|\b(?:in|after|takes?|taking|take around|last|lasts) (?:about |around |roughly |"
    r"approximately |"
    r"up to |under |less than |just |only |another |the next |over )*" + _NUM
    + r" (?:(?:to|or) \d+ )?" + _UNIT + r"(?:'s?)?(?: time)?\b"
    r"|\b\d+ (?:to|or) \d+ " + _UNIT + r"\b"
    r"|\b(?:up to|over the next|for the next|in the next|next) (?:" + _NUM + r" )?" + _UNIT
    + r"\b"
    r"|\bnext (?:bill|statement|invoice|payment|billing (?:cycle|date|period)|month's bill|"
    r"week|month|year|working day|business day|day|morning|afternoon|evening|cycle)\b"
    r"|\b(?:tomorrow|tonight)\b"
    r"|\b(?:first thing|end of (?:the )?(?:day|week|month)|close of business|end of play|"
    r"by (?:the )?end of|later today|later this (?:morning|afternoon|evening|week)|"
    r"the (?:day|evening|night|morning|week) before (?:your|the|it)|"
    r"(?:in|within|by) (?:the|an|one|a) (?:hour|day|week))\b"
    r"|\b\d{1,2}(?:[:.]\d{2})? ?(?:am|pm|a\.m\.|p\.m\.)\b|\b\d{1,2}(?:am|pm)\b"
    r"|\b(?:at|by|before|after|between|from|until|till|til) (?:\d{1,2}(?:[:.]\d{2})?"
    r"|noon|midday|midnight|lunchtime|teatime)\b(?! (?:" + _UNIT + r"|%|people|items|times|of|"
    r"gb|mb|calls?|texts?|channels?|pounds|quid|payments?|attempts?)\b)"
    r"|\b\d{1,2} (?:till|til|until) \d{1,2}\b"
    r"|\b(?:" + _DAY + r"|morning|afternoon|evening|slot|window|between) \d{1,2}(?:[:.]\d{2})? "
    r"(?:to|and) \d{1,2}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)\b|\b" + _MONTH + r" \d{1,2}\b|\b\d{1,2} " + _MONTH + r"\b"
    r"|\b(?:on|by|this|next|until|till|from|before|for|coming) " + _DAY
    + r"(?: (?:morning|afternoon|evening|night|between|at))?\b"
    r"|(?<!\bsince )(?<!\blast )(?<!\bevery )(?<!\ba )(?<!\beach )(?<!\bmost )(?<!\bthe )"
    r"\b" + _DAY + r" (?:morning|afternoon|evening|night|between|at \d)\b"
    r"|\b(?:today|this (?:morning|afternoon|evening|week|weekend|month))\b"
)
#: Time expressions that can only point forward: no past tense around them can undo that.
_FUTURE_TIME = _lazy(r"(?:tomorrow|tonight|next|within|first thing|later|end of|by )")
_TODAY = _lazy(r"^(?:today|this (?:morning|afternoon|evening|week|weekend|month))$")
_FUTURE = _lazy(
    r"\b(?:will|'ll|i'll|we'll|you'll|it'll|they'll|he'll|she'll|that'll|going to|by|before|"
    r"should|can|could|i'm \w+ing|we're \w+ing|is \w+ing|are \w+ing|due|expect|aim)\b"
)
_PAST = _lazy(
    r"\b(?:was|were|did|had|ago|went|happened|since|last|used to|stopped|started|broke|came|"
    r"told|said|promised|called|rang|moved|paid|left|'ve been|have been|has been)\b"
    r"|\b(?:you|we|i|they|he|she) (?!(?:need|feed|speed|proceed|succeed|exceed)\b)\w+ed\b"
)
_SUBORDINATE = _lazy(r"\b(?:when|since|which|because|after|whenever)\b")
_PRESENT = _lazy(r"\b(?:is|are|am)\b|'s\b")
_FREQUENCY = _lazy(r"\b(?:every|each|most|usually always|always|often|sometimes|daily|"
                        r"nightly|per|a day|a week|a month)\b|\bit's now\b|\bnow after\b")
_VAGUE_TIME = _lazy(
    r"\b(?:soon|shortly|as (?:soon|quickly|fast) as (?:possible|we can|i can)|asap|"
    r"in due course|at some point|straight away|right away|immediately|in a bit|later|"
    r"in a while|before long|any (?:minute|day|time) now|eventually|quickly)\b"
)

# Choices, steps, hand-overs -------------------------------------------------------------------
_OPTIONS = [
    _lazy(p)
    for p in (
        r"\b(?:i|we|you)(?: \w+)? (?:can|could|may|might|'d be happy to|'re welcome to)\b"
        r"(?: \w+){0,2} either\b[^.?!\n]*\bor\b",
        # "(?=(?P<g>...))(?P=g)" takes the first "or" for good (an atomic group, which Python
        # 3.10 lacks): a cue after any "or" is a cue after the first, so the match is the
        # same, but a sentence of many "either ... or" with no cue fails in one pass per start
        r"\beither\b(?=(?P<either_or>[^.?!\n]*?\bor\b))(?P=either_or)[^.?!\n]*(?:\?|\bprefer|"
        r"\bsuit|\brather|\bwhich|\bwhatever|\bup to you|\bchoice)",
        r"\b(?:i|we|you) (?:can|could|may|might)\b(?! not\b)[^.?!\n]{3,}?(?: ,)? \bor\b "
        r"(?!so\b|not\b|"
        r"anything\b|something\b|whatever\b|\d|more\b|less\b|two\b|three\b|orange\b|red\b|"
        r"green\b|amber\b|other\b|else\b)",
        r"\bwould you (?:like|prefer|rather)\b[^.?!\n]*\bor\b (?!not\b|anything\b|something\b|"
        r"else\b)",
        r"\b(?:there are|there's|we have|i have|you have|i've got|we've got|i can offer you|"
        r"i can give you) (?:a few|a couple of|couple of|two|three|several|some|a number of|"
        r"different|\d|a choice of|a few different) (?:\w+ )?(?:options|ways|things|choices|"
        r"routes|possibilities|alternatives|ways round|approaches)\b",
        r"\byour options are\b|\bthe options are\b|\byou can choose\b|\bit's your choice\b"
        r"|\b(?:choose|pick) between\b",
        r"\bor (?:i|we) can\b[^.?!\n]*\b(?:which|prefer|rather|whichever|up to you)\b",
        r"\b(?:can|could|would) you\b(?=(?P<ask_or>[^.?!\n]{3,}? (?:, )?or ))(?P=ask_or)"
        r"(?:\w+ )?(?:you )?(?:\w+ )?[^.?!\n]*[.?!]? ?(?:which|whichever|whatever)\b",
    )
]
_CHOICE_Q = _lazy(
    r"\bwhich (?:one |option |of (?:these|those|them) |would |do |sounds |suits |appeals |works |"
    r"is |you'd )|\bwhich(?: \w+)? (?:would|do|sounds|suits|appeals|works|is) (?:you|better|"
    r"best|easier|more)|\bwhich\b[^.?!\n]*\b(?:prefer|rather|like|suit|want|best)\b|"
    r"\bwhichever (?:you|suits|works|is|would|sounds)|"
    r"\bwhatever (?:you|suits) (?:prefer|want|like|rather)|"
    r"\bor both\b|\bup to you\b|\byour choice\b|\bwhat would (?:you prefer|help (?:most|more)|"
    r"suit you|work best|be best|be easier)"
)
_NEGATED_PROMISE = _lazy(
    r"\b(?:can't|cannot|not able to|unable to|won't|wouldn't)(?: \w+)? (?:promise|guarantee)\b"
    r"|\bno guarantee\b"
)
#: A promise word in a negation's scope ("I never promised", "I haven't guaranteed"): the
#: model's over_promise does not stand against it (TAGS.md: negation matters).
_NEGATED_PROMISE_WORD = _lazy(
    rf"\b{NEGATION_PATTERN}(?: \w+){{0,2}} (?:promise[sd]?|guarantee[sd]?|swear|swore|sworn)\b"
)
_CHOICE_WORDS = frozenset("options choices ways choose pick alternatives".split())
_SINGLE_PROPOSAL = _lazy(
    r"\b(?:i can(?!')|we can(?!')|i could|we could|i'd recommend|i would recommend|i'd suggest|"
    r"i suggest|what i can do is|how about|would you like me to|shall i)\b"
)

_STEP_MARKER = _lazy(
    r"(?:^|[.?!;:,—] |\band |\bbut |\bthen |\bso )(?:first(?:ly)?|first of all|to start(?: with)?|"
    r"step 1)\b(?! (?:time|thing|slot|available|class|one|of the|and foremost))"
    r"|\b(?:i'll|i will|we'll|we will|let me|you'll need to|you need to)\b[^.?!;\n]*?\bfirst\b"
    r"(?= *[,.;—]| then| and)"
    r"|\b(?:and )?then\b(?! (?:again|there|that|on|you're|it's)\b)(?= \w)(?<!\bby then)"
    r"(?<!\buntil then)(?<!\bsince then)(?<!\bback then)(?<!\bjust then)"
    r"|\bafter (?:that|this|which)\b|\bafterwards\b|\bonce (?:that's|this is|that is|it's|it is|"
    r"you've|you have|you|we've|we have|we|i've|i have|i|the|they|he|she|your)\b"
    r"|(?:^|[.?!;:,—] )(?:next|secondly|second|thirdly|finally|lastly)\b(?! (?:bill|week|"
    r"month|year|day|time|working|business|morning|slot|step)\b)"
    r"|\bhere's (?:what happens|how (?:it|this|that) works|what (?:i'll|we'll|i'm going to|"
    r"we're going to) do|the plan|what (?:you|we) (?:need to|can) do)\b"
    r"|\bwhat (?:happens|will happen) (?:next|now) is\b|\bwhat i'll do is\b|\bthe next step\b"
    r"|\bwhat (?:i'm going to|i will|we'll|we will) do is\b"
)
_ONCE_ONLY = _lazy(r"\bonce\b")
#: Words without which no step marker, time expression or over-promise cue can match (cheap
#: prefilters: most replies skip those detectors' regular expressions altogether).
_STEP_WORDS = frozenset(
    "first firstly then after afterwards once next secondly second thirdly finally lastly "
    "here's what step start".split()
)
_TIME_WORDS = frozenset(
    "within minute minutes hour hours day days week weeks month months fortnight tomorrow "
    "tonight today this next first end close later before noon midday midnight lunchtime "
    "teatime monday tuesday wednesday thursday friday saturday sunday weekend mondays "
    "tuesdays wednesdays thursdays fridays saturdays sundays january february march april may "
    "june july august september october november december jan feb mar apr jun jul aug sept "
    "sep oct nov dec seconds second working".split()
)
_PROMISE_WORDS = frozenset(
    "promise guarantee guaranteed guarantees swear word assure sure chance risk wrong definitely "
    "certainly absolutely surely certain doubt fail question again anymore more ever never "
    "another single last good forever from better cheaper everything all first positive "
    "def".split()
)
_CLAUSE_SPLIT = _lazy(
    r" (?:[.?!;:,—]|and then|then|and)(?= )"
    r"| (?=(?:once|i'll|we'll|you'll|they'll|it'll|he'll|she'll) )"
)
_BARE_CHECK = _lazy(
    r"\b(?:let me|i'll|i will|i'm going to|i'm just going to|bear with me while i|"
    r"one moment,? i'll)(?: just)? (?:check|have a look|look|take a look|see|find out|"
    r"look into|run|pull up)\b"
)

_TARGET = (
    r"(?:manager|supervisor|team ?leader|line manager|senior (?:\w+ )?(?:colleague|manager|team|"
    r"advis[eo]r|member of staff|engineer|specialist)|someone (?:more )?(?:senior|higher up|"
    r"else|from|in|who)|specialists?|experts?|(?:\w+ )?team|department|colleagues?|"
    r"(?:complaints? |case |claims? )(?:handler|officer|manager|department)|handler|"
    r"case ?worker|(?:\w+ )?desk|billing|tech(?:nical)? support|second line|back office|"
    r"underwriters?|pharmacist|doctor|gp|nurse|consultant|clinician|duty \w+|"
    r"(?:\w+ )?unit|(?:\w+ )?office|(?:\w+ )?officer|ombudsman|(?:\w+ )?services|"
    r"(?:\w+ )?partners?|(?:the )?(?:person|people) who|them|him|her)"
)
_ESCALATION = [
    _lazy(p)
    for p in (
        r"\b(?:transfer\w*|put(?:ting)? (?:you|u|this|it|your call) (?:straight |right )?"
        r"(?:through|over|across)|connect(?:ing)? you (?:to|with)|pass(?:ing)?(?: (?:you|this|it|"
        r"that|your \w+|the case|them|everything|the details|your details|it all))?(?: on| over|"
        r"straight| across)* to|refer(?:ring|red)?(?: (?:you|this|it|your \w+|the case))? "
        r"(?:on )?to|escalat\w+|hand(?:ing)? (?:you|this|it|the case|your case|everything)? ?"
        r"over|send(?:ing)? (?:\w+ ){0,5}to (?:our|the|a|my) (?:\w+ ){0,3}(?:team|department|"
        r"specialists?|manager|supervisor) (?:for|to)|put (?:it|this|that) to|flag(?:ging)? "
        r"(?:it|this|that) (?:to|with|up with)|raise? (?:it|this|that|a \w+|your case|the case|"
        r"a complaint|a job)? ?(?:with|for) (?:our|the|a|my|your|their|his|her)|"
        r"rais(?:ing|ed) (?:it|this|that|a \w+|your case|the case|a complaint|a job)? ?"
        r"(?:with|for) (?:our|the|a|my|your|their|his|her)|"
        r"bring(?:ing)? (?:in )?(?:my|our|a|the) |get(?:ting)? (?:my|our|a|the|one of our|your) "
        r"(?:\w+ ){0,3}(?:on the (?:line|phone)|to (?:call|ring|phone|look|contact|review|"
        r"check|come|speak))|arrange for (?:a|my|our|the|someone)|have (?:a|my|our|the|someone) "
        r"(?:\w+ ){0,3}(?:call|ring|phone|contact)|ask(?:ing)? (?:my|our|a|the|them) (?:\w+ ){0,3}"
        r"to (?:call|ring|look|review|take|contact|decide|check))\b[^.?!;\n]*?\b" + _TARGET + r"\b",
        r"\b(?:our|the|a|my|your) (?:\w+ ){0,3}(?:team|department|specialists?|manager|"
        r"supervisor|handler|colleague|experts?|desk|unit|officer|team leader|doctor|gp|"
        r"pharmacist|nurse|consultant|underwriters?)(?: (?:who|,|—|then))?(?: \w+)? "
        r"(?:will|'ll|are going to|can then|who will|who'll|,? who can|can) (?:then |also |aim to |"
        r"be able to )?(?:review|look (?:into|at|through|over)|call|ring|phone|contact|write|"
        r"decide|investigate|take (?:over|ownership|it|care)|be in touch|get back|assess|handle|"
        r"pick (?:it|this) up|move|survey|deal with|sort|go through|arrange|prioriti[sz]e|"
        r"make (?:the|a) decision|approve|confirm|chase)\b",
        r"\b(?:team|department|specialists?|manager|supervisor|handler)(?:'s|s')? (?:will |'ll )?"
        r"(?:be in touch|get back to you|call you|ring you|contact you|write to you)\b",
        r"\b(?:team|department|specialists|manager|supervisor) (?:for|to) (?:review|a review|"
        r"investigation|approval|a decision)\b",
        r"\b(?:they'll|they will) (?:then )?(?:review|investigate|decide|take over|"
        r"take (?:it|this) "
        r"from here)\b",
    )
]
_ESCALATION.append(_lazy(
    r"\b(?:get|getting|have|ask|asking|arrange for|arranging for)(?: (?:my|our|a|the|one of our|"
    r"your|someone from|someone in))?(?: \w+(?:'s)?){0,2} (?:manager|supervisor|team ?leader|"
    r"team|department|specialists?|billing|complaints|colleague|handler|doctor|gp|nurse|"
    r"pharmacist|consultant|underwriters?|experts?|senior \w+)(?: \w+)? (?:to|will) (?:call|ring|"
    r"phone|look|contact|review|check|come|speak|decide|get back|be in touch|take)\b"
))
_ESCALATION.append(_lazy(
    r"\b(?:team|department|specialists?|manager|supervisor|handler|underwriters?|doctor|gp) "
    r"(?:has|have|needs?|will need|'ll need) to (?:investigate|review|look|decide|approve|check|"
    r"assess|sign (?:it )?off)\b"
    r"|\b(?:send|sending|pass|passing|forward|forwarding|refer|referring)\b(?: \w+){0,5} to "
    r"(?:our|the|a|my|your) (?:\w+ ){0,2}(?:team|department|specialists?|manager|supervisor|gp|"
    r"doctor|pharmacist|nurse|consultant|underwriters?|handler|colleagues?)\b"
))
_ESCALATION.append(_lazy(
    r"\b(?:i'm|i am|i'll|i will|let me|i'm going to|going to|i can) (?:just |now )?"
    r"(?:transfer(?:ring)? you|put(?:ting)? you (?:straight )?(?:through|over|across)|"
    r"pass(?:ing)? you (?:over|across|on|through))\b"
    r"|\b(?:let me|i'll|i will|i'm going to|i can|i'm) (?:just |now |quickly )?(?:get|getting|"
    r"fetch|grab|bring in|call over) (?:my|our|a|the) (?:\w+ )?(?:supervisor|manager|team ?leader|"
    r"senior \w+|specialist)\b"
))
_ANY_ESCALATION = _Gate([p.pattern for p in _ESCALATION])
_ESCALATION_REQUEST = _lazy(
    r"\b(?:manager|supervisor|someone (?:senior|higher|else|in charge)|higher up|senior|"
    r"team ?leader|your boss|in charge|escalate|complain to)\b"
)
_AGREE = _lazy(
    r"^(?:(?:yes|yeah|yep|sure|certainly|absolutely|of course|no problem|okay|right|"
    r"that's fine|not a problem|will do|i can do that|i can arrange that|i'll do that|"
    r"i'll get (?:one|them|him|her|someone)|i'll sort that)\b)"
)
_REFUSE = _lazy(
    r"\b(?:no point|aren't any|isn't anyone|there's no(?:body| one)|can't|won't|not able|"
    r"unable|would (?:just )?tell you|same thing|isn't one|not available|no managers?)\b"
)
_NEGATED_HANDOVER = _lazy(
    r"\b(?:can't|cannot|won't|not going to|not able to|unable to|don't|no need to|"
    r"wouldn't)(?: \w+)? (?:transfer|put you through|pass|escalate|refer|get)\b"
)
_TEAM_MENTION = _lazy(
    r"\b(?:our|the|my|a) (?:\w+ )?(?:team|engineers|specialists|manager|supervisor|"
    r"department|colleagues)\b"
)

# Questions ------------------------------------------------------------------------------------
_AUX = frozenset(
    "is are am was were do does did can could would will shall should have has had may might "
    "isn't aren't wasn't weren't don't doesn't didn't can't couldn't wouldn't won't shouldn't "
    "haven't hasn't".split()
)
_SUBJ = frozenset(
    "i you we they he she it there that this these those the your my our his her their "
    "everything anything anyone someone any all a an both either things it's that's "
    "anybody somebody".split()
)
_WH = frozenset("what how why when where who which whose whom".split())
_LEAD = frozenset(
    "okay ok right so and but also great perfect lovely brilliant sure alright hmm um erm well "
    "then now just oh yes yeah yep no thanks cheers fantastic good excellent cool brill lastly "
    "finally quickly firstly first actually fab wonderful super hello hi hiya hey morning "
    "afternoon evening".split()
)
#: Words after which a new (unpunctuated) sentence may start: "so sorry is the light on".
_BREAK_AFTER = frozenset(
    "sorry okay ok right great perfect lovely brilliant thanks cheers fantastic alright sure "
    "yes yeah yep fine good excellent cool brill fab wonderful super".split()
)
#: An auxiliary then one of these, or a wh-word, an auxiliary and one of these (or _ASKED_TOO),
#: starts a question wherever it stands in a run-on typed without marks ("youre welcome is
#: there anything else", "sorry for the wait how can i help"), unless the word before it
#: embeds it (_NO_BREAK_BEFORE: "let me know how can i", "neither do you").
_ASKED = frozenset("you u ya there".split())
_ASKED_TOO = frozenset("i we they he she it".split())
_NO_BREAK_BEFORE = frozenset(
    "what how why when where who which whose whom if whether know see tell ask asking asked "
    "wonder wondering check checking sure idea understand explain show out matter remember "
    "decide find so neither nor then only than as and or but that because".split()
)
_CLOSED_WHAT = frozenset(
    "make model brand colour color time date day number postcode zip size version type "
    "speed amount year month name email address percentage price plan package network device "
    "browser router error code light lights channel bank card account flight airline booking "
    "reference seat ward medication dose balance pin password age job model gate "
    "terminal".split()
)
_REQUEST_DESCRIBE = _lazy(
    r"^(?:(?:could|can|would|will) (?:you|u)(?: please)?(?: just)?(?: maybe)? |please |"
    r"i'd (?:like|love) (?:you )?to |do you mind |would you mind )?"
    r"(?:describ\w*|explain\w*(?! (?:to|that)\b)|(?:walk|talk|take)\w* (?:me|us) through|"
    r"tell (?:me|us) (?:about|more|a bit|a little)|say (?:a bit |a little )?more|share (?:a bit |"
    r"a little |more )?about|help me understand)\b"
)
_REQUEST_OPEN = _lazy(
    r"^(?:(?:could|can|would|will) (?:you|u)(?: please)?(?: just)?(?: maybe)? |please |"
    r"i'd (?:like|love) (?:you )?to |i want to |i'm (?:keen|curious) to |"
    r"do you mind |would you mind )?"
    r"(?:tell|telling|walk|walking|talk|talking|take|taking|describe|describing|explain|"
    r"explaining|say|give|share|help|run) (?:me |us )?(?:a (?:bit|little)(?: more)? |"
    r"some more |more |through |about |what |how |why |in your own words|everything|"
    r"understand|an idea|a sense|a picture|your (?:side|story|experience|thoughts|view)|"
    r"what's|what happened|how)"
)
_REQUEST_CLOSED = _lazy(
    r"^(?:(?:could|can|would|will) (?:you|u)(?: please)?(?: just)? |please )(?:tell|give|"
    r"confirm|read|send) (?:me |us )?(?:your|the|if|whether|when|which|who|where|a|an|\d)\b"
    r"|^(?:tell|give) (?:me|us) (?:your|the|if|whether|when|which|who|where)\b"
)
_ASK_OPEN = _lazy(
    r"^(?:can|could|may|might) i (?:just )?ask (?:you )?(?:what|how|why|about|a bit|more)\b"
)
_I_WONDER = _lazy(
    r"^(?:i (?:wonder|was wondering|'m wondering|am wondering|'m curious|am curious|'d like to "
    r"(?:know|hear|understand)|want to (?:understand|hear))) (?:what|how|why|about|more)\b"
)
_EVALUATIVE = _lazy(
    r"\b(?:great|good|bad|easy|hard|difficult|complicated|simple|nice|lovely|brilliant|amazing|"
    r"worth it|bargain|deal|cheap|fair|wonderful|fantastic|awesome|impressive|quid|money)\b"
)
_TAG_Q = _lazy(
    r"(?:, |^)(?:(?:is|was|does|did|has|have|are|were|can|could|will|would)(?:n't)? "
    r"(?:it|that|he|she|they|you|i|we)|right|eh|yeah|innit|no|surely)\s*\?$"
)
_RHETORICAL = _lazy(
    r"^(?:isn't|aren't|wasn't|don't|doesn't|wouldn't) (?:that|it|this|they|you think)\b"
    r"[^?\n]*\b(?:great|good|amazing|brilliant|lovely|easy|nice|fantastic|simple|wonderful|"
    r"better|best|cool|obvious|clear)\b|^(?:seriously|really|honestly|come on|oh please|"
    r"surely not|what)\s*\?|^how (?:ever|on earth|the hell) did you|^(?:maybe|perhaps) "
    r"(?!you\b|we\b|i\b|it\b|there\b|the\b)|^who (?:cares|knows)\b|^why would (?:i|we) "
    r"(?:lie|care)\b|^what did you expect\b"
)
_PSEUDO_CLEFT = _lazy(
    r"^(?:what|how) (?:i|we|you|they)(?:'ll|'d|'re|'m| will| would| need| can| could| should|"
    r" want| have| are| am)\b|^what (?:happens|will happen) (?:next|now) is\b|^when (?:i|we|"
    r"you|they|he|she|it|the|your|that|this)\b|^where (?:i|we|you|it)\b|^how (?:long|much) "
    r"(?:it|this) (?:takes|costs)\b|^which (?:is|means|will)\b|^who (?:will|can|'ll)\b"
)

_RESOLVED = _lazy(
    r"\b(?:sort(?:s|ed)?(?: it| that| things| everything)?(?: out)?|fix(?:es|ed)?|"
    r"resolve[sd]?|solve[sd]?|settle[sd]?|answer(?:ed|s)?|help(?:ed|s)?|make[s]? (?:sense|"
    r"things clearer)|clear(?:er)? (?:now|up)|cover(?:ed|s)? (?:it|everything)|do(?:es)? the "
    r"trick|done the trick|take(?:s)? care of)\b"
)
_WORKING_NOW = _lazy(
    r"\b(?:work\w*|connect\w*|running|coming through|back (?:on|up|to normal)|ok|okay|alright|"
    r"fine|better|loading|showing|going through|stable|behaving|right)\b[^.?!\n]*\b(?:now|again)\b"
)
_ANYTHING_ELSE = _lazy(
    r"\b(?:anything|something|anythin) (?:else|more)\b|\bany (?:other|more|further) "
    r"(?:questions?|queries|issues?|problems?|concerns?|way|thing|help)\b"
    r"|\belse i can (?:help|do)\b"
    r"|\bhave i answered (?:everything|all|your)\b|\banything i (?:haven't|have not) "
    r"(?:covered|answered)\b|\b(?:all|everything) (?:sorted|good|done|working|fine|okay|clear)"
    r"\b(?= *[?.]| *$)"
    r"|^(?:(?:is|was|will) (?:that|this|it) (?:be )?|(?:have|has) (?:we|that|i) (?:covered |"
    r"got |done |sorted )?)(?:everything|all)(?: (?:for (?:you|today|now|this time)|you "
    r"(?:need(?:ed)?|wanted|were after|called about)|then|today|sorted|covered))*(?= *[?.]| *$)"
)
_LET_ME_KNOW_ELSE = _lazy(
    r"\b(?:let me know|just ask|give us a (?:call|shout)|do get in touch)\b[^.?!\n]*\b(?:anything "
    r"else|any other|any more|any further|if (?:it|that|this|the problem|the issue)"
    r"(?: \w+)? (?:doesn't|hasn't|isn't|happens again|comes back))\b"
)
_RESOLUTION_Q_START = _lazy(
    r"^(?:(?:so|and|just to (?:check|confirm|make sure)|before (?:you go|i let you go)) (?:, )?)?"
    r"(?:does|did|has|have|is|are|was|were|do|can|could)(?:n't)? (?:that|this|it|everything|"
    r"the \w+|your \w+|all|things|i|we|you|all of)"
)


# ----------------------------------------------------------------------------------------------
# Normaliser with the tagger's cue vocabulary (for typo correction)


#: Whole feeling words (the lexicon above holds stems), so they are known and typo-correctable.
_FEEL_WORDS = (
    "frustrating frustrated frustration annoying annoyed upsetting worrying worried worries "
    "stressful stressed anxious anxiety scared scary frightening frightened terrifying afraid "
    "angry furious exhausting exhausted tiring draining overwhelming overwhelmed disappointing "
    "disappointed exasperating exasperated unhappy distressing distressed awful horrible "
    "terrible dreadful nightmare difficult shocking shocked isolating isolated lonely "
    "embarrassing embarrassed concerning concerned disruptive disrupting hassle inconvenient "
    "inconvenience struggling panicking nervous desperate grieving heartbreaking heartbroken "
    "devastating devastated infuriating maddening irritating miserable depressing unsettling "
    "painful alarming agonising upheaval unacceptable sorry apologise apologies understand "
    "imagine appreciate guarantee guaranteed promise definitely certainly absolutely "
    "supervisor manager transfer escalate specialist department tomorrow tonight minutes "
    "working business either whichever prefer anything really because please everything "
    "something anything tomorrow"
).split()


def _cue_vocabulary() -> set[str]:
    sources: list[str] = [" ".join(_FEEL_WORDS)]
    for obj in list(globals().values()):
        if isinstance(obj, (re.Pattern, _Lazy)):
            sources.append(obj.pattern)
        elif isinstance(obj, list) and obj and isinstance(obj[0], (re.Pattern, _Lazy)):
            sources.extend(p.pattern for p in obj)
        elif isinstance(obj, str) and obj.startswith("(?:"):
            sources.append(obj)
    words: set[str] = set()
    for src in sources:
        words.update(re.findall(r"(?<![\\a-z])[a-z]{5,}(?![a-z])", src))
    return words


#: Ordinary words that sit one edit from a cue word and must not be "corrected" into it.
_COMMON = (
    STOPWORDS
    | frozenset(
        """there their where these those thing think thank thanks today could would should
        which while whole whose worse worst worth other others after again about above
        below being every never often still since until under order month money phone phones
        charge charged charges change changed number numbers house homes check checks
        checked later letter letters hours hour minute minutes second seconds seven eight
        three round around sound sounds found bound plans plane place places print price
        prices prize quite quiet since these there where router routers route routes
        booked books looks looked cooked hooked worked worker works world words wards
        wired fired tried tired tries trees three threw throw those chose whose shore share
        shared scare scared spare spared cared cares stare stared start started smart parts
        party email emails mails paper later layer player payer prayer manage managed manages
        managing damage damaged image images engine engines single simple sample people
        person reason season lesson listen listened lesson useful usual usually fully really
        early clear clean cleaned clearly apply apple reply replied supply simply happy
        happen happened hoping hopes hopped shopping stopping stopped dropped dropping
        cropped clipped flipped signal single sing mine mind minded kind kinds find finds
        found fine lines line lined liner lives living leave leaves loved moved moving
        proved removed remove remote remind reminded meant means mean meaning meanwhile
        steps stamp stops store stores stored story stories water waiting waited wanted
        wants warned warn worn worry sorry sorts sorted short shorts shirt shift gifts
        lift lifted light lights night nights right rights fight might sight tight weight
        eight height bright quote quoted cover covered coverage never fever lever level
        leveled bills bill kills pills skills fills filled field fields yield""".split()
    )
)

_NORMALISER: Normaliser | None = None


def _normaliser() -> Normaliser:
    global _NORMALISER
    if _NORMALISER is None:
        _NORMALISER = Normaliser(_cue_vocabulary(), _COMMON)
    return _NORMALISER


# ----------------------------------------------------------------------------------------------
# Sentences, clauses and questions

#: A run of more words than this without a full stop, question mark, exclamation mark or
#: semicolon is read as several sentences of this many words (tokens, punctuation included).
#: Spoken sentences stay well under it (the longest in the labelled sets has 40); bounding it
#: bounds how far any rule reads from where it starts, so a pasted wall of text costs time in
#: proportion to its length, not to its square or cube.
SENTENCE_WORDS = 60
_MARK_BETWEEN = _lazy(r"(?= [.?!;] )")
_END_BETWEEN = _lazy(r"(?= [.?!] )")


@dataclass
class _Sentence:
    first: int  #: first token index
    last: int  #: last token index (inclusive, punctuation included)
    text: str  #: canonical text of the sentence (terminal punctuation included)
    offset: int  #: offset of `text` in the canonical reply
    qmark: bool


@dataclass
class _Question:
    kind: str  #: "open" | "closed"
    text: str  #: canonical text of the question
    offset: int


class _Reply:
    """One reply, analysed once and shared by all detectors."""

    def __init__(
        self, text: str, customer: str | None, history: Sequence[str], *, bare: bool = False
    ) -> None:
        n = _normaliser().normalise(text)
        self.bare = bare
        if bare:
            n = _bare(n)
        self.n: Normalised = n
        words = [t.text for t in self.n.tokens]
        self.words = words
        self.wordset = frozenset(words)
        self.sentences = self._split(words)
        self.text = self._with_breaks(self.n.text)
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        self.customer_text = _canonical(customer) if customer else ""
        lines = tuple(history)  # the same object when it is a tuple already
        if "" in lines:
            lines = tuple(s for s in lines if s)
        lemmas, literal = _said(lines)
        if customer:
            lemmas, literal = lemmas | _line_lemmas(customer), literal | _line_literal(customer)
        self.customer_lemmas = lemmas
        self.customer_literal = literal
        self.customer_negated = any(is_negation(w) for w in self.customer_text.split())
        self._questions: list[_Question] | None = None

    def _split(self, words: list[str]) -> list[_Sentence]:
        out: list[_Sentence] = []
        start = 0
        for i, w in enumerate(words):
            if w in SENTENCE_MARKS or i == len(words) - 1 or i - start + 1 >= SENTENCE_WORDS:
                if i >= start:
                    out.append(self._sentence(start, i, words))
                start = i + 1
        return out

    def _with_breaks(self, text: str) -> str:
        """`text` with a newline for the space where a run-on was cut into sentences.

        Every rule's gap stops at a newline as at a full stop, so no cue spans the cut and no
        rule reads further than one sentence from where it starts: that keeps the tagger's
        time linear in the length of the reply. Offsets do not move (one space, one newline).
        """
        cuts = [
            self.n.offsets[s.first] - 1
            for s in self.sentences[1:]
            if self.words[s.first - 1] not in SENTENCE_MARKS
        ]
        if not cuts:
            return text
        chars = list(text)
        for cut in cuts:
            chars[cut] = "\n"
        return "".join(chars)

    def sentence_start(self, pos: int) -> int:
        """Where the sentence holding canonical offset `pos` starts: just after the last
        " . ", " ? ", " ! " or " ; " (or cut) that ends before `pos`, else 0."""
        if self._starts is None:
            self._starts = sorted(
                [m.start() + 3 for m in _MARK_BETWEEN.finditer(self.text)]
                + [m.start() + 1 for m in re.finditer("\n", self.text)]
            )
        at = bisect_right(self._starts, pos) - 1
        return self._starts[at] if at >= 0 else 0

    def sentence_end(self, pos: int) -> int:
        """The first " . ", " ? " or " ! " (or cut) at or after `pos`, else the end of the
        text."""
        if self._ends is None:
            self._ends = sorted(
                [m.start() for m in _END_BETWEEN.finditer(self.text)]
                + [m.start() for m in re.finditer("\n", self.text)]
            )
        at = bisect_left(self._ends, pos)
        return self._ends[at] if at < len(self._ends) else len(self.text)

    def _sentence(self, first: int, last: int, words: list[str]) -> _Sentence:
        text = " ".join(words[first : last + 1])
        qmark = words[last] == "?"
        if self.bare and words[last] == ".":  # a question mark, read as a plain stop
            tok = self.n.tokens[last]
            qmark = "?" in self.n.original[tok.start : tok.end]
        return _Sentence(first, last, text, self.n.offsets[first], qmark)

    def quote(self, offset: int, start: int, end: int) -> str:
        """Original words behind a regex match at [start, end) of a text at `offset`; in a
        reading without punctuation, a question mark typed right after them too (a question
        is quoted with its mark, as typed)."""
        words = self.n.source(offset + start, offset + end).strip()
        if self.bare and words:
            stop = self.n.tokens[self.n.token_index(max(offset + start, offset + end - 1))].end
            if self.n.original.startswith("?", stop) and not words.endswith("?"):
                words += "?"
        return words

    def search(self, pattern: re.Pattern[str] | _Lazy) -> str | None:
        m = pattern.search(self.text)
        return self.quote(0, m.start(), m.end()) if m else None

    @property
    def plain_words(self) -> list[str]:
        """The reply's canonical words without any punctuation (what the model reads)."""
        return [w for w in self.words if w not in _MARKS]

    @property
    def questions(self) -> list[_Question]:
        if self._questions is None:
            self._questions = _find_questions(self)
        return self._questions


#: Punctuation tokens of the canonical form (the normaliser maps other marks onto these).
_MARKS = frozenset(".?!;:,—")


def _bare(n: Normalised) -> Normalised:
    """`n` with every sentence mark read as a plain full stop, so the rules' cues read "is it
    red" and "Is it red?" alike (a careless typist leaves out question marks far more often
    than commas). Where the writer did end a sentence (".", "?", "!", ";", a line break), the
    rules still see one sentence end and the next begin, and a sentence ended with a question
    mark still counts as asking (`_Reply._sentence`): a mark typed adds a question, a mark left
    out takes none away that the words show. Commas, dashes and colons stay: where typed they
    hold a clause apart ("Hello, can you tell me what happened?"), and the rules read the same
    words without them as well as they can. Tokens keep their spans, so evidence still quotes
    the reply as typed."""
    tokens = tuple(
        Token(".", t.start, t.end) if t.text in SENTENCE_MARKS else t
        for t in n.tokens
    )
    if tokens == n.tokens:
        return n
    offsets: list[int] = []
    pos = 0
    for tok in tokens:
        offsets.append(pos)
        pos += len(tok.text) + 1
    return Normalised(n.original, tokens, " ".join(t.text for t in tokens), tuple(offsets))


@lru_cache(maxsize=4096)
def _canonical(line: str) -> str:
    """Canonical text of a customer line (cached: the same line meets many replies)."""
    return _normaliser().normalise(line).text


@lru_cache(maxsize=4096)
def _line_lemmas(line: str) -> frozenset[str]:
    return frozenset(content_lemmas(_canonical(line).split()))


@lru_cache(maxsize=4096)
def _line_literal(line: str) -> frozenset[str]:
    words = _canonical(line).split()
    return frozenset(_stem_only(w) for w in words if w not in STOPWORDS and w[:1].isalnum())


_Said = tuple[frozenset[str], frozenset[str]]
_SAID: dict[tuple[str, ...], _Said] = {}
_SAID_KEPT = 64
_SAID_LOCK = threading.Lock()


def _said(lines: tuple[str, ...]) -> _Said:
    """Lemmas and literal stems of every line in `lines` (the customer's earlier lines).

    A call's history grows by a line or two each reply, so the sets for the history the
    previous reply saw are kept and only the new lines are read: a reply's cost stays flat
    however long the call is (a cache keyed on whole histories read every line every reply).
    """
    with _SAID_LOCK:
        hit = _SAID.get(lines)
        if hit is not None:
            return hit
        start = 0
        lemmas: frozenset[str] = frozenset()
        literal: frozenset[str] = frozenset()
        for back in range(1, min(4, len(lines)) + 1):
            known = _SAID.get(lines[:-back])
            if known is not None:
                start, (lemmas, literal) = len(lines) - back, known
                break
        new = lines[start:]
        hit = (
            lemmas.union(*(_line_lemmas(line) for line in new)),
            literal.union(*(_line_literal(line) for line in new)),
        )
        _SAID[lines] = hit
        if len(_SAID) > _SAID_KEPT:  # the oldest first: a call's newest history is the latest
            del _SAID[next(iter(_SAID))]
        return hit


def _strip_lead(words: list[str]) -> int:
    i = 0
    while i < len(words) - 1 and (words[i] in _LEAD or words[i] in {",", "—", ":"}):
        i += 1
    return i


def _classify(
    words: list[str], qmark: bool, options: bool, initial: bool = True
) -> str | None:
    """'open', 'closed', 'rhetorical' or None (not a question) for one clause's words.

    `initial` says the clause starts its sentence; a wh-word later in a sentence with no
    question mark is a relative clause ("..., which takes two minutes") unless it inverts.
    """
    if not words:
        return None
    if words[0].endswith("'s") and words[0][:-2] in _WH:
        words = [words[0][:-2], "is", *words[1:]]
    text = " ".join(words) + (" ?" if qmark else "")
    if _RHETORICAL.search(text) or _SARCASM.search(text):
        return "rhetorical"
    if qmark and _TAG_Q.search(text + " ?" if not text.endswith("?") else text):
        head = re.sub(r"(?:, )?[^,\n]*\?$", "", text)
        if head and _EVALUATIVE.search(head) and not re.search(r"\b(?:so|you)\b", head[:20]):
            return "rhetorical"
    if _REQUEST_CLOSED.search(text) and not (
        _REQUEST_OPEN.search(text) or _REQUEST_DESCRIBE.search(text)
    ):
        return "closed"
    if (_REQUEST_OPEN.search(text) or _REQUEST_DESCRIBE.search(text) or _ASK_OPEN.search(text)
            or _I_WONDER.search(text)):
        return "open"
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    if first in _WH:
        if _PSEUDO_CLEFT.search(text) and not qmark:
            return None
        third = words[2] if len(words) > 2 else ""
        if not qmark and not initial and not (
            (second in _AUX and third in _SUBJ | {"u"})
            or (second in {"long", "much", "many", "often"} and third in _AUX)
        ):
            return None
        if first == "why":
            return "open"
        if first == "how":
            if second in {"long", "many", "much", "often", "old", "far", "soon", "big", "fast",
                          "late", "early", "about"}:
                return "closed"
            if re.search(r"\b(?:scale|out of \d+|\d+ to \d+)\b", text):
                return "closed"  # a scaling question asks for one number
            if second in {"ever", "come"}:
                return "open" if second == "come" else "rhetorical"
            return "open"
        if first == "what":
            rest = words[1:]
            if rest and rest[0] in {"is", "was", "'s"}:
                rest = rest[1:]
            if rest and rest[0] in {"your", "the", "their", "his", "her", "my"}:
                rest = rest[1:]
            if any(w in _CLOSED_WHAT for w in rest[:3]) and not any(
                w in {"do", "did", "does", "happened", "happens"} for w in rest[:1]
            ):
                return "closed"
            if (len(words) > 2 and second not in _AUX | _SUBJ | {"else", "sort", "kind", "type"}
                    and not second.endswith(("s", "ed")) and words[2] in _AUX):
                return "closed"
            if options and re.search(r"\b(?:better|best|prefer|easier|suits?|rather)\b", text):
                return "closed"
            if rest[:2] == ["type", "of"]:
                return "closed"
            if options and re.match(
                r"what (?:would|will|do|does) (?:you (?:prefer|like|rather|want)|help|suit|"
                r"work|be)", text
            ):
                return "closed"
            return "open"
        return "closed"  # when, where, who, which, whose
    if first in _AUX and (second in _SUBJ or second in {"u", "ya"}):
        if first == "have" and second in {"a", "an"} and not qmark:
            return None  # "have a lovely trip", "have a look": a wish or a suggestion
        return "closed"
    if first in {"anything", "any", "something", "owt"} or text.startswith("all sorted"):
        if _ANYTHING_ELSE.search(text) or qmark:
            return "closed"
    if qmark:
        return "closed"
    return None


def _find_questions(r: _Reply) -> list[_Question]:
    has_options = any(p.search(r.text) for p in _OPTIONS) or bool(_CHOICE_Q.search(r.text))
    out: list[_Question] = []
    for s in r.sentences:
        words = r.words[s.first : s.last + 1]
        body = words[:-1] if words and words[-1] in SENTENCE_MARKS else words
        # clauses split at commas/dashes/colons; a question may start in any of them
        clauses = _fragments(body)
        found = None
        if s.qmark and len(clauses) > 1:
            tail = " ".join(clauses[-1][1]) + " ?"
            head = " ".join(w for _, c in clauses[:-1] for w in c)
            if _TAG_Q.search(tail) and len(clauses[-1][1]) <= 3:
                if _EVALUATIVE.search(head) and not re.match(r"(?:so|okay so|right so)\b", head):
                    continue
                start_tok = s.first + clauses[0][0]
                out.append(_Question("closed", " ".join(r.words[start_tok : s.last + 1]),
                                     r.n.offsets[start_tok]))
                continue
        for idx, (ci, clause) in enumerate(clauses):
            lead = _strip_lead(clause)
            cl = clause[lead:]
            last_clause = idx == len(clauses) - 1
            initial = all(w in _LEAD for _, c in clauses[:idx] for w in c)
            kind = _classify(cl, s.qmark and last_clause, has_options, initial)
            if kind is None and not s.qmark:
                # unpunctuated run-on: "so sorry is the light on", "perfect anything else"
                for j in range(1, len(cl) - 1):
                    if (cl[j - 1] in _BREAK_AFTER and (
                        (cl[j] in _AUX and cl[j + 1] in _SUBJ)
                        or (cl[j] in _WH and cl[j + 1] in _AUX | {"long", "much", "many"})
                        or cl[j] in {"anything"}
                    )) or (cl[j - 1] not in _NO_BREAK_BEFORE and (
                        (cl[j] in _AUX and cl[j + 1] in _ASKED)
                        or (cl[j] in _WH and cl[j + 1] in _AUX and j + 2 < len(cl)
                            and cl[j + 2] in _ASKED | _ASKED_TOO)
                    )):
                        kind = _classify(cl[j:], False, has_options)
                        if kind:
                            ci, lead, cl = ci, lead + j, cl[j:]
                            break
            if kind is None and s.qmark and last_clause and found is None:
                kind = _classify(cl, True, has_options)
            if kind:
                start_tok = s.first + ci + lead
                text = " ".join(r.words[start_tok : s.last + 1])
                found = (kind, text, r.n.offsets[start_tok])
                break
        if found and found[0] == "open" and re.search(r"\b(?:on a scale|out of 10)\b", s.text):
            found = ("closed", found[1], found[2])  # a scaling question asks for one number
        if found and found[0] == "open" and re.search(
            r"\bor (?!so\b|not\b|anything\b|something\b|whatever\b)\w+[^.,;—\n]*\?$", found[1]
        ) and not re.search(r"\bwhy\b", found[1]):
            found = ("closed", found[1], found[2])
        if found and found[0] in {"open", "closed"}:
            out.append(_Question(*found))
    return out


# ----------------------------------------------------------------------------------------------
# Detectors: each returns the evidence (original words) or None


def _negated(text: str, pos: int, window: int = 3) -> bool:
    """Is there a negator in the `window` words before `pos`, within the same clause?

    "no" as an interjection ("oh no, I'm so sorry") negates nothing.
    """
    before, first = _words_before(text, pos, window + 1)
    for k in range(len(before) - 1, max(-1, len(before) - 1 - window), -1):
        w = before[k]
        if w in CLAUSE_MARKS or w == "but":
            return False
        if w == "no" and ((k == 0 and first) or (k > 0 and before[k - 1] in {"oh", "ah", "oh ,"})):
            continue
        if is_negation(w):
            return True
    return False


def _words_before(text: str, pos: int, count: int) -> tuple[list[str], bool]:
    """The last `count` words of `text[:pos]` (split at spaces and cuts), and whether they
    are all of them: read backwards, so the cost does not grow with `pos`."""
    words: list[str] = []
    end = pos
    while len(words) < count:
        while end > 0 and text[end - 1] in " \n":
            end -= 1
        if end == 0:
            return words[::-1], True
        space = text.rfind(" ", 0, end)
        start = max(space, text.rfind("\n", max(space, 0), end)) + 1
        words.append(text[start:end])
        end = start
    while end > 0 and text[end - 1] in " \n":
        end -= 1
    return words[::-1], end == 0


def _empathy(r: _Reply) -> str | None:
    if not _ANY_EMPATHY.found(r.text) or _SARCASM.search(r.text):
        return None
    for pattern in _EMPATHY:
        for m in pattern.finditer(r.text):
            if _negated(r.text, m.start(), 2) and not re.match(r"(?:can't|cannot)", m.group()):
                continue
            frag = m.group()
            if re.search(r"\b(?:not|isn't|wasn't|n't)\b", frag) and not re.search(
                r"can't (?:have )?be|cannot (?:have )?be|not (?:the experience|the service|what)|"
                r"can't imagine|not sure", frag
            ):
                continue
            return r.quote(0, m.start(), m.end())
    return None


def _reflection(r: _Reply) -> str | None:
    said = r.customer_lemmas
    for s in r.sentences:
        words = r.words[s.first : s.last + 1]
        text = s.text
        lead = _strip_lead(words)
        body = words[lead:]
        btext = " ".join(body)
        # explicit playback frames
        m = re.search(
            r"\b(?:what i'm hearing|what i hear|it sounds like|sounds like you|it sounds as (?:if|"
            r"though)|(?<!what )you're saying|you are saying|you said|you mentioned|you've told me|"
            r"you told me|if i(?:'ve)? understand|if i've understood|if i've got (?:this|that) "
            r"right|on the one hand|on the other hand|in other words|so what you're|"
            r"you're telling me|from what you've said)\b",
            text,
        )
        if m:
            rest = text[m.end():]
            if not said or _overlap(rest.split(), said) or re.match(
                r"(?:what i'm hearing|it sounds like|sounds like you|it sounds as|you're saying|"
                r"you are saying|in other words|so what you're|on the)", m.group()
            ):
                if not re.match(r"it sounds like (?:a|an|the line|there's)\b", text[m.start():]):
                    return r.quote(s.offset, m.start(), len(text))
        # "So you've had enough and want to cancel", "so its dropping most evenings"
        so = _SO_START.match(text)
        if so:
            rest = text[so.end():].split()
            if rest and not re.match(
                r"(?:i'll|i will|we'll|i'm going|let me|i can(?!')|we can(?!')|just to recap|"
                r"to recap|"
                r"i've|we've|that (?:you|we|i)|you can(?!')|you'll|you won't|you don't need|"
                r"they've got|they have|they can|they'll)\b", " ".join(rest)
            ):
                hit = _overlap(rest, said) if said else (
                    rest[0] in {"you", "you're", "you've", "your", "it's", "since", "the",
                                "that's", "there's", "just", "even", "every"})
                if hit:
                    return r.quote(s.offset, so.end() - 3, len(text))
        # MI-style statements about the client: "you're not sure it's worth it"
        m = re.match(
            r"(?:(?:okay|right|so|and|yeah|mm|i see) (?:, )?)*(?:it's like |part of you |"
            r"on the one hand )?(?:you(?:'re| are)?(?: really| still| just| also)? (?:feel|felt|"
            r"think|thought|want|wanted|wish|worry|worried|hope|believe|care|value|don't want|"
            r"didn't want|'d like|would like|'d rather|not sure|unsure|torn|wondering|thinking|"
            r"hoping|trying|struggling|feeling|concerned|keen|ready|determined|find it|"
            r"not convinced|not ready|not certain|convinced|seem|sound|enjoy|like|love|hate|miss|"
            r"realise|realize|notice|noticed|"
            r"can't see|don't see|see|have|had|'ve been|'ve had|'ve got|were)|"
            r"it's important to you|(?:this|that|it) matters to you)\b",
            btext,
        )
        if m and not (body and body[0] in _AUX):
            feeling = _MI_FEELING.match(btext)
            broad = re.search(r"\b(?:have|had|'ve been|'ve had|'ve got|were|see|find it)$",
                              m.group())
            if feeling or (said and (_overlap(body, said) if not broad else
                                     _overlap_count(body, said) >= 2)):
                return r.quote(s.offset, 0, len(text))
        # "You've tried before and it didn't stick": a statement about the customer that
        # replays two or more of their content words
        if said and re.match(r"(?:you|you've|you're|you have|you are) (?!(?:can|could|should|must|"
                             r"need|will|'ll|won't|have to|might|may|going to|welcome|entitled|"
                             r"right)\b)\w+", btext) and not s.qmark:
            if _overlap_count(body, said) >= 2:
                return r.quote(s.offset, 0, len(text))
        # "sorry you got charged for something that never arrived": an apology that replays
        m = re.search(r"\bsorry (?:that )?(?:you|your)\b[^.?!,;—\n]*", text)
        if said and m and _overlap_count(m.group().split()[1:], said) >= 2:
            return r.quote(s.offset, m.start(), m.end())
        # echo fragments: "Five departments —", "A £35 charge you don't recognise, okay."
        # (not when the customer asked a question: an answer repeats the question's words)
        if said and not _INFO_QUESTION.search(r.customer_text):
            for frag_start, frag in _fragments(words):
                if not frag:
                    continue
                f0 = frag[0]
                ftext = " ".join(frag)
                if f0 in {"i", "i'll", "i'm", "i've", "i'd", "we", "we'll", "we're", "we've",
                          "let", "let's", "our", "please", "if", "once", "then", "and", "or",
                          "but", "because", "when", "first", "so", "yes", "no",
                          "yeah"} or f0 in _AUX or f0 in _WH:
                    continue
                if re.search(r"\b(?:i'll|i will|we'll|i'm going|let me|i can|we can|you'll|"
                             r"you will|you can|should|usually)\b", ftext):
                    continue
                lem = content_lemmas(frag)
                if len(lem) > 10 or len(lem) < 2:
                    continue
                hits = [x for x in lem if _lemma_in(x, said)]
                literal = r.customer_literal & {_stem_only(w) for w in frag}
                contradicts = any(is_negation(w) for w in frag) and not r.customer_negated
                if len(hits) >= 2 and len(hits) * 2 >= len(lem) and literal and not contradicts:
                    first = s.first + frag_start
                    return r.n.source_tokens(first, first + len(frag) - 1).strip()
    return None


def _fragments(words: list[str]) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = 0
    for i, w in enumerate(words):
        if w in CLAUSE_MARKS:
            if cur:
                out.append((start, cur))
            cur, start = [], i + 1
        else:
            cur.append(w)
    if cur:
        out.append((start, cur))
    return out


@lru_cache(maxsize=65536)
def _lemma_close(a: str, b: str) -> bool:
    return fuzz.ratio(a, b, processor=default_process) >= 85


def _lemma_in(x: str, said: frozenset[str]) -> bool:
    if x in said:
        return True
    if len(x) >= 5 and x.isalpha():
        return any(len(y) >= 5 and abs(len(y) - len(x)) <= 2 and _lemma_close(x, y) for y in said)
    return False


_INFO_QUESTION = _lazy(
    r"(?:^|[.!?] )(?:what|how|why|when|where|who|which|is|are|do|does|did|can|could|will|would|"
    r"have|has|was|were|should|shall)\b[^.!?\n]*\?"
)
_SO_START = _lazy(
    r"^(?:(?:okay|ok|right|alright|yes|yeah|and|oh|i see|got it|mm|hmm) (?:[,—] )?)*so (?:[,—] )?"
)
_MI_FEELING = _lazy(
    r"(?:\w+ (?:, )?){0,4}?(?:you(?:'re| are)?(?: \w+)? (?:feel|feeling|not sure|torn|wondering|"
    r"worried|concerned|unsure|want|wish|hope|'d like|would like|don't want|didn't want))\b"
)


def _overlap_count(words: Sequence[str], said: frozenset[str]) -> int:
    return len({x for x in content_lemmas(words) if _lemma_in(x, said)})


def _overlap(words: Sequence[str], said: frozenset[str]) -> bool:
    return any(_lemma_in(x, said) for x in content_lemmas(words))


def _questions(kind: str) -> Callable[[_Reply], str | None]:
    def detect(r: _Reply) -> str | None:
        for q in r.questions:
            if q.kind == kind:
                return r.quote(q.offset, 0, len(q.text))
        return None

    return detect


def _escalation(r: _Reply) -> str | None:
    for pattern in _ESCALATION if _ANY_ESCALATION.found(r.text) else ():
        for m in pattern.finditer(r.text):
            before = r.text[r.sentence_start(m.start()) : m.end()]
            if _NEGATED_HANDOVER.search(before):
                continue
            if re.search(r"\b(?:aren't any|isn't anyone|no one|nobody) ", before):
                continue
            return r.quote(0, m.start(), m.end())
    # the customer asked for someone senior and the advisor agrees
    if r.customer_text and _ESCALATION_REQUEST.search(r.customer_text):
        for first in r.sentences[:2]:
            m = _AGREE.search(first.text)
            if m and not _REFUSE.search(r.text):
                return r.quote(first.offset, m.start(), m.end())
    return None


def _blame(r: _Reply) -> str | None:
    if not (_ANY_BLAME.found(r.text) or _SARCASM.search(r.text) or _GO_AHEAD.search(r.text)):
        return None
    for pattern in _BLAME_ALL:
        m = pattern.search(r.text)
        if m:
            return r.quote(0, m.start(), m.end())
    return None


def _over_promise(r: _Reply) -> str | None:
    if not (r.wordset & _PROMISE_WORDS or "%" in r.text):
        return None
    for s in r.sentences:
        t = s.text
        for pattern in (_PROMISE, _CERTAIN, _NEVER_AGAIN):
            for m in pattern.finditer(t):
                if pattern is _CERTAIN and _ADVISOR_OWN_ACTION.search(t[max(0, m.start() - 12):]):
                    continue
                if pattern is _PROMISE and m.group().startswith("guarantee"):
                    before = t[: m.start()].split()
                    if before and before[-1] in _GUARANTEE_NOUN_BEFORE:
                        continue
                if pattern is not _NEVER_AGAIN and _negated(t, m.start(), 3):
                    continue
                if pattern is _CERTAIN and re.match(r"100%", m.group()) and _negated(
                    t, m.start(), 6
                ):
                    continue
                if pattern is _NEVER_AGAIN and _HEDGES.search(t[: m.start()]):
                    continue
                if pattern is _NEVER_AGAIN and _RETELLING_SPARED.match(t, m.start()):
                    continue
                if pattern is _NEVER_AGAIN and re.match(
                    r"(?:won't|will not|can't|never|wouldn't)", m.group()
                ) and re.search(r"\b(?:again|anymore|any more)\b", m.group()) and not re.search(
                    r"\b(?:happen|go up|drop|charge|charged|see|get|have|break|fail|be|"
                    r"need|lose|cut)\b", m.group()
                ):
                    continue
                if pattern is _NEVER_AGAIN and re.search(r"\?\s*$", t) and t.startswith(
                    ("is", "are", "do", "does", "did", "can", "will", "would")
                ):
                    continue
                return r.quote(s.offset, m.start(), m.end())
    return None


def _timeline(r: _Reply) -> str | None:
    if not (r.wordset & _TIME_WORDS or any(c.isdigit() for c in r.text)):
        return None
    for s in r.sentences:
        clauses = re.split(r" [,—;:] | (?=but )", s.text)
        pos = 0
        for clause in clauses:
            cstart = s.text.find(clause, pos)
            pos = cstart + len(clause)
            for m in _TIMELINE.finditer(clause):
                g = m.group()
                # past tense in a clause hung after the time ("1:24pm, four hours from when it
                # was logged") says when something else happened, not when this one will
                past = _PAST.search(clause) and not _FUTURE.search(clause)
                if past:
                    after = _SUBORDINATE.search(clause, m.end())
                    main = clause[: after.start()] if after else ""
                    if _PRESENT.search(main) and not _PAST.search(main):
                        past = False
                if past and not _FUTURE_TIME.match(g):
                    continue
                if _FREQUENCY.search(clause) and not re.search(r"\b(?:within|takes?|by)\b", g):
                    continue
                if _TODAY.match(g) and (_asks(r, s) or not _FUTURE.search(clause)):
                    continue
                if g.startswith(("in ", "after ")) and not _FUTURE.search(s.text):
                    continue
                if re.match(r"(?:next|up to|for the next|over the next) ", g) and re.search(
                    r"\btime\b", clause[m.end() : m.end() + 6]
                ):
                    continue
                return r.quote(s.offset, cstart + m.start(), cstart + m.end())
    return None


def _options(r: _Reply) -> str | None:
    if " or " not in r.text and not r.wordset & _CHOICE_WORDS:
        return None
    for pattern in _OPTIONS:
        for m in pattern.finditer(r.text):
            if re.search(r"\b(?:can't|cannot|couldn't)\b", m.group()):
                continue
            sentence = r.text[r.sentence_start(m.start()) : r.sentence_end(m.start())]
            if re.search(r"\b(?:i'll|we'll|i will|we will) either\b", sentence) and not re.search(
                r"\b(?:can|could)\b", m.group()
            ):
                continue
            return r.quote(0, m.start(), m.end())
    m = _CHOICE_Q.search(r.text)
    if m and re.search(r"\bor\b|\beither\b|\boptions\b|\bways\b", r.text):
        if not re.search(r"\b(?:i'll|we'll|i will) either\b", r.text):
            return r.quote(0, m.start(), m.end())
    return None


def _explain_steps(r: _Reply) -> str | None:
    if not r.wordset & _STEP_WORDS:
        return None
    markers = list(_STEP_MARKER.finditer(r.text))
    if not markers:
        return None
    only_once = all(_ONCE_ONLY.match(m.group().strip()) for m in markers)
    first = markers[0]
    # the steps are counted from the sentence holding the first marker on (only that sentence
    # when the marker is a lone "once": "once X, Y" is one step with its condition)
    sent = next(
        (x for x in r.sentences if x.offset <= first.start() < x.offset + len(x.text) + 1),
        r.sentences[0],
    )
    idx = r.sentences.index(sent)
    if only_once:
        # "once X, I'll do Y; Z follows": the steps run to the end of the full sentence
        end = idx
        while end + 1 < len(r.sentences) and r.sentences[end].text.endswith(";"):
            end += 1
        last = r.sentences[end]
        span = r.text[sent.offset : last.offset + len(last.text)]
    else:
        # a sentence that opens with "Then ..." continues the steps listed just before it
        if idx > 0 and first.start() - sent.offset <= 2:
            sent = r.sentences[idx - 1]
        span = r.text[sent.offset :]
    pieces = [p for p in _CLAUSE_SPLIT.split(span) if len(p.split()) >= 2]
    steps = [p for p in pieces if not _NOT_A_STEP.fullmatch(p.strip())]
    needed = 3 if only_once else 2
    if len(steps) < needed:
        return None
    return r.quote(0, first.start(), min(len(r.text), first.end() + 60)).rstrip(" ,.;")


_NOT_A_STEP = _lazy(
    r"(?:okay|right|of course|no problem|here's what happens(?: next)?|here's how it works|"
    r"here's what i'll do|what i'll do is|let's try a couple of things|"
    r"(?:i'm|i am) (?:really |so )?sorry|that (?:must|sounds)[^.\n]*)\s*[.!?]?"
)


def _asks(r: _Reply, s: _Sentence) -> bool:
    """Whether sentence `s` asks something: a question mark, or a question found in its words
    ("is there anything else i can help with today" asks, typed with no mark)."""
    return s.qmark or any(s.offset <= q.offset < s.offset + len(s.text) for q in r.questions)


def _check_resolution(r: _Reply) -> str | None:
    for q in r.questions:
        t = q.text
        lead = _strip_lead(t.split())
        tt = " ".join(t.split()[lead:])
        if _ANYTHING_ELSE.search(tt):
            return r.quote(q.offset, 0, len(t))
        if _RESOLUTION_Q_START.search(tt) and not re.match(r"(?:would|will|shall|could) ", tt):
            if _RESOLVED.search(tt) or _WORKING_NOW.search(tt):
                if re.match(r"(?:is|are|was|were|do|does|did|has|have) (?:it|that|the|your|"
                            r"everything|all|things|this|i)\b", tt) or re.match(
                                r"(?:so|and|just to|before)", tt):
                    return r.quote(q.offset, 0, len(t))
    m = _LET_ME_KNOW_ELSE.search(r.text)
    if m:
        return r.quote(0, m.start(), m.end())
    return None


_DETECTORS: dict[str, Callable[[_Reply], str | None]] = {
    "empathy": _empathy,
    "reflection": _reflection,
    "open_question": _questions("open"),
    "closed_question": _questions("closed"),
    "escalation": _escalation,
    "blame": _blame,
    "over_promise": _over_promise,
    "timeline": _timeline,
    "options": _options,
    "explain_steps": _explain_steps,
    "check_resolution": _check_resolution,
}
assert tuple(_DETECTORS) == TAG_NAMES


#: A reply longer than this many words is left to the rules: the model learnt from replies of
#: one to three sentences, and read alone, the sentences of a long reply (a colleague's
#: briefing, a pasted explanation) are not like them.
MODEL_WORDS = 30


def tag_reply(
    text: str,
    customer: str | None = None,
    history: Sequence[str] = (),
    *,
    learned: bool = True,
) -> TagResult:
    """The TAGS.md behaviours `text` shows, given the customer's line before it.

    `history` holds the customer's earlier lines in the call, so a reflection of something said
    several turns ago still counts. Evidence for each tag is a substring of `text`.

    Reads the reply as a careless typist would send it (no case; sentence marks read as plain
    stops, a typed question mark still asking; commas kept) with the rules and the learned
    model (grading/learned.py) together: per tag the model's reading, the rules' or either
    counts, whichever did best on industries left out of its training. `learned=False`, or a
    missing model, is the rules alone (`tag_by_rules`). The
    model gives `reflection` only when the reply shares a content word with something the
    customer said, no `over_promise` for a negated promise (`vetoed`), and no question kind
    where the rules found the question; it sees only the customer's last line, so a playback
    the rules found of an earlier line counts. A reply longer than MODEL_WORDS words is the
    rules' alone. A tag only the model found quotes the whole reply.
    """
    model = shipped_model() if learned else None
    if model is None:
        return tag_by_rules(text, customer, history)
    if not text or not text.strip():
        return TagResult((), {})
    cust = _line_lemmas(customer) if customer else frozenset()
    r = _Reply(text, customer, tuple(history), bare=True)
    rules = _rules_read(r, text)
    words = r.plain_words
    if len(words) > MODEL_WORDS:
        return TagResult(tuple(t for t in TAG_NAMES if t in rules), rules)
    lemmas = content_lemmas(words)
    found = model.found(features_of(words, lemmas, cust, rules)) - vetoed(r, lemmas)
    if "reflection" in rules and not heard(lemmas, cust) and heard(lemmas, r.customer_lemmas):
        found = found | {"reflection"}  # a playback of an earlier line: only the rules see it
    if QUESTION_TAGS & rules.keys():
        found = found - QUESTION_TAGS  # the rules found the question: its kind is theirs
    given = model.combine(found, rules)
    out = {t: rules.get(t) or text.strip() for t in TAG_NAMES if t in given}
    return TagResult(tuple(out), out)


#: The question tags: where the rules found a question, they say which kind it is (open or
#: closed is a matter of its form, which they read); the model adds only questions they missed.
QUESTION_TAGS = frozenset({"open_question", "closed_question"})


def vetoed(r: _Reply, lemmas: Sequence[str]) -> frozenset[str]:
    """Tags the model may not give this reply: `reflection` when it shares no content word
    with anything the customer said, `over_promise` when its promise word is negated or its
    "never again" spares the customer a retelling ("you won't have to explain it again"),
    `blame` when it reassures ("it's easy to mix them up", "that's not your fault") or does
    not address the customer at all ("it needs a signature this time"), `check_resolution` to
    a question about what a bill or letter holds ("is that everything on the bill?")."""
    out = set()
    if not heard(lemmas, r.customer_lemmas):
        out.add("reflection")
    if _REASSURANCE.search(r.text) or r.wordset.isdisjoint(_ADDRESSED):
        # TAGS.md: reassurance is never blame, and blame is aimed at the customer; the rules'
        # own cues ("calm down", "that's not my problem") still count
        out.add("blame")
    if _NEGATED_PROMISE_WORD.search(r.text) or _RETELLING_IN.search(r.text):
        out.add("over_promise")
    if _CONTENTS_ASKED.search(r.text):
        out.add("check_resolution")
    return frozenset(out)


#: "Is that everything on the bill?" asks what a document holds, not whether the call is done.
_CONTENTS_ASKED = _lazy(
    r"\b(?:is|was) (?:that|this|it) (?:everything|all|the lot) (?:on|in|from) (?:the|your|this|"
    r"that) (?:bill|statement|letter|invoice|receipt|order|list|email|account summary)\b"
)


def heard(lemmas: Sequence[str], said: frozenset[str]) -> bool:
    """Whether any of a reply's content lemmas is among the customer's (a set lookup per
    lemma, so the cost does not grow with the length of the call)."""
    return not said.isdisjoint(lemmas)


def model_inputs(
    text: str, customer: str | None, history: Sequence[str] = ()
) -> tuple[list[str], list[str], frozenset[str]]:
    """What the learned model reads of a reply besides the rules' tags: its canonical words
    without punctuation, their content lemmas, and the content lemmas of the customer's line."""
    r = _Reply(text, customer, tuple(history), bare=True)
    cust = _line_lemmas(customer) if customer else frozenset()
    return r.plain_words, content_lemmas(r.plain_words), cust


def bare_rules(
    text: str, customer: str | None = None, history: Sequence[str] = ()
) -> tuple[str, ...]:
    """The rules' tags of `text` read without case or punctuation, as `tag_reply` reads it."""
    if not text or not text.strip():
        return ()
    ev = _rules_read(_Reply(text, customer, tuple(history), bare=True), text)
    return tuple(t for t in TAG_NAMES if t in ev)


def _rules_read(r: _Reply, text: str) -> dict[str, str]:
    """Per tag the rules find in `r` (the reading of `text`), the words that earned it."""
    evidence: dict[str, str] = {}
    for tag, detect in _DETECTORS.items():
        ev = detect(r)
        if ev is not None:
            evidence[tag] = ev if ev and ev in text else _fallback_evidence(text, ev)
    if "blame" in evidence and "empathy" in evidence and _SARCASM.search(r.text):
        del evidence["empathy"]
    return evidence


def tag_by_rules(
    text: str, customer: str | None = None, history: Sequence[str] = ()
) -> TagResult:
    """The rules' reading alone, punctuation and all (`callsim explain` shows its words)."""
    if not text or not text.strip():
        return TagResult((), {})
    evidence = _rules_read(_Reply(text, customer, tuple(history)), text)
    return TagResult(tuple(t for t in TAG_NAMES if t in evidence), evidence)


def _fallback_evidence(text: str, ev: str | None) -> str:
    """Evidence must quote the reply; if mapping failed, quote the whole reply."""
    return text.strip() or text


# ----------------------------------------------------------------------------------------------
# Near misses, for `callsim explain`


def explain_reply(text: str, customer: str | None = None) -> list[NearMiss]:
    """Why common look-alikes of a tag in `text` did not earn it (e.g. "sorry for the hold")."""
    result = tag_reply(text, customer)
    r = _Reply(text, customer, ())
    tags = set(result.tags)
    out: list[NearMiss] = []

    def add(tag: str, pattern: re.Pattern[str], reason: str) -> bool:
        if tag in tags:
            return False
        m = pattern.search(r.text)
        if m:
            out.append(NearMiss(tag, r.quote(0, m.start(), m.end()), reason))
            return True
        return False

    if not add("empathy", _FILLER_SORRY,
               "an apology for a hold, a delay or a mishearing is politeness, not empathy: it "
               "names no feeling or impact of the problem on the customer"):
        if not add("empathy", re.compile(r"\b(?:i'm )?not sorry\b"),
                   "the apology is negated"):
            add("empathy", re.compile(r"\bsorry\b"),
                "\"sorry\" alone is a formula; empathy names the customer's feeling or the "
                "impact on them (\"that must be so frustrating\")")
    add("empathy", _EMPTY_UNDERSTAND,
        "\"I understand\" / \"I hear you\" names no feeling or impact, so it is an empty formula")
    if "empathy" not in tags and _SARCASM.search(r.text):
        add("empathy", _SARCASM, "sarcasm is not empathy (and counts as blame)")
    if not add("over_promise", _NEGATED_PROMISE,
               "the promise or guarantee is negated (\"I can't guarantee\"), which manages "
               "expectations honestly"):
        add("over_promise", re.compile(r"\b(?:should|usually|normally|typically|aim to|"
                                       r"hopefully)\b"),
            "hedged wording (\"should\", \"usually\", \"aim to\") is a realistic commitment, "
            "not a guarantee")
    add("timeline", _VAGUE_TIME,
        "vague timing (\"soon\", \"as quickly as possible\") is not a concrete time frame")
    if "options" not in tags:
        add("options", _SINGLE_PROPOSAL,
            "a single proposal is not options: offer two or more courses of action to choose from")
    if "explain_steps" not in tags:
        if not add("explain_steps", _STEP_MARKER,
                   "only one step is described: explain_steps needs a sequence of at least two"):
            add("explain_steps", _BARE_CHECK,
                "a bare \"let me check\" is one action, not a step-by-step explanation")
    if "escalation" not in tags:
        add("escalation", _TEAM_MENTION,
            "mentioning a team or manager is not escalation: nothing is handed over to them")
    if "blame" not in tags:
        add("blame", re.compile(r"\b(?:i'm not able to|i can't|we can't|i'm unable to|"
                                r"i'm afraid)\b(?=[^.?!\n]*\bbut\b)"),
            "an honest statement of what cannot be done, without blame, is not blame")
    qs = [q for q in _find_questions(r)]
    if not qs and "?" in r.text:
        add("closed_question", re.compile(r"[^.?!\n]*\?"),
            "a rhetorical question asks nothing, so it gets no question tag")
    if "check_resolution" not in tags and "closed_question" in tags:
        add("check_resolution", re.compile(r"\b(?:is|are|does|do|has|have)\b[^.?!\n]*\?"),
            "a question about the fault itself does not check that the problem is solved")
    return out
