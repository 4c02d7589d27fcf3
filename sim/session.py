"""One call as the trainee takes it: the object the app, the line mode and scripts all drive.

It joins the engine (stages, mood, facts, actions) with grading (behaviour tags on every reply)
and records each turn as it happens, so a store can save it turn by turn and a mentor can read
exactly what was said. Nothing here draws anything.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, Protocol

from callsim.engine.call import (
    ActionUse,
    Call,
    CallError,
    MoodChange,
    ScenarioEngine,
    StepResult,
)
from callsim.engine.loader import LoadedScenario
from callsim.engine.models import Outcome
from callsim.engine.models import outcome_words as outcome_words  # the app's wording too
from callsim.engine.transcript import MAX_TEXT, Transcript, Turn
from callsim.sim.slash import Refused, parse, perform

if TYPE_CHECKING:  # grading is imported when a call is graded, not when it starts
    from callsim.grading.grader import Grade
    from callsim.sim.coaching import MoodNote

Mode = Literal["practice", "assessment"]
#: The customer's mood in words (`CallSession.mood_level`).
MoodLevel = Literal["calm", "upset", "angry"]


class TagsLike(Protocol):
    tags: Sequence[str]
    evidence: dict[str, str]


Tagger = Callable[..., TagsLike]
TurnListener = Callable[[Turn], None]


#: How a finished call is graded: `grading.grader.grade_transcript`'s shape.
Grader = Callable[[Transcript, LoadedScenario], "Grade"]


class Recorder(Protocol):
    """Where a call is saved: each turn as it is said, then the finished call with its grade.

    The store's `CallRecorder` is one. `save` says whether the record was written (a failure
    is the recorder's to report: the call itself never stops for it). A recorder may also offer
    `batch()`, a context manager: the turns of one reply (the trainee's and the customer's
    answer) are recorded inside it, to be saved together.
    """

    def __call__(self, turn: Turn) -> None: ...

    def save(self, transcript: Transcript, grade: Grade | None = None) -> bool: ...


_TOO_LONG = {
    "reply": "The reply is {n:,} characters long; a reply can be at most {limit:,}. It was not "
    "sent: shorten it and send it again.",
    "notes": "The notes are {n:,} characters long; notes can be at most {limit:,}. They were not "
    "kept: shorten them and try again.",
    "detail": "The detail for the tool is {n:,} characters long; it can be at most {limit:,}. "
    "The tool was not used: shorten it and try again.",
}


def text_problem(text: str, kind: str = "reply", limit: int = MAX_TEXT) -> str | None:
    """Why `text` cannot enter a call (it is longer than the transcript holds), else None.

    Checked where text enters, before the tagger, the engine or the store read it, so an
    over-long paste is refused with this message instead of failing (or taking minutes) deep
    inside. `kind` is "reply", "notes" or "detail" (an action's argument).
    """
    if len(text) <= limit:
        return None
    return _TOO_LONG[kind].format(n=len(text), limit=limit)


def _refuse_long(text: str, kind: str, limit: int = MAX_TEXT) -> None:
    problem = text_problem(text, kind, limit)
    if problem is not None:
        raise CallError(problem)


def default_grader() -> Grader:
    """The bundled rubric's grader, or config.toml's rubric's when one is set and loads (a
    rubric with errors was said when the call started; the bundled one grades instead)."""
    from callsim.grading.grader import grade_transcript
    from callsim.sim.config import configured_rubric

    rubric, _ = configured_rubric()
    if rubric is None:
        return grade_transcript
    from functools import partial

    return partial(grade_transcript, rubric=rubric)


def default_tagger() -> Tagger:
    from callsim.grading.tagger import tag_reply

    return tag_reply


class Clock(Protocol):
    def __call__(self) -> float: ...


class SimulatedClock:
    """Time for scripted calls: advances by how long speaking and typing would take.

    Lets a script's handling time mean something (and stay the same on every run).
    """

    WORDS_PER_SECOND = 2.5
    PAUSE = 2.0

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def spend(self, text: str) -> None:
        self.now += self.PAUSE + len(text.split()) / self.WORDS_PER_SECOND


_ENGINES: OrderedDict[int, tuple[LoadedScenario, ScenarioEngine]] = OrderedDict()
_ENGINES_KEPT = 32


def engine_for(loaded: LoadedScenario) -> ScenarioEngine:
    """One engine (machine and matchers) per loaded scenario, shared by all its calls."""
    entry = _ENGINES.get(id(loaded))
    if entry is not None and entry[0] is loaded:
        _ENGINES.move_to_end(id(loaded))
        return entry[1]
    engine = ScenarioEngine(loaded)
    _ENGINES[id(loaded)] = (loaded, engine)
    while len(_ENGINES) > _ENGINES_KEPT:
        _ENGINES.popitem(last=False)
    return engine


class CallSession:
    """One call: say, act, hint, end, wrap up; every turn recorded as it happens."""

    def __init__(
        self,
        loaded: LoadedScenario,
        *,
        trainee: str | None = None,
        mode: Mode = "practice",
        tagger: Tagger | None = None,
        clock: Clock | None = None,
        call_id: str | None = None,
        listeners: Iterable[TurnListener] = (),
        started_at: str | None = None,
        recorder: Recorder | None = None,
    ):
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.engine = engine_for(loaded)
        self.tagger = tagger or default_tagger()
        self.clock: Clock = clock or time.monotonic
        self._t0 = self.clock()
        self.mode: Mode = mode
        self.trainee = trainee
        self.call_id = call_id or uuid.uuid4().hex
        self.started_at = started_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.ended_at: str | None = None
        self.listeners = list(listeners)
        #: Saves the call turn by turn and, in `finish`, the whole graded call.
        self.recorder = recorder
        self.grade: Grade | None = None
        #: After `finish`: whether the recorder saved the graded call (None without a recorder).
        self.saved: bool | None = None
        self.turns: list[Turn] = []
        #: The engine's causes of each reply's mood change, by the reply's turn index.
        self._mood_changes: dict[int, tuple[MoodChange, ...]] = {}
        self.wrap_up: str | None = None
        self.hints_used = 0
        self._hint_pending = False
        self.call: Call = self.engine.new_call()
        self._say_customer(self.engine.opening(self.call), self.call.mood)

    # -- state a screen shows -----------------------------------------------------------------

    @property
    def mood(self) -> float:
        return self.call.mood

    @property
    def stage(self) -> str:
        return self.call.state

    @property
    def ended(self) -> bool:
        return self.call.ended

    @property
    def outcome(self) -> Outcome | None:
        return self.call.outcome

    @property
    def elapsed(self) -> float:
        return max(0.0, self.clock() - self._t0)

    @property
    def revealed(self) -> list[str]:
        return list(self.call.revealed)

    @property
    def manager_demanded(self) -> bool:
        return self.call.manager_demanded

    @property
    def mood_level(self) -> MoodLevel:
        """How the customer feels, in words a meter can colour by: "angry" from the point where
        they demand a manager (the scenario's `demands_manager_at`), "calm" at half of it or
        below, "upset" between."""
        manager_at = self.scenario.customer.demands_manager_at
        if self.mood >= manager_at:
            return "angry"
        return "calm" if self.mood <= manager_at / 2 else "upset"

    @property
    def last_mood_change(self) -> float:
        """How far the latest reply or action moved the mood (positive: more frustrated)."""
        for turn in reversed(self.turns):
            if turn.mood_before is not None and turn.mood_after is not None:
                return round(turn.mood_after - turn.mood_before, 3)
        return 0.0

    def mood_note(self, turn: Turn) -> MoodNote | None:
        """Why the customer's mood moved after this reply, for practice-mode coaching (None for
        a turn that is not a reply played in this session)."""
        changes = self._mood_changes.get(turn.index)
        if changes is None or turn.mood_before is None or turn.mood_after is None:
            return None
        from callsim.sim.coaching import mood_note

        return mood_note(self.loaded, changes, turn.mood_before, turn.mood_after)

    # -- recording ----------------------------------------------------------------------------

    def _record(self, **fields: Any) -> Turn:
        turn = Turn(index=len(self.turns), at=round(self.elapsed, 2), **fields)
        self.turns.append(turn)
        for listener in self.listeners:
            listener(turn)
        if self.recorder is not None:
            self.recorder(turn)
        return turn

    def _say_customer(self, text: str, mood: float) -> Turn:
        if isinstance(self.clock, SimulatedClock):
            self.clock.spend(text)
        return self._record(speaker="customer", text=text, stage=self.call.state, mood_after=mood)

    # -- what the trainee does ----------------------------------------------------------------

    def say(self, text: str) -> list[Turn]:
        """The trainee's reply; returns it and the customer's answer as turns.

        A reply over `MAX_TEXT` characters is refused (CallError, nothing recorded).
        """
        if self.ended:
            raise CallError("the call has ended")
        _refuse_long(text, "reply")
        if isinstance(self.clock, SimulatedClock):
            self.clock.spend(text)
        customer_line = self._last_customer_line()
        history = [t.text for t in self.turns if t.speaker == "customer"]
        tagged = self.tagger(text, customer_line, history[:-1])
        tags = tuple(tagged.tags)
        stage = self.engine.stage(self.call)
        handover = bool(stage and stage.handover)
        step: StepResult = self.engine.reply(self.call, text, frozenset(tags))
        batch = getattr(self.recorder, "batch", None)
        with batch() if batch is not None else nullcontext():  # one reply: saved as one
            out = self._record_step(step, text, tags, tagged, handover)
        if self.ended:
            self._finish()
        return out

    def _record_step(
        self, step: StepResult, text: str, tags: tuple[str, ...], tagged: TagsLike, handover: bool
    ) -> list[Turn]:
        out = [
            self._record(
                speaker="trainee",
                text=text,
                stage=step.stage_before,
                stage_after=step.stage_after,
                mood_before=step.mood_before,
                mood_after=step.mood_after,
                intent=step.intent,
                score=step.score,
                tags=list(tags),
                evidence=dict(tagged.evidence),
                fact_asked=step.fact_asked,
                revealed=list(step.revealed),
                handover=handover,
                hint_used=self._hint_pending,
            )
        ]
        self._hint_pending = False
        self._mood_changes[out[0].index] = step.mood_changes
        for line in step.customer_lines:
            out.append(self._say_customer(line, step.mood_after))
        return out

    def act(self, name: str, arg: str | None = None) -> Turn:
        """Use one of the scenario's tools. The engine checks `arg` against the tool's choices
        or range (CallError saying what it takes) and records it as accepted."""
        if arg is not None:  # recorded as "LABEL (ARG)"
            action = self.scenario.actions.get(name)
            _refuse_long(arg, "detail", MAX_TEXT - len(action.label if action else name) - 3)
        use: ActionUse = self.engine.action(self.call, name, arg)
        text = use.label + (f" ({use.arg})" if use.arg else "")
        return self._record(
            speaker="action",
            text=text,
            stage=use.stage,
            mood_before=use.mood_before,
            mood_after=use.mood_after,
            action=name,
            arg=use.arg,
            result=use.result,
            revealed=list(use.revealed),
        )

    def hint(self) -> str | None:
        """An example of what the stage expects. Off in assessment mode; counted in practice."""
        if self.mode == "assessment" or self.ended:
            return None
        hints = self.engine.hints(self.call, limit=1)
        if not hints:
            return None
        self.hints_used += 1
        self._hint_pending = True
        return hints[0]

    def end(self) -> Outcome:
        """The trainee ends the call (an open call ends unresolved)."""
        outcome = self.engine.end(self.call)
        self._finish()
        return outcome

    def _finish(self) -> None:
        if self.ended_at is None:
            self.ended_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self._duration = self.elapsed
            self.engine.release(self.call)

    def write_notes(self, notes: str) -> None:
        """The wrap-up notes, written after the call (over `MAX_TEXT`: CallError, not kept)."""
        _refuse_long(notes, "notes")
        self.wrap_up = notes

    def finish(self, notes: str | None = None, grader: Grader | None = None) -> Grade:
        """End the call (if still open), keep the notes, grade it, and save it all.

        The one way a call ends for the app, line mode, scripts and resume, so a call is never
        left saved without its end time, notes or grade because of who drove it. The ended call
        and its notes are saved before grading (slow, and it could fail), then again with the
        grade. Safe to run off the UI thread: nothing here draws anything.
        """
        if not self.ended:
            self.end()
        if notes is not None:
            self.write_notes(notes)
        transcript = self.transcript()
        if self.recorder is not None:
            self.saved = self.recorder.save(transcript)
        grade = (grader or default_grader())(transcript, self.loaded)
        self.grade = grade
        if self.recorder is not None:
            self.saved = self.recorder.save(transcript, grade)
        return grade

    def warm(self) -> None:
        """Prepare what the first reply would otherwise wait for (safe off the UI thread)."""
        self.engine.warm()

    def _last_customer_line(self) -> str | None:
        for t in reversed(self.turns):
            if t.speaker == "customer":
                return t.text
        return None

    # -- the record ---------------------------------------------------------------------------

    def transcript(self) -> Transcript:
        sc = self.scenario
        duration = getattr(self, "_duration", self.elapsed)
        return Transcript(
            call_id=self.call_id,
            scenario_id=sc.id,
            scenario_version=sc.version,
            scenario_title=sc.title,
            scenario_hash=self.loaded.content_hash,
            scenario_path=self.loaded.path,
            trainee=self.trainee,
            mode=self.mode,
            started_at=self.started_at,
            ended_at=self.ended_at,
            duration_seconds=round(duration, 2),
            target_seconds=sc.target_seconds,
            outcome=self.call.outcome,
            opening_mood=float(sc.customer.mood),
            final_mood=self.call.mood,
            revealed=list(self.call.revealed),
            actions=[a.name for a in self.call.actions],
            manager_demanded=self.call.manager_demanded,
            escalated=self.call.escalated,
            hints_used=self.hints_used,
            wrap_up=self.wrap_up,
            turns=list(self.turns),
        )


def play_script(
    session: CallSession, lines: Iterable[str], *, on_turn: Callable[[Turn], None] | None = None
) -> list[str]:
    """Play trainee lines (replies and slash commands) headlessly; returns problems met.

    A line that cannot be played (an unknown action, a reply after the call ended) is reported
    and skipped rather than stopping the script, so a trainer sees every problem at once.
    """
    problems: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cmd = parse(line)
        if cmd is None:
            if session.ended:
                problems.append(f"line {number}: the call has already ended; reply ignored")
                continue
            try:
                session.say(line.strip())
            except CallError as exc:
                problems.append(f"line {number}: {exc}")
            continue
        try:
            result = perform(session, cmd)  # what a command shows has no reader in a script
        except CallError as exc:  # /notes longer than a call holds
            problems.append(f"line {number}: {exc}")
            continue
        if isinstance(result, Refused):
            problems.append(f"line {number}: {result.message}")
    if not session.ended:
        session.end()
    return problems


def replay(
    loaded: LoadedScenario,
    transcript: Transcript,
    upto_turn: int,
    **session_kwargs: Any,
) -> CallSession:
    """A new call that replays a transcript's replies and actions made before turn `upto_turn`.

    Rewinding is replaying, not undoing: the engine is deterministic, so the same replies and
    actions bring the customer back to the same stage, mood and facts, and the trainee picks up
    from there with a fresh record. Hints taken before a replayed reply are taken again (they
    still count), and each replayed turn keeps the time it was said at.
    """
    if transcript.scenario_id != loaded.scenario.id:
        raise CallError(
            f"the transcript is of scenario '{transcript.scenario_id}', not '{loaded.scenario.id}'"
        )
    session_kwargs.setdefault("mode", transcript.mode)
    session_kwargs.setdefault("trainee", transcript.trainee)
    session = CallSession(loaded, **session_kwargs)
    for turn in transcript.turns:
        if turn.index >= upto_turn or session.ended:
            break
        if turn.speaker not in ("trainee", "action"):
            continue
        session._t0 = session.clock() - turn.at  # keep the original handling time so far
        if turn.speaker == "trainee":
            if turn.hint_used:
                session.hint()
            session.say(turn.text)
        elif turn.action is not None:
            session.act(turn.action, turn.arg)
    return session
