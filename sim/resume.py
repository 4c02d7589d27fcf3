"""Bringing a stored call back to life by replaying it: `callsim resume` and the app share this.

The engine is deterministic, so replaying the stored replies and actions brings the customer
back to the same stage, mood and facts (`sim.session.replay`). Replaying only means something
with the very scenario the call was taken on, so a changed file is refused rather than guessed at.
A call's scenario is looked for among the scenario folders (`match_scenario`), never at a path
the call's own data names: `callsim grade` and `callsim import` find scenarios the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callsim.engine.loader import BUNDLED_SCENARIOS, LoadedScenario
from callsim.engine.transcript import Transcript
from callsim.sim.session import CallSession


class ResumeError(Exception):
    """Why a stored call cannot be replayed, said so a user can act on it.

    `problems` holds the scenario file's own FILE:LINE:COL problems when it no longer loads.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class ScenarioMatch:
    """The scenario a stored or imported call was taken on, as found here.

    `exact`: the file has the content the call was taken on (same content hash), or the call
    recorded no hash. Otherwise it is the same scenario id and version, edited since.
    """

    loaded: LoadedScenario
    exact: bool


def scenario_folders(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Where a call's scenario is looked for: the folders the user gave, then the bundle."""
    return [*(Path(d) for d in extra_dirs), BUNDLED_SCENARIOS]


def _candidates(folders: Iterable[Path]) -> list[Path]:
    """Regular scenario files inside these folders (links out of a folder are left out)."""
    from callsim.sim.scenario_paths import is_scenario_file, scenario_files

    found: list[Path] = []
    for folder in folders:
        if folder.is_file() and is_scenario_file(folder):  # a file given where folders go
            found.append(folder)
            continue
        if not folder.is_dir():
            continue
        root = folder.resolve()
        for path in scenario_files(folder):
            real = path.resolve()
            if root in real.parents and path.is_file():  # is_file: never a FIFO or device
                found.append(path)
    return list(dict.fromkeys(found))


def _text(path: Path) -> str | None:
    from callsim.engine.loader import ScenarioError, read_regular

    try:
        return read_regular(path)
    except ScenarioError:
        return None


def _head(text: str, name: str) -> tuple[str, str] | None:
    """(id, version) read off the top of a scenario file, without loading it whole."""
    from callsim.engine.yamlsafe import load_head

    top = load_head(text, name, lambda t: "id" in t and "version" in t)
    if not top or not isinstance(top.get("id"), str):
        return None
    return top["id"], str(top.get("version", ""))


def match_scenario(
    transcript: Transcript, extra_dirs: Iterable[Path] = (), *, recorded_here: bool = False
) -> ScenarioMatch | None:
    """The scenario of a stored or imported call, found among the scenario folders; or None.

    The transcript's own `scenario_path` and `scenario_id` are data from elsewhere (an imported
    file can say anything, `/etc/shadow` included), so neither ever names a file to open: the
    call's scenario is the file among `extra_dirs` and the bundled scenarios whose content hash
    is the call's, else the one with the call's id and version. Only a call this machine
    recorded (`recorded_here`, the store's word) may also be found at the path it recorded,
    and then only if that file has the content hash recorded with it.

    Raises ResumeError, naming the file only, when the file found does not load.
    """
    from hashlib import sha256

    from callsim.engine.loader import ScenarioError, load_scenario

    want_hash, want_id = transcript.scenario_hash, transcript.scenario_id
    candidates = _candidates(scenario_folders(extra_dirs))
    recorded = (
        Path(transcript.scenario_path) if recorded_here and transcript.scenario_path else None
    )
    named = [recorded] if recorded is not None and recorded.is_file() else []  # not a FIFO
    named += [p for p in candidates if p.stem == want_id and p not in named]
    texts: dict[Path, str | None] = {}

    def text(path: Path) -> str | None:
        if path not in texts:
            texts[path] = _text(path)
        return texts[path]

    def load(path: Path, exact: bool) -> ScenarioMatch:
        try:
            loaded = load_scenario(path, text(path))
        except ScenarioError:
            raise ResumeError(
                f"the scenario file {path} has errors; run 'callsim validate {path}'"
            ) from None
        return ScenarioMatch(loaded, exact)

    if want_hash:
        for path in [*named, *(p for p in candidates if p not in named)]:
            body = text(path)
            if body is not None and sha256(body.encode("utf-8")).hexdigest() == want_hash:
                match = load(path, True)
                if match.loaded.scenario.id == want_id:
                    return match

    def head(path: Path) -> tuple[str, str]:
        body = text(path)
        return (_head(body, str(path)) if body is not None else None) or ("", "")

    by_id = [p for p in named if head(p)[0] == want_id]
    by_id = by_id or [p for p in candidates if p not in named and head(p)[0] == want_id]
    if not by_id:
        return None
    same_version = [p for p in by_id if head(p)[1] == transcript.scenario_version]
    match = load((same_version or by_id)[0], not want_hash)
    return match if match.loaded.scenario.id == want_id else None


def where_looked(extra_dirs: Iterable[Path] = ()) -> str:
    """The folders searched, for a message."""
    dirs = [str(d) for d in extra_dirs]
    return "the bundled scenarios" + (f" or {', '.join(dirs)}" if dirs else "")


def scenario_for(
    transcript: Transcript, extra_dirs: Iterable[Path] = (), *, recorded_here: bool = False
) -> LoadedScenario:
    """The scenario the call was taken on, unchanged; ResumeError saying why not.

    Found by `match_scenario`: never at a path the call's own data names (unless this machine
    recorded the call there), and no error echoes more of a file than its name.
    """
    short = transcript.call_id[:8]
    match = match_scenario(transcript, extra_dirs, recorded_here=recorded_here)
    if match is None:
        raise ResumeError(
            f"scenario '{transcript.scenario_id}' version {transcript.scenario_version} (the "
            f"scenario of call {short}) is not among {where_looked(extra_dirs)}; give the "
            "folder that holds it with --scenarios DIR"
        )
    if not match.exact:
        raise ResumeError(
            f"the scenario {match.loaded.path} has changed since call {short} started, so "
            "replaying it would not bring the customer back to the same place"
        )
    return match.loaded


def replay_whole(
    transcript: Transcript, loaded: LoadedScenario, **session_kwargs: Any
) -> CallSession:
    """The stored call replayed to its last turn, under its own id and start time.

    Raises ResumeError when the replay no longer gives the same call (the scenario's intents
    or the tagger changed), since carrying on from there would be carrying on another call.
    """
    from callsim.engine.call import CallError
    from callsim.sim.session import replay

    short = transcript.call_id[:8]
    upto = transcript.turns[-1].index + 1 if transcript.turns else 0
    session_kwargs.setdefault("call_id", transcript.call_id)
    session_kwargs.setdefault("started_at", transcript.started_at)
    try:
        session = replay(loaded, transcript, upto, **session_kwargs)
    except CallError as exc:
        raise ResumeError(str(exc)) from None
    for old, new in zip(transcript.turns, session.turns, strict=False):
        if (old.speaker, old.text) != (new.speaker, new.text):
            raise ResumeError(
                f"replaying call {short} no longer gives the same call (turn {old.index} "
                "differs: the scenario's intents or the tagger changed); it cannot be resumed"
            )
    return session


def resume_session(
    transcript: Transcript,
    loaded: LoadedScenario | None = None,
    *,
    extra_dirs: Iterable[Path] = (),
    recorded_here: bool = False,
    **session_kwargs: Any,
) -> CallSession:
    """A call that was cut off (never ended), replayed so the trainee carries on from there.

    `recorded_here`: the store recorded this call on this machine (not imported), so the
    scenario path it recorded may be looked at (see `match_scenario`).
    """
    if transcript.ended_at is not None:
        short = transcript.call_id[:8]
        raise ResumeError(f"call {short} has already ended; 'callsim show {short}' shows it")
    loaded = loaded or scenario_for(transcript, extra_dirs, recorded_here=recorded_here)
    return replay_whole(transcript, loaded, **session_kwargs)
