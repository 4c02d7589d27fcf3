"""`callsim locate [config|db|scenarios|rubric|theme|levels]`: where each setting comes from.

A trainer setting up a team's machines checks with it that callsim reads what they meant: each
line names the value and what set it (an option is never in play here, so: a variable, a
config.toml, the app's remembered choice, or the default). Plain lines, or `--json`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from callsim.sim.textsafe import json_text, terminal_safe

THINGS = ("config", "db", "scenarios", "rubric", "theme", "levels")
#: Textual's own theme, the app's when nothing chooses another.
DEFAULT_THEME = "textual-dark"
BUNDLED_RUBRIC = Path(__file__).resolve().parents[2] / "grading" / "rubrics" / "default.yaml"


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "locate",
        help="say where the config files, store, scenario folders, rubric, theme and levels "
        "file are taken from",
        description=(
            "Print, one per line, each setting's value and what set it: the environment "
            "(CALLSIM_DB, CALLSIM_LEVELS), the user's config.toml, the system-wide one "
            "(/etc/callsim/config.toml, or CALLSIM_SYSTEM_CONFIG), or the default. Exit 2 when a "
            "config file has mistakes (they are listed first, on stderr)."
        ),
    )
    p.add_argument(
        "things",
        nargs="*",
        metavar="THING",
        help=f"any of: {', '.join(THINGS)} (default: all)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _entry(value: Any, source: str, origin: str, why: str, **more: Any) -> dict[str, Any]:
    return {"value": str(value), "source": source, "from": origin, "why": why, **more}


def _why(source: str, origin: str) -> str:
    return f"from {origin}" if source in ("option", "env", "user", "system") else origin


def locate(things: list[str]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """({thing: [entries]}, the config files' problems). Each entry: value, source (env, user,
    system, app, default), from (a variable, a file, or "default") and why, as printed."""
    from callsim.sim import config

    files = config.config_files()
    out: dict[str, list[dict[str, Any]]] = {}
    for thing in things:
        if thing == "config":
            out[thing] = [
                _entry(
                    f.path,
                    f.scope,
                    f.chosen_by,
                    ("system-wide" if f.scope == "system" else "the user's")
                    + (f", named by {f.chosen_by}" if f.chosen_by != "default" else "")
                    + ("; read" if f.found and not f.problems else "")
                    + (f"; {len(f.problems)} problem(s), see above" if f.problems else "")
                    + ("" if f.found else "; not there"),
                    found=f.found,
                    problems=list(f.problems),
                )
                for f in files
            ]
            continue
        chosen = config.setting(thing, files=files)
        why = _why(chosen.source, chosen.origin)
        if thing == "db":
            if chosen.value is None:
                from callsim.sim.store import default_db_path

                out[thing] = [_entry(default_db_path(), "default", "default",
                                     "default: callsim.db in the user's data folder")]  # fmt: skip
            else:
                out[thing] = [_entry(chosen.value, chosen.source, chosen.origin, why)]
        elif thing == "scenarios":
            from callsim.engine.loader import BUNDLED_SCENARIOS

            out[thing] = [
                _entry(d, chosen.source, chosen.origin,
                       why + ("" if Path(d).is_dir() else "; not there"), exists=Path(d).is_dir())
                for d in chosen.value or []
            ] + [_entry(BUNDLED_SCENARIOS, "default", "default",
                        "bundled, searched after any above", exists=True)]  # fmt: skip
        elif thing in ("rubric", "levels"):
            out[thing] = [_path_entry(thing, chosen, why)]
        elif thing == "theme":
            out[thing] = [_theme_entry(chosen, why)]
    return out, config.problems(files)


def _path_entry(thing: str, chosen: Any, why: str) -> dict[str, Any]:
    if chosen.value is not None:
        path = Path(chosen.value)
        there = path.is_file()
        return _entry(path, chosen.source, chosen.origin, why + ("" if there else "; not there"),
                      exists=there)  # fmt: skip
    if thing == "rubric":
        return _entry(BUNDLED_RUBRIC, "default", "default", "default: the bundled rubric",
                      exists=True)  # fmt: skip
    from callsim.sim.levels import LEVELS_FILENAME
    from callsim.sim.trainee import config_path

    path = config_path().with_name(LEVELS_FILENAME)
    there = path.is_file()
    why = "default place" + ("" if there else "; not there, so every difficulty level is open")
    return _entry(path, "default", "default", why, exists=there)


def _theme_entry(chosen: Any, why: str) -> dict[str, Any]:
    from callsim.sim.app_settings import saved_theme, settings_path

    saved = saved_theme()
    if saved is not None:  # the palette's choice is remembered and wins over config.toml
        return _entry(saved, "app", str(settings_path()),
                      f"chosen in the app, kept in {settings_path()}")  # fmt: skip
    if chosen.value is not None:
        return _entry(chosen.value, chosen.source, chosen.origin, why)
    return _entry(DEFAULT_THEME, "default", "default", "default: Textual's")


def run(args: argparse.Namespace) -> int:
    unknown = [t for t in args.things if t not in THINGS]
    if unknown:
        print(
            f"callsim locate: '{terminal_safe(unknown[0], keep_newlines=False)}' is not one of: "
            f"{', '.join(THINGS)}",
            file=sys.stderr,
        )
        return 2
    things = list(dict.fromkeys(args.things)) or list(THINGS)
    found, problems = locate(things)
    for problem in problems:
        print(terminal_safe(problem, keep_newlines=False), file=sys.stderr)
    if args.json:
        print(json_text({**found, "problems": problems}))
    else:
        for thing, entries in found.items():
            for e in entries:
                line = f"{thing}: {e['value']} ({e['why']})"
                print(terminal_safe(line, keep_newlines=False))
    return 2 if problems else 0
