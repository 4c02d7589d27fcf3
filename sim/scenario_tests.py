"""Scenario test files (`<scenario>.tests.yaml`): scripted calls with expected results.

A trainer proves a scenario before a trainee sees it: a good advisor's script reaches the right
ending with a high grade, a poor advisor's a low one, and the two are far enough apart. Test
files are untrusted input like scenarios: read strictly (engine.yamlsafe), checked by models with
unknown keys forbidden, and every mistake reported at FILE:LINE:COL. Each case is played exactly
as `callsim run --script` plays it (CallSession, SimulatedClock, the real tagger) and graded
with the rubric the app uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from callsim.engine.loader import LoadedScenario, ScenarioError, load_scenario
from callsim.engine.models import Ident, Outcome
from callsim.engine.validation import validated
from callsim.engine.yamlsafe import (
    DataPath,
    FileProblems,
    Problem,
    SourceMap,
    YamlError,
    load,
    read_text,
)

TESTS_SUFFIX = ".tests.yaml"
TESTS_SUFFIXES = (".tests.yaml", ".tests.yml")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Model):
    """A number range; either end may be left open."""

    min: float | None = Field(default=None, strict=False)
    max: float | None = Field(default=None, strict=False)

    @model_validator(mode="after")
    def _shape(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be above max")
        return self

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def __str__(self) -> str:
        if self.min is not None and self.max is not None:
            return f"between {_num(self.min)} and {_num(self.max)}"
        if self.min is not None:
            return f"at least {_num(self.min)}"
        return f"at most {_num(self.max)}"  # type: ignore[arg-type]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Expect(_Model):
    """What a played case must show. Every key is optional."""

    outcome: Outcome | None = None
    stage: Ident | None = Field(default=None, description="The last scenario stage of the call.")
    mood: Range | None = None
    revealed: list[Ident] = []
    not_revealed: list[Ident] = []
    actions: list[Ident] = []
    score: Range | None = None
    dimensions: dict[Ident, Range] = {}
    flags: list[Ident] | None = Field(
        default=None, description="Exactly these critical flags ([] means none)."
    )
    flags_include: list[Ident] = []
    no_script_problems: bool = True


class Case(_Model):
    description: Annotated[str, Field(max_length=4000)] | None = None
    script: Annotated[str, Field(min_length=1, max_length=200_000)] = Field(
        description="One trainee line per line, as `callsim run --script` plays them."
    )
    expect: Expect = Expect()


class Gap(_Model):
    """A better case must grade at least `by_at_least` points above a worse one."""

    better: Ident
    worse: Ident
    by_at_least: float = Field(ge=0, le=100)


class TestFile(_Model):
    format: Literal[1] = 1
    scenario: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None,
        description="The scenario file, relative to this file; default: the same stem beside it.",
    )
    cases: Annotated[dict[Ident, Case], Field(min_length=1)]
    gaps: list[Gap] = []


TestFile.__test__ = False  # type: ignore[attr-defined]  # not a pytest class


class TestFileError(FileProblems):
    """A test file (or the scenario it names) has errors; `problems` lists them all."""

    __test__ = False


@dataclass(frozen=True)
class LoadedTests:
    tests: TestFile
    path: str
    source: SourceMap

    def at(self, path: DataPath, *, key: bool = False) -> str:
        line, col = self.source.locate(path, key=key)
        return f"{self.path}:{line}:{col}"


def tests_schema() -> dict[str, Any]:
    """The JSON Schema of test files, for editors."""
    schema = TestFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://callsim.dev/schema/scenario-tests-v1.json"
    schema["title"] = "callsim scenario tests (format 1)"
    return schema


def is_tests_file(path: Path) -> bool:
    return path.name.lower().endswith(TESTS_SUFFIXES)


def tests_path_for(scenario_path: Path) -> Path:
    """Where a scenario's test file sits: beside it, `<stem>.tests.yaml`."""
    return scenario_path.with_name(scenario_path.stem + TESTS_SUFFIX)


def scenario_path_for(tests_path: Path, given: str | None) -> Path:
    if given is not None:
        return tests_path.parent / given
    name = tests_path.name
    for suffix in TESTS_SUFFIXES:
        if name.lower().endswith(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        stem = tests_path.stem
    for ext in (".yaml", ".yml"):
        candidate = tests_path.with_name(stem + ext)
        if candidate.exists():
            return candidate
    return tests_path.with_name(stem + ".yaml")


def load_tests(path: Path | str, text: str | None = None) -> LoadedTests:
    """Read and check one test file; raises TestFileError with every problem found."""
    name = str(path)
    try:
        if text is None:
            text = read_text(Path(path), name)
        data, source = load(text, name)
    except YamlError as exc:
        raise TestFileError(exc.problems) from None
    if not isinstance(data, dict):
        line, col = source.locate(())
        raise TestFileError(
            [Problem(name, line, col, "error", "a test file is a mapping with 'cases:'")]
        )
    try:
        tests = validated(TestFile, data, source)
    except FileProblems as exc:
        raise TestFileError(exc.problems) from None
    problems = []
    for i, gap in enumerate(tests.gaps):
        for role in ("better", "worse"):
            case = getattr(gap, role)
            if case not in tests.cases:
                line, col = source.locate(("gaps", i, role))
                known = ", ".join(tests.cases)
                message = f"gaps[{i}].{role}: no case '{case}' (the cases are: {known})"
                problems.append(Problem(name, line, col, "error", message))
        if gap.better == gap.worse:
            line, col = source.locate(("gaps", i))
            problems.append(
                Problem(name, line, col, "error", f"gaps[{i}]: a case cannot beat itself")
            )
    if problems:
        raise TestFileError(problems)
    return LoadedTests(tests, name, source)


def check_references(lt: LoadedTests, loaded: LoadedScenario) -> list[Problem]:
    """Names in expectations that the scenario (or the rubric) does not have."""
    from callsim.grading.rubric import default_rubric

    sc = loaded.scenario
    rubric = default_rubric()
    problems: list[Problem] = []

    def bad(path: DataPath, message: str) -> None:
        line, col = lt.source.locate(path)
        problems.append(Problem(lt.path, line, col, "error", message))

    def names(kind: str, values: Iterable[str], known: Iterable[str], base: DataPath) -> None:
        known = list(known)
        for j, v in enumerate(values):
            if v not in known:
                listing = ", ".join(known) if known else "none"
                bad((*base, j), f"no {kind} '{v}' in {sc.id} (the {kind}s are: {listing})")

    for cid, case in lt.tests.cases.items():
        base: DataPath = ("cases", cid, "expect")
        ex = case.expect
        if ex.stage is not None and ex.stage not in sc.stages:
            bad((*base, "stage"), f"no stage '{ex.stage}' in {sc.id}")
        names("fact", ex.revealed, sc.facts, (*base, "revealed"))
        names("fact", ex.not_revealed, sc.facts, (*base, "not_revealed"))
        names("action", ex.actions, sc.actions, (*base, "actions"))
        names("flag", ex.flags or [], rubric.flags, (*base, "flags"))
        names("flag", ex.flags_include, rubric.flags, (*base, "flags_include"))
        for dim in ex.dimensions:
            if dim not in rubric.dimensions:
                line, col = lt.source.locate((*base, "dimensions", dim), key=True)
                listing = ", ".join(rubric.dimensions)
                problems.append(
                    Problem(
                        lt.path,
                        line,
                        col,
                        "error",
                        f"no rubric dimension '{dim}' (the dimensions are: {listing})",
                    )
                )
    return problems


# ---------------------------------------------------------------------------------------------
# Running


@dataclass
class CaseResult:
    case: str
    where: str  # FILE:LINE:COL of the case
    failures: list[str] = field(default_factory=list)
    outcome: str | None = None
    stage: str | None = None
    mood: float | None = None
    score: int | None = None
    script_problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class GapResult:
    better: str
    worse: str
    by_at_least: float
    where: str
    actual: int | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class FileResult:
    path: str
    scenario_path: str | None = None
    problems: list[Problem] = field(default_factory=list)  # errors that stopped the file
    cases: list[CaseResult] = field(default_factory=list)
    gaps: list[GapResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            not self.problems
            and all(c.passed for c in self.cases)
            and all(g.passed for g in self.gaps)
        )


def last_stage(session: Any) -> str | None:
    """The last scenario stage the call was in (a hang-up or /end leaves the call there)."""
    stages = session.scenario.stages
    found = None
    for turn in session.turns:
        for s in (turn.stage, turn.stage_after):
            if s in stages:
                found = s
    return found


def _listing(values: Iterable[str]) -> str:
    values = list(values)
    return "[" + ", ".join(values) + "]"


def check_case(case: Case, session: Any, grade: Any, script_problems: list[str]) -> list[str]:
    """Each unmet expectation as 'what: expected X, got Y'."""
    ex = case.expect
    out: list[str] = []
    record = session.transcript()
    outcome = record.outcome.value if record.outcome else None
    if ex.outcome is not None and outcome != ex.outcome.value:
        out.append(f"outcome: expected {ex.outcome.value}, got {outcome}")
    stage = last_stage(session)
    if ex.stage is not None and stage != ex.stage:
        out.append(f"stage: expected {ex.stage}, got {stage}")
    if ex.mood is not None and not ex.mood.holds(record.final_mood):
        out.append(f"mood: expected {ex.mood}, got {record.final_mood:g}")
    missing = [f for f in ex.revealed if f not in record.revealed]
    if missing:
        out.append(
            f"revealed: expected {_listing(ex.revealed)}, got {_listing(record.revealed)}"
            f" (missing {_listing(missing)})"
        )
    unwanted = [f for f in ex.not_revealed if f in record.revealed]
    if unwanted:
        out.append(f"not_revealed: expected none of {_listing(unwanted)}, but they were revealed")
    missing = [a for a in ex.actions if a not in record.actions]
    if missing:
        used = list(dict.fromkeys(record.actions))
        out.append(
            f"actions: expected {_listing(ex.actions)}, got {_listing(used)}"
            f" (missing {_listing(missing)})"
        )
    if ex.score is not None and not ex.score.holds(grade.score):
        cap = f" (capped at {grade.cap})" if grade.cap is not None else ""
        out.append(f"score: expected {ex.score}, got {grade.score}{cap}")
    for dim, rng in ex.dimensions.items():
        try:
            got = grade.dimension(dim).score
        except KeyError:
            out.append(f"dimensions.{dim}: the rubric has no such dimension")
            continue
        if got is None:
            out.append(f"dimensions.{dim}: expected {rng}, got not graded in this call")
        elif not rng.holds(got):
            out.append(f"dimensions.{dim}: expected {rng}, got {got}")
    raised = [f.id for f in grade.flags]
    if ex.flags is not None and sorted(set(raised)) != sorted(set(ex.flags)):
        out.append(f"flags: expected {_listing(ex.flags)}, got {_listing(raised)}")
    missing = [f for f in ex.flags_include if f not in raised]
    if missing:
        out.append(f"flags_include: expected {_listing(ex.flags_include)}, got {_listing(raised)}")
    if ex.no_script_problems and script_problems:
        for p in script_problems:
            out.append(f"script {p}")
    return out


Tagger = Callable[..., Any]


def play_case(
    loaded: LoadedScenario, case: Case, *, tagger: Tagger | None = None
) -> tuple[Any, Any, list[str]]:
    """Play one case's script as `callsim run --script` does; returns session, grade, problems."""
    from callsim.grading.grader import grade_transcript
    from callsim.sim.session import CallSession, SimulatedClock, play_script

    session = CallSession(loaded, tagger=tagger, clock=SimulatedClock())
    problems = play_script(session, case.script.splitlines())
    grade = grade_transcript(session.transcript(), loaded)
    return session, grade, problems


def run_case(
    lt: LoadedTests, loaded: LoadedScenario, case_id: str, *, tagger: Tagger | None = None
) -> CaseResult:
    case = lt.tests.cases[case_id]
    session, grade, problems = play_case(loaded, case, tagger=tagger)
    return CaseResult(
        case=case_id,
        where=lt.at(("cases", case_id), key=True),
        failures=check_case(case, session, grade, problems),
        outcome=session.outcome.value if session.outcome else None,
        stage=last_stage(session),
        mood=session.mood,
        score=grade.score,
        script_problems=problems,
    )


def check_gaps(lt: LoadedTests, results: dict[str, CaseResult]) -> list[GapResult]:
    out = []
    for i, gap in enumerate(lt.tests.gaps):
        g = GapResult(gap.better, gap.worse, gap.by_at_least, lt.at(("gaps", i)))
        better, worse = results.get(gap.better), results.get(gap.worse)
        if better is None or worse is None or better.score is None or worse.score is None:
            g.failures.append("not run")
        else:
            g.actual = better.score - worse.score
            if g.actual < gap.by_at_least:
                g.failures.append(
                    f"gap: expected {gap.better} to score at least {_num(gap.by_at_least)} above "
                    f"{gap.worse}, got {g.actual} ({better.score} vs {worse.score})"
                )
        out.append(g)
    return out


def prepare(path: Path | str) -> tuple[LoadedTests, LoadedScenario]:
    """Load a test file and its scenario, with every reference checked; raises TestFileError."""
    lt = load_tests(path)
    scenario_path = scenario_path_for(Path(path), lt.tests.scenario)
    if not scenario_path.is_file():
        line, col = lt.source.locate(("scenario",)) if lt.tests.scenario else (1, 1)
        raise TestFileError(
            [Problem(lt.path, line, col, "error", f"scenario file {scenario_path} not found")]
        )
    try:
        loaded = load_scenario(scenario_path)
    except ScenarioError as exc:
        raise TestFileError(exc.problems) from None
    problems = check_references(lt, loaded)
    if problems:
        raise TestFileError(problems)
    return lt, loaded


def run_file(
    path: Path | str,
    *,
    cases: Iterable[str] | None = None,
    tagger: Tagger | None = None,
    on_case: Callable[[CaseResult], None] | None = None,
) -> FileResult:
    """Play every case of a test file (or those named) and check the gaps between them."""
    result = FileResult(path=str(path))
    try:
        lt, loaded = prepare(path)
    except TestFileError as exc:
        result.problems = exc.problems
        return result
    result.scenario_path = loaded.path
    wanted = list(lt.tests.cases) if cases is None else [c for c in cases if c in lt.tests.cases]
    by_id: dict[str, CaseResult] = {}
    for cid in wanted:
        r = run_case(lt, loaded, cid, tagger=tagger)
        by_id[cid] = r
        result.cases.append(r)
        if on_case is not None:
            on_case(r)
    result.gaps = [g for g in check_gaps(lt, by_id) if g.better in by_id and g.worse in by_id]
    return result


def find_tests(paths: Iterable[Path]) -> tuple[list[Path], list[str], list[Path]]:
    """Test files under these paths: (tests files, usage errors, scenarios without tests).

    A scenario file stands for its test file beside it; a folder for every test file in it.
    """
    from callsim.sim.scenario_paths import is_intent_library, is_scenario_file, scenario_files

    found: list[Path] = []
    errors: list[str] = []
    untested: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and is_tests_file(f)))
            for s in scenario_files(p):
                if (
                    not tests_path_for(s).exists()
                    and not s.with_name(s.stem + ".tests.yml").exists()
                ):
                    untested.append(s)
        elif p.is_file() and is_tests_file(p):
            found.append(p)
        elif p.is_file() and is_scenario_file(p) and not is_intent_library(p):
            t = tests_path_for(p)
            if t.exists():
                found.append(t)
            else:
                errors.append(
                    f"{p}: no test file beside it (expected {t.name}; "
                    "'callsim new' writes a starter)"
                )
        elif p.exists():
            errors.append(f"{p}: not a scenario, test file or folder")
        else:
            errors.append(f"{p}: no such file or folder")
    return list(dict.fromkeys(found)), errors, untested


def iter_case_ids(path: Path) -> Iterator[str]:
    """Case ids of a test file, without playing anything (for test collection)."""
    yield from load_tests(path).tests.cases
