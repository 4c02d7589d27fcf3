"""Measure a scenario against natural replies: does the customer understand what was meant?

A trainer (or a test) gives replies written by people who never read the scenario's example
phrasings, each with the stage it is said at and the intent it means (or none). Each reply is
played as the first reply at the start of its stage in a fresh call, so one reply never changes
how the next is read, and the intent the engine matched is compared with the one meant.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callsim.engine.call import ScenarioEngine
from callsim.engine.loader import LoadedScenario

#: Fields a phrasing line may carry besides those the check reads (kept in --json output).
MAX_LINE_CHARS = 20_000


@dataclass(frozen=True)
class Phrasing:
    """One reply to check: said at `stage`, meaning `expected` (None: should match nothing)."""

    line: int
    stage: str
    text: str
    expected: str | None
    alternatives: tuple[str, ...] = ()
    kind: str | None = None
    fields: dict[str, Any] = field(default_factory=dict, compare=False)

    def accepts(self, intent: str | None) -> bool:
        """Whether matching `intent` is a right answer for this reply."""
        if self.expected is None:
            return intent is None
        return intent == self.expected or intent in self.alternatives


@dataclass(frozen=True)
class LineProblem:
    """A line of a phrasings file that could not be checked, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Checked:
    """A phrasing and the intent the engine matched for it."""

    phrasing: Phrasing
    matched: str | None

    @property
    def right(self) -> bool:
        return self.phrasing.accepts(self.matched)


@dataclass
class IntentFigures:
    """Recall of one intent, and how often it was matched where it should not have been."""

    meant: int = 0
    understood: int = 0
    false_accepts: int = 0

    @property
    def recall(self) -> float | None:
        return self.understood / self.meant if self.meant else None


@dataclass(frozen=True)
class Report:
    """Every checked reply and the figures a trainer reads first."""

    results: tuple[Checked, ...]

    def _meant(self) -> list[Checked]:
        return [c for c in self.results if c.phrasing.expected is not None]

    def _none(self) -> list[Checked]:
        return [c for c in self.results if c.phrasing.expected is None]

    @property
    def recall(self) -> float | None:
        meant = self._meant()
        return sum(c.right for c in meant) / len(meant) if meant else None

    @property
    def false_accept_rate(self) -> float | None:
        none = self._none()
        return sum(not c.right for c in none) / len(none) if none else None

    def per_intent(self) -> dict[str, IntentFigures]:
        figures: dict[str, IntentFigures] = defaultdict(IntentFigures)
        for c in self.results:
            p = c.phrasing
            if p.expected is not None:
                figures[p.expected].meant += 1
                figures[p.expected].understood += c.right
            if c.matched is not None and not c.right:
                figures[c.matched].false_accepts += 1
        return dict(sorted(figures.items()))

    def per_kind(self) -> dict[str, tuple[int, int]]:
        """Kind of phrasing -> (right, checked), for the replies that name a kind."""
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for c in self.results:
            if c.phrasing.kind:
                total[c.phrasing.kind] += 1
                right[c.phrasing.kind] += c.right
        return {k: (right[k], total[k]) for k in sorted(total)}

    def misses(self) -> list[Checked]:
        return [c for c in self.results if not c.right]


def read_phrasings(
    lines: Iterable[str], path: str, loaded: LoadedScenario
) -> tuple[list[Phrasing], list[LineProblem]]:
    """Parse a JSON Lines file of phrasings; every bad line is a problem, the rest are kept."""
    scenario = loaded.scenario
    anywhere = [r.intent for r in scenario.anywhere]
    offered = {
        sid: {r.intent for r in stage.responses} | set(anywhere)
        for sid, stage in scenario.stages.items()
        if stage.ending is None
    }
    phrasings: list[Phrasing] = []
    problems: list[LineProblem] = []

    def bad(n: int, message: str) -> None:
        problems.append(LineProblem(path, n, message))

    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_CHARS:
            bad(n, f"line is over {MAX_LINE_CHARS:,} characters")
            continue
        try:
            data = json.loads(raw, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            bad(n, f"not valid JSON ({_json_reason(exc)})")
            continue
        if not isinstance(data, dict):
            bad(n, "each line must be one JSON object")
            continue
        stage, text = data.get("stage"), data.get("text")
        expected, alts = data.get("expected_intent"), data.get("alt_intents", [])
        kind = data.get("kind")
        if not isinstance(stage, str) or not isinstance(text, str) or not text.strip():
            bad(n, 'needs "stage" and "text" as non-empty strings')
            continue
        if "expected_intent" not in data or not (expected is None or isinstance(expected, str)):
            bad(n, 'needs "expected_intent": an intent name, or null for no intent')
            continue
        if not isinstance(alts, list) or not all(isinstance(a, str) for a in alts):
            bad(n, '"alt_intents" must be a list of intent names')
            continue
        if stage not in offered:
            known = ", ".join(sorted(offered))
            bad(n, f"no stage '{_short(stage)}' a reply can be said at (stages: {known})")
            continue
        unknown = [i for i in [expected, *alts] if i is not None and i not in offered[stage]]
        if unknown:
            bad(
                n,
                f"stage '{stage}' does not listen for "
                + ", ".join(f"'{_short(i)}'" for i in unknown)
                + " (it listens for: "
                + ", ".join(sorted(offered[stage]))
                + ")",
            )
            continue
        phrasings.append(
            Phrasing(
                line=n,
                stage=stage,
                text=text,
                expected=expected,
                alternatives=tuple(alts),
                kind=kind if isinstance(kind, str) else None,
                fields=data,
            )
        )
    return phrasings, problems


def check(
    loaded: LoadedScenario, phrasings: Iterable[Phrasing], *, meaning: bool | None = None
) -> Report:
    """Play each reply first at the start of its stage in a fresh call; note what it matched.

    `meaning` reads replies for meaning as well as wording (the engine's default if None).
    """
    engine = ScenarioEngine(loaded, meaning=meaning)
    results = []
    for p in phrasings:
        call = engine.new_call(start=p.stage)
        try:
            step = engine.reply(call, p.text)
        finally:
            engine.release(call)
        results.append(Checked(p, step.intent))
    return Report(tuple(results))


def check_file(loaded: LoadedScenario, path: Path) -> tuple[Report, list[LineProblem]]:
    """Read and check one phrasings file; OSError and UnicodeDecodeError are the caller's."""
    with path.open(encoding="utf-8") as fh:
        phrasings, problems = read_phrasings(fh, str(path), loaded)
    return check(loaded, phrasings), problems


def json_lines(report: Report) -> Iterator[dict[str, Any]]:
    """One object per checked reply, in file order: the input's fields plus what matched."""
    for c in report.results:
        yield {**c.phrasing.fields, "line": c.phrasing.line, "matched": c.matched}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _json_reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
