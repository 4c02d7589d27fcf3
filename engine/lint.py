"""Warnings about scenarios that load but will play badly.

An error stops a scenario; a warning names something a trainee would trip over: two intents the
matcher cannot tell apart, a stage that answers the unexpected with a stock line, a customer who
says the same words calm or furious, a fact no question brings out, text too long to read during
a call. Every warning is positioned (FILE:LINE:COL) like an error. The rules are documented in
docs/scenario-format.md ("Warnings"); they are tuned to stay quiet on the bundled scenarios.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel
from rapidfuzz.utils import default_process

from callsim.engine.language import comparable, question_part
from callsim.engine.matching import DEFAULT_MARGIN, IntentMatcher, Match
from callsim.engine.models import CustomerLines, Intent, Response, Scenario
from callsim.engine.yamlsafe import DataPath, Problem, SourceMap

#: A customer line longer than this is hard to read during a call.
MAX_LINE_CHARS = 400
#: Ways into a stage whose `mood:` changes differ by at least this bring the customer in at
#: clearly different moods, so one fixed line will read wrong on one of them.
MOOD_SPREAD = 3.0


@dataclass(frozen=True)
class _WayIn:
    stage: str
    how: str  # the intent, or 'fallback'
    mood: float
    path: DataPath


#: An intent with fewer examples than this is warned about.
MIN_EXAMPLES = 6
#: Two examples this alike (rapidfuzz ratio, 0-100) say the same thing.
NEAR_COPY = 92


def lint(scenario: Scenario, source: SourceMap, intents: Mapping[str, Intent]) -> list[Problem]:
    """All warnings for a scenario that passed every error check."""
    linter = _Linter(scenario, source, {**intents, **scenario.intents})
    return sorted(set(linter.run()), key=lambda p: (p.line, p.col, p.message))


class _Linter:
    def __init__(self, sc: Scenario, source: SourceMap, intents: Mapping[str, Intent]):
        self.sc = sc
        self.source = source
        self.intents = intents

    def warn(self, path: DataPath, message: str, *, key: bool = False) -> Problem:
        line, col = self.source.locate(path, key=key)
        return Problem(self.source.path, line, col, "warning", message)

    def run(self) -> Iterator[Problem]:
        yield from self.duplicate_intents()
        yield from self.thin_intents()
        yield from self.ambiguous_intents()
        yield from self.missing_fallbacks()
        yield from self.mood_variants()
        yield from self.unused()
        yield from self.long_lines()

    # -- the same intent twice in one stage --------------------------------------------------

    def duplicate_intents(self) -> Iterator[Problem]:
        lists: list[tuple[str, DataPath, list[Response]]] = [
            (f"stage '{sid}'", ("stages", sid, "responses"), st.responses)
            for sid, st in self.sc.stages.items()
        ]
        lists.append(("anywhere", ("anywhere",), self.sc.anywhere))
        for where, base, responses in lists:
            first: dict[str, int] = {}
            for i, r in enumerate(responses):
                if r.intent in first:
                    yield self.warn(
                        (*base, i, "intent"),
                        f"intent '{r.intent}' is listed twice in {where} (first at "
                        f"responses[{first[r.intent]}]); this one is never used",
                    )
                else:
                    first[r.intent] = i

    # -- intents with too few examples, or examples that say the same ------------------------

    def thin_intents(self) -> Iterator[Problem]:
        """Trainees say the right thing in many ways; a handful of near-identical examples
        teaches the customer one of them (`callsim phrasings` measures the rest)."""
        for name, intent in self.sc.intents.items():
            path = ("intents", name, "examples")
            if len(intent.examples) < MIN_EXAMPLES:
                yield self.warn(
                    path,
                    f"intent '{name}' has {len(intent.examples)} example(s): give it at least "
                    f"{MIN_EXAMPLES}, in different words, so replies in a trainee's own words "
                    "are understood",
                    key=True,
                )
            seen: list[tuple[str, int]] = []
            for j, example in enumerate(intent.examples):
                text = comparable(example)
                for other, k in seen:
                    if fuzz.ratio(text, other) >= NEAR_COPY:
                        yield self.warn(
                            (*path, j),
                            f"example '{_short(example)}' of intent '{name}' is a near copy of "
                            f"examples[{k}]: say it in other words, or drop it",
                        )
                        break
                seen.append((text, j))

    # -- intents the matcher confuses ---------------------------------------------------------

    def _table(self, sid: str) -> list[tuple[str, DataPath]]:
        """The intents a stage listens for, in the engine's order, with where each is listed."""
        seen: dict[str, DataPath] = {}
        for i, r in enumerate(self.sc.stages[sid].responses):
            seen.setdefault(r.intent, ("stages", sid, "responses", i, "intent"))
        for i, r in enumerate(self.sc.anywhere):
            seen.setdefault(r.intent, ("anywhere", i, "intent"))
        return [(name, p) for name, p in seen.items() if name in self.intents]

    def ambiguous_intents(self) -> Iterator[Problem]:
        reported: set[frozenset[str]] = set()
        stages: dict[tuple[str, ...], NearRivals] = {}
        for sid, stage in self.sc.stages.items():
            if stage.ending is not None:
                continue
            table = self._table(sid)
            names = tuple(n for n, _ in table)
            near = stages.get(names)
            if near is None:
                # An example scores 100 against itself, so only rivals within the margin of
                # 100 matter: a floor of 100 lets rapidfuzz skip everything else early.
                near = stages[names] = _near_rivals(
                    tuple(
                        (n, tuple(self.intents[n].examples), tuple(self.intents[n].not_))
                        for n in names
                    )
                )
            for name, listed_at in table:
                # examples with no rival near them (only their own intent's examples come
                # near) are matched to their own intent: only the others are looked at
                for j, example, rivals in near.contested(name):
                    if all(
                        not negative and frozenset((name, other)) in reported
                        for other, negative in rivals
                    ):
                        continue  # the match could only name a pair already reported
                    m = near.match(example)  # = the stage's matcher.match(example)
                    if m.intent == name:
                        continue
                    other = m.intent if m.intent is not None else _rival(m, name, table, self)
                    if m.vetoed_by is not None and m.intent is None:
                        yield self.warn(
                            self._example_path(name, j, listed_at),
                            f"intent '{name}': example '{_short(example)}' is vetoed by its "
                            f"own 'not' example '{_short(m.vetoed_by)}'",
                        )
                        break
                    if other is None or other == name:
                        continue
                    pair = frozenset((name, other))
                    if pair in reported:
                        continue
                    reported.add(pair)
                    how = "matches" if m.intent is not None else "is too close to"
                    yield self.warn(
                        self._example_path(name, j, listed_at),
                        f"intents '{name}' and '{other}' are confused at stage '{sid}': "
                        f"the example '{_short(example)}' of '{name}' {how} '{other}'; "
                        "reword the examples so each intent says something the other does not",
                    )

    def _example_path(self, name: str, j: int, listed_at: DataPath) -> DataPath:
        if name in self.sc.intents:
            return ("intents", name, "examples", j)
        return listed_at  # a shared intent: point at where the stage names it

    # -- stages with no fallback --------------------------------------------------------------

    def missing_fallbacks(self) -> Iterator[Problem]:
        for sid, stage in self.sc.stages.items():
            if stage.ending is None and stage.fallback is None:
                yield self.warn(
                    ("stages", sid),
                    f"stage '{sid}' has no fallback: a reply it does not expect gets the stock "
                    "'Sorry, what do you mean?'; give it a fallback in the customer's words",
                    key=True,
                )

    # -- one fixed line for a customer who may arrive calm or angry ---------------------------

    def ways_in(self) -> dict[str, list[_WayIn]]:
        out: dict[str, list[_WayIn]] = {sid: [] for sid in self.sc.stages}
        for sid, stage in self.sc.stages.items():
            if stage.ending is not None:
                continue
            lists = [
                (("stages", sid, "responses"), stage.responses),
                (("anywhere",), self.sc.anywhere),
            ]
            for base, responses in lists:
                for i, r in enumerate(responses):
                    if r.to is not None and r.to in out:
                        out[r.to].append(_WayIn(sid, r.intent, r.mood, (*base, i)))
                    if r.otherwise is not None and r.otherwise.to in out:
                        how = f"{r.intent} (otherwise)"
                        way = _WayIn(sid, how, r.otherwise.mood, (*base, i, "otherwise"))
                        out[r.otherwise.to].append(way)
            fb = stage.fallback
            if fb is not None and fb.to in out:
                way = _WayIn(sid, "fallback", fb.mood, ("stages", sid, "fallback"))
                out[fb.to].append(way)
        return out

    def mood_variants(self) -> Iterator[Problem]:
        ways = self.ways_in()
        for sid, stage in self.sc.stages.items():
            if _varied(stage.customer):
                continue
            moods = [w.mood for w in ways[sid]]
            if sid == self.sc.start:
                moods.append(0.0)
            if len(moods) < 2 or max(moods) - min(moods) < MOOD_SPREAD:
                continue
            calm = min(ways[sid], key=lambda w: w.mood, default=None)
            angry = max(ways[sid], key=lambda w: w.mood, default=None)
            detail = ""
            if calm is not None and angry is not None:
                detail = (
                    f" (mood {_signed(calm.mood)} by {calm.how} at '{calm.stage}', "
                    f"{_signed(angry.mood)} by {angry.how} at '{angry.stage}')"
                )
            yield self.warn(
                ("stages", sid, "customer"),
                f"stage '{sid}' is reached at clearly different moods{detail} but its customer "
                "line has no mood variants; give variants with min_mood/max_mood",
            )

    # -- things that never come into play ----------------------------------------------------

    def unused(self) -> Iterator[Problem]:
        sc = self.sc
        named = {r.intent for st in sc.stages.values() for r in st.responses}
        named |= {r.intent for r in sc.anywhere}
        for name in sc.intents:
            if name not in named:
                yield self.warn(
                    ("intents", name),
                    f"intent '{name}' is not listed in any stage's responses or in 'anywhere'",
                    key=True,
                )
        if not sc.facts:
            return

        revealed_by_action = {f for a in sc.actions.values() for f in a.reveals}
        if revealed_by_action.issuperset(sc.facts):
            return  # every fact comes out through a tool: no question needs checking
        matcher = IntentMatcher(
            ((fid, f.asked_by, ()) for fid, f in sc.facts.items()), negation=False
        )
        for fid, fact in sc.facts.items():
            if fid in revealed_by_action:
                continue
            works = False
            for question in fact.asked_by:
                asked = question_part(question)
                if asked and matcher.match(asked).intent == fid:
                    works = True
                    break
            if not works:
                yield self.warn(
                    ("facts", fid),
                    f"fact '{fid}' can never come out: no action reveals it and none of its "
                    "asked_by lines is taken as a question that asks for it (end each with '?' "
                    "and make it unlike other facts' questions)",
                    key=True,
                )

    # -- over-long customer lines -------------------------------------------------------------

    def long_lines(self) -> Iterator[Problem]:
        sc = self.sc

        def check(lines: CustomerLines | None, path: DataPath) -> Iterator[Problem]:
            if lines is None:
                return
            if isinstance(lines, str):
                items: list[tuple[str, DataPath]] = [(lines, path)]
            else:
                items = [(v.say, (*path, i, "say")) for i, v in enumerate(lines)]
            for text, p in items:
                if len(text) > MAX_LINE_CHARS:
                    yield self.warn(
                        p,
                        f"customer line of {len(text)} characters (over {MAX_LINE_CHARS}): "
                        "too long to take in during a call; split it or cut it down",
                    )

        for sid, stage in sc.stages.items():
            base: DataPath = ("stages", sid)
            yield from check(stage.customer, (*base, "customer"))
            for i, r in enumerate(stage.responses):
                yield from check(r.say, (*base, "responses", i, "say"))
                if r.otherwise is not None:
                    yield from check(r.otherwise.say, (*base, "responses", i, "otherwise", "say"))
            if stage.fallback is not None:
                yield from check(stage.fallback.say, (*base, "fallback", "say"))
        for i, r in enumerate(sc.anywhere):
            yield from check(r.say, ("anywhere", i, "say"))
        for fid, fact in sc.facts.items():
            yield from check(fact.says, ("facts", fid, "says"))
        yield from check(sc.customer.demand_line, ("customer", "demand_line"))
        yield from check(sc.customer.hang_up_line, ("customer", "hang_up_line"))


class NearRivals:
    """What the matcher can weigh against each example a stage listens for, found for all of
    the stage's examples at once.

    `IntentMatcher.match` considers only the choices (examples and not-examples) whose token
    set ratio with the reply reaches its cutoff (`floor - margin - 1`; its token sort ratio,
    used for much longer choices, is never higher). So an example whose nearby choices are all
    its own intent's examples is matched to its own intent, and a matcher built from the nearby
    choices alone matches it exactly as the whole stage's does. Comparing every example with
    every other to find them (what `may_confuse` did, one example at a time) costs the square
    of the stage's examples; here only the pairs that can reach the cutoff are scored.

    Two texts reach a token set ratio of `cutoff` only if (1) the words of one are all, or all
    but a light few, among the other's (at 95, about a tenth of a text's length may be words
    the other lacks), or (2) their letters differ in few places. For (1) each text is filed
    under the sets of its rarest words of which the other text must hold at least one (three
    words where the text is long enough, else two or one); for (2) the counts of each text's
    rarer letters are compared, with rapidfuzz's Indel distance on its sorted letters, against
    texts of nearly the same length only. Every pair found is then scored with the token set
    ratio itself. tests/engine/test_lint_large.py checks the warnings against comparing every
    example with the whole stage.
    """

    def __init__(
        self,
        intents: Sequence[tuple[str, Sequence[str], Sequence[str]]],
        *,
        floor: float,
        margin: float,
    ):
        self.floor, self.margin = floor, margin
        self.cutoff = floor - margin - 1  # IntentMatcher.match's
        #: processed text -> (position in the stage's order, intent, example as written, is a
        #: not-example), for every choice with that text
        self._entries: dict[str, list[tuple[int, str, str, bool]]] = {}
        self._processed: dict[str, str] = {}
        position = 0
        for name, examples, negatives in intents:
            for raw, negative in [(e, False) for e in examples] + [(e, True) for e in negatives]:
                text = self._process(raw)
                self._entries.setdefault(text, []).append((position, name, raw, negative))
                position += 1
        texts = list(self._entries)
        #: answers already worked out: NearRivals is kept from file to file (`_near_rivals`),
        #: and a library's stages listen for the same intents again and again
        self._rivals: dict[tuple[str, str], frozenset[tuple[str, bool]]] = {}
        self._matches: dict[str, Match] = {}
        self._examples = {name: examples for name, examples, _ in intents}
        self._contested: dict[str, list[tuple[int, str, frozenset[tuple[str, bool]]]]] = {}
        if 0 < self.cutoff <= 100:
            self._near = _near_texts(texts, self.cutoff)
        else:  # no shortcut holds: compare every pair, as may_confuse does
            self._near = {
                t: {
                    texts[i]
                    for _, _, i in process.extract(
                        t,
                        texts,
                        scorer=fuzz.token_set_ratio,
                        processor=None,
                        limit=None,
                        score_cutoff=self.cutoff,
                    )
                }
                for t in texts
            }

    def _process(self, raw: str) -> str:
        text = self._processed.get(raw)
        if text is None:
            text = self._processed[raw] = default_process(raw)
        return text

    def rivals(self, example: str, intent: str) -> frozenset[tuple[str, bool]]:
        """(intent, is a not-example) of every choice near `example` but `intent`'s own
        examples: when there is none, `example` is matched to `intent`."""
        found = self._rivals.get((example, intent))
        if found is None:
            out: set[tuple[str, bool]] = set()
            for text in self._near.get(self._process(example), ()):
                out.update((n, neg) for _, n, _, neg in self._entries[text] if n != intent or neg)
            found = self._rivals[(example, intent)] = frozenset(out)
        return found

    def contested(self, intent: str) -> list[tuple[int, str, frozenset[tuple[str, bool]]]]:
        """(index, example, its rivals) for each example of `intent` that has rivals."""
        found = self._contested.get(intent)
        if found is None:
            found = self._contested[intent] = [
                (j, example, rivals)
                for j, example in enumerate(self._examples[intent])
                if (rivals := self.rivals(example, intent))
            ]
        return found

    def match(self, example: str) -> Match:
        """The whole stage's matcher's answer for `example` (`matcher(example).match`), kept."""
        found = self._matches.get(example)
        if found is None:
            found = self._matches[example] = self.matcher(example).match(example)
        return found

    def matcher(self, example: str) -> IntentMatcher:
        """A matcher over the choices near `example` only, in the stage's order.

        Its `match(example)` is the whole stage's: the choices that reach the matcher's cutoff
        are all here, in the same order (so ties fall the same way).
        """
        near = sorted(
            entry
            for text in self._near.get(self._process(example), ())
            for entry in self._entries[text]
        )
        triples: list[tuple[str, list[str], list[str]]] = []
        for _, name, raw, negative in near:
            if not triples or triples[-1][0] != name:
                triples.append((name, [], []))
            triples[-1][2 if negative else 1].append(raw)
        return IntentMatcher(triples, floor=self.floor, margin=self.margin)


@lru_cache(maxsize=256)
def _near_rivals(intents: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> NearRivals:
    """One stage's NearRivals, kept: a library's scenarios list the same shared intents (and
    often the same intents) stage after stage."""
    return NearRivals(intents, floor=100.0, margin=DEFAULT_MARGIN)


#: Subsets of a text's words are looked up directly while there are at most this many.
_SUBSETS = 2000
#: The most frequent letters (and the space) left out when texts are compared by letters.
_COMMON_LETTERS = 8


def _near_texts(texts: list[str], cutoff: float) -> dict[str, set[str]]:
    """For each text, the texts (itself included) whose token set ratio with it is >= cutoff."""
    f = 1 - cutoff / 100  # the share of the compared length that may differ
    tokens = [frozenset(t.split()) for t in texts]
    near = {t: ({t} if words else set()) for t, words in zip(texts, tokens, strict=True)}

    def keep(i: int, others: Iterable[int]) -> None:
        """Score `others` against text i (rapidfuzz's loop) and keep those that reach it."""
        choices = [texts[j] for j in others]
        for other, _, _ in process.extract(
            texts[i],
            choices,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=None,
            score_cutoff=cutoff,
        ):
            near[texts[i]].add(other)
            near[other].add(texts[i])

    # (1) the words of one nearly all among the other's: filed under sets of rarest words
    postings: dict[str, list[int]] = {}
    for i, words in enumerate(tokens):
        for w in words:
            postings.setdefault(w, []).append(i)
    # words always found together ("set top box") say no more together than one of them alone
    kinds: dict[tuple[int, ...], int] = {}
    alike = {w: kinds.setdefault(tuple(ids), len(kinds)) for w, ids in postings.items()}
    filed: dict[tuple[str, ...], list[int]] = {}
    sizes: set[int] = set()
    for i, words in enumerate(tokens):
        if not words:
            continue
        weight = sum(len(w) + 1 for w in words)
        # words of this total weight (length + 1 each) may be missing from the other text
        allowance = 2 * f * (weight - 1) / (1 + f) + 0.5
        rarest: list[str] = []
        seen: set[int] = set()
        for w in sorted(words, key=lambda w: (len(postings[w]), w)):
            if alike[w] not in seen:
                seen.add(alike[w])
                rarest.append(w)
        k = need = 0
        while k < len(rarest) and need < 3:
            k += 1
            missing = total = 0
            for w in sorted(len(w) + 1 for w in rarest[:k]):
                if total + w > allowance:
                    break
                total, missing = total + w, missing + 1
            need = k - missing  # the other text holds at least this many of these k words
        size = min(need, 3)
        sizes.add(size)
        for key in combinations(sorted(rarest[:k]), size):
            filed.setdefault(key, []).append(i)
    keyed = {w for key in filed for w in key}
    for j, words in enumerate(tokens):
        ordered = sorted(words & keyed)  # a key holds only words some key holds
        found: set[int] = set()
        for size in sizes:
            if comb(len(ordered), size) <= _SUBSETS:
                keys: Iterable[tuple[str, ...]] = combinations(ordered, size)
            else:  # a very long text: look through the keys instead
                keys = [key for key in filed if len(key) == size and words.issuperset(key)]
            for key in keys:
                filed_here = filed.get(key)
                if filed_here:
                    found.update(filed_here)
        found.discard(j)
        keep(j, found)

    # (2) letters nearly the same. The token set ratio compares strings of the texts' words
    # (sorted); two of them that differ in d places hold letter counts that differ by at most
    # d in all, the more so counting only the rarer letters. So each text's rarer letters,
    # sorted, are compared with rapidfuzz's Indel distance (cheap: short strings) against texts
    # of nearly the same length, and only those within d are scored.
    joined = [" ".join(sorted(words)) for words in tokens]
    counts: dict[str, int] = {}
    for text in joined:
        for c in text:
            counts[c] = counts.get(c, 0) + 1
    common = set(sorted(counts, key=counts.__getitem__, reverse=True)[:_COMMON_LETTERS])
    order = sorted(range(len(texts)), key=lambda i: len(joined[i]))
    lengths = [len(joined[i]) for i in order]
    rarer = ["".join(sorted(c for c in joined[i] if c not in common)) for i in order]
    for at, i in enumerate(order):
        if not tokens[i]:
            continue
        top = lengths[at] * (1 + f) / (1 - f)  # |a - b| <= f * (a + b)
        end = bisect_right(lengths, top + 1)
        alike = process.extract(
            rarer[at],
            rarer[at + 1 : end],
            scorer=Indel.distance,
            processor=None,
            limit=None,
            score_cutoff=int(f * (lengths[at] + top)) + 1,
        )
        keep(i, (order[at + 1 + k] for _, _, k in alike))
    return near


def _rival(m, name: str, table: list[tuple[str, DataPath]], linter: _Linter) -> str | None:
    """The intent an unmatched example was too close to: the best one when that is another
    intent (Match names only the runner-up), else the runner-up."""
    best = next(
        (n for n, _ in table if m.example in linter.intents[n].examples),
        None,
    )
    return best if best is not None and best != name else m.runner_up


def _varied(lines: CustomerLines) -> bool:
    return not isinstance(lines, str) and len(lines) > 1


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _signed(value: float) -> str:
    return f"{value:+g}"
