"""`callsim explore SCENARIO`: many automatic calls; what they never reach, where they loop."""

from __future__ import annotations

import argparse
import json
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explore",
        help="play many automatic calls: stages never reached, loops, confused intents",
        description=(
            "Play seeded random calls through a scenario, choosing at each stage among its "
            "intents' example phrasings, hidden facts' questions, its actions and nonsense "
            "(for fallbacks). Reports stages and endings never reached, runs that loop past "
            "the step limit (with a script to replay them: callsim run SCENARIO --script FILE) "
            "and example phrasings the matcher confuses. Exits 1 if a stage or ending was "
            "never reached or a run looped, else 0."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or a bundled id")
    p.add_argument(
        "--seed", type=int, default=0, help="random seed (default 0): same seed, same runs"
    )
    p.add_argument("--runs", type=int, default=200, metavar="K", help="calls to play (default 200)")
    p.add_argument(
        "--steps",
        type=int,
        default=60,
        metavar="N",
        help="replies before a run counts as going round in circles (default 60)",
    )
    p.add_argument("--from", dest="start", metavar="STAGE", help="start every call at this stage")
    p.add_argument(
        "--path",
        action="append",
        metavar="STAGE",
        default=[],
        help="print the shortest run that reached STAGE, as a script (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def _say(text: str = "") -> None:
    print(terminal_safe(text))


def run(args: argparse.Namespace) -> int:
    from callsim.sim.commands.run import load_or_report
    from callsim.sim.explore import explore

    if args.runs < 1 or args.steps < 1:
        print("callsim explore: --runs and --steps must be at least 1", file=sys.stderr)
        return 2
    loaded = load_or_report(args.scenario)
    if loaded is None:
        return 1
    sc = loaded.scenario
    if args.start is not None:
        stage = sc.stages.get(args.start)
        if stage is None or stage.ending is not None:
            open_stages = ", ".join(s for s, st in sc.stages.items() if st.ending is None)
            print(
                f"callsim explore: --from {terminal_safe(args.start)}: not a stage a call can "
                f"start at (choose from: {open_stages})",
                file=sys.stderr,
            )
            return 2
    for sid in args.path:
        if sid not in sc.stages:
            print(f"callsim explore: --path {terminal_safe(sid)}: no such stage", file=sys.stderr)
            return 2
    report = explore(loaded, seed=args.seed, runs=args.runs, start=args.start, steps=args.steps)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 1 if report.problems else 0

    where = f" from stage '{report.start}'" if args.start else ""
    _say(f"{sc.id}: {report.runs} calls{where}, seed {report.seed}")
    _say("endings: " + ", ".join(f"{k} {v}" for k, v in report.outcomes.most_common()))
    _say(
        "stages reached (calls): "
        + ", ".join(f"{s} {report.stage_visits[s]}" for s in sc.stages if s in report.stage_visits)
    )
    for s in report.unreached_stages:
        kind = "ending" if sc.stages[s].ending is not None else "stage"
        _say(f"NEVER REACHED: {kind} '{s}'")
    for r, stages in report.loops[:5]:
        _say(
            f"LOOP: call {r.index} found no way out: after {args.steps} random replies and "
            f"{args.steps} more heading for the nearest ending, it was still going round: "
            + " -> ".join(stages)
        )
        _say(
            f"  replay: callsim explore {args.scenario} --seed {report.seed} --runs {r.index + 1}"
            + (f" --from {report.start}" if args.start else "")
        )
        _say("  as a script:")
        for line in r.script().splitlines():
            _say(f"    {line}")
    if len(report.loops) > 5:
        _say(f"... and {len(report.loops) - 5} more calls that looped")
    for c in report.confusions:
        got = (
            f"matches '{c.matched}'"
            if c.matched
            else (
                f"matches nothing (too close to '{c.runner_up}')"
                if c.runner_up
                else "matches nothing"
            )
        )
        _say(f"CONFUSED: at stage '{c.stage}', the example '{c.example}' of '{c.intent}' {got}")
    for sid in args.path:
        r = report.first_to.get(sid)
        if r is None:
            _say(f"no call reached '{sid}'")
            continue
        note = f" (starts at stage '{report.start}')" if args.start else ""
        _say(
            f"shortest call to '{sid}'{note}: callsim run {args.scenario} --script FILE with FILE:"
        )
        for line in r.script().splitlines():
            _say(f"    {line}")
    if not report.problems:
        _say("every stage and ending was reached; no call looped")
    return 1 if report.problems else 0
