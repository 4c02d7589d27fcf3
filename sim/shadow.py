"""Shadowing: listen to a model call, with the customer's mood and what each advisor reply earned.

A model call is the scenario's good test case (`<scenario>.tests.yaml`, the case a trainer wrote
to show the call handled well), played exactly as `callsim test` plays it (a `CallSession` with
the simulated clock, the tagger, the rubric's grader: `scenario_tests.play_case`), or a saved
call a mentor marked as an example of the scenario (sim/store_training.py), read back with its
stored grade. Either way it becomes a `ModelCall`: the turns, the mood after each, and beside
each advisor reply the behaviours heard and the rubric points it earned or lost. `callsim
shadow` prints or paces it; the app's shadow screen plays it. Nothing here draws anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from callsim.engine.transcript import Transcript

if TYPE_CHECKING:
    from callsim.engine.loader import LoadedScenario
    from callsim.grading.grader import Grade

#: The case a bundled scenario's test file uses for the call handled well.
GOOD_CASE = "good-advisor"
#: Reading pace: words a second, and the shortest pause on a turn.
WORDS_PER_SECOND = 3.5
MIN_PAUSE = 1.5


class ShadowError(Exception):
    """No model call to play (said the way a user can act on it)."""


@dataclass(frozen=True)
class Source:
    """One model call on offer: a test case of the scenario, or a call marked as an example."""

    kind: Literal["case", "example"]
    id: str  # the case id, or the saved call's full id
    label: str


@dataclass(frozen=True)
class Points:
    dimension: str  # the rubric dimension's title
    points: float


@dataclass(frozen=True)
class ShadowTurn:
    index: int
    speaker: str  # "customer", "trainee" (the advisor), "action"
    text: str
    result: str | None
    mood: float | None  # the customer's frustration after this turn, 0-10
    mood_before: float | None
    tags: tuple[str, ...] = ()
    points: tuple[Points, ...] = ()
    flags: tuple[str, ...] = ()  # critical flags this turn raised (a model call has none, ideally)

    @property
    def pause(self) -> float:
        """Seconds to read it at reading pace."""
        return max(MIN_PAUSE, len(self.text.split()) / WORDS_PER_SECOND)


@dataclass(frozen=True)
class ModelCall:
    scenario_id: str
    title: str
    customer: str
    source: Source
    score: int | None
    band: str | None
    outcome: str | None
    turns: tuple[ShadowTurn, ...]
    wrap_up: str | None


def good_case(loaded: LoadedScenario) -> str | None:
    """The scenario's model call among its test cases: `good-advisor`, else the case expected
    to score highest (by its `score.min`), else None (no test file, or it has errors)."""
    from callsim.sim.scenario_tests import TestFileError, load_tests, tests_path_for

    if not loaded.path:
        return None
    path = tests_path_for(Path(loaded.path))
    if not path.is_file():
        return None
    try:
        cases = load_tests(path).tests.cases
    except TestFileError:
        return None
    if GOOD_CASE in cases:
        return GOOD_CASE
    scored = [(c.expect.score.min, cid) for cid, c in cases.items() if c.expect.score]
    scored = [(low, cid) for low, cid in scored if low is not None]
    return max(scored)[1] if scored else None


def sources(loaded: LoadedScenario, store: Any = None) -> list[Source]:
    """What there is to shadow for a scenario: its good test case, then the calls mentors marked
    as examples of it (newest mark first)."""
    out: list[Source] = []
    case = good_case(loaded)
    if case is not None:
        out.append(Source("case", case, f"The scenario's model call ({case})"))
    if store is not None:
        from callsim.sim.store_training import examples

        for e in examples(store, loaded.scenario.id):
            who = e.trainee or "no trainee"
            by = f", chosen by {e.marked_by}" if e.marked_by else ""
            score = f", {e.score:g}/100" if e.score is not None else ""
            out.append(
                Source(
                    "example",
                    e.call_id,
                    f"Example call {e.call_id[:8]} ({who}, {e.started_at[:10]}{score}{by})",
                )
            )
    return out


def points_by_turn(grade: Grade | None) -> tuple[dict[int, list[Points]], dict[int, list[str]]]:
    """Per turn, the points it earned or lost on each dimension (a turn cited twice on one
    dimension: one sum), and the critical flags it raised."""
    points: dict[int, dict[str, float]] = {}
    flags: dict[int, list[str]] = {}
    if grade is None:
        return {}, {}
    for dim in grade.dimensions:
        for cite in (*dim.earned, *dim.lost):
            for turn in cite.turns or (cite.turn,):
                by_dim = points.setdefault(turn, {})
                title = dim.title or dim.id
                by_dim[title] = by_dim.get(title, 0) + cite.points
    for flag in grade.flags:
        for turn in flag.turns or (flag.turn,):
            flags.setdefault(turn, []).append(flag.message)
    return (
        {t: [Points(d, round(p, 2)) for d, p in dims.items() if p] for t, dims in points.items()},
        flags,
    )


def from_transcript(
    loaded: LoadedScenario, transcript: Transcript, grade: Grade | None, source: Source
) -> ModelCall:
    """A played or saved call as a model call to shadow."""
    points, flags = points_by_turn(grade)
    turns = []
    mood: float | None = transcript.opening_mood
    for t in transcript.turns:
        if t.mood_after is not None:
            mood = t.mood_after
        advisor = t.speaker == "trainee"
        turns.append(
            ShadowTurn(
                index=t.index,
                speaker=t.speaker,
                text=t.text,
                result=t.result,
                mood=mood,
                mood_before=t.mood_before,
                tags=tuple(t.tags) if advisor else (),
                points=tuple(points.get(t.index, ())) if advisor else (),
                flags=tuple(flags.get(t.index, ())),
            )
        )
    sc = loaded.scenario
    return ModelCall(
        scenario_id=sc.id,
        title=sc.title,
        customer=sc.customer.name,
        source=source,
        score=grade.score if grade is not None else None,
        band=grade.band if grade is not None else None,
        outcome=transcript.outcome.value if transcript.outcome else None,
        turns=tuple(turns),
        wrap_up=transcript.wrap_up,
    )


def model_call(
    loaded: LoadedScenario,
    source: Source | None = None,
    *,
    store: Any = None,
    tagger: Callable[..., Any] | None = None,
) -> ModelCall:
    """Play (a test case) or read (an example call) the model call; the good case by default.

    Raises ShadowError when there is none, or the example is of another scenario.
    """
    if source is None:
        found = sources(loaded, store)
        if not found:
            raise ShadowError(no_model_call(loaded))
        source = found[0]
    if source.kind == "example":
        if store is None:
            raise ShadowError("example calls are in the store: open one to shadow them")
        transcript = store.transcript(source.id)
        if transcript.scenario_id != loaded.scenario.id:
            raise ShadowError(
                f"call {source.id[:8]} is of scenario '{transcript.scenario_id}', "
                f"not '{loaded.scenario.id}'"
            )
        return from_transcript(loaded, transcript, store.grade(source.id), source)
    from callsim.sim.scenario_tests import TestFileError, load_tests, play_case, tests_path_for

    try:
        cases = load_tests(tests_path_for(Path(loaded.path))).tests.cases
    except (TestFileError, OSError) as exc:
        raise ShadowError(f"the scenario's test file cannot be read: {exc}") from None
    if source.id not in cases:
        raise ShadowError(f"no test case '{source.id}' (the cases are: {', '.join(cases)})")
    session, grade, _problems = play_case(loaded, cases[source.id], tagger=tagger)
    return from_transcript(loaded, session.transcript(), grade, source)


def no_model_call(loaded: LoadedScenario) -> str:
    return (
        f"'{loaded.scenario.id}' has no model call to shadow: its test file has no "
        f"'{GOOD_CASE}' case, and no mentor has marked a call of it as an example "
        "('callsim example mark ID')"
    )


def find_source(loaded: LoadedScenario, wanted: str, store: Any = None) -> Source:
    """A test case by id, or a call marked as an example of this scenario by (the start of) its
    id; ShadowError listing what there is otherwise."""
    from callsim.sim.scenario_tests import TestFileError, load_tests, tests_path_for

    cases: list[str] = []
    if loaded.path:
        path = tests_path_for(Path(loaded.path))
        if path.is_file():
            try:
                cases = list(load_tests(path).tests.cases)
            except TestFileError:
                cases = []
    if wanted in cases:
        label = "The scenario's model call" if wanted == good_case(loaded) else "Test case"
        return Source("case", wanted, f"{label} ({wanted})")
    offered = [s for s in sources(loaded, store) if s.kind == "example"]
    matches = [s for s in offered if s.id.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join([*cases, *(s.id[:8] for s in offered)]) or "none"
    raise ShadowError(
        f"'{loaded.scenario.id}' has no test case or example call '{wanted}' (there are: {known})"
    )


# -- as plain text -----------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:+g}"


def heading(call: ModelCall) -> list[str]:
    graded = f"{call.score}/100 ({call.band})" if call.score is not None else "not graded"
    from callsim.engine.models import Outcome, outcome_words

    ended = outcome_words(Outcome(call.outcome) if call.outcome else None)
    return [
        f"Model call: {call.title} ({call.scenario_id})",
        f"{call.source.label} · {graded} · {ended}",
        "",
    ]


def turn_lines(call: ModelCall, turn: ShadowTurn) -> list[str]:
    """One turn as plain lines: who and what, the mood, and for an advisor reply what it shows
    and earns."""
    mood = f" (mood {turn.mood:.1f}/10)" if turn.mood is not None else ""
    if turn.speaker == "customer":
        return [f"{call.customer}{mood}: {turn.text}"]
    if turn.speaker == "action":
        result = f" -> {turn.result}" if turn.result else ""
        return [f"Action: {turn.text}{result}"]
    out = [f"Advisor: {turn.text}"]
    behaviours = ", ".join(t.replace("_", " ") for t in turn.tags) or "none heard"
    out.append(f"    behaviours: {behaviours}")
    if turn.points:
        out.append(
            "    points: " + ", ".join(f"{p.dimension} {_number(p.points)}" for p in turn.points)
        )
    if turn.mood_before is not None and turn.mood is not None:
        out.append(f"    mood {turn.mood_before:.1f} -> {turn.mood:.1f}")
    out += [f"    critical flag: {f}" for f in turn.flags]
    return out


def ending(call: ModelCall) -> list[str]:
    return ["", "Wrap-up notes:", call.wrap_up or "  (none)"]


def as_text(call: ModelCall) -> list[str]:
    """The whole model call as plain lines (not yet made terminal-safe)."""
    out = heading(call)
    for turn in call.turns:
        out += turn_lines(call, turn)
    return out + ending(call)
