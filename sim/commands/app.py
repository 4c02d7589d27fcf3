"""`callsim app` (and `callsim` with no arguments): the trainee's full-screen app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "app",
        help="open the trainee's app (the default when callsim runs with no command)",
        description=(
            "Pick a scenario, take the call, write the notes and see the debrief. With "
            "--scenario, open straight on that scenario's briefing (and with --mode, its call)."
        ),
    )
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also list the scenarios in DIR (repeatable)",
    )
    p.add_argument("--trainee", help="who is taking the calls (saved with every call)")
    p.add_argument(
        "--scenario",
        metavar="SCENARIO",
        help="open straight on this scenario's briefing (a file, or a bundled scenario's id)",
    )
    p.add_argument(
        "--mode",
        choices=("practice", "assessment"),
        help="with --scenario: skip the briefing and start the call in this mode",
    )
    p.add_argument(
        "--theme",
        metavar="NAME",
        help="start in this Textual theme (e.g. nord, dracula, textual-light); the theme chosen "
        "in the app's palette is remembered for next time",
    )
    p.add_argument(  # set by `callsim serve` for each browser session's app, not for people
        "--served", action="store_true", help=argparse.SUPPRESS
    )
    from callsim.sim.store_cli import add_db_argument

    add_db_argument(p)


def choose_theme(given: str | None) -> tuple[str | None, str | None]:
    """(theme to start in, problem): `--theme NAME` if it is one of Textual's themes, else the
    one remembered from the palette (a remembered name no longer known is passed over), else
    config.toml's `theme`. Only --theme's problem stops the app; config.toml's is a notice."""
    from textual.theme import BUILTIN_THEMES

    from callsim.sim.app_settings import saved_theme

    if given is not None:
        if given in BUILTIN_THEMES:
            return given, None
        names = ", ".join(sorted(BUILTIN_THEMES))
        return None, f"--theme: no theme named '{given}'; the themes are: {names}"
    saved = saved_theme()
    if saved in BUILTIN_THEMES:
        return saved, None
    from callsim.sim.config import setting

    configured = setting("theme")  # config.toml's, until one is chosen in the app
    if configured.value is None:
        return None, None
    if configured.value in BUILTIN_THEMES:
        return configured.value, None
    return None, (
        f"{configured.origin}: no theme named '{configured.value}'; the themes are: "
        f"{', '.join(sorted(BUILTIN_THEMES))}"
    )


def run(args: argparse.Namespace) -> int:
    app = build(args)
    if isinstance(app, int):
        return app
    app.run()
    return 0


def build(args: argparse.Namespace):
    """The app the command line asks for, ready to run, or the exit code after saying why not."""
    from callsim.sim import config

    notices = config.problems()  # a bad config.toml never stops the app: said, then left out
    config.check_or_report(fatal=False)
    given = getattr(args, "scenarios", []) or []
    dirs = config.scenario_dirs(given)
    for d in dirs:
        if d.exists():
            continue
        if given:
            print(f"callsim: no such folder: {terminal_safe(str(d))}", file=sys.stderr)
            return 1
        notices.append(f"the scenario folder {d} (config.toml's 'scenarios') is not there")
        print(f"callsim: {terminal_safe(notices[-1])}", file=sys.stderr)
    dirs = [d for d in dirs if d.exists()]
    name, mode = getattr(args, "scenario", None), getattr(args, "mode", None)
    if mode is not None and name is None:
        print("callsim app: --mode needs --scenario", file=sys.stderr)
        return 2
    theme, problem = choose_theme(getattr(args, "theme", None))
    if problem is not None:
        print(f"callsim app: {terminal_safe(problem)}", file=sys.stderr)
        if getattr(args, "theme", None) is not None:
            return 2
        notices.append(problem)
    _, problem = config.configured_rubric()  # the team's rubric grades calls; say if it cannot
    if problem is not None:
        notices.append(problem)
        print(f"callsim: {terminal_safe(problem, keep_newlines=False)}", file=sys.stderr)
    loaded = None
    if name is not None:
        loaded = load_or_report(name, dirs)
        if loaded is None:
            return 1
    opened = open_app_store(args)
    if opened is None:
        return 1
    store, trainee = opened
    if loaded is not None and mode is not None:  # straight into a call: not a locked one
        from callsim.sim.commands.run import locked_because

        locked = locked_because(loaded, trainee, store)
        if locked is not None:
            print(f"callsim app: {terminal_safe(locked)}", file=sys.stderr)
            return 1
    from callsim.tui.app import CallsimApp  # Textual is imported only when the app opens

    app = CallsimApp(
        scenario_dirs=dirs,
        trainee=trainee,
        store=store,
        scenario=loaded,
        mode=mode,
        ask_trainee=trainee is None,  # first use: the app asks, and remembers the answer
        theme=theme,
        remember_theme=True,
    )
    if getattr(args, "served", False):
        app.trainee_fixed = trainee is not None
    store.on_error = lambda message: app.notify(message, severity="error", timeout=15, markup=False)
    for notice in notices:  # shown over the home screen as well as said on stderr
        app.notify(notice, title="config.toml", severity="warning", timeout=20, markup=False)
    return app


def load_or_report(name: str, dirs: list[Path]):
    """The scenario to open straight away, or None after printing why it cannot be played."""
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.sim.scenario_paths import resolve_scenario

    path = resolve_scenario(name, dirs)
    if path is None:
        print(
            f"callsim: no scenario file or bundled scenario named '{terminal_safe(name)}'",
            file=sys.stderr,
        )
        return None
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(terminal_safe(str(problem), keep_newlines=False), file=sys.stderr)
        print(
            f"callsim: {terminal_safe(str(path))} has errors; run 'callsim validate'",
            file=sys.stderr,
        )
    except (OSError, ValueError) as exc:
        print(f"callsim: cannot read {terminal_safe(str(path))}: {exc}", file=sys.stderr)
    return None


def open_app_store(args: argparse.Namespace):
    """(AppStore, trainee name) for --db/CALLSIM_DB and --trainee, or None after saying why."""
    from callsim.sim.app_store import AppStore
    from callsim.sim.store_cli import open_or_report
    from callsim.sim.trainee import TraineeError, resolve_trainee

    try:
        trainee = resolve_trainee(getattr(args, "trainee", None))
    except TraineeError as exc:
        print(f"callsim: {terminal_safe(str(exc))}", file=sys.stderr)
        return None
    store = open_or_report(args)
    return None if store is None else (AppStore(store), trainee)
