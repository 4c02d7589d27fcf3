"""Warnings about scenarios that load but will play badly.

An error stops a scenario; a warning names something a trainee would trip over: two intents the
matcher cannot tell apart, a stage that answers the unexpected with a stock line, a customer who
says the same words calm or furious, a fact no question brings out, text too long to read during
a call. Every warning is positioned (FILE:LINE:COL) like an error. The rules are documented in
docs/scenario-format.md ("Warnings"); they are tuned to stay quiet on the bundled scenarios.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from callsim.engine.language import comparable, question_part
from callsim.engine.matching import IntentMatcher
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
        matchers: dict[tuple[str, ...], IntentMatcher] = {}
        for sid, stage in self.sc.stages.items():
            if stage.ending is not None:
                continue
            table = self._table(sid)
            names = tuple(n for n, _ in table)
            matcher = matchers.get(names)
            if matcher is None:
                # An example scores 100 against itself, so only rivals within the margin of
                # 100 matter: a floor of 100 lets rapidfuzz skip everything else early.
                matcher = IntentMatcher(
                    ((n, self.intents[n].examples, self.intents[n].not_) for n in names),
                    floor=100.0,
                )
                matchers[names] = matcher
            for name, listed_at in table:
                for j, example in enumerate(self.intents[name].examples):
                    if not matcher.may_confuse(example, name):
                        continue
                    m = matcher.match(example)
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
