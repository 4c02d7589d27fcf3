"""`callsim run SCENARIO`: take a call in the plain terminal, or play a script headlessly."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from callsim.sim.textsafe import json_text, terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="take a call in the plain terminal (or play a script of trainee lines)",
        description=(
            "Take a call in the plain terminal. With --script, play one trainee line per line "
            "of FILE ('-' for standard input; /action NAME [ARGS], /notes TEXT and /end allowed)."
        ),
    )
    p.add_argument(
        "scenario", metavar="SCENARIO", help="a scenario file, or a bundled scenario's id"
    )
    p.add_argument("--script", metavar="FILE", help="play trainee lines from FILE ('-' = stdin)")
    p.add_argument("--json", action="store_true", help="with --script: print one JSON object")
    p.add_argument("--trainee", help="who is taking the call")
    p.add_argument(
        "--mode",
        choices=("practice", "assessment"),
        default="practice",
        help="practice shows feedback after each reply and allows hints; assessment does not",
    )
    from callsim.sim.store_cli import add_db_argument

    add_db_argument(p)
    p.add_argument("--no-save", action="store_true", help="a throwaway call: do not store it")
    p.set_defaults(func=run)


def load_or_report(name: str, err: TextIO | None = None):
    """The loaded scenario (a file, or an id among config.toml's scenario folders and the
    bundled ones), or None after printing every problem with FILE:LINE:COL."""
    err = err or sys.stderr  # looked up now, not at import: stderr may have been replaced
    from callsim.engine.loader import ScenarioError, load_scenario
    from callsim.sim.config import scenario_dirs
    from callsim.sim.scenario_paths import resolve_scenario

    path = resolve_scenario(name, scenario_dirs())  # the team's folders (config.toml) first
    if path is None:
        print(
            f"callsim: no scenario file or bundled scenario named '{terminal_safe(name)}'", file=err
        )
        return None
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(terminal_safe(str(problem), keep_newlines=False), file=err)
        from callsim.sim.install import REINSTALL, is_package_file

        if any(
            is_package_file(p) and Path(p.path).resolve() != path.resolve() for p in exc.problems
        ):
            print(f"callsim: a file of callsim's own is damaged; {REINSTALL}", file=err)
        else:
            print(f"callsim: {path} has errors; run 'callsim validate {path}'", file=err)
        return None


def _script_lines(source: str) -> Iterator[str] | None:
    if source == "-":
        return iter(sys.stdin)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"callsim: cannot read script {terminal_safe(source)}: {exc}", file=sys.stderr)
        return None
    return iter(text.splitlines())


def run(args: argparse.Namespace) -> int:
    loaded = load_or_report(args.scenario)
    if loaded is None:
        return 1
    from callsim.sim.store_cli import open_or_report
    from callsim.sim.trainee import TraineeError, resolve_trainee

    if args.script is None and args.json:
        print("callsim run: --json needs --script", file=sys.stderr)
        return 2
    try:  # line mode asks a first-time trainee their name; scripts never ask
        trainee = resolve_trainee(args.trainee, ask=input if args.script is None else None)
    except TraineeError as exc:
        print(f"callsim run: --trainee: {exc}", file=sys.stderr)
        return 2
    store = None if getattr(args, "no_save", False) else open_or_report(args)
    if store is None and not getattr(args, "no_save", False):
        return 1
    from callsim.sim.config import configured_rubric

    _, problem = configured_rubric()  # a team's rubric grades the call; a broken one is said
    if problem is not None:
        print(f"callsim run: warning: {terminal_safe(problem, keep_newlines=False)}",
              file=sys.stderr)  # fmt: skip
    if args.script is None:
        locked = locked_because(loaded, trainee, store)
        if locked is not None:  # earned difficulty (sim/levels.py); scripts are trainers' tools
            print(f"callsim run: {terminal_safe(locked)}", file=sys.stderr)
            return 1
        return interactive(loaded, trainee=trainee, mode=args.mode, store=store)
    lines = _script_lines(args.script)
    if lines is None:
        return 1
    return scripted(loaded, lines, as_json=args.json, trainee=trainee, mode=args.mode, store=store)


def locked_because(loaded, trainee: str | None, store) -> str | None:
    """Why the trainee may not take this call yet (its difficulty is locked), or None."""
    from callsim.sim.levels import load_levels, trainee_levels

    config = load_levels()  # None (the usual case): every level is open, nothing else to read
    if config is None:
        return None
    from callsim.sim.store_progress import bundled_library

    difficulty_of = {sc.id: sc.difficulty for sc in bundled_library()}
    difficulty_of[loaded.scenario.id] = loaded.scenario.difficulty
    levels = trainee_levels(store, trainee, config, difficulty_of)
    return levels.why_locked(loaded.scenario.difficulty)


def result_json(session, problems: list[str]) -> dict:
    """The machine-readable record of a played call (transcript, grade when available)."""
    data = {"scenario": {"id": session.scenario.id, "version": session.scenario.version}}
    data.update(session.transcript().model_dump(mode="json"))
    data["problems"] = problems
    data["grade"] = (session.grade or session.finish()).to_json()
    return data


def scripted(loaded, lines, *, as_json: bool, trainee: str | None, mode: str, store=None) -> int:
    from callsim.sim.session import CallSession, SimulatedClock, play_script
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import report, start_saving

    session = CallSession(loaded, trainee=trainee, mode=mode, clock=SimulatedClock())
    try:  # marked scripted: no trainee took it, so progress and agreement leave it out
        recorder = start_saving(store, session, source="scripted") if store is not None else None
    except StoreError as exc:
        report(exc)
        return 1
    problems = play_script(session, lines)
    session.finish()  # graded, and saved with the recorder when there is a store
    saved = recorder is None or session.saved
    if as_json:  # ids, for programs: "hung_up", not words
        print(json_text(result_json(session, problems)))
    else:
        from callsim.engine.models import outcome_words
        from callsim.sim.linewrap import printer

        write = printer()
        for turn in session.turns:
            write(format_turn(turn))
        ended = outcome_words(session.outcome)
        write(f"-- call ended: {ended}; customer mood {session.mood:.1f}/10")
    for p in problems:
        print(f"callsim: script {p}", file=sys.stderr)
    return 1 if problems or not saved else 0


def format_turn(turn) -> str:
    text = terminal_safe(turn.text)
    if turn.speaker == "customer":
        return f"Customer: {text}"
    if turn.speaker == "trainee":
        return f"You: {text}"
    if turn.speaker == "action":
        return f"[{text}] {terminal_safe(turn.result or '')}"
    return f"-- {text}"


def interactive(
    loaded,
    *,
    trainee: str | None,
    mode: str,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] | None = None,
    store=None,
    session=None,
) -> int:
    """The plain-terminal call: the customer speaks, the trainee types.

    With `store`, the call is saved turn by turn; with `session`, a call already under way
    (resumed) carries on from its last turn. By default lines are printed wrapped to the
    terminal (sim/linewrap.py).
    """
    from callsim.engine.call import CallError
    from callsim.engine.models import outcome_words
    from callsim.sim.linewrap import printer
    from callsim.sim.session import CallSession, text_problem
    from callsim.sim.slash import ActionTaken, CallEnded, describe, mood_meter, parse, perform
    from callsim.sim.store import StoreError
    from callsim.sim.store_cli import report, start_saving

    write = write or printer()
    sc = loaded.scenario
    write(terminal_safe(f"{sc.title}  ({sc.category.value}, difficulty {sc.difficulty}/5)"))
    write(terminal_safe(f"Briefing: {sc.briefing}"))
    write(terminal_safe(f"Goal: {sc.goal}"))
    write("Type your replies. /help lists commands; /end finishes the call.\n")
    resumed = session is not None
    session = session or CallSession(loaded, trainee=trainee, mode=mode)
    shown = len(session.turns) if resumed else 0
    try:
        recorder = start_saving(store, session) if store is not None else None
    except StoreError as exc:
        report(exc)
        return 1

    def show_new() -> None:
        nonlocal shown
        for turn in session.turns[shown:]:
            if turn.speaker != "trainee":
                write(format_turn(turn))
        shown = len(session.turns)

    show_new()
    coaching: str | None = None  # practice mode: why the last reply moved the mood
    while not session.ended:
        write(mood_meter(session.mood))
        try:
            line = read("You> ")
        except EOFError:
            write("")
            session.end()
            break
        cmd = parse(line)
        try:
            if cmd is None:
                if not line.strip():
                    continue
                session.say(line.strip())
                if mode == "practice":
                    trainee_turn = next(
                        t for t in reversed(session.turns) if t.speaker == "trainee"
                    )
                    if trainee_turn.tags:
                        write(f"  (heard: {', '.join(trainee_turn.tags)})")
                    note = session.mood_note(trainee_turn)
                    if note is not None:  # said after the customer's answer, below
                        coaching = f"  (mood {note.before:.1f} -> {note.after:.1f}) {note.line()}"
            else:  # the turns an action or /end adds are shown below, like the customer's
                result = perform(session, cmd)
                if not isinstance(result, ActionTaken | CallEnded):
                    write(terminal_safe(describe(result)))
        except CallError as exc:
            write(terminal_safe(f"  {exc}"))
        show_new()
        if coaching:  # why the customer's mood moved: scenario words, made safe
            write(terminal_safe(coaching))
            coaching = None
    show_new()
    write(f"\n-- call ended: {outcome_words(session.outcome)}")
    write(
        "Wrap-up notes: what the issue was, what you did, what happens next."
        " End with an empty line."
    )
    if session.wrap_up:  # written during the call with /notes
        write(terminal_safe(f"Notes so far: {session.wrap_up}\n(an empty line keeps them)"))
    while True:
        notes: list[str] = []
        while True:
            try:
                line = read("notes> ")
            except EOFError:
                break
            if not line.strip():
                break
            notes.append(line)
        problem = text_problem("\n".join(notes), "notes")
        if problem is None:
            break
        write(f"{problem} Write them again, shorter.")
    kept = not notes and session.wrap_up  # /notes during the call, nothing added after
    from callsim.sim.self_assessment import ask

    assessment = ask(read, write)  # before the debrief; skippable
    # graded; saved by the recorder when there is a store
    session.finish(None if kept else "\n".join(notes))
    saved = recorder is None or session.saved
    _print_debrief(session, write)
    if assessment is not None:
        _self_assessment(session, assessment, store, write)
    if store is not None and saved:
        write(f"Saved as call {session.call_id[:8]} ('callsim show {session.call_id[:8]}').")
    return 0 if saved else 1


def _self_assessment(session, assessment, store, write: Callable[[str], None]) -> None:
    """Save the trainee's self-assessment with the call and set it beside the grade."""
    from callsim.sim.self_assessment import beside_grade, beside_lines
    from callsim.sim.store import StoreError
    from callsim.sim.store_training import save_self_assessment

    if store is not None:
        try:
            save_self_assessment(store, session.call_id, assessment)
        except StoreError as exc:
            write(terminal_safe(f"Your self-assessment could not be saved: {exc}"))
    if session.grade is not None:
        beside = beside_grade(assessment, session.grade)
        for line in beside_lines(beside, assessment.differently):
            write(terminal_safe(line))


def _print_debrief(session, write: Callable[[str], None]) -> None:
    from callsim.grading.report import format_report

    write(terminal_safe(format_report(session.grade or session.finish(), session.transcript())))
