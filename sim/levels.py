"""Earned difficulty: a difficulty level opens when the trainee passes assessment calls at the
level below (issue 17).

The trainer turns it on with a small YAML file, `levels.yaml` in callsim's config folder (the
one holding the trainee's name; `CALLSIM_LEVELS=FILE` or `levels` in config.toml names another):

    pass_mark: 70   # an assessment call passes at this total score or above
    passes: 2       # passes at level N-1 needed to open level N
    open: 1         # levels open from the start (1: only difficulty 1)

Without the file every level is open, as before. A mentor can open a level by hand for one
trainee (`unlock`, kept in the store's `unlocks` table, schema version 5; SQLAlchemy Core as
the store does). Calls played from a script never count. Pure data: `callsim level`,
`callsim run` and the app show it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callsim.sim.store import Store, StoreError, T, now_utc, sa  # T, sa: imported at first use

LEVELS_ENV = "CALLSIM_LEVELS"
LEVELS_FILENAME = "levels.yaml"
LEVELS = range(1, 6)


class LevelsConfig(BaseModel):
    """The trainer's rules for opening difficulty levels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pass_mark: int = Field(default=70, ge=0, le=100, description="Total score that passes.")
    passes: int = Field(default=2, ge=1, le=50, description="Passes at the level below needed.")
    open: int = Field(default=1, ge=1, le=5, description="Levels open from the start.")


def levels_path() -> Path:
    """`CALLSIM_LEVELS`, else `levels` in config.toml, else `levels.yaml` in the config folder."""
    given = os.environ.get(LEVELS_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    from callsim.sim.config import configured
    from callsim.sim.trainee import config_path

    named = configured("levels")
    if named:
        return Path(named)

    return config_path().with_name(LEVELS_FILENAME)


def _named() -> bool:
    """Whether CALLSIM_LEVELS or config.toml names the levels file."""
    from callsim.sim.config import configured

    return bool(os.environ.get(LEVELS_ENV, "").strip() or configured("levels"))


def load_levels(path: Path | None = None) -> LevelsConfig | None:
    """The trainer's rules, or None when there is no file (every level open). A file with
    mistakes raises FileProblems, each at FILE:LINE:COL."""
    from callsim.engine.validation import validated
    from callsim.engine.yamlsafe import FileProblems, Problem, load, read_text

    path = path or levels_path()
    if not path.is_file():
        if _named():  # named, so meant: say it is missing
            raise FileProblems([Problem(str(path), 1, 1, "error", "no such levels file")])
        return None
    text = read_text(path, str(path))
    data, source = load(text, str(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FileProblems(
            [Problem(str(path), 1, 1, "error", "a levels file is a mapping (pass_mark, passes)")]
        )
    return validated(LevelsConfig, data, source)


# -- a mentor's hand --------------------------------------------------------------------------


def _store(store: Any) -> Store:
    return store if isinstance(store, Store) else store.store


def unlock(
    store: Any, trainee: str, difficulty: int, *, mentor: str | None = None, reason: str = ""
) -> None:
    """A mentor opens a level for a trainee before they earned it."""
    if difficulty not in LEVELS:
        raise StoreError("a difficulty level is from 1 to 5")
    s = _store(store)
    row = {
        "trainee": trainee,
        "difficulty": difficulty,
        "unlocked_by": mentor,
        "reason": reason,
        "created_at": now_utc(),
    }
    with s._write("open the level") as conn:
        stmt = s._insert(T.unlocks).values(row)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["trainee", "difficulty"],
                set_={k: stmt.excluded[k] for k in ("unlocked_by", "reason", "created_at")},
            )
        )


def relock(store: Any, trainee: str, difficulty: int) -> bool:
    """Take back a level a mentor opened by hand; False when none was."""
    s = _store(store)
    u = T.unlocks.c
    with s._write("close the level") as conn:
        done = conn.execute(
            sa.delete(T.unlocks).where(u.trainee == trainee, u.difficulty == difficulty)
        )
        return bool(done.rowcount)


def hand_unlocks(store: Any, trainee: str) -> dict[int, str | None]:
    """Levels a mentor opened for the trainee, with who opened each."""
    u = T.unlocks.c
    rows = _store(store)._read(sa.select(u.difficulty, u.unlocked_by).where(u.trainee == trainee))
    return {int(d): by for d, by in rows}


# -- what is open --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Levels:
    """Which difficulty levels a trainee has open, and for the others what opens them."""

    config: LevelsConfig | None
    passes: dict[int, int] = field(default_factory=dict)  # passes per level
    by_hand: dict[int, str | None] = field(default_factory=dict)

    def is_open(self, difficulty: int) -> bool:
        if self.config is None or difficulty <= self.config.open or difficulty in self.by_hand:
            return True
        return self.is_open(difficulty - 1) and self.passes.get(difficulty - 1, 0) >= (
            self.config.passes
        )

    def why_locked(self, difficulty: int) -> str | None:
        """Why a level is locked and what opens it, in words; None when it is open."""
        if self.is_open(difficulty) or self.config is None:
            return None
        c = self.config
        below = difficulty - 1
        if not self.is_open(below):
            first = min(d for d in LEVELS if not self.is_open(d))
            return f"Difficulty {difficulty} is locked: open difficulty {first} first. " + (
                self.why_locked(first) or ""
            )
        have = self.passes.get(below, 0)
        return (
            f"Difficulty {difficulty} is locked: it opens after {c.passes} assessment "
            f"call{'s' * (c.passes != 1)} at difficulty {below} scoring {c.pass_mark} or more "
            f"(you have {have}). A mentor can also open it ('callsim level unlock')."
        )


def trainee_levels(
    store: Any,
    trainee: str | None,
    config: LevelsConfig | None,
    difficulty_of: Mapping[str, int],
) -> Levels:
    """The trainee's open levels from their assessment calls and a mentor's unlocks."""
    if config is None:
        return Levels(None)
    if not trainee or store is None:
        return Levels(config)
    s = _store(store)
    passes: dict[int, int] = {}
    for call in _calls(s, trainee):
        level = difficulty_of.get(call.scenario_id)
        if (
            level is not None
            and call.mode == "assessment"
            and call.source != "scripted"
            and call.total_score is not None
            and call.total_score >= config.pass_mark
        ):
            passes[level] = passes.get(level, 0) + 1
    return Levels(config, passes, hand_unlocks(s, trainee))


def _calls(s: Store, trainee: str) -> Iterable[Any]:
    return s.list_calls(trainee=trainee, limit=None)


def levels_for(store: Any, trainee: str | None, library: Iterable[Any]) -> Levels:
    """`trainee_levels` with the trainer's file read now (FileProblems if it has mistakes)."""
    config = load_levels()
    return trainee_levels(store, trainee, config, {sc.id: sc.difficulty for sc in library})
