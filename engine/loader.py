"""Loading and checking scenario files: strict YAML, typed models, then graph checks.

Every problem in a file is collected and reported at once, each at `FILE:LINE:COL` and naming
the key or id at fault, so a trainer can fix a file in one pass.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rapidfuzz import process as fuzz_process
from rapidfuzz import utils as fuzz_utils

from callsim.engine.meaning import Concepts, Reader
from callsim.engine.models import (
    INPUT_PLACEHOLDER,
    PLACEHOLDER_RE,
    Action,
    ConceptLibrary,
    Intent,
    IntentLibrary,
    Scenario,
)
from callsim.engine.validation import CLOSE, SIMILAR, shown, validated
from callsim.engine.yamlsafe import (
    MAX_BYTES,
    DataPath,
    FileProblems,
    Problem,
    SourceMap,
    YamlError,
    decode,
    load,
    read_text,
)

#: Shared intents bundled with callsim.
BUNDLED_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
INTENTS_DIRNAME = "intents"


class ScenarioError(FileProblems):
    """A scenario (or intent library) file has errors; `problems` lists them all."""


@dataclass(frozen=True)
class LoadedScenario:
    """A valid scenario with where it came from, for messages, reloads and stored calls."""

    scenario: Scenario
    path: str
    source: SourceMap
    content_hash: str
    shared_intents: Mapping[str, Intent] = field(default_factory=dict)
    load_warnings: tuple[Problem, ...] = ()

    @cached_property
    def warnings(self) -> tuple[Problem, ...]:
        """Lint warnings (engine.lint), worked out on first use: playing a call never needs
        them, and checking a scenario's examples against each other costs more than loading it.
        The lint is imported here: the app and line mode never lint, so they skip its import.
        """
        from callsim.engine.lint import lint

        found = (*self.load_warnings, *lint(self.scenario, self.source, self.shared_intents))
        return tuple(sorted(found, key=lambda p: (p.line, p.col)))

    @cached_property
    def reader(self) -> Reader:
        """How this scenario reads replies for meaning: the shared concepts plus its own, and
        its own words for correcting slips."""
        sc = self.scenario
        concepts = shared_concepts()
        if sc.concepts:
            concepts = concepts.merged(sc.concepts)
        texts: list[str] = []
        for intent in (*self.shared_intents.values(), *sc.intents.values()):
            texts += intent.examples
            texts += intent.not_
        for fact in sc.facts.values():
            texts += fact.asked_by
        # the people in the call, as the customer and colleagues name them: "leah" is a name
        # to keep, not a slip for "lead"
        texts.append(sc.customer.name)
        for stage in sc.stages.values():
            lines = stage.customer
            if isinstance(lines, str):
                texts.append(lines)
            elif lines is not None:
                texts += [v.say for v in lines]
        return Reader(concepts, texts, people=[sc.customer.name])

    def intent(self, name: str) -> Intent:
        """The scenario's own intent of that name, else the shared one."""
        own = self.scenario.intents.get(name)
        return own if own is not None else self.shared_intents[name]


# ---------------------------------------------------------------------------------------------
# Loading


def _parse(path: Path | str, text: str | None) -> tuple[Any, SourceMap, str]:
    name = str(path)
    if text is None:
        text = read_text(Path(path), name)
    data, source = load(text, name)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not isinstance(data, dict):
        line, col = source.locate(())
        message = (
            "the file must be a mapping of keys to values (such as 'id: ...' and 'title: ...'), "
            f"not {shown(data)}"
        )
        raise YamlError([Problem(name, line, col, "error", message)])
    return data, source, digest



def load_intent_library(path: Path | str, text: str | None = None) -> dict[str, Intent]:
    """Load one shared intent file; raises ScenarioError."""
    try:
        data, source, _ = _parse(path, text)
        lib = validated(IntentLibrary, data, source)
    except FileProblems as exc:
        raise ScenarioError(exc.problems) from None
    return dict(lib.intents)


def library_dirs(scenario_path: Path | str | None) -> list[Path]:
    """Where shared intents are looked up: beside the scenario, its parent, then the bundle."""
    dirs: list[Path] = []
    if scenario_path is not None:
        here = Path(scenario_path).resolve().parent
        dirs += [here / INTENTS_DIRNAME, here.parent / INTENTS_DIRNAME]
    dirs.append(BUNDLED_SCENARIOS / INTENTS_DIRNAME)
    seen: list[Path] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return seen


_LIBRARY_CACHE: dict[tuple[str, float, int], dict[str, Intent]] = {}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def library_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The intent files of one `intents/` folder that may be read, and those refused.

    Only regular files inside the folder are read: a symbolic link that leads out of it (to
    anyone's secrets) or a FIFO, device or socket (which would block a read forever) is a
    problem naming the file, and nothing of it is opened. The folder itself must not be a link
    out of the folder that holds it either.
    """
    problems: list[Problem] = []
    try:
        real = folder.resolve()
        if folder.is_symlink() and not _inside(real, folder.parent.resolve()):
            message = (
                f"the intents folder is a symbolic link out of {folder.parent}: not read "
                "(copy the shared intents into it instead)"
            )
            return [], [Problem(str(folder), 1, 1, "error", message)]
        names = sorted(folder.glob("*.y*ml"))
    except OSError:
        return [], []
    files: list[Path] = []
    for f in names:
        try:
            target = f.resolve()
            st = f.stat()
        except (OSError, RuntimeError):  # a dangling or looping link
            problems.append(Problem(str(f), 1, 1, "error", "a broken symbolic link: not read"))
            continue
        if not _inside(target, real):
            message = (
                f"a symbolic link to a file outside {folder}: not read (shared intents are "
                "read only from files inside their folder)"
            )
            problems.append(Problem(str(f), 1, 1, "error", message))
        elif not stat.S_ISREG(st.st_mode):
            if not stat.S_ISDIR(st.st_mode):
                message = "not a regular file (a FIFO, device or socket): not read"
                problems.append(Problem(str(f), 1, 1, "error", message))
        else:
            files.append(f)
    return files, problems


def read_regular(path: Path) -> str:
    """A file's text, opened without blocking and read only if it is a regular file.

    `library_files` checked the name; this checks what was opened, so a file swapped for a
    FIFO in between cannot block the read. Raises ScenarioError.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        message = f"cannot read file: {exc.strerror}"
        raise ScenarioError([Problem(name, 1, 1, "error", message)]) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            message = "not a regular file (a FIFO, device or socket): not read"
            raise ScenarioError([Problem(name, 1, 1, "error", message)])
        if st.st_size > MAX_BYTES:
            message = f"file is {st.st_size:,} bytes; the limit is {MAX_BYTES:,}"
            raise ScenarioError([Problem(name, 1, 1, "error", message)])
        # what fstat promises and a byte more, then the rest only if the file grew: reading
        # MAX_BYTES + 1 at once set aside 1 MiB for every 10 KiB file
        raw = fh.read(st.st_size + 1)
        if len(raw) > st.st_size:
            raw += fh.read(MAX_BYTES + 1 - len(raw))
    if len(raw) > MAX_BYTES:
        raise ScenarioError([Problem(name, 1, 1, "error", f"file is over {MAX_BYTES:,} bytes")])
    try:
        return decode(raw, name)
    except YamlError as exc:
        raise ScenarioError(exc.problems) from None


def shared_intents(dirs: Iterable[Path]) -> tuple[dict[str, Intent], list[Problem]]:
    """All shared intents in these folders (earlier folders win), with any problems found."""
    intents: dict[str, Intent] = {}
    problems: list[Problem] = []
    for d in dirs:
        if not d.is_dir():
            continue
        files, refused = library_files(d)
        problems.extend(refused)
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            key = (str(f), st.st_mtime, st.st_size)
            lib = _LIBRARY_CACHE.get(key)
            if lib is None:
                try:
                    lib = load_intent_library(f, read_regular(f))
                except ScenarioError as exc:
                    problems.extend(exc.problems)
                    continue
                _LIBRARY_CACHE[key] = lib
            for name, intent in lib.items():
                intents.setdefault(name, intent)
    return intents, problems


#: The shared concept library: words and phrases that mean the same in a reply.
CONCEPTS_FILE = Path(__file__).resolve().parent / "concepts.yaml"
_CONCEPTS: list[Concepts] = []


def shared_concepts() -> Concepts:
    """The shared concept library, read once; raises ScenarioError if the file is damaged."""
    if not _CONCEPTS:
        try:
            data, source, _ = _parse(CONCEPTS_FILE, None)
            library = validated(ConceptLibrary, data, source)
        except FileProblems as exc:
            raise ScenarioError(exc.problems) from None
        _CONCEPTS.append(Concepts.build(library.concepts, library.families))
    return _CONCEPTS[0]


def load_scenario(
    path: Path | str,
    text: str | None = None,
    *,
    intents: Mapping[str, Intent] | None = None,
) -> LoadedScenario:
    """Load and fully check a scenario file. Raises ScenarioError listing every problem.

    `intents` overrides the shared intent library (otherwise looked up beside the file).
    """
    return _load_scenario(path, text, intents, None)


def _load_scenario(
    path: Path | str,
    text: str | None,
    intents: Mapping[str, Intent] | None,
    library: tuple[Mapping[str, Intent], list[Problem]] | None,
) -> LoadedScenario:
    """`load_scenario`; `library` is the shared intents and their problems when the caller
    already looked them up for the scenario's folder (`check_files`)."""
    name = str(path)
    try:
        data, source, digest = _parse(path, text)
        scenario = validated(Scenario, data, source)
    except FileProblems as exc:
        raise ScenarioError(exc.problems) from None
    library_problems: list[Problem] = []
    if intents is None:
        intents, library_problems = library or shared_intents(library_dirs(path))
    problems = library_problems + list(check_graph(scenario, source, intents))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line, p.col)))
    return LoadedScenario(
        scenario=scenario,
        path=name,
        source=source,
        content_hash=digest,
        shared_intents=dict(intents),
        load_warnings=tuple(p for p in problems if p.severity == "warning"),
    )


def load_scenario_bytes(raw: bytes, name: str, **kw: Any) -> LoadedScenario:
    """Load from bytes (e.g. an uploaded file), with the same checks as from disk."""
    try:
        text = decode(raw, name)
    except YamlError as exc:
        raise ScenarioError(exc.problems) from None
    return load_scenario(name, text, **kw)


# ---------------------------------------------------------------------------------------------
# Checking many files (`callsim validate`)

#: Files are checked in worker processes, one a core, from this many files on; fewer are
#: checked faster than the workers start.
PARALLEL_FROM = 64
#: Shared intents looked up during one `check_files`, by the folder of the scenario file.
_FOLDER_LIBRARIES: dict[str, tuple[dict[str, Intent], list[Problem]]] = {}


def check_files(
    files: Sequence[Path], *, warnings: bool = True, jobs: int | None = None
) -> list[Problem]:
    """Every problem of these scenario and intent files, in file order, each file's as
    `load_scenario` (or `load_intent_library`, for a file in an `intents/` folder) finds them;
    lint warnings only when asked for.

    Files are opened without blocking and read only if they are regular files
    (`read_regular`). The shared intents are looked up once per folder rather than once per
    file. From PARALLEL_FROM files on (or as `jobs` says) the files are shared out among
    worker processes, one per core: the problems and their order are the same as checked
    one by one.
    """
    files = list(files)
    if jobs is None:
        jobs = _cores() if len(files) >= PARALLEL_FROM else 1
    jobs = min(jobs, len(files))
    _FOLDER_LIBRARIES.clear()
    try:
        if jobs <= 1 or not _can_fork():
            return [p for f in files for p in _file_problems(f, warnings)]
        # fork: the workers start with the lint imported and the first folder's shared
        # intents read (a library is mostly one folder), instead of each doing it again
        if warnings:
            import callsim.engine.lint  # noqa: F401
        _folder_library(Path(files[0]))
        return _in_workers(files, warnings, jobs)
    finally:
        _FOLDER_LIBRARIES.clear()


def _in_workers(files: list[Path], warnings: bool, jobs: int) -> list[Problem]:
    """`_file_problems` of each file in forked workers, in file order. A worker that dies
    (killed, out of memory) does not hang the check: the files not yet answered are checked
    here, one by one."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    found: list[list[Problem]] = []
    chunk = max(1, min(8, len(files) // (jobs * 4)))  # small: Ctrl+C waits for a chunk
    try:
        with ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"), initializer=_quiet_worker
        ) as pool:
            flags = [warnings] * len(files)
            try:
                for problems in pool.map(_file_problems, files, flags, chunksize=chunk):
                    found.append(problems)
            except BaseException:  # Ctrl+C: stop now, not after the files still queued
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except BrokenProcessPool:
        found += [_file_problems(f, warnings) for f in files[len(found) :]]
    return [p for problems in found for p in problems]


def _quiet_worker() -> None:
    """Ctrl+C is the parent's to handle: a worker printing its own traceback would bury the
    one line the command prints."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    """Forking is safe only from a process with one thread, and only Linux defaults to it."""
    import threading

    return sys.platform.startswith("linux") and threading.active_count() == 1


def _file_problems(path: Path, warnings: bool) -> list[Problem]:
    """One file's problems: errors, and its lint warnings when `warnings` and it loads."""
    try:
        text = read_regular(path)
        if Path(path).parent.name == INTENTS_DIRNAME:
            load_intent_library(path, text)
            return []
        loaded = _load_scenario(path, text, None, _folder_library(Path(path)))
    except ScenarioError as exc:
        return list(exc.problems)
    return list(loaded.warnings) if warnings else []


def _folder_library(path: Path) -> tuple[dict[str, Intent], list[Problem]] | None:
    """The shared intents for a scenario at `path`, looked up once for its folder; None for
    a symbolic link, whose intents are looked up where it leads."""
    try:
        if path.is_symlink():
            return None
    except OSError:
        return None
    folder = str(path.parent)
    found = _FOLDER_LIBRARIES.get(folder)
    if found is None:
        found = _FOLDER_LIBRARIES[folder] = shared_intents(library_dirs(path))
    return found


# ---------------------------------------------------------------------------------------------
# Graph and reference checks


def _edges(scenario: Scenario) -> Iterator[tuple[str, str | None, DataPath]]:
    """(from stage, to stage or None for 'stay', path of the `to`) for every way on."""
    for sid, stage in scenario.stages.items():
        if stage.ending is not None:
            continue
        base: DataPath = ("stages", sid)
        for i, r in enumerate(stage.responses):
            yield sid, r.to, (*base, "responses", i, "to")
            if r.otherwise is not None:
                yield sid, r.otherwise.to, (*base, "responses", i, "otherwise", "to")
        if stage.fallback is not None:
            yield sid, stage.fallback.to, (*base, "fallback", "to")
        for i, r in enumerate(scenario.anywhere):
            yield sid, r.to, ("anywhere", i, "to")
            if r.otherwise is not None:
                yield sid, r.otherwise.to, ("anywhere", i, "otherwise", "to")


def _placeholder_problems(aid: str, action: Action) -> Iterator[tuple[DataPath, str, str]]:
    """(path, severity, message) for a result's placeholders: `{input}` quotes what was
    entered, so it needs a tool that takes something; other braces stay as written, which is
    worth a warning on a tool that takes something (`{amount}` was likely meant as `{input}`).
    """
    path: DataPath = ("actions", aid, "result")
    for found in dict.fromkeys(m.group(0) for m in PLACEHOLDER_RE.finditer(action.result)):
        if found == INPUT_PLACEHOLDER and action.takes is None:
            yield path, "error", (
                f"the result of action '{aid}' quotes '{INPUT_PLACEHOLDER}' but the action "
                "takes nothing; add 'takes:' to say what the trainee enters"
            )
        elif found != INPUT_PLACEHOLDER and action.takes is not None:
            yield path, "warning", (
                f"'{found}' in the result of action '{aid}' is shown as written; the value "
                f"entered is quoted only as '{INPUT_PLACEHOLDER}'"
            )


def check_graph(
    scenario: Scenario, source: SourceMap, intents: Mapping[str, Intent]
) -> Iterator[Problem]:
    """References resolve; every stage is reachable; every stage can reach an ending."""
    name = source.path

    def err(path: DataPath, message: str, *, key: bool = False) -> Problem:
        line, col = source.locate(path, key=key)
        return Problem(name, line, col, "error", message)

    def ref(kind: str, value: str, known: Mapping[str, Any], path: DataPath) -> Iterator[Problem]:
        if value not in known:
            hint = ""
            match = fuzz_process.extractOne(
                value,
                list(known),
                scorer=SIMILAR,
                processor=fuzz_utils.default_process,
                score_cutoff=CLOSE,
            )
            if match:
                hint = f"; did you mean '{match[0]}'?"
            elif not known:
                hint = f"; no {kind}s are defined"
            elif len(known) <= 12:
                hint = f"; the {kind}s are: {', '.join(known)}"
            yield err(path, f"{kind} '{value}' is not defined{hint}")

    stages = scenario.stages
    all_intents = {**intents, **scenario.intents}
    stage_refs = list(ref("stage", scenario.start, stages, ("start",)))
    for _src, dst, path in _edges(scenario):
        if dst is not None:
            stage_refs.extend(ref("stage", dst, stages, path))
    yield from stage_refs

    def check_responses(responses: Iterable[Any], base: DataPath) -> Iterator[Problem]:
        for i, r in enumerate(responses):
            p = (*base, i)
            yield from ref("intent", r.intent, all_intents, (*p, "intent"))
            if r.requires is not None:
                for j, a in enumerate(r.requires.actions):
                    yield from ref("action", a, scenario.actions, (*p, "requires", "actions", j))
                for j, f in enumerate(r.requires.facts):
                    yield from ref("fact", f, scenario.facts, (*p, "requires", "facts", j))
            elif r.otherwise is not None:
                yield err((*p, "otherwise"), "'otherwise' only applies with 'requires'", key=True)

    for sid, stage in stages.items():
        yield from check_responses(stage.responses, ("stages", sid, "responses"))
    yield from check_responses(scenario.anywhere, ("anywhere",))
    for aid, action in scenario.actions.items():
        for j, f in enumerate(action.reveals):
            yield from ref("fact", f, scenario.facts, ("actions", aid, "reveals", j))
        for path, severity, message in _placeholder_problems(aid, action):
            line, col = source.locate(path)
            yield Problem(name, line, col, severity, message)
    ex = scenario.expectations
    for j, f in enumerate(ex.key_facts):
        yield from ref("fact", f, scenario.facts, ("expectations", "key_facts", j))
    for j, f in enumerate(ex.wrap_up_must_record):
        yield from ref("fact", f, scenario.facts, ("expectations", "wrap_up_must_record", j))
    for j, a in enumerate(ex.required_actions):
        yield from ref("action", a, scenario.actions, ("expectations", "required_actions", j))
    nb = scenario.escalation.not_before
    if nb is not None:
        for j, a in enumerate(nb.actions):
            yield from ref(
                "action", a, scenario.actions, ("escalation", "not_before", "actions", j)
            )
        for j, f in enumerate(nb.facts):
            yield from ref("fact", f, scenario.facts, ("escalation", "not_before", "facts", j))

    # Reachability over the stages that exist.
    graph: dict[str, set[str]] = {sid: set() for sid in stages}
    for src, dst, _ in _edges(scenario):
        if dst is not None and dst in stages:
            graph[src].add(dst)
    endings = [sid for sid, st in stages.items() if st.ending is not None]
    if not endings:
        yield err(("stages",), "no stage is an ending: give at least one stage 'ending:'", key=True)
        return
    if stage_refs:  # reachability would only repeat the broken links in other words
        return
    reached = {scenario.start}
    queue = deque([scenario.start])
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    for sid in stages:
        if sid not in reached:
            yield err(
                ("stages", sid),
                f"stage '{sid}' can never be reached from '{scenario.start}'",
                key=True,
            )
    if not any(e in reached for e in endings):
        yield err(("start",), f"no ending can be reached from the start stage '{scenario.start}'")
    reverse: dict[str, set[str]] = {sid: set() for sid in stages}
    for src, dsts in graph.items():
        for d in dsts:
            reverse[d].add(src)
    can_end = set(endings)
    queue = deque(endings)
    while queue:
        for prev in reverse[queue.popleft()]:
            if prev not in can_end:
                can_end.add(prev)
                queue.append(prev)
    for sid in stages:
        if sid in reached and sid not in can_end:
            yield err(
                ("stages", sid),
                f"stage '{sid}' is a trap: no ending can be reached from it",
                key=True,
            )
