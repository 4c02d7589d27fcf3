"""`callsim preview SCENARIO`: the app on a scenario file, restarted each time it is saved."""

from __future__ import annotations

import argparse
import sys

from callsim.sim.textsafe import terminal_safe


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preview",
        help="take a scenario's call in the app, restarted whenever the file is saved",
        description=(
            "Open the app on SCENARIO's call (practice mode, not saved). The file is checked "
            "twice a second: saving it restarts the call; a save with errors shows them "
            "(FILE:LINE:COL) until the next save fixes them. Ctrl+Q quits."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or a bundled id")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callsim.sim.scenario_paths import resolve_scenario

    path = resolve_scenario(args.scenario)
    if path is None:
        print(
            f"callsim preview: no scenario file or bundled scenario named "
            f"'{terminal_safe(args.scenario)}'",
            file=sys.stderr,
        )
        return 1
    from callsim.tui.preview import PreviewApp  # Textual is imported only when the app opens

    PreviewApp(path).run()
    return 0
