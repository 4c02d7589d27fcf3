"""Who is training: a name given once and stored with every call they take.

Where the name comes from, first found wins: `--trainee NAME`, the `CALLSIM_TRAINEE`
environment variable, the config file `trainee.json` in the user's config directory
(`platformdirs.user_config_dir("callsim")`, or `CALLSIM_CONFIG_DIR` when set). In line mode a
trainee with none of these is asked once, and the answer is saved to the config file so later
calls (and the app) know it.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

TRAINEE_ENV = "CALLSIM_TRAINEE"
CONFIG_DIR_ENV = "CALLSIM_CONFIG_DIR"
CONFIG_FILENAME = "trainee.json"
MAX_NAME = 200


class TraineeError(ValueError):
    """A name that cannot be stored (empty, too long, control characters)."""


def config_path() -> Path:
    folder = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if not folder:
        import platformdirs

        folder = platformdirs.user_config_dir("callsim")
    return Path(folder) / CONFIG_FILENAME


def trainee_name_problem(name: str) -> str | None:
    """Why `name` cannot be a trainee's name, said for the person typing it; None if it can.

    One rule for every way a name comes in (the line-mode prompt, --trainee, the environment,
    the app): not empty, not too long, no control characters, and not a slash command: '/end'
    typed at the name prompt is someone trying to end the call, not their name.
    """
    name = " ".join(name.split())
    if not name:
        return "a trainee name cannot be empty"
    if len(name) > MAX_NAME:
        return f"a trainee name is at most {MAX_NAME} characters"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        return "a trainee name cannot hold control characters"
    if name.startswith("/"):
        return (
            f"'{name.split()[0][:40]}' is a command, not a name: type your name (commands such "
            "as /end work once the call has started)"
        )
    return None


def clean_name(name: str) -> str:
    """The name as stored: trimmed; refused (TraineeError) when `trainee_name_problem` says."""
    problem = trainee_name_problem(name)
    if problem is not None:
        raise TraineeError(problem)
    return " ".join(name.split())


def saved_trainee() -> str | None:
    """The name in the config file, or None (a missing or unreadable file means none)."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
        return clean_name(str(data["trainee"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_trainee(name: str) -> Path:
    """Remember the name for later calls; returns the file written."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"trainee": clean_name(name)}, ensure_ascii=False), "utf-8")
    tmp.replace(path)
    return path


def resolve_trainee(
    given: str | None = None,
    *,
    ask: Callable[[str], str] | None = None,
    write: Callable[[str], None] = print,
) -> str | None:
    """The trainee's name: given, from the environment, saved, or (with `ask`) asked once."""
    for candidate in (given, os.environ.get(TRAINEE_ENV)):
        if candidate and candidate.strip():
            return clean_name(candidate)
    saved = saved_trainee()
    if saved is not None or ask is None:
        return saved
    while True:
        try:
            answer = ask("Who is training? Your name (saved for next time): ")
        except EOFError:
            return None
        try:
            name = clean_name(answer)
        except TraineeError as exc:
            write(f"  {exc}")
            continue
        try:
            path = save_trainee(name)
            write(f"  Saved as the trainee in {path}; change it with --trainee or {TRAINEE_ENV}.")
        except OSError as exc:
            write(f"  Could not save the name ({exc.strerror or exc}); using it for this call.")
        return name
