"""Grading a call: the rubric applied to a transcript, with the turns behind every point.

The grader reads only the transcript (each trainee turn already carries its behaviour tags and
the engine's record of stages, mood, facts and actions) and, when given, the scenario's own
expectations. It never replays the call, so a saved transcript grades the same way years later,
and a mentor can re-grade it against another rubric.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from callsim.engine.language import (
    clauses,
    comparable,
    negation_count,
    normalise,
    question_part,
    sentences,
)
from callsim.engine.models import Fact, Outcome, Scenario
from callsim.engine.transcript import Transcript, Turn
from callsim.grading.rubric import Criterion, Dimension, Flag, Rubric, default_rubric

QUOTE_CHARS = 160

#: How close (rapidfuzz ratio or token_sort_ratio, 0-100) a question must be to one of a fact's
#: `asked_by` to count as asking for it when the customer did not answer.
ASKED_THRESHOLD = 80

#: Satisfaction estimate (CSAT-like, 1-5) from the customer's final mood (0 calm - 10 furious):
#: the first band whose upper bound holds the mood. A customer who hung up is a 1 whatever
#: their mood. See docs/rubric.md.
SATISFACTION_BANDS: tuple[tuple[float, int], ...] = ((2.0, 5), (4.0, 4), (6.0, 3), (8.0, 2))

#: Solution-like tags: the point where a trainee moved from finding out to fixing.
_SOLUTION_TAGS = frozenset({"options", "explain_steps", "timeline"})

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "the a an and or of to for in on at by with from is are was be been it its this that "
    "your you our my i we they their them his her he she".split()
)


# ---------------------------------------------------------------------------------------------
# The grade
#
# A grade crosses layers (grading -> store -> debrief, review, show, export) as these typed
# objects. `to_json` is the stored and exported shape; `from_json` reads it back, so every
# reader decodes a stored grade in one place instead of guessing keys. Keys a grade saved by
# an older callsim may lack (`criterion`, `try`, `scenario_checked`, `warnings`) default.


class GradeFormatError(ValueError):
    """A grade's JSON is not in the shape `Grade.to_json` writes (a damaged or foreign file)."""


def _get(data: Any, key: str, kinds: type | tuple[type, ...], where: str, **default: Any) -> Any:
    """`data[key]` checked against `kinds`; a missing key gives `default` if one is given."""
    if not isinstance(data, dict):
        raise GradeFormatError(f"{where}: must be a JSON object")
    if key not in data:
        if "default" in default:
            return default["default"]
        raise GradeFormatError(f"{where}: '{key}' is missing")
    value = data[key]
    if value is None and "default" in default and default["default"] is None:
        return None
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise GradeFormatError(f"{where}.{key}: must not be true/false")
    if not isinstance(value, kinds):
        raise GradeFormatError(f"{where}.{key}: has the wrong type ({type(value).__name__})")
    return value


def _opt(data: Any, key: str, kinds: type | tuple[type, ...], where: str) -> Any:
    return _get(data, key, kinds, where, default=None)


def _list(data: Any, key: str, where: str) -> list[Any]:
    return list(_get(data, key, list, where, default=[]))


def _ints(values: Any, where: str) -> tuple[int, ...]:
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise GradeFormatError(f"{where}: must be a list of whole numbers")
    return tuple(values)


def _strs(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise GradeFormatError(f"{where}: must be a list of texts")
    return tuple(values)


_NUMBER = (int, float)


@dataclass(frozen=True)
class Citation:
    """One piece of evidence: the turn(s) that earned or lost points, and why.

    The one type for a cited turn: dimensions' evidence, and (via `RaisedFlag.citation` and
    `Feedback.citation`) flags and feedback, so every screen lays out evidence one way.
    """

    turn: int
    points: float
    why: str
    quote: str | None = None
    quote_by: str | None = None  # "trainee", "customer", "notes" or "action"
    turns: tuple[int, ...] = ()
    criterion: int = 0  # position of the criterion in its dimension
    try_: str | None = None

    def __post_init__(self) -> None:
        # one canonical form, so a grade read back from JSON equals the grade written
        if not self.turns:
            object.__setattr__(self, "turns", (self.turn,))
        if not self.try_:
            object.__setattr__(self, "try_", None)

    def to_json(self) -> dict[str, Any]:
        out = {
            "turn": self.turn,
            "turns": list(self.turns),
            "points": _num(self.points),
            "why": self.why,
            "quote": self.quote,
            "quote_by": self.quote_by,
            "criterion": self.criterion,
        }
        if self.try_:
            out["try"] = self.try_
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "citation") -> Citation:
        turn = _get(data, "turn", int, where)
        return cls(
            turn=turn,
            points=float(_get(data, "points", _NUMBER, where, default=0)),
            why=_get(data, "why", str, where, default=""),
            quote=_opt(data, "quote", str, where),
            quote_by=_opt(data, "quote_by", str, where),
            turns=_ints(_get(data, "turns", list, where, default=[turn]), f"{where}.turns"),
            criterion=_get(data, "criterion", int, where, default=0),
            try_=_opt(data, "try", str, where),
        )


@dataclass(frozen=True)
class DimensionGrade:
    id: str
    title: str
    weight: float
    score: int | None  # None: nothing in this call bore on the dimension
    band: str | None
    anchor: str | None
    earned: tuple[Citation, ...] = ()
    lost: tuple[Citation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "weight": _num(self.weight),
            "score": self.score,
            "band": self.band,
            "anchor": self.anchor,
            "earned": [c.to_json() for c in self.earned],
            "lost": [c.to_json() for c in self.lost],
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "dimension") -> DimensionGrade:
        dim_id = _get(data, "id", str, where)
        where = f"{where} '{dim_id}'"
        score = _opt(data, "score", _NUMBER, where)
        return cls(
            id=dim_id,
            title=_get(data, "title", str, where, default=dim_id),
            weight=float(_get(data, "weight", _NUMBER, where, default=1)),
            score=None if score is None else round(score),
            band=_opt(data, "band", str, where),
            anchor=_opt(data, "anchor", str, where),
            earned=tuple(
                Citation.from_json(c, f"{where}.earned") for c in _list(data, "earned", where)
            ),
            lost=tuple(Citation.from_json(c, f"{where}.lost") for c in _list(data, "lost", where)),
        )


@dataclass(frozen=True)
class RaisedFlag:
    """A critical flag raised by a turn; it caps the total at `cap`."""

    id: str
    message: str
    cap: int
    turn: int
    quote: str | None
    quote_by: str | None
    try_: str
    turns: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.turns:
            object.__setattr__(self, "turns", (self.turn,))

    @property
    def citation(self) -> Citation:
        """The flagged turn(s) as evidence (no points: a flag caps the total instead)."""
        return Citation(
            self.turn, 0, self.message, self.quote, self.quote_by, self.turns, try_=self.try_
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "cap": self.cap,
            "turn": self.turn,
            "turns": list(self.turns),
            "quote": self.quote,
            "quote_by": self.quote_by,
            "try": self.try_,
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "flag") -> RaisedFlag:
        turn = _get(data, "turn", int, where)
        return cls(
            id=_get(data, "id", str, where),
            message=_get(data, "message", str, where),
            cap=round(_get(data, "cap", _NUMBER, where)),
            turn=turn,
            quote=_opt(data, "quote", str, where),
            quote_by=_opt(data, "quote_by", str, where),
            try_=_get(data, "try", str, where, default=""),
            turns=_ints(_get(data, "turns", list, where, default=[turn]), f"{where}.turns"),
        )


@dataclass(frozen=True)
class Feedback:
    """What to try instead, quoting the trainee's own words where there are any."""

    text: str
    turn: int
    dimension: str | None
    quote: str | None = None

    @property
    def citation(self) -> Citation:
        """The advice as evidence of its turn (the text is the whole of it: no points)."""
        return Citation(self.turn, 0, self.text, self.quote)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, where: str = "feedback") -> Feedback:
        return cls(
            text=_get(data, "text", str, where),
            turn=_get(data, "turn", int, where),
            dimension=_opt(data, "dimension", str, where),
            quote=_opt(data, "quote", str, where),
        )


@dataclass(frozen=True)
class KPIs:
    """Contact-centre measures beside the rubric score (definitions in docs/rubric.md)."""

    handling_seconds: float
    target_seconds: int
    handling_vs_target: float | None
    within_target: bool | None
    outcome: str | None
    first_contact_resolution: bool
    escalation_required: bool
    opening_mood: float
    final_mood: float
    satisfaction_estimate: int
    replies: int
    questions: int
    open_questions: int
    reflections: int
    reflections_per_question: float | None
    open_question_share: float | None
    hints_used: int

    def to_json(self) -> dict[str, Any]:
        return {k: _num(v) if isinstance(v, float) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Any, where: str = "kpis") -> KPIs:
        def num(key: str) -> float:
            return float(_get(data, key, _NUMBER, where))

        def opt_num(key: str) -> float | None:
            value = _opt(data, key, _NUMBER, where)
            return None if value is None else float(value)

        def count(key: str) -> int:
            return round(_get(data, key, _NUMBER, where))

        return cls(
            handling_seconds=num("handling_seconds"),
            target_seconds=count("target_seconds"),
            handling_vs_target=opt_num("handling_vs_target"),
            within_target=_opt(data, "within_target", bool, where),
            outcome=_opt(data, "outcome", str, where),
            first_contact_resolution=_get(data, "first_contact_resolution", bool, where),
            escalation_required=_get(data, "escalation_required", bool, where),
            opening_mood=num("opening_mood"),
            final_mood=num("final_mood"),
            satisfaction_estimate=count("satisfaction_estimate"),
            replies=count("replies"),
            questions=count("questions"),
            open_questions=count("open_questions"),
            reflections=count("reflections"),
            reflections_per_question=opt_num("reflections_per_question"),
            open_question_share=opt_num("open_question_share"),
            hints_used=count("hints_used"),
        )


@dataclass(frozen=True)
class WrapUpCheck:
    """The wrap-up notes against the facts actually revealed in the call."""

    written: bool
    required: tuple[str, ...]  # must_record facts the customer revealed
    recorded: tuple[str, ...]
    missing: tuple[str, ...]
    not_revealed: tuple[str, ...]  # facts the notes claim that nobody said or showed
    #: Each fact above in the scenario's words, so no reader shows an internal id.
    summaries: dict[str, str] = field(default_factory=dict)

    def describe(self, fid: str) -> str:
        """A fact as a trainee reads it: its summary (an older grade: its id in words)."""
        return self.summaries.get(fid) or fid.replace("_", " ").replace("-", " ")

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Any, where: str = "wrap_up") -> WrapUpCheck:
        def facts(key: str) -> tuple[str, ...]:
            return _strs(_list(data, key, where), f"{where}.{key}")

        summaries = _get(data, "summaries", dict, where, default={})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in summaries.items()):
            raise GradeFormatError(f"{where}.summaries: must map fact ids to texts")
        return cls(
            written=_get(data, "written", bool, where),
            required=facts("required"),
            recorded=facts("recorded"),
            missing=facts("missing"),
            not_revealed=facts("not_revealed"),
            summaries=dict(summaries),
        )


@dataclass(frozen=True)
class Grade:
    call_id: str
    scenario_id: str
    rubric_id: str
    rubric_title: str
    score: int
    uncapped: int
    cap: int | None
    band: str
    dimensions: tuple[DimensionGrade, ...]
    flags: tuple[RaisedFlag, ...]
    kpis: KPIs
    feedback: tuple[Feedback, ...]
    wrap_up: WrapUpCheck
    scenario_checked: bool = True
    warnings: tuple[str, ...] = ()

    def dimension(self, dim_id: str) -> DimensionGrade:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "scenario_id": self.scenario_id,
            "rubric": {"id": self.rubric_id, "title": self.rubric_title},
            "score": self.score,
            "uncapped": self.uncapped,
            "cap": self.cap,
            "band": self.band,
            "dimensions": [d.to_json() for d in self.dimensions],
            "flags": [f.to_json() for f in self.flags],
            "kpis": self.kpis.to_json(),
            "feedback": [f.to_json() for f in self.feedback],
            "wrap_up": self.wrap_up.to_json(),
            "scenario_checked": self.scenario_checked,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: Any) -> Grade:
        """The grade `to_json` wrote (a dict, or its JSON text); GradeFormatError if it is not.

        `rubric` may also be a bare id (as some hand-made grades give it).
        """
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise GradeFormatError(f"grade: not valid JSON ({exc})") from None
        where = "grade"
        rubric = _get(data, "rubric", (dict, str), where)
        if isinstance(rubric, str):
            rubric_id, rubric_title = rubric, rubric
        else:
            rubric_id = _get(rubric, "id", str, "grade.rubric")
            rubric_title = _get(rubric, "title", str, "grade.rubric", default=rubric_id)
        score = round(_get(data, "score", _NUMBER, where))
        cap = _opt(data, "cap", _NUMBER, where)
        return cls(
            call_id=_get(data, "call_id", str, where),
            scenario_id=_get(data, "scenario_id", str, where),
            rubric_id=rubric_id,
            rubric_title=rubric_title,
            score=score,
            uncapped=round(_get(data, "uncapped", _NUMBER, where, default=score)),
            cap=None if cap is None else round(cap),
            band=_get(data, "band", str, where),
            dimensions=tuple(
                DimensionGrade.from_json(d, f"grade.dimensions[{i}]")
                for i, d in enumerate(_get(data, "dimensions", list, where))
            ),
            flags=tuple(
                RaisedFlag.from_json(f, f"grade.flags[{i}]")
                for i, f in enumerate(_list(data, "flags", where))
            ),
            kpis=KPIs.from_json(_get(data, "kpis", dict, where)),
            feedback=tuple(
                Feedback.from_json(f, f"grade.feedback[{i}]")
                for i, f in enumerate(_list(data, "feedback", where))
            ),
            wrap_up=WrapUpCheck.from_json(_get(data, "wrap_up", dict, where)),
            scenario_checked=_get(data, "scenario_checked", bool, where, default=True),
            warnings=_strs(_list(data, "warnings", where), "grade.warnings"),
        )


def _num(value: float) -> float | int:
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------------------------------------
# Matching what was said against facts, timelines and promises


@lru_cache(maxsize=4096)
def _processed(text: str) -> str:
    return comparable(text)


def mentions(text: str, phrase: str, threshold: float) -> bool:
    """Whether `text` says `phrase` (or close to it), case, punctuation and slips aside.

    The shorter string is aligned inside the longer one (`partial_ratio`), but only a phrase
    shorter than the text is looked for that way: aligning a short text inside a long phrase
    would let "down" count as saying "down since Monday morning".
    """
    p, t = _processed(phrase), _processed(text)
    if not p or not t:
        return False
    if len(p) > len(t):
        return fuzz.ratio(p, t) >= threshold
    return fuzz.partial_ratio(p, t, score_cutoff=threshold) >= threshold


def close_to(text: str, phrase: str, threshold: float) -> bool:
    """Whether `text` says much the same as a longer `phrase`, in any order (a timeline).

    `token_set_ratio` scores the shared words against each side's extra words, so "Thursday
    between 8 and 1" is close to "Engineer on Thursday between 8am and 1pm" while "in a few
    days" is not. (It scores a text made only of the phrase's words at 100: here that is
    a part of the realistic timeline, which is fair.)
    """
    p, t = _processed(phrase), _processed(text)
    if not p or not t:
        return False
    return fuzz.token_set_ratio(p, t, score_cutoff=threshold) >= threshold


def fact_phrases(fact: Fact) -> tuple[str, ...]:
    return (*fact.keywords, fact.summary)


def mentions_fact(text: str, fact: Fact, threshold: float) -> bool:
    return any(mentions(text, phrase, threshold) for phrase in fact_phrases(fact))


def makes_promise(reply: str, promise: str, threshold: float) -> bool:
    """Whether a reply makes `promise`, sentence by sentence, minding negation.

    "I can't promise it will be fixed today" contains "it will be fixed today" word for word;
    no rapidfuzz scorer sees the "can't". So the matched words and the few before them must
    carry the same negation as the promise itself ("this will never happen again" is negative
    and still a promise).
    """
    p = _processed(promise)
    if not p:
        return False
    promise_negated = negation_count(p) % 2 == 1
    for sentence in sentences(reply):
        s = _processed(sentence)
        if not s:
            continue
        if len(p) > len(s):
            if fuzz.ratio(p, s) < threshold:
                continue
            window = s
        else:
            found = fuzz.partial_ratio_alignment(p, s, score_cutoff=threshold)
            if found is None or found.score < threshold:
                continue
            before = s[: found.dest_start].split()[-4:]
            window = " ".join([*before, s[found.dest_start : found.dest_end]])
        if (negation_count(window) % 2 == 1) == promise_negated:
            return True
    return False


def _quote(text: str | None) -> str | None:
    """A reply as quoted in a grade: whitespace collapsed, long replies shortened."""
    if text is None:
        return None
    flat = " ".join(text.split())
    if len(flat) > QUOTE_CHARS:
        flat = flat[: QUOTE_CHARS - 1].rstrip() + "…"
    return flat


def _fill(text: str | None, **values: str) -> str:
    """Put scenario words into a rubric's text: `{fact}`, `{action}`... plain replacement only."""
    out = text or ""
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]


# ---------------------------------------------------------------------------------------------
# The call as the grader sees it


@dataclass
class _Call:
    """Indexes over one transcript that the criteria share."""

    transcript: Transcript
    scenario: Scenario | None
    replies: list[Turn] = field(default_factory=list)
    mood_before: dict[int, float] = field(default_factory=dict)
    reveal_turn: dict[str, int] = field(default_factory=dict)
    revealed_by_question: dict[str, int] = field(default_factory=dict)
    action_turn: dict[str, int] = field(default_factory=dict)
    turns_by_index: dict[int, Turn] = field(default_factory=dict)
    escalation_turn: int | None = None
    escalated: bool = False
    escalation_required: bool = False
    demand_turn: int | None = None
    passed_off: bool = False
    premature: bool = False
    #: A trainee reply the engine did not take for a handover but that briefs a colleague (set
    #: only when the engine recorded no handover): see `_recognised_handover`.
    summary_turn: int | None = None
    _shown: dict[str, bool] = field(default_factory=dict)
    promises: dict[float, list[tuple[Turn, str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, transcript: Transcript, scenario: Scenario | None) -> _Call:
        call = cls(transcript, scenario)
        mood = transcript.opening_mood
        for turn in transcript.turns:
            call.turns_by_index[turn.index] = turn
            if turn.speaker == "trainee":
                call.replies.append(turn)
                call.mood_before[turn.index] = (
                    turn.mood_before if turn.mood_before is not None else mood
                )
                for f in turn.revealed:
                    call.revealed_by_question.setdefault(f, turn.index)
            if turn.speaker == "action" and turn.action:
                call.action_turn.setdefault(turn.action, turn.index)
            for f in turn.revealed:
                call.reveal_turn.setdefault(f, turn.index)
            if turn.mood_after is not None:
                mood = turn.mood_after
        for f in transcript.revealed:  # revealed with no turn recorded (hand-made transcripts)
            call.reveal_turn.setdefault(f, call.last_turn)
        call._escalation()
        return call

    @property
    def last_turn(self) -> int:
        return self.transcript.turns[-1].index if self.transcript.turns else 0

    @property
    def last_reply(self) -> int:
        return self.replies[-1].index if self.replies else self.last_turn

    def answer_to(self, index: int, fid: str | None = None) -> Turn | None:
        """The customer's words after a turn: the line that gives fact `fid` when one of them
        does (a customer often reacts first, then answers), else the first line."""
        lines: list[Turn] = []
        at = index + 1
        while (nxt := self.turns_by_index.get(at)) is not None and nxt.speaker == "customer":
            lines.append(nxt)
            at += 1
        if fid is not None and self.scenario is not None and fid in self.scenario.facts:
            says = " ".join(self.scenario.facts[fid].says.split())
            for line in lines:
                if " ".join(line.text.split()) == says:
                    return line
        return lines[0] if lines else None

    def heard(self, fid: str) -> bool:
        """Whether the customer said fact `fid` in lines that did not formally reveal it (the
        scenario's own lines often say it in passing: "you promised me a discount")."""
        return self._found(fid, account=False)

    def shown(self, fid: str) -> bool:
        """Whether the trainee heard or saw fact `fid` without it being formally revealed: the
        customer said it in other lines, or the account panel or a tool's result showed it."""
        return self._found(fid, account=True)

    def _found(self, fid: str, account: bool) -> bool:
        key = f"{fid}/{account}"
        if key not in self._shown:
            sc = self.scenario
            found = False
            if sc is not None and fid in sc.facts:
                fact = sc.facts[fid]
                texts = [t.text for t in self.transcript.turns if t.speaker == "customer"]
                if account:
                    texts += [t.result for t in self.transcript.turns if t.result]
                    texts += [f"{k}: {v}" for k, v in sc.account.items()]
                found = any(mentions_fact(text, fact, 85) for text in texts)
            self._shown[key] = found
        return self._shown[key]

    def asked_unanswered(self, fid: str) -> Turn | None:
        """The reply that asked for fact `fid` when the customer did not answer it (they answer
        at most three questions at once, and may ignore one): the engine's record of the fact
        asked, else a question of the reply close to one of the fact's `asked_by`."""
        sc = self.scenario
        if sc is None or fid not in sc.facts or fid in self.reveal_turn:
            return None
        for r in self.replies:
            if r.fact_asked == fid:
                return r
        wanted = [_processed(q) for q in sc.facts[fid].asked_by]
        for r in self.replies:
            asked = question_part(r.text)
            if not asked:
                continue
            for part in {asked, *sentences(asked), *clauses(asked)}:
                said = _processed(part)
                if len(said.split()) < 3:
                    continue
                if any(
                    max(fuzz.ratio(said, q), fuzz.token_sort_ratio(said, q)) >= ASKED_THRESHOLD
                    for q in wanted
                ):
                    return r
        return None

    def _escalation(self) -> None:
        t, sc = self.transcript, self.scenario
        self.escalated = t.escalated or t.outcome == Outcome.escalated
        handover_stages: set[str] = set()
        escalated_endings: set[str] = set()
        if sc is not None:
            handover_stages = {sid for sid, st in sc.stages.items() if st.handover}
            escalated_endings = {
                sid for sid, st in sc.stages.items() if st.ending == Outcome.escalated
            }
            if t.manager_demanded:
                for turn in t.turns:
                    if turn.speaker == "customer" and turn.text == sc.customer.demand_line:
                        self.demand_turn = turn.index
                        break
        for r in self.replies:
            if (
                r.intent == "escalate"
                or (r.stage_after in handover_stages and r.stage not in handover_stages)
                or (r.stage_after in escalated_endings and r.stage not in handover_stages)
            ):
                self.escalation_turn = r.index
                break
        if not self.escalated and not any(r.handover for r in self.replies):
            summary = _recognised_handover(self)
            if summary is not None:  # the trainee briefed a colleague the engine never brought in
                self.escalated = True
                self.summary_turn = summary.index
                self.escalation_turn = summary.index
        if self.escalated and self.escalation_turn is None:
            tagged = [r for r in self.replies if "escalation" in r.tags]
            self.escalation_turn = tagged[0].index if tagged else self.last_reply
        on_demand = sc.escalation.on_manager_demand if sc is not None else True
        policy = sc.escalation.policy if sc is not None else "allowed"
        self.escalation_required = policy == "required" or (t.manager_demanded and on_demand)
        if self.escalated and sc is not None:
            # Too early is passing off even when escalation is required: the customer still
            # has to be listened to and helped as far as the advisor can first.
            nb = sc.escalation.not_before
            if nb is not None and self.escalation_turn is not None:
                at = self.escalation_turn
                done = {a for a, i in self.action_turn.items() if i < at}
                known = {f for f, i in self.reveal_turn.items() if i < at}
                self.premature = not (set(nb.actions) <= done and set(nb.facts) <= known)
            self.passed_off = self.premature or (policy == "avoid" and not self.escalation_required)

    def to_colleague(self, r: Turn) -> bool:
        """Whether a reply was said to whoever took the call over, not to the customer."""
        return r.handover or r.index == self.summary_turn

    def handover_replies(self) -> list[Turn]:
        """The replies that handed the call over: at the scenario's handover stage, else the
        briefing the grader recognised."""
        return [r for r in self.replies if self.to_colleague(r)]

    def first_solution_turn(self) -> int:
        """Where the trainee moved from finding out to fixing (for facts never asked about)."""
        marks = [r.index for r in self.replies if _SOLUTION_TAGS & set(r.tags)]
        marks += list(self.action_turn.values())
        return min(marks) if marks else self.last_reply


# ---------------------------------------------------------------------------------------------
# Criteria: one function per kind the rubric may name. None means "does not apply to this call".

CriterionCheck = Callable[[Criterion, _Call], "list[Citation] | None"]


def _reply_cite(c: Criterion, r: Turn, points: float, why: str, **kw: Any) -> Citation:
    return Citation(r.index, points, why, _quote(r.text), "trainee", **kw)


def _turn_cite(at: int, points: float, why: str, turn: Turn | None, **kw: Any) -> Citation:
    """A citation of turn `at`, quoting it when the call has such a turn."""
    if turn is None:
        return Citation(at, points, why, None, None, **kw)
    return Citation(at, points, why, _quote(turn.text), turn.speaker, **kw)


def _label(c: Criterion, default: str, **values: str) -> str:
    return _fill(c.label or default, **values)


def _missing_label(c: Criterion, default: str, **values: str) -> str:
    return _fill(c.missing_label or c.label or default, **values)


def _window(c: Criterion, call: _Call) -> list[Turn]:
    replies = call.replies
    if c.in_first is not None:
        replies = replies[: c.in_first]
    elif c.in_last is not None:  # the last replies to the customer, not the briefing of a colleague
        replies = [r for r in replies if not call.to_colleague(r)][-c.in_last :]
    if c.mood_at_least is not None:
        replies = [r for r in replies if call.mood_before[r.index] >= c.mood_at_least]
    return replies


def _check_tag(c: Criterion, call: _Call) -> list[Citation] | None:
    window = _window(c, call)
    if not window and (c.in_first or c.in_last or c.mood_at_least is not None):
        return None
    assert c.tag is not None
    hits = [r for r in window if c.tag in r.tags][: c.limit or None]
    why = _label(c, f"showed {c.tag.replace('_', ' ')}")
    out = [_reply_cite(c, r, c.points, why) for r in hits]
    cut_off = c.in_last is not None and call.transcript.outcome == Outcome.hung_up
    if not hits and c.missing and window and not cut_off:  # a hang-up ends it, not the trainee
        first = window[0]
        out.append(
            _reply_cite(
                c,
                first,
                c.missing,
                _missing_label(c, f"no reply showed {c.tag.replace('_', ' ')}"),
                turns=tuple(r.index for r in window),
            )
        )
    return out


def _check_tag_order(c: Criterion, call: _Call) -> list[Citation] | None:
    first_tags, then_tags = set(c.tags or ()), set(c.before or ())
    asked = next((r for r in call.replies if first_tags & set(r.tags)), None)
    solved = next((r for r in call.replies if then_tags & set(r.tags)), None)
    if solved is None:
        return None
    if asked is not None and asked.index == solved.index:
        return []  # asked and offered at once: neither "asked before" nor "before asking a single"
    if asked is not None and asked.index < solved.index:
        why = _label(c, "asked before offering a solution")
        return [_reply_cite(c, asked, c.points, why, turns=(asked.index, solved.index))]
    if c.missing:
        why = _missing_label(c, "offered a solution before asking anything")
        return [_reply_cite(c, solved, c.missing, why)]
    return []


def _check_steady(c: Criterion, call: _Call) -> list[Citation] | None:
    floor = c.mood_at_least if c.mood_at_least is not None else 0.0
    window = [r for r in call.replies if call.mood_before[r.index] >= floor]
    if not window:
        return None
    avoid = set(c.without or ())
    steady = [r for r in window if not avoid & set(r.tags)][: c.limit or None]
    out = []
    for r in steady:
        why = _label(c, "stayed steady") + f" (mood {call.mood_before[r.index]:.1f}/10)"
        out.append(_reply_cite(c, r, c.points, why))
    return out


def _check_asked_again(c: Criterion, call: _Call) -> list[Citation] | None:
    out = []
    for r in call.replies:
        f = r.fact_asked
        if f is None or f in r.revealed or "reflection" in r.tags:
            continue  # a playback that confirms is listening, not asking again
        given = call.reveal_turn.get(f)
        if given is not None and given < r.index:
            why = _label(c, "asked again for something already said")
            if call.scenario is not None and f in call.scenario.facts:
                why += f" ({call.scenario.facts[f].summary}, given at turn {given})"
            out.append(_reply_cite(c, r, c.points, why, turns=(r.index, given)))
    return out[: c.limit or None]


def _check_key_facts(c: Criterion, call: _Call) -> list[Citation] | None:
    sc = call.scenario
    if sc is None:
        return None
    facts = [f for f in sc.expectations.key_facts if f in call.reveal_turn and f in sc.facts]
    if not facts:
        return None
    tags = set(c.tags or ("reflection",))
    threshold = c.threshold or 85
    out = []
    for fid in facts:
        fact, given = sc.facts[fid], call.reveal_turn[fid]
        playback = next(
            (
                r
                for r in call.replies
                if r.index > given and tags & set(r.tags) and mentions_fact(r.text, fact, threshold)
            ),
            None,
        )
        if playback is not None:
            why = _label(c, "played back a key fact: {fact}", fact=fact.summary)
            out.append(_reply_cite(c, playback, c.points, why, turns=(playback.index, given)))
        elif c.missing:
            answer = call.answer_to(given, fid)
            why = _missing_label(c, "never played back: {fact}", fact=fact.summary)
            at = answer.index if answer is not None else given
            quote = _quote(answer.text) if answer is not None else None
            out.append(
                Citation(
                    at,
                    c.missing,
                    why,
                    quote,
                    "customer" if answer is not None else None,
                    try_=_fill(c.try_, fact=fact.summary),
                )
            )
    return out


def _check_uncovered(c: Criterion, call: _Call) -> list[Citation] | None:
    """Credit per fact a question uncovered; `missing` per fact the trainee never found out.

    A fact the customer said anyway (in lines that did not formally reveal it) was found out;
    a fact the trainee asked for and the customer withheld was not the trainee's to miss.
    """
    sc = call.scenario
    if sc is None or not sc.facts:
        return None
    out = []
    for fid, fact in sc.facts.items():
        at = call.revealed_by_question.get(fid)
        if at is not None:
            r = call.turns_by_index[at]
            why = _label(c, "uncovered: {fact}", fact=fact.summary)
            out.append(_reply_cite(c, r, c.points, why))
        elif (
            c.missing
            and fid not in call.reveal_turn
            and not call.heard(fid)
            and call.asked_unanswered(fid) is None
        ):  # a fact heard anyway, or asked for and withheld, was not missed by the trainee
            at = call.first_solution_turn()
            turn = call.turns_by_index.get(at)
            why = _missing_label(c, "never found out: {fact}", fact=fact.summary)
            out.append(_turn_cite(at, c.missing, why, turn, try_=_fill(c.try_, fact=fact.summary)))
    earned = [x for x in out if x.points > 0][: c.limit or None]
    return earned + [x for x in out if x.points <= 0]


def _check_actions(c: Criterion, call: _Call) -> list[Citation] | None:
    sc = call.scenario
    if sc is None or not sc.expectations.required_actions:
        return None
    out = []
    for name in sc.expectations.required_actions:
        label = sc.actions[name].label if name in sc.actions else name
        at = call.action_turn.get(name)
        if at is not None:
            turn = call.turns_by_index[at]
            why = _label(c, "used: {action}", action=label)
            out.append(Citation(at, c.points, why, _quote(turn.text), "action"))
        elif c.missing:
            at = call.last_reply
            turn = call.turns_by_index.get(at)
            why = _missing_label(c, "never used: {action}", action=label)
            out.append(_turn_cite(at, c.missing, why, turn, try_=_fill(c.try_, action=label)))
    return out


def _timeline_text(call: _Call) -> str:
    sc = call.scenario
    if sc is not None and sc.expectations.timeline:
        return sc.expectations.timeline
    return "a concrete day and time window for the next step"


def _check_timeline(c: Criterion, call: _Call) -> list[Citation] | None:
    promised = {r.index for r, _ in _promises(call, 85)}
    given = [
        r
        for r in call.replies
        if "timeline" in r.tags and "over_promise" not in r.tags and r.index not in promised
    ]  # a guarantee is not a timeline
    expected = call.scenario.expectations.timeline if call.scenario is not None else None
    threshold = c.threshold or 65
    if given:
        if expected is None:
            return [_reply_cite(c, given[0], c.points, _label(c, "gave a concrete timeline"))]
        close = next((r for r in given if close_to(r.text, expected, threshold)), None)
        if close is not None:
            return [_reply_cite(c, close, c.points, _label(c, "gave a realistic timeline"))]
        why = f"gave a time frame, but not the realistic one ({expected})"
        return [_reply_cite(c, given[0], c.points / 2, why)]
    if not c.missing:
        return []
    why = _missing_label(c, "never gave a concrete timeline")
    at = call.last_reply
    turn = call.turns_by_index.get(at)
    return [_turn_cite(at, c.missing, why, turn, try_=_fill(c.try_, timeline=_timeline_text(call)))]


def _promises(call: _Call, threshold: float) -> list[tuple[Turn, str]]:
    """The replies making a forbidden promise (each once), worked out once per threshold: the
    timeline, the promises criterion and the flag all ask."""
    sc = call.scenario
    if sc is None:
        return []
    if threshold in call.promises:
        return call.promises[threshold]
    found: list[tuple[Turn, str]] = []
    call.promises[threshold] = found
    for r in call.replies:
        for promise in sc.expectations.forbidden_promises:
            if makes_promise(r.text, promise, threshold):
                found.append((r, promise))
                break
    return found


def _check_promises(c: Criterion, call: _Call) -> list[Citation] | None:
    if call.scenario is None or not call.scenario.expectations.forbidden_promises:
        return None
    out = []
    for r, promise in _promises(call, c.threshold or 85)[: c.limit or None]:
        why = _label(c, "made a promise that cannot be kept: {promise}", promise=promise)
        out.append(
            _reply_cite(
                c,
                r,
                c.points,
                why,
                try_=_fill(c.try_, timeline=_timeline_text(call), promise=promise),
            )
        )
    return out


def _check_escalation(c: Criterion, call: _Call) -> list[Citation] | None:
    if not call.escalated and not call.escalation_required:
        return None
    sc = call.scenario
    if call.escalated:
        at = call.escalation_turn if call.escalation_turn is not None else call.last_reply
        r = call.turns_by_index[at]
        if call.passed_off:
            if not c.passed_off:
                return []
            reason = (
                "escalated before doing what had to come first, which passes the customer off"
                if call.premature
                else "the scenario says escalating here passes the customer off"
            )
            if sc is not None and sc.escalation.when:
                reason += f" ({' '.join(sc.escalation.when.split())})"
            return [Citation(at, c.passed_off, reason, _quote(r.text), r.speaker, try_=c.try_)]
        if call.escalation_required:
            why = _label(c, "escalated when it was required")
            return [Citation(at, c.points, why, _quote(r.text), r.speaker)]
        return []
    if not c.missing:
        return []
    at = call.demand_turn if call.demand_turn is not None else call.last_reply
    turn = call.turns_by_index.get(at)
    why = _missing_label(c, "escalation was required and not made")
    if call.demand_turn is not None:
        why += " (the customer demanded a manager)"
    return [_turn_cite(at, c.missing, why, turn)]


_ELEMENT_WORDS = {
    "issue": "the issue",
    "done": "what had been done",
    "concern": "the customer's concern",
}


#: "I've run a line test", "we have refunded", "I booked": the advisor saying what was done.
_SAYS_DONE = re.compile(
    r"\b(?:i've|i have|we've|we have|i|we|i've also|i have also)\s+(?:just |already |also )?"
    r"(?:[a-z]*[a-df-z]ed|agreed|ran|run|sent|made|put|set|taken|given|done|spoken|written"
    r"|found)\b"
)


def _names_action(text: str, phrase: str) -> bool:
    """Whether every content word of a tool's name appears in the text, in any form.

    "logged complaint CMP-55120" names "Log a complaint": each word of the name is aligned
    inside a word of the text (`partial_ratio`), with the same first letter.
    """
    wanted = _words(phrase)
    have = _words(text)
    if not wanted or not have:
        return False
    for w in wanted:
        same_start = [h for h in have if h[0] == w[0]]
        if not process.extractOne(w, same_start, scorer=fuzz.partial_ratio, score_cutoff=80):
            return False
    return True


def _handover_states(text: str, element: str, c: Criterion, call: _Call) -> bool:
    return _states(text, element, call, c.threshold or 85, c.concern_words or ())


def _states(
    text: str, element: str, call: _Call, threshold: float, concern_words: Sequence[str]
) -> bool:
    """Whether a handover `text` states `element` (issue, done or concern) of this call."""
    sc = call.scenario
    phrases: list[str] = []
    if element == "issue":
        if sc is not None:
            for fact in sc.facts.values():
                phrases.extend(fact_phrases(fact))
    elif element == "done":
        if _SAYS_DONE.search(normalise(text)):
            return True
        if sc is not None:
            return any(
                _names_action(text, phrase)
                for name, action in sc.actions.items()
                for phrase in (action.label, name.replace("_", " ").replace("-", " "))
            )
    elif element == "concern":
        phrases.extend(concern_words)
        if sc is not None:
            for fid in sc.expectations.key_facts:
                if fid in sc.facts:
                    phrases.extend(fact_phrases(sc.facts[fid]))
    return any(mentions(text, p, threshold) for p in phrases)


#: The customer talked about, not to: a handover briefs a colleague about "her", "him"...
_THIRD_PERSON = re.compile(r"\b(?:she|he|her|hers|him|his|she's|he's|the customer)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|you're|you've|you'll)\b")


def _recognised_handover(call: _Call) -> Turn | None:
    """A reply that hands the call over in words when the engine recorded no handover.

    The engine moves a call to its handover stage only on a handover it understood; a trainee
    may offer one ("I'll bring Marcus in once I've explained it to him") and then brief the
    colleague at a stage that does not expect it. Such a briefing is still a handover: a reply
    at or after one tagged `escalation` that talks about the customer rather than to them
    (more third-person mentions than "you", at least two) and states both the issue and what
    was done.
    """
    sc = call.scenario
    if sc is None:
        return None
    names = {w for w in _WORD.findall(sc.customer.name.lower()) if len(w) > 2}
    offered = False
    for r in call.replies:
        offered = offered or "escalation" in r.tags
        if not offered:
            continue
        text = normalise(r.text)
        about = len(_THIRD_PERSON.findall(text)) + sum(1 for w in _WORD.findall(text) if w in names)
        if about < 2 or about <= len(_SECOND_PERSON.findall(text)):
            continue
        if _states(r.text, "issue", call, 85, ()) and _states(r.text, "done", call, 85, ()):
            return r
    return None


def _check_handover(c: Criterion, call: _Call) -> list[Citation] | None:
    handovers = call.handover_replies()
    if not handovers:
        return None
    r = handovers[0]
    must = call.scenario.escalation.handover_must_state if call.scenario else None
    out = []
    for element in must or ("issue", "done", "concern"):
        words = _ELEMENT_WORDS[element]
        if _handover_states(r.text, element, c, call):
            out.append(_reply_cite(c, r, c.points, _label(c, "stated {element}", element=words)))
        elif c.missing:
            why = _missing_label(c, "left out {element}", element=words)
            out.append(_reply_cite(c, r, c.missing, why, try_=_fill(c.try_, element=words)))
    return out


def check_wrap_up(call: _Call, threshold: float = 85) -> WrapUpCheck:
    """Which revealed facts the notes record, which they miss, and which they claim unheard.

    A fact the customer never revealed is not "unheard" when the customer said it in other
    words, or the account panel or a tool's result showed it: notes may record what the
    advisor saw.
    """
    t, sc = call.transcript, call.scenario
    notes = (t.wrap_up or "").strip()
    if sc is None:
        return WrapUpCheck(bool(notes), (), (), (), ())
    required = tuple(
        f for f in sc.expectations.wrap_up_must_record if f in call.reveal_turn and f in sc.facts
    )
    recorded = tuple(f for f in required if notes and mentions_fact(notes, sc.facts[f], threshold))
    missing = tuple(f for f in required if f not in recorded)
    unheard = tuple(
        f
        for f, fact in sc.facts.items()
        if f not in call.reveal_turn
        and notes
        and mentions_fact(notes, fact, threshold)
        and not call.shown(f)
    )
    named = {f: sc.facts[f].summary for f in (*required, *unheard)}
    return WrapUpCheck(bool(notes), required, recorded, missing, unheard, named)


#: Where notes break into the parts a quote is taken from: sentences, semicolons, lines.
_NOTE_BREAK = re.compile(r"(?<=[.;!?])\s+|\n+")


def notes_quote(notes: str, fact: Fact, threshold: float = 85) -> str:
    """The part of the notes that records `fact`, word for word (the notes' own sentence), so
    a debrief never shows notes in words the trainee did not write. The whole notes when no
    single part records it; shortened with "…" only past the quote length."""
    parts = [p.strip() for p in _NOTE_BREAK.split(notes) if p.strip()]
    found = next((p for p in parts if mentions_fact(p, fact, threshold)), notes.strip())
    if len(found) > QUOTE_CHARS:
        found = found[: QUOTE_CHARS - 1].rstrip() + "…"
    return found


def _check_notes(c: Criterion, call: _Call) -> list[Citation] | None:
    sc = call.scenario
    if sc is None:
        return None
    check = check_wrap_up(call, c.threshold or 85)
    if not check.required:
        return None
    out = []
    notes = call.transcript.wrap_up or ""
    for fid in check.required:
        fact, given = sc.facts[fid], call.reveal_turn[fid]
        answer = call.answer_to(given, fid)
        at = answer.index if answer is not None else given
        if fid in check.recorded:
            why = _label(c, "the notes record: {fact}", fact=fact.summary)
            quote = notes_quote(notes, fact, c.threshold or 85)
            out.append(Citation(at, c.points, why, quote, "notes", turns=(at,)))
        elif c.missing:
            why = _missing_label(c, "the notes leave out: {fact}", fact=fact.summary)
            if not check.written:
                why += " (no notes were written)"
            out.append(
                Citation(
                    at,
                    c.missing,
                    why,
                    _quote(answer.text) if answer is not None else None,
                    "customer" if answer is not None else None,
                    try_=_fill(c.try_, fact=fact.summary),
                )
            )
    return out


def _check_outcome(c: Criterion, call: _Call) -> list[Citation] | None:
    outcome = call.transcript.outcome
    if outcome is None:
        return None
    if outcome not in (c.outcomes or ()):
        return []
    at = call.last_turn
    turn = call.turns_by_index.get(at)
    why = _label(c, f"the call ended {outcome.value.replace('_', ' ')}")
    return [_turn_cite(at, c.points, why, turn)]


CRITERIA: dict[str, CriterionCheck] = {
    "tag": _check_tag,
    "tag_order": _check_tag_order,
    "steady_reply": _check_steady,
    "asked_again": _check_asked_again,
    "key_facts_reflected": _check_key_facts,
    "facts_uncovered": _check_uncovered,
    "required_actions": _check_actions,
    "timeline_given": _check_timeline,
    "forbidden_promises": _check_promises,
    "escalation": _check_escalation,
    "handover_summary": _check_handover,
    "wrap_up_notes": _check_notes,
    "outcome": _check_outcome,
}


# ---------------------------------------------------------------------------------------------
# Flags


def _raise_flag(fid: str, flag: Flag, call: _Call) -> RaisedFlag | None:
    turns: list[Turn] = []
    if flag.kind == "tag":
        turns = [r for r in call.replies if flag.tag in r.tags]
    elif flag.kind == "forbidden_promise":
        turns = [r for r, _ in _promises(call, flag.threshold or 85)]
    elif flag.kind == "escalation_missed":
        if call.escalation_required and not call.escalated:
            at = call.demand_turn if call.demand_turn is not None else call.last_reply
            turns = [call.turns_by_index[at]] if at in call.turns_by_index else []
    elif flag.kind == "passed_off":
        if call.passed_off and call.escalation_turn is not None:
            turns = [call.turns_by_index[call.escalation_turn]]
    elif flag.kind == "outcome":
        if call.transcript.outcome in (flag.outcomes or ()) and call.transcript.turns:
            turns = [call.transcript.turns[-1]]
    if not turns:
        return None
    first = turns[0]
    return RaisedFlag(
        id=fid,
        message=flag.message,
        cap=round(flag.cap),
        turn=first.index,
        quote=_quote(first.text),
        quote_by=first.speaker,
        try_=flag.try_,
        turns=tuple(t.index for t in turns),
    )


# ---------------------------------------------------------------------------------------------
# KPIs


def satisfaction_estimate(final_mood: float, outcome: Outcome | None) -> int:
    """A 1-5 CSAT-like estimate from the customer's final mood (see SATISFACTION_BANDS)."""
    if outcome == Outcome.hung_up:
        return 1
    for upper, csat in SATISFACTION_BANDS:
        if final_mood <= upper:
            return csat
    return 1


def first_contact_resolution(
    outcome: Outcome | None, escalation_required: bool, passed_off: bool = False
) -> bool:
    """Resolved on this call, or escalated where escalation was the right result.

    A hand-over that passed the customer off (too early) is not a resolution even when an
    escalation was due.
    """
    if outcome == Outcome.resolved:
        return True
    return outcome == Outcome.escalated and escalation_required and not passed_off


def compute_kpis(call: _Call) -> KPIs:
    t = call.transcript
    target = t.target_seconds or (call.scenario.target_seconds if call.scenario else 0)
    questions = [r for r in call.replies if {"open_question", "closed_question"} & set(r.tags)]
    open_q = [r for r in questions if "open_question" in r.tags]
    reflections = [r for r in call.replies if "reflection" in r.tags]
    return KPIs(
        handling_seconds=round(t.duration_seconds, 1),
        target_seconds=target,
        handling_vs_target=round(t.duration_seconds / target, 2) if target else None,
        within_target=t.duration_seconds <= target if target else None,
        outcome=t.outcome.value if t.outcome else None,
        first_contact_resolution=first_contact_resolution(
            t.outcome, call.escalation_required, call.passed_off
        ),
        escalation_required=call.escalation_required,
        opening_mood=round(t.opening_mood, 2),
        final_mood=round(t.final_mood, 2),
        satisfaction_estimate=satisfaction_estimate(t.final_mood, t.outcome),
        replies=len(call.replies),
        questions=len(questions),
        open_questions=len(open_q),
        reflections=len(reflections),
        reflections_per_question=(
            round(len(reflections) / len(questions), 2) if questions else None
        ),
        open_question_share=round(len(open_q) / len(questions), 2) if questions else None,
        hints_used=t.hints_used,
    )


# ---------------------------------------------------------------------------------------------
# Putting it together


def _band(score: float, rubric: Rubric) -> str:
    if score >= rubric.bands.good:
        return "good"
    if score >= rubric.bands.fair:
        return "fair"
    return "poor"


def _grade_dimension(dim_id: str, dim: Dimension, call: _Call, rubric: Rubric) -> DimensionGrade:
    applied = False
    cites: list[Citation] = []
    for i, criterion in enumerate(dim.criteria):
        found = CRITERIA[criterion.kind](criterion, call)
        if found is None:
            continue
        applied = True
        for cite in found:
            try_ = cite.try_
            if cite.points < 0 and not try_:
                try_ = _fill(
                    criterion.try_,
                    timeline=_timeline_text(call),
                    fact="what the customer told you",
                    action="the checks the call needs",
                    promise="",
                    element="the missing part",
                )
            cites.append(
                Citation(
                    cite.turn,
                    cite.points,
                    cite.why,
                    cite.quote,
                    cite.quote_by,
                    cite.turns or (cite.turn,),
                    i,
                    try_ if cite.points < 0 else None,
                )
            )
    if not applied:
        return DimensionGrade(dim_id, dim.title, dim.weight, None, None, None)
    raw = dim.start + sum(c.points for c in cites)
    score = round(min(100.0, max(0.0, raw)))
    band = _band(score, rubric)
    by_turn = sorted(cites, key=lambda c: c.turn)
    return DimensionGrade(
        dim_id,
        dim.title,
        dim.weight,
        score,
        band,
        getattr(dim.anchors, band),
        tuple(c for c in by_turn if c.points > 0),
        tuple(c for c in by_turn if c.points < 0),
    )


def _feedback_text(quote: str | None, quote_by: str | None, turn: int, why: str, tip: str) -> str:
    if quote and quote_by == "trainee":
        return f"You said '{quote}'. {tip}"
    if quote and quote_by == "customer":
        return f"At turn {turn} the customer said '{quote}' - {why}. {tip}"
    return f"Turn {turn}: {why}. {tip}"


def _feedback(
    dims: Sequence[DimensionGrade], flags: Sequence[RaisedFlag], limit: int
) -> tuple[Feedback, ...]:
    """What to try instead: one tip per criterion, flagged turns first, then the costliest.

    A flag's own tip is used only where no dimension says something about that turn already:
    the dimension's tip is the more specific one.
    """
    flagged = {f.turn for f in flags}
    losses = sorted(
        ((c, d) for d in dims for c in d.lost if c.try_),
        key=lambda cd: (cd[0].turn not in flagged, cd[0].points, cd[0].turn),
    )
    out: list[Feedback] = []
    used: set[tuple[str, int]] = set()
    covered: set[int] = set()
    for cite, dim in losses:
        key = (dim.id, cite.criterion)
        if key in used:
            continue
        used.add(key)
        covered.add(cite.turn)
        text = _feedback_text(cite.quote, cite.quote_by, cite.turn, cite.why, cite.try_ or "")
        out.append(Feedback(text, cite.turn, dim.id, cite.quote))
    own = [
        Feedback(
            _feedback_text(f.quote, f.quote_by, f.turn, f.message, f.try_), f.turn, None, f.quote
        )
        for f in flags
        if f.turn not in covered
    ]
    return tuple((own + out)[:limit])


class ScenarioSource(Protocol):
    """What grading needs of a loaded scenario (the engine's LoadedScenario is one)."""

    @property
    def scenario(self) -> Scenario: ...


def grade_transcript(
    transcript: Transcript,
    loaded: ScenarioSource | None = None,
    rubric: Rubric | None = None,
) -> Grade:
    """Grade one call against a rubric (the bundled one by default).

    Without the scenario, only what the transcript itself shows is graded: the scenario's own
    expectations (key facts, required actions, timeline, promises, notes) are left out and the
    grade says so.
    """
    rubric = rubric or default_rubric()
    scenario = loaded.scenario if loaded is not None else None
    call = _Call.read(transcript, scenario)
    dims = tuple(_grade_dimension(i, d, call, rubric) for i, d in rubric.dimensions.items())
    applied = [d for d in dims if d.score is not None]
    weight = sum(d.weight for d in applied)
    uncapped = round(sum(d.score * d.weight for d in applied) / weight) if weight else 0  # type: ignore[operator]
    flags = tuple(
        f for f in (_raise_flag(fid, flag, call) for fid, flag in rubric.flags.items()) if f
    )
    cap = min((f.cap for f in flags), default=None)
    score = min(uncapped, cap) if cap is not None else uncapped
    wrap = check_wrap_up(call)
    warnings: list[str] = []
    if scenario is None:
        warnings.append(
            "graded without the scenario: its key facts, required actions, timeline, "
            "forbidden promises and wrap-up expectations were not checked"
        )
    for fid in wrap.not_revealed:
        summary = scenario.facts[fid].summary if scenario is not None else fid
        warnings.append(
            f"the wrap-up notes record '{summary}', which the customer never said and neither "
            "the account nor a tool showed in this call"
        )
    return Grade(
        call_id=transcript.call_id,
        scenario_id=transcript.scenario_id,
        rubric_id=rubric.id,
        rubric_title=rubric.title,
        score=score,
        uncapped=uncapped,
        cap=cap,
        band=_band(score, rubric),
        dimensions=dims,
        flags=flags,
        kpis=compute_kpis(call),
        feedback=_feedback(dims, flags, rubric.feedback_limit),
        wrap_up=wrap,
        scenario_checked=scenario is not None,
        warnings=tuple(warnings),
    )
