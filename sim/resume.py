"""Bringing a stored call back to life by replaying it: `callsim resume` and the app share this.

The engine is deterministic, so replaying the stored replies and actions brings the customer
back to the same stage, mood and facts (`sim.session.replay`). Replaying only means something
with the very scenario the call was taken on, so a changed file is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from callsim.engine.loader import LoadedScenario
from callsim.engine.transcript import Transcript
from callsim.sim.session import CallSession


class ResumeError(Exception):
    """Why a stored call cannot be replayed, said so a user can act on it.

    `problems` holds the scenario file's own FILE:LINE:COL problems when it no longer loads.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def scenario_for(transcript: Transcript, extra_dirs: Iterable[Path] = ()) -> LoadedScenario:
    """The scenario the call was taken on: its file if still there, else by id; unchanged."""
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.sim.scenario_paths import resolve_scenario

    short = transcript.call_id[:8]
    where = transcript.scenario_path
    path = Path(where) if where and Path(where).is_file() else None
    path = path or resolve_scenario(transcript.scenario_id, extra_dirs)
    if path is None:
        raise ResumeError(
            f"no scenario file or bundled scenario named '{transcript.scenario_id}' "
            f"(the scenario of call {short})"
        )
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        raise ResumeError(
            f"{path} has errors; run 'callsim validate {path}'", [str(p) for p in exc.problems]
        ) from None
    if transcript.scenario_hash and loaded.content_hash != transcript.scenario_hash:
        raise ResumeError(
            f"the scenario {loaded.path} has changed since call {short} started, so "
            "replaying it would not bring the customer back to the same place"
        )
    return loaded


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
    **session_kwargs: Any,
) -> CallSession:
    """A call that was cut off (never ended), replayed so the trainee carries on from there."""
    if transcript.ended_at is not None:
        short = transcript.call_id[:8]
        raise ResumeError(f"call {short} has already ended; 'callsim show {short}' shows it")
    loaded = loaded or scenario_for(transcript, extra_dirs)
    return replay_whole(transcript, loaded, **session_kwargs)
