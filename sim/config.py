"""A team's settings in `config.toml`: the store, shared scenario folders, rubric, theme, levels.

A trainer sets up many machines at once, so callsim reads two files: the system-wide one
(`/etc/callsim/config.toml`, or the file `CALLSIM_SYSTEM_CONFIG` names) and the user's
(`config.toml` beside `trainee.json`, in `CALLSIM_CONFIG_DIR` or the user's config folder).
For each key the first of these that sets it wins: a command-line option, the environment
variable (`CALLSIM_DB`, `CALLSIM_LEVELS`), the user's file, the system's file, the default.
Relative paths in a file are read from that file's folder, so a shared file means the same on
every machine. A list (`scenarios`) is taken whole from the one place that sets it.

Reading never raises: a file's problems (`FILE:LINE:COL: error: ...`) are collected, a bad key
is left out (the rest of its file still counts), and the command line reports them
(`check_or_report`). Only the standard library: the app reads this at every start.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

SYSTEM_CONFIG = Path("/etc/callsim/config.toml")
SYSTEM_CONFIG_ENV = "CALLSIM_SYSTEM_CONFIG"
CONFIG_FILENAME = "config.toml"

#: What each key holds, as said in a wrong-type message.
KEYS: dict[str, str] = {
    "db": "a store file's path or postgresql://USER@HOST:PORT/DB",
    "scenarios": 'a list of folders, e.g. ["/srv/callsim/scenarios"]',
    "rubric": "a rubric file's path",
    "theme": 'a Textual theme\'s name, e.g. "nord"',
    "levels": "a levels file's path (earned difficulty)",
}
#: The environment variable of a key, where it has one (it wins over both files).
ENV: dict[str, str] = {"db": "CALLSIM_DB", "levels": "CALLSIM_LEVELS"}
#: The option a command takes for a key (it wins over everything).
OPTION: dict[str, str] = {
    "db": "--db",
    "scenarios": "--scenarios",
    "rubric": "--rubric",
    "theme": "--theme",
}
_PATH_KEYS = ("rubric", "levels")
#: Where tomllib says a syntax error is, at the end of its message.
_AT = r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$"


class ConfigFile:
    """One config.toml: where it is, why there, what it set and what was wrong in it.
    (Plain classes, not dataclasses: every command imports this module as it starts.)"""

    __slots__ = ("scope", "path", "chosen_by", "found", "values", "problems")

    def __init__(self, scope: str, path: Path, chosen_by: str) -> None:
        self.scope = scope  # "system" or "user"
        self.path = path
        self.chosen_by = chosen_by  # the variable that named the file or folder, or "default"
        self.found = False
        self.values: dict[str, Any] = {}
        self.problems: list[str] = []


class Setting:
    """A key's value and where it came from (`origin`: an option, a variable, a file, or
    "default"), as `callsim locate` says it."""

    __slots__ = ("key", "value", "source", "origin")

    def __init__(self, key: str, value: Any, source: str, origin: str) -> None:
        self.key = key
        self.value = value
        self.source = source  # "option", "env", "user", "system" or "default"
        self.origin = origin

    def __repr__(self) -> str:
        return f"Setting({self.key}={self.value!r}, {self.source}: {self.origin})"


def system_config_path() -> tuple[Path, str]:
    given = os.environ.get(SYSTEM_CONFIG_ENV, "").strip()
    if given:
        return Path(given).expanduser(), SYSTEM_CONFIG_ENV
    return SYSTEM_CONFIG, "default"


def user_config_path() -> tuple[Path, str]:
    """config.toml beside trainee.json. On Linux the folder is worked out as platformdirs
    does (XDG_CONFIG_HOME, else ~/.config), without importing it: every command asks."""
    from callsim.sim.trainee import CONFIG_DIR_ENV, config_path

    if os.environ.get(CONFIG_DIR_ENV, "").strip():
        return config_path().with_name(CONFIG_FILENAME), CONFIG_DIR_ENV
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / "callsim" / CONFIG_FILENAME, "default"
    return config_path().with_name(CONFIG_FILENAME), "default"


def config_files() -> list[ConfigFile]:
    """The system's file, then the user's, each read (a missing file sets nothing)."""
    return [read_config(*system_config_path(), "system"), read_config(*user_config_path(), "user")]


def _toml():
    """tomllib (Python 3.11+), else tomli when installed, else None."""
    try:
        import tomllib

        return tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli  # type: ignore[import-not-found]

            return tomli
        except ImportError:
            return None


def read_config(path: Path, chosen_by: str, scope: str) -> ConfigFile:
    """Read one file: its good keys in `values`, every problem in `problems` (never raises)."""
    found = ConfigFile(scope, path, chosen_by)
    if not path.exists():
        return found
    found.found = True
    if path.is_dir():
        found.problems.append(f"{path}: error: cannot read it: it is a folder, not a file")
        return found
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        found.problems.append(f"{path}: error: cannot read it: {exc.strerror or exc}")
        return found
    except UnicodeDecodeError as exc:
        found.problems.append(
            f"{path}: error: cannot read it: byte {exc.start} is not UTF-8 (TOML files are UTF-8)"
        )
        return found
    toml = _toml()
    if toml is None:
        found.problems.append(
            f"{path}: error: callsim reads config.toml on Python 3.11 or later (or with the "
            f"tomli package installed); this is Python {sys.version_info[0]}.{sys.version_info[1]}"
        )
        return found
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(_AT, message)
        line, col = (at.group(1), at.group(2)) if at and at.group(1) else (None, None)
        message = re.sub(_AT, "", message)
        where = f"{path}:{line}:{col}" if line else f"{path}"
        if at and not at.group(1):
            message += " (at the end of the file)"
        found.problems.append(f"{where}: error: {message}")
        return found
    for key, value in data.items():
        problem = _check(key, value, path, found)
        if problem is not None:
            found.problems.append(f"{_where(path, text, key)}: error: {problem}")
    return found


def _where(path: Path, text: str, key: str) -> str:
    """FILE:LINE:COL of a top-level key or table (tomllib gives no positions for good TOML)."""
    bare = re.escape(key)
    pattern = re.compile(rf"^[ \t]*(?:\[[ \t]*)?(?:{bare}|\"{bare}\"|'{bare}')[ \t]*[=.\]]")
    for number, line in enumerate(text.splitlines(), 1):
        match = pattern.match(line)
        if match:
            return f"{path}:{number}:{len(line) - len(line.lstrip()) + 1}"
    return str(path)


def _check(key: str, value: Any, path: Path, into: ConfigFile) -> str | None:
    """Store a good value (paths read from the file's folder) in `into`; else say why not."""
    if key not in KEYS:
        return f"unknown key '{key}' (callsim reads: {', '.join(sorted(KEYS))})"
    wrong = f"'{key}' must be {KEYS[key]}, not {_kind(value)}"
    if key == "scenarios":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return wrong
        into.values[key] = [_relative(v, path) for v in value]
        return None
    if not isinstance(value, str) or not value.strip():
        return wrong
    value = value.strip()
    if key == "db":
        if is_server_url(value):
            problem = _url_problem(value)
            if problem is not None:
                return problem
            into.values[key] = value
        else:
            into.values[key] = _relative(value, path)
    elif key in _PATH_KEYS:
        into.values[key] = _relative(value, path)
    else:
        into.values[key] = value
    return None


def is_server_url(value: str) -> bool:
    """The same test as sim.store's (kept here: importing the store is not cheap)."""
    return value.split(":", 1)[0].lower() in ("postgresql", "postgres")


def _url_problem(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as exc:
        return f"'db' is not a URL callsim can use ({exc}); write postgresql://USER@HOST:PORT/DB"
    if parts.password is not None:
        return (
            "'db' holds a password: callsim does not take one in a config file (others may "
            "read it). Remove it from the URL (postgresql://USER@HOST:PORT/DB) and give it in "
            "PGPASSWORD or ~/.pgpass."
        )
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list of other things" if value else "an empty list"
    if isinstance(value, str):
        return "a text" if value.strip() else "an empty text"
    if isinstance(value, (int, float)):
        return "a number"
    return "a date or time"


def _relative(value: str, config: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(config.parent / path))


# ---------------------------------------------------------------------------------------------
# Choosing a value


def setting(key: str, given: Any = None, files: list[ConfigFile] | None = None) -> Setting:
    """`key` from the option `given`, else its variable, else the user's file, else the
    system's; `value` None when none sets it (the caller's default applies)."""
    if given:
        return Setting(key, given, "option", OPTION.get(key, key))
    env = ENV.get(key)
    if env and os.environ.get(env, "").strip():
        return Setting(key, os.environ[env].strip(), "env", env)
    for found in reversed(files if files is not None else config_files()):
        if key in found.values:
            return Setting(key, found.values[key], found.scope, str(found.path))
    return Setting(key, None, "default", "default")


def configured(key: str) -> Any:
    """The value the config files (or the key's variable) give `key`, or None."""
    return setting(key).value


def scenario_dirs(given: list[str] | None = None) -> list[Path]:
    """The extra scenario folders, searched before the bundled library: `--scenarios` when
    given, else the config files' `scenarios`."""
    if given:
        return [Path(d) for d in given]
    return list(configured("scenarios") or [])


def configured_rubric() -> tuple[Any, str | None]:
    """config.toml's `rubric` loaded, for grading calls: (Rubric, None); (None, why not) when
    the file has errors or is missing (the bundled rubric grades instead); (None, None) when
    no rubric is configured. Imports the grader's rubric model only when one is."""
    chosen = setting("rubric")
    if chosen.value is None:
        return None, None
    from callsim.grading.rubric import RubricError, load_rubric

    try:
        return load_rubric(chosen.value), None
    except RubricError as exc:
        first = str(exc.problems[0]) if exc.problems else "it cannot be read"
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        return None, (
            f"the rubric {chosen.value} (from {chosen.origin}) cannot be used: {first}{more}; "
            "calls are graded against the bundled rubric"
        )


def problems(files: list[ConfigFile] | None = None) -> list[str]:
    return [p for f in (files if files is not None else config_files()) for p in f.problems]


def check_or_report(*, fatal: bool = True) -> bool:
    """Print the config files' problems on stderr; False when there are some and `fatal`
    (the command then exits 2). The app (`fatal=False`) goes on without the bad keys."""
    found = problems()
    if not found:
        return True
    from callsim.sim.textsafe import terminal_safe

    for problem in found:
        print(terminal_safe(problem, keep_newlines=False), file=sys.stderr)
    if fatal:
        print("callsim: fix the config file above ('callsim locate config' shows which files "
              "are read)", file=sys.stderr)  # fmt: skip
    else:
        print("callsim: the keys above were left out; defaults are used for them",
              file=sys.stderr)  # fmt: skip
    return not fatal
