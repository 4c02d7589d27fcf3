"""Playing many calls automatically, to find what a trainer's own scripts never reach.

Each run is a seeded random walk: at every stage the explorer picks one thing to say or do from
what the stage listens for (an example phrasing of one of its intents, `anywhere` ones included),
a question from a hidden fact's `asked_by`, one of the scenario's actions, or a nonsense reply
that only a fallback can answer. Choices lean towards stages seen least, so a few hundred runs
cover a scenario. Replies are tagged by the real tagger, as `callsim run --script` does, so a
run's lines played as a script give the same call. What it reports: stages and endings never
reached; runs with no way out (after the step limit a run heads for the nearest ending on
purpose, doing what each route requires; one that still cannot end is reported with the stages
it loops through); and example phrasings the matcher takes for another intent (or for nothing)
at their own stage.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from callsim.engine.call import Call, ScenarioEngine, distances_to
from callsim.engine.inputs import example_value
from callsim.engine.loader import LoadedScenario
from callsim.engine.models import Action, Fallback, Response

#: Replies that no stage should expect: they exercise fallbacks.
NONSENSE = (
    "Purple elephants dance on the moon.",
    "Bananas are an excellent source of potassium.",
    "The quick brown fox jumps over the lazy dog.",
    "Seventeen kilometres of spaghetti.",
)
DEFAULT_STEPS = 60


def _use(name: str, action: Action) -> str:
    """A typed use of the tool, with a value it accepts when it takes one."""
    value = example_value(action)
    return f"/action {name}" + (f" {value}" if value else "")


@dataclass
class Run:
    index: int
    lines: list[str]  # as a script: replies and /action lines
    stages: list[str]  # stage after each reply (the first is the stage the run starts at)
    outcome: str | None
    looped: bool = False

    def script(self) -> str:
        end = [] if self.outcome is not None else ["/end"]
        return "\n".join([*self.lines, *end]) + "\n"


@dataclass
class Confusion:
    stage: str
    intent: str
    example: str
    matched: str | None  # None: nothing matched
    runner_up: str | None = None


@dataclass
class Report:
    scenario_id: str
    seed: int
    runs: int
    start: str
    stage_visits: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    unreached_stages: list[str] = field(default_factory=list)
    unreached_endings: list[str] = field(default_factory=list)
    loops: list[tuple[Run, list[str]]] = field(default_factory=list)  # run, stages looped
    confusions: list[Confusion] = field(default_factory=list)
    first_to: dict[str, Run] = field(default_factory=dict)  # shortest run reaching each stage

    @property
    def problems(self) -> bool:
        return bool(self.unreached_stages or self.unreached_endings or self.loops)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "seed": self.seed,
            "runs": self.runs,
            "start": self.start,
            "stage_visits": dict(self.stage_visits),
            "outcomes": dict(self.outcomes),
            "unreached_stages": self.unreached_stages,
            "unreached_endings": self.unreached_endings,
            "loops": [
                {"run": r.index, "stages": stages, "script": r.script()} for r, stages in self.loops
            ],
            "confusions": [c.__dict__ for c in self.confusions],
            "paths": {sid: r.script() for sid, r in self.first_to.items()},
        }


def _no_tags(text: str, customer: str | None = None, history: Any = ()) -> Any:
    class _Tags:
        tags: tuple[str, ...] = ()
        evidence: dict[str, str] = {}

    return _Tags()


class Explorer:
    def __init__(
        self,
        loaded: LoadedScenario,
        *,
        seed: int = 0,
        steps: int = DEFAULT_STEPS,
        tagger: Callable[..., Any] | None = None,
    ):
        from callsim.sim.session import default_tagger, engine_for

        self.loaded = loaded
        self.sc = loaded.scenario
        self.engine: ScenarioEngine = engine_for(loaded)
        self.rng = random.Random(seed)
        self.seed = seed
        self.steps = steps
        self.tagger = tagger or default_tagger()
        self.visits: Counter[str] = Counter()
        self._dist: dict[str, int] | None = None

    def table(self, sid: str) -> list[Response]:
        """What a stage listens for, in the engine's order (its own responses, then anywhere)."""
        seen: dict[str, Response] = {}
        for r in [*self.sc.stages[sid].responses, *self.sc.anywhere]:
            seen.setdefault(r.intent, r)
        return list(seen.values())

    # -- one run ------------------------------------------------------------------------------

    def _novelty(self, stage: str | None) -> float:
        """Up to 3 for a stage not seen yet, falling towards 0.1 for a well-trodden one."""
        return 0.1 + 3.0 / (1 + self.visits[stage]) if stage else 0.3

    def _choose(self, call: Call) -> str:
        sid = call.state
        options: list[tuple[float, Callable[[], str]]] = []
        done = {a.name for a in call.actions}
        table = self.table(sid)
        for r in table:
            examples = self.loaded.intent(r.intent).examples
            weight = self._novelty(r.to) if r.to and r.to != sid else 0.3
            options.append((weight, lambda ex=examples: self.rng.choice(ex)))
        hidden = [f for f in self.sc.facts if f not in call.revealed]
        if hidden:
            facts = self.sc.facts

            def ask() -> str:
                return self.rng.choice(facts[self.rng.choice(hidden)].asked_by)

            options.append((0.3, ask))
        needed = [
            a for r in table if r.requires is not None for a in r.requires.actions if a not in done
        ]
        if self.sc.actions:

            def act() -> str:
                name = self.rng.choice(needed or list(self.sc.actions))
                return _use(name, self.sc.actions[name])

            options.append((1.0 if needed else 0.1, act))
        fb = self.sc.stages[sid].fallback or Fallback()
        fb_weight = self._novelty(fb.to) if fb.to else 0.2
        options.append((fb_weight, lambda: self.rng.choice(NONSENSE)))
        weights = [w for w, _ in options]
        if call.mood >= self.sc.customer.demands_manager_at - 1:
            # Near the end of the customer's patience, inflaming replies are tried less, so
            # runs reach deep stages instead of mostly ending in a hang-up.
            table_moods = [r.mood for r in table]
            for i, mood in enumerate(table_moods):
                if mood > 0:
                    weights[i] *= 0.2
            weights[-1] *= 0.2  # nonsense: the fallback usually raises the mood
        pick = self.rng.choices(range(len(options)), weights=weights)[0]
        return options[pick][1]()

    def _towards_ending(self, call: Call) -> str:
        """The next line of a run that heads for the nearest ending: do what a route needs
        (its actions, its facts), then say one of its examples."""
        if self._dist is None:
            self._dist = _distances(self.sc)
        sid = call.state
        here = self._dist.get(sid, 10**6)
        done = {a.name for a in call.actions}
        best: tuple[int, str] | None = None
        for r in self.table(sid):
            d = self._dist.get(r.to or sid, 10**6)
            if d < here and (best is None or d < best[0]):
                best = (d, r.intent)
        fb = self.sc.stages[sid].fallback or Fallback()
        if best is None:
            return self.rng.choice(NONSENSE)  # only the fallback can lead on (or nothing can)
        if fb.to is not None and self._dist.get(fb.to, 10**6) < best[0]:
            return self.rng.choice(NONSENSE)
        response = next(r for r in self.table(sid) if r.intent == best[1])
        req = response.requires
        if req is not None:
            for a in req.actions:
                if a not in done:
                    return _use(a, self.sc.actions[a])
            for f in req.facts:
                if f not in call.revealed:
                    return self.rng.choice(self.sc.facts[f].asked_by)
        return self.rng.choice(self.loaded.intent(response.intent).examples)

    def play(self, index: int, start: str | None = None) -> Run:
        call = self.engine.new_call(start=start)
        stages = [call.state]
        self.visits[call.state] += 1
        customer: list[str] = [self.engine.opening(call)]
        lines: list[str] = []

        def say(line: str) -> bool:
            """Play one line (a reply or an /action); True when it was a reply."""
            lines.append(line)
            if line.startswith("/action "):
                name, _, arg = line[len("/action ") :].partition(" ")
                self.engine.action(call, name, arg or None)
                return False
            tagged = self.tagger(line, customer[-1] if customer else None, customer[:-1])
            step = self.engine.reply(call, line, frozenset(tagged.tags))
            customer.extend(step.customer_lines)
            stages.append(call.state)
            self.visits[call.state] += 1
            return True

        try:
            replies = 0
            while replies < self.steps and len(lines) < 3 * self.steps and not call.ended:
                replies += say(self._choose(call))
            if not call.ended:  # wandering is not a trap: head for an ending on purpose
                replies = 0
                while not call.ended and replies < self.steps and len(lines) < 6 * self.steps:
                    replies += say(self._towards_ending(call))
            looped = not call.ended
            outcome = call.outcome.value if call.outcome is not None else None
        finally:
            self.engine.release(call)
        return Run(index, lines, stages, outcome, looped)


def _distances(sc: Any) -> dict[str, int]:
    """Replies needed from each stage to an ending, following every route in the graph."""
    return distances_to(sc, [sid for sid, st in sc.stages.items() if st.ending is not None])


def _loop(stages: list[str]) -> list[str]:
    """The stages a run that never ended kept going round, in order of first appearance."""
    tail = stages[-20:]
    return list(dict.fromkeys(tail))


def confusions(loaded: LoadedScenario) -> list[Confusion]:
    """Example phrasings that the stage's own matcher takes for another intent, or for none."""
    from callsim.sim.session import engine_for

    engine = engine_for(loaded)
    sc = loaded.scenario
    out: list[Confusion] = []
    seen: set[tuple[str, str, str | None]] = set()
    for sid, stage in sc.stages.items():
        if stage.ending is not None:
            continue
        matcher = engine._matchers[sid]
        for name in matcher.intent_names:
            for example in loaded.intent(name).examples:
                m = matcher.match(example)
                if m.intent == name:
                    continue
                rival = m.runner_up
                for other in matcher.intent_names:  # Match names the runner-up, not the best
                    if other != name and m.example in loaded.intent(other).examples:
                        rival = other
                key = (name, example, m.intent or rival)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Confusion(sid, name, example, m.intent, rival))
    return out


def explore(
    loaded: LoadedScenario,
    *,
    seed: int = 0,
    runs: int = 200,
    start: str | None = None,
    steps: int = DEFAULT_STEPS,
    tagger: Callable[..., Any] | None = None,
) -> Report:
    """Play `runs` seeded random calls and say what they never reached."""
    sc = loaded.scenario
    ex = Explorer(loaded, seed=seed, steps=steps, tagger=tagger)
    first = start or sc.start
    report = Report(sc.id, seed, runs, first)
    for i in range(runs):
        run = ex.play(i, start=start)
        report.outcomes[run.outcome or "(no ending)"] += 1
        for s in dict.fromkeys(run.stages):
            report.stage_visits[s] += 1
            known = report.first_to.get(s)
            if s in sc.stages and (known is None or len(run.lines) < len(known.lines)):
                report.first_to[s] = run
        if run.looped:
            report.loops.append((run, _loop(run.stages)))
    report.unreached_stages = [s for s in sc.stages if s not in report.stage_visits]
    report.unreached_endings = [
        s for s, st in sc.stages.items() if st.ending is not None and s not in report.stage_visits
    ]
    report.confusions = confusions(loaded)
    return report
