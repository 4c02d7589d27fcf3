"""Playing a scenario: the call state machine, the customer's mood, facts and actions.

One `transitions` machine is built per scenario (auto transitions off, no callback strings: a
trainer's text never reaches transitions' name resolution); each call joins it as a model and
leaves it when it ends. Everything here is deterministic: the same replies, tags and actions
give the same call, which is what makes replays and rewinds possible.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from transitions import Machine, MachineError

from callsim.engine.inputs import InputRefused, result_text
from callsim.engine.inputs import accept as accept_input
from callsim.engine.language import (
    clauses,
    defers,
    describes_asking,
    finds_out,
    normalise,
    question_part,
    sentences,
)
from callsim.engine.loader import LoadedScenario
from callsim.engine.matching import DEFAULT_FLOOR, IntentMatcher, Match, StageMatcher
from callsim.engine.models import (
    Action,
    CustomerLines,
    Fallback,
    MoodLine,
    Outcome,
    Response,
    Scenario,
    Stage,
)

if TYPE_CHECKING:
    from callsim.engine.meaning import Reader

HUNG_UP = "(hung up)"
ENDED_BY_ADVISOR = "(ended by advisor)"

#: How behaviour tags move the mood by default (negative calms). Scenarios may override.
DEFAULT_TAG_MOOD: dict[str, float] = {
    "empathy": -1.0,
    "reflection": -0.75,
    "timeline": -0.75,
    "explain_steps": -0.5,
    "options": -0.5,
    "check_resolution": 0.0,
    "open_question": 0.0,
    "closed_question": 0.0,
    "escalation": 0.0,
    "over_promise": 0.0,
    "blame": 2.0,
}
#: Asking again for a fact the customer already gave.
ASKED_AGAIN_MOOD = 1.0
#: Uncovering a fact by a clarifying question: being listened to calms a little.
FACT_REVEALED_MOOD = -0.25
#: What the customer says to a question that plays back what they already said.
CHECKED_BACK_LINE = "Yes, that's right."


@dataclass(frozen=True)
class MoodChange:
    reason: str
    delta: float


@dataclass(frozen=True)
class ActionUse:
    name: str
    label: str
    arg: str | None
    result: str
    revealed: tuple[str, ...]
    stage: str
    mood_before: float
    mood_after: float


@dataclass(frozen=True)
class StepResult:
    """What one trainee reply did to the call."""

    customer_lines: tuple[str, ...]
    stage_before: str
    stage_after: str
    intent: str | None
    score: float
    matched_example: str | None
    runner_up: str | None
    fact_asked: str | None
    revealed: tuple[str, ...]
    mood_before: float
    mood_after: float
    mood_changes: tuple[MoodChange, ...]
    requirement_missing: bool = False
    manager_demanded: bool = False
    outcome: Outcome | None = None


@dataclass
class Call:
    """One call in progress: the model the scenario's machine drives."""

    scenario_id: str
    mood: float
    state: str = ""
    revealed: list[str] = field(default_factory=list)
    actions: list[ActionUse] = field(default_factory=list)
    tag_uses: Counter[str] = field(default_factory=Counter)
    stuck_replies: int = 0
    manager_demanded: bool = False
    escalated: bool = False
    outcome: Outcome | None = None
    replies: int = 0
    #: Facts the customer has said in this call (a tool can reveal one she never said).
    told: list[str] = field(default_factory=list)
    #: What the customer said last turn, so no line comes twice in a row word for word.
    last_lines: tuple[str, ...] = ()
    clarified: int = 0
    #: The intent the customer was unsure the last reply meant (she asked what was meant).
    unsure_of: str | None = None

    @property
    def stage(self) -> str:
        return self.state

    @property
    def ended(self) -> bool:
        return self.outcome is not None


class _CallMachine(Machine):
    """A machine that binds nothing onto its calls.

    transitions would add a method per trigger and an `is_<stage>` per stage to every call
    (or, with model_override, log a warning for each it skips: ~40 per call, most of the cost
    of starting one). The engine fires events through `machine.events` only, so calls stay
    plain records and no name built from a trainer's ids becomes an attribute.
    """

    def _checked_assignment(self, model: object, name: str, func: object) -> None:
        return None


#: Whether calls read replies for meaning (engine/meaning.py) as well as wording; False only
#: to measure the difference (bench/matching_eval.py, docs/matching.md).
READ_FOR_MEANING = True

#: A reply that scores this close under the floor is a near miss: the customer asks what the
#: trainee means, at no cost to the mood, instead of playing the stage's fallback.
NEAR_MISS_WITHIN = 8.0
#: A reply whose best intent is at least this likely (`Match.confidence`) is a near miss too,
#: however it is worded; and when the customer asked what was meant and the next reply points
#: to the same intent at least this likely again, two readings of two replies agree and it is
#: understood. Chosen on the dev phrasings: replies meant as an intent but missed have their
#: right intent in this band about 3.6 times as often as replies that mean nothing (62 and 17
#: of the dev replies left unmatched).
NEAR_MISS_CONFIDENCE = 0.2
#: A handover taken on the matcher's confidence alone needs this much of it (see
#: `Match.calibrated`); chosen on the dev phrasings.
HANDOVER_CONFIDENCE = 0.85
#: A handover said again in other words after the customer asked what was meant needs this
#: much confidence in the second saying (one saying alone needs HANDOVER_CONFIDENCE).
REPHRASED_HANDOVER_CONFIDENCE = 0.5
#: Questions for facts the customer answers in one reply, at most.
MAX_FACTS_ANSWERED = 3
#: What the customer says to a near miss, in turn.
CLARIFY_LINES = (
    "Sorry, what do you mean?",
    "Sorry, I'm not with you. What are you saying?",
    "Meaning what, exactly?",
)
#: What the customer says to a handover promised for later, at no cost.
DEFERRED_LINE = "Fine. As long as it actually happens."
#: Said before a line the customer said the turn before, word for word, with nothing else.
REPEAT_PREFIX = "Like I said: "


def _distances_to_an_ending(sc: Scenario) -> dict[str, int]:
    """Stage -> fewest steps to a resolved ending (any ending where none resolves)."""
    ends = [s for s, st in sc.stages.items() if st.ending == Outcome.resolved]
    return distances_to(sc, ends or [s for s, st in sc.stages.items() if st.ending is not None])


def distances_to(sc: Scenario, goals: Sequence[str]) -> dict[str, int]:
    """Stage -> fewest replies to reach one of `goals` (stages that cannot reach one: absent)."""
    into: dict[str, set[str]] = {sid: set() for sid in sc.stages}
    for sid, stage in sc.stages.items():
        if stage.ending is not None:  # nothing is said from an ending
            continue
        for r in (*stage.responses, *sc.anywhere):
            for to in (r.to, r.otherwise.to if r.otherwise else None):
                if to in into:
                    into[to].add(sid)
        if stage.fallback is not None and stage.fallback.to in into:
            into[stage.fallback.to].add(sid)
    distance = dict.fromkeys(goals, 0)
    queue = deque(goals)
    while queue:
        here = queue.popleft()
        for before in into[here]:
            if before not in distance:
                distance[before] = distance[here] + 1
                queue.append(before)
    return distance


def _parts(text: str) -> tuple[list[str], bool]:
    """A reply's sentences or, when it is one sentence, its clauses ("Hello, thanks for
    calling, can I take your reference?"); and whether the parts are whole sentences."""
    parts = sentences(text)
    if len(parts) > 1:
        return parts, True
    return clauses(text), False


class CallError(Exception):
    """A request the call cannot take (unknown action, call already over)."""


def plays_back(question: str, keywords: Sequence[str]) -> bool:
    """Whether a question repeats the fact's own words back (a check, not a fresh ask)."""
    low = normalise(question)
    return any(re.search(rf"(?<!\w){re.escape(normalise(k))}(?!\w)", low) for k in keywords)


def pick_line(
    lines: CustomerLines | None, mood: float, avoid: tuple[str, ...] = ()
) -> str | None:
    """The customer's line for this mood: the first variant whose range holds it, unless she
    said it last turn and has another way to say it."""
    if lines is None:
        return None
    if isinstance(lines, str):
        return lines
    fitting = [v.say for v in lines if v.min_mood <= mood <= v.max_mood]
    if fitting and fitting[0] in avoid:
        others = [v.say for v in lines if v.say not in avoid]
        if others:
            return others[0]
    if fitting:
        return fitting[0]
    nearest: MoodLine = min(
        lines, key=lambda v: min(abs(v.min_mood - mood), abs(v.max_mood - mood))
    )
    return nearest.say


class _StageMatchers(Mapping[str, StageMatcher]):
    """Each open stage's matchers, built when first asked for (or by `ScenarioEngine.warm`, off
    the UI thread): a call's screen is drawn without waiting for them and for the scenario's
    reading of replies (about 70 ms of CPU for a bundled scenario)."""

    def __init__(
        self,
        names: dict[str, tuple[list[str], list[str]]],
        build: Callable[[list[str], list[str]], StageMatcher],
    ) -> None:
        self._names = names  # stage -> (its own intents, those allowed anywhere)
        self._build = build
        self._built: dict[str, StageMatcher] = {}
        self.lock = threading.RLock()

    def __getitem__(self, stage: str) -> StageMatcher:
        found = self._built.get(stage)
        if found is None:
            own, rest = self._names[stage]  # KeyError for a stage that is not open
            with self.lock:
                found = self._built.get(stage)
                if found is None:
                    found = self._built[stage] = self._build(own, rest)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class ScenarioEngine:
    """Builds the machine and matchers for one scenario once; plays any number of calls."""

    def __init__(self, loaded: LoadedScenario, *, meaning: bool | None = None):
        """`meaning`: read replies for meaning too (default READ_FOR_MEANING)."""
        self.loaded = loaded
        self.scenario: Scenario = loaded.scenario
        sc = self.scenario
        self.tag_mood = {**DEFAULT_TAG_MOOD, **sc.mood_rules.tags}
        states = list(sc.stages)
        if HUNG_UP not in states:
            states.append(HUNG_UP)
        if ENDED_BY_ADVISOR not in states:
            states.append(ENDED_BY_ADVISOR)
        self.machine = _CallMachine(
            model=None,
            states=states,
            initial=None,
            auto_transitions=False,
            model_override=True,
            send_event=False,
        )
        self._responses: dict[str, dict[str, tuple[str, Response]]] = {}
        self._read_meaning = READ_FOR_MEANING if meaning is None else meaning
        names: dict[str, tuple[list[str], list[str]]] = {}
        open_stages = [sid for sid, st in sc.stages.items() if st.ending is None]
        for sid in open_stages:
            stage = sc.stages[sid]
            table: dict[str, tuple[str, Response]] = {}
            for i, r in enumerate(stage.responses):
                table.setdefault(r.intent, (f"reply:{sid}:{i}", r))
            for i, r in enumerate(sc.anywhere):
                table.setdefault(r.intent, (f"anywhere:{sid}:{i}", r))
            for trigger, r in table.values():
                self.machine.add_transition(trigger, sid, r.to)
                otherwise_to = r.otherwise.to if r.otherwise is not None else None
                self.machine.add_transition(f"otherwise:{trigger}", sid, otherwise_to)
            fb = stage.fallback or Fallback()
            self.machine.add_transition(f"fallback:{sid}", sid, fb.to)
            self._responses[sid] = table
            own = [n for n, (trigger, _) in table.items() if trigger.startswith("reply:")]
            rest = [n for n in table if n not in own]
            names[sid] = (own, rest)
        self._matchers = _StageMatchers(names, self._stage_matcher)
        self.machine.add_transition("hang_up", open_stages, HUNG_UP)
        self.machine.add_transition("advisor_ends", open_stages, ENDED_BY_ADVISOR)
        self._distance = _distances_to_an_ending(sc)
        self._facts: IntentMatcher | None = None

    def _reader(self) -> Reader | None:
        return self.loaded.reader if self._read_meaning else None

    def _stage_matcher(self, own: list[str], rest: list[str]) -> StageMatcher:
        loaded = self.loaded

        def matcher(names: list[str]) -> IntentMatcher:
            return IntentMatcher(
                ((n, loaded.intent(n).examples, loaded.intent(n).not_) for n in names),
                reader=self._reader(),
                asking=[n for n in names if describes_asking(loaded.intent(n).description)],
            )

        return StageMatcher(matcher(own), matcher(rest) if rest else None)

    @property
    def _fact_matcher(self) -> IntentMatcher:
        """The questions that find out the customer's facts, built at first use (see
        `_StageMatchers`)."""
        if self._facts is None:
            with self._matchers.lock:
                if self._facts is None:
                    self._facts = IntentMatcher(
                        ((fid, f.asked_by, ()) for fid, f in self.scenario.facts.items()),
                        negation=False,
                        reader=self._reader(),
                        calibrated=False,
                        points=False,
                    )
        return self._facts

    def warm(self) -> None:
        """Build the matchers and their meaning indexes now (off the UI thread) rather than at
        the first reply."""
        for matcher in self._matchers.values():
            matcher.own.warm()
            if matcher.anywhere is not None:
                matcher.anywhere.warm()
        self._fact_matcher.warm()

    # -- calls -------------------------------------------------------------------------------

    def new_call(self, start: str | None = None) -> Call:
        """A call at the scenario's start, or at `start` (a stage that is not an ending), so a
        trainer can try the middle of a scenario without playing up to it."""
        first = self.scenario.start if start is None else start
        stage = self.scenario.stages.get(first)
        if stage is None or stage.ending is not None:
            open_stages = [s for s, st in self.scenario.stages.items() if st.ending is None]
            raise CallError(
                f"cannot start at '{first}': the stages a call can start at are "
                + ", ".join(open_stages)
            )
        call = Call(scenario_id=self.scenario.id, mood=float(self.scenario.customer.mood))
        self.machine.add_model(call, initial=first)
        return call

    def release(self, call: Call) -> None:
        """Detach a finished or abandoned call from the machine (the machine outlives calls)."""
        if call in self.machine.models:
            self.machine.remove_model(call)

    def opening(self, call: Call) -> str:
        line = pick_line(self.scenario.stages[call.state].customer, call.mood)
        assert line is not None
        return line

    def stage(self, call: Call) -> Stage | None:
        return self.scenario.stages.get(call.state)

    def hints(self, call: Call, limit: int = 3) -> list[str]:
        """Example phrasings of what this stage expects, for a trainee who is stuck."""
        table = self._responses.get(call.state, {})
        out: list[str] = []
        for name in table:
            out.extend(self.loaded.intent(name).examples[:1])
        return out[:limit]

    def _trigger(self, call: Call, name: str) -> None:
        try:
            self.machine.events[name].trigger(call)
        except (KeyError, MachineError) as exc:  # a bug in the engine, not in the input
            raise CallError(f"cannot {name} from stage {call.state}") from exc

    def _mood(self, call: Call, changes: list[MoodChange], reason: str, delta: float) -> None:
        if delta:
            changes.append(MoodChange(reason, delta))
            call.mood = min(10.0, max(0.0, call.mood + delta))

    def _has(self, call: Call, response: Response) -> bool:
        req = response.requires
        if req is None:
            return True
        done = {a.name for a in call.actions}
        return all(a in done for a in req.actions) and all(f in call.revealed for f in req.facts)

    def reply(
        self, call: Call, text: str, tags: frozenset[str] | set[str] = frozenset()
    ) -> StepResult:
        """Play one trainee reply; `tags` are the behaviour tags grading found in it."""
        if call.ended:
            raise CallError("the call has ended")
        sc = self.scenario
        call.replies += 1
        stage_before = call.state
        mood_before = call.mood
        changes: list[MoodChange] = []
        lines: list[str] = []
        revealed: list[str] = []

        # Behaviour first: how it was said moves the mood whatever it matched.
        for tag in sorted(tags):
            base = self.tag_mood.get(tag, 0.0)
            if base < 0:
                base *= sc.mood_rules.repeat_decay ** call.tag_uses[tag]
            call.tag_uses[tag] += 1
            self._mood(call, changes, f"tag:{tag}", round(base, 3))

        # A clarifying question may uncover a hidden fact, at any stage. Only the reply's
        # questions can ask: a statement that plays a fact back is listening, not asking.
        asked = question_part(text)
        facts = self._facts_asked(asked) if sc.facts and asked else []
        fact_asked = facts[0] if facts else None
        checked_back = (
            len(facts) == 1
            and fact_asked in call.revealed
            and plays_back(asked, sc.facts[fact_asked].keywords)
        )
        if checked_back:  # "So it's been down since Monday?" checks, it does not ask again
            facts = []
            fact_asked = None
            lines.append(CHECKED_BACK_LINE)
        for fid in facts:  # each question the reply asks gets its answer, in order
            if fid in call.told:  # only what she said herself, in this call
                self._mood(call, changes, f"asked again:{fid}", ASKED_AGAIN_MOOD)
                if "I've already told you that." not in lines:
                    lines.append("I've already told you that.")
            else:
                if fid not in call.revealed:
                    call.revealed.append(fid)
                    revealed.append(fid)
                    self._mood(call, changes, f"fact:{fid}", FACT_REVEALED_MOOD)
                call.told.append(fid)
                lines.append(sc.facts[fid].says)

        match = self._understood(stage_before, text)
        unsure_of, call.unsure_of = call.unsure_of, None
        if (
            match.intent is None
            and unsure_of is not None
            and match.candidate == unsure_of
            and match.confidence >= NEAR_MISS_CONFIDENCE
            and not match.deferred
            and (
                match.confidence >= REPHRASED_HANDOVER_CONFIDENCE
                or not self._hands_over(stage_before, unsure_of)
            )
        ):
            # asked what they meant, the trainee said it again in other words: understood
            match = replace(match, intent=unsure_of, calibrated=True)
        entry = self._responses[stage_before].get(match.intent) if match.intent else None
        missing = False
        if entry is not None:
            trigger, response = entry
            if self._has(call, response):
                self._trigger(call, trigger)
                self._mood(call, changes, f"intent:{match.intent}", response.mood)
                said = pick_line(response.say, call.mood)
                call.stuck_replies = 0
            else:
                missing = True
                other = response.otherwise or Fallback(say="That doesn't help me yet.", mood=0.5)
                self._trigger(call, f"otherwise:{trigger}")
                self._mood(call, changes, f"not yet:{match.intent}", other.mood)
                said = pick_line(other.say, call.mood)
            if response.intent == "escalate" or (
                response.to and sc.stages[response.to].ending == Outcome.escalated
            ):
                call.escalated = True
        else:
            stage = sc.stages[stage_before]
            fb = stage.fallback or Fallback()
            near = (
                match.score >= DEFAULT_FLOOR - NEAR_MISS_WITHIN and match.example is not None
            ) or (match.candidate is not None and match.confidence >= NEAR_MISS_CONFIDENCE)
            if fact_asked is not None or checked_back:
                said = None  # a question answered is progress: no fallback, and no `to:`
            elif match.deferred:
                said = DEFERRED_LINE  # a handover promised for later: she holds them to it
            elif near and fb.to is None and call.clarified < 2:
                # unsure, not wrong: the customer asks what was meant, at no cost (a fallback
                # that moves the call on is the author saying any reply moves it on)
                said = CLARIFY_LINES[call.clarified % len(CLARIFY_LINES)]
                call.clarified += 1
                call.unsure_of = match.candidate
            else:
                call.stuck_replies += 1
                cost = fb.mood * (2 if call.stuck_replies > sc.customer.patience else 1)
                self._mood(call, changes, "no progress", cost)
                said = pick_line(fb.say, call.mood, avoid=call.last_lines)
                self._trigger(call, f"fallback:{stage_before}")
        if said:  # the customer reacts to the reply first, then answers its question
            lines.insert(0, said)

        if entry is not None:
            call.clarified = 0
        demanded = self._thresholds(call, lines)
        if call.state != stage_before and not call.ended:
            entered = pick_line(sc.stages[call.state].customer, call.mood)
            if entered:
                lines.append(entered)
        if tuple(lines) == call.last_lines and lines:  # never the same words twice running
            lines[0] = REPEAT_PREFIX + lines[0]
        call.last_lines = tuple(lines)
        self._settle(call)
        return StepResult(
            customer_lines=tuple(lines),
            stage_before=stage_before,
            stage_after=call.state,
            intent=match.intent if entry is not None else None,
            score=round(match.score, 1),
            matched_example=match.example,
            runner_up=match.runner_up,
            fact_asked=fact_asked,
            revealed=tuple(revealed),
            mood_before=mood_before,
            mood_after=call.mood,
            mood_changes=tuple(changes),
            requirement_missing=missing,
            manager_demanded=demanded,
            outcome=call.outcome,
        )

    def _facts_asked(self, asked: str) -> list[str]:
        """The facts the reply's questions ask for, in order: "what have you tried, and how is
        it affecting you?" asks two, and the customer answers both (at most three)."""
        whole = self._fact_matcher.match(asked).intent
        parts = clauses(asked)
        found: list[str] = []
        if len(parts) > 1:
            for part in parts:
                fid = self._fact_matcher.match(part).intent
                if fid is not None and fid not in found:
                    found.append(fid)
        if len(found) >= 2:
            return found[:MAX_FACTS_ANSWERED]
        if whole is not None:
            return [whole]
        return found[:1]

    def _understood(self, stage: str, text: str) -> Match:
        """What the reply means at this stage, taking the furthest step it earns.

        A reply often does two things the stage wants ("I've applied the discount and logged
        the complaint"). Two of the stage's own intents tying is not "not understood": the one
        that moves the call furthest wins. A reply of several sentences that matches nothing
        as a whole is read sentence by sentence for the stage's own intents, and again the
        furthest step wins.
        """
        matcher = self._matchers[stage]
        match = matcher.match(text)
        if (
            match.calibrated
            and match.confidence < HANDOVER_CONFIDENCE
            and self._hands_over(stage, match.intent or "")
        ):
            # a handover ends the call the scenario was built for: only on firm evidence
            match = replace(match, intent=None, candidate=match.intent, calibrated=False)
        if match.intent is not None and self._hands_over(stage, match.intent) and defers(text):
            # "I'll fetch my team leader, but let me get the details first": not a handover yet
            own = matcher.own.match(text)
            if own.intent is not None and not self._hands_over(stage, own.intent):
                return own
            return replace(match, intent=None, candidate=None, deferred=True)
        table = self._responses[stage]
        own = set(matcher.own.intent_names)
        best = match.intent or match.candidate
        if (
            best in own
            and match.runner_up in own
            and match.score >= matcher.own.floor
            and match.score - match.runner_up_score < matcher.own.margin
        ):
            pick = self._furthest(stage, [best, match.runner_up])
            return replace(match, intent=pick)
        asked = self._question_last(stage, text, match)  # "Hello, ..., can I take your...?"
        if asked.intent is not None:
            return asked
        parts, whole_sentences = _parts(text)
        if len(parts) > 1:
            # a fragment must not escalate or blame by accident: the stage's own intents only
            # ("have a look at it" is not an identity check); a clause only when it says
            # something ("a couple of, erm, things" does not) and the wording or both readings
            # accept it, not the confidence alone
            found = [
                m
                for p in parts
                if (whole_sentences or self._says_something(matcher, p))
                and (m := matcher.own.match(p)).intent in table
                and (whole_sentences or not m.calibrated)
            ]
            if found:
                pick = self._furthest(stage, [m.intent for m in found if m.intent])
                return next(m for m in found if m.intent == pick)
        return match

    def _question_last(self, stage: str, text: str, match: Match) -> Match:
        """A reply understood whole that ends on a question answers to the question: "Hello,
        thanks for calling, can I take your booking reference?" is the identity check, and
        the customer answers what the trainee asked. Not when what was said before moves the
        call on: "I've split it over three bills. Does that work?" is the split."""
        whole = self._responses[stage].get(match.intent or "")
        whole_moves = whole is not None and whole[1].to is not None
        parts, _ = _parts(text)
        if len(parts) < 2 or not (text.rstrip().endswith("?") or finds_out(parts[-1])):
            return match  # "..., and have a look at it." opens like a question but is not one
        matcher = self._matchers[stage]
        last = parts[-1]
        if not self._says_something(matcher, last):
            return match
        for m in (matcher.own.match(last), matcher.anywhere.match(last) if matcher.anywhere
                  else None):
            if (
                m is not None
                and m.intent is not None
                and m.intent != match.intent
                and m.intent in self._responses[stage]
                and not m.calibrated
                and not self._hands_over(stage, m.intent)
                and not (whole_moves and self._responses[stage][m.intent][1].to is None)
            ):
                return m
        return match

    @staticmethod
    def _says_something(matcher: StageMatcher, clause: str) -> bool:
        """Whether a clause carries two meanings or more (without a reader: three words)."""
        reader = matcher.own.reader
        if reader is None:
            return len(clause.split()) >= 3
        return len(reader.bag(clause)) >= 2

    def _hands_over(self, stage: str, intent: str) -> bool:
        """Whether this intent's response at this stage passes the call to someone else."""
        response = self._responses[stage][intent][1]
        to = self.scenario.stages.get(response.to) if response.to else None
        return intent == "escalate" or (
            to is not None and (to.handover or to.ending == Outcome.escalated)
        )

    def _furthest(self, stage: str, intents: list[str]) -> str:
        """Of these intents, the one whose response leads nearest an ending (then the first
        the stage lists)."""
        table = self._responses[stage]
        order = list(table)

        def key(intent: str) -> tuple[int, int]:
            to = table[intent][1].to
            return (self._distance.get(to or stage, 10_000), order.index(intent))

        return min(dict.fromkeys(intents), key=key)

    def _thresholds(self, call: Call, lines: list[str]) -> bool:
        """Past the customer's limits: demand a manager once, or hang up."""
        cust = self.scenario.customer
        if call.state in self.scenario.stages and self.scenario.stages[call.state].ending:
            return False
        if call.mood >= cust.hangs_up_at:
            lines.append(cust.hang_up_line)
            self._trigger(call, "hang_up")
            call.outcome = Outcome.hung_up
            return False
        if call.mood >= cust.demands_manager_at and not call.manager_demanded:
            call.manager_demanded = True
            lines.append(cust.demand_line)
            return True
        return False

    def _settle(self, call: Call) -> None:
        stage = self.scenario.stages.get(call.state)
        if stage is not None and stage.ending is not None and call.outcome is None:
            call.outcome = stage.ending
            if stage.ending == Outcome.escalated:
                call.escalated = True
        if call.ended:
            self.release(call)

    def action(self, call: Call, name: str, arg: str | None = None) -> ActionUse:
        """Use one of the scenario's tools; its result may reveal facts and move the mood.

        `arg` is checked against the tool's choices or range (CallError saying what it takes);
        the use records the value as accepted and the result quoting it.
        """
        if call.ended:
            raise CallError("the call has ended")
        action: Action | None = self.scenario.actions.get(name)
        if action is None:
            known = ", ".join(self.scenario.actions) or "none"
            raise CallError(f"no action '{name}' in this scenario (available: {known})")
        try:  # before anything moves: a refused value leaves the call as it was
            value = accept_input(action, arg)
        except InputRefused as exc:
            raise CallError(str(exc)) from None
        before = call.mood
        changes: list[MoodChange] = []
        delta = action.mood
        if delta < 0 and any(use.name == name for use in call.actions):
            delta = 0.0  # a tool used again calms nobody: only its first use does
        self._mood(call, changes, f"action:{name}", delta)
        new = tuple(f for f in action.reveals if f not in call.revealed)
        call.revealed.extend(new)
        use = ActionUse(
            name=name,
            label=action.label,
            arg=value,
            result=result_text(action, value),
            revealed=new,
            stage=call.state,
            mood_before=before,
            mood_after=call.mood,
        )
        call.actions.append(use)
        return use

    def end(self, call: Call) -> Outcome:
        """The advisor ends the call: unresolved unless it already reached an ending."""
        if not call.ended:
            self._trigger(call, "advisor_ends")
            call.outcome = Outcome.unresolved
            self.release(call)
        assert call.outcome is not None
        return call.outcome
