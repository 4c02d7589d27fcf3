"""Start-up time: from process start to the call screen ready to type, against a bare Textual app.

Each run is a fresh `python` process running the app headless at 80x24 through the same entry
point a trainee uses (`callsim app ...` via `sim.cli.main`). Three kinds of run:

- bare:   a Textual app showing one label; ready at its first frame.
- direct: `callsim app --scenario ID --mode practice`; ready at the first frame of the call
          screen with the reply box focused.
- home:   `callsim app`; at the first frame of the home screen (list focused) it presses Enter
          on the first scenario, at the first frame of the briefing it presses `p` (practice),
          and it is ready at the first frame of the call screen with the reply box focused.
          Keys are sent the moment a screen is drawn: no human reading time, so anything the
          app does in the background competes with the next screen.

"Drawn" means the compositor produced the screen's update (`App._display`, which the headless
driver then discards). The parent times each child from spawn to its "ready" line and reads the
child's CPU time (user + system, all threads) from `os.wait4`; the child exits at once after
"ready", so both figures stop there. Children write and read compiled modules in a temporary
folder (PYTHONPYCACHEPREFIX; the first, untimed, run of each kind fills it), as an installed
callsim would, even where PYTHONDONTWRITEBYTECODE is set. Each run gets a fresh copy of an empty
store (CALLSIM_DB), as a returning trainee whose name is known (CALLSIM_TRAINEE; otherwise the
app asks for it first). Runs are interleaved (bare, direct, home, bare, ...) so a busy shared
machine hurts all three alike. Prints medians of N runs each.

    .venv/bin/python bench/startup.py [RUNS]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (80, 24)
CHARS = {"enter": "\r"}

#: Times a bare Textual app each path may take (issue 14): three screens through home.
LIMITS = {"direct": 1.5, "home": 2.0}

#: (screen class, id of the widget that must have focus or None, key to press then or None = ready)
Step = tuple[str, "str | None", "str | None"]


def _instrument(steps: list[Step]) -> None:
    """Run every App headless and walk `steps` as frames are drawn; exit at the last one."""
    from textual import events
    from textual.app import App

    original_run = App.run
    original_display = App._display
    at = [0]

    def run_headless(self, **_: object) -> object:
        return original_run(self, headless=True, size=SIZE)

    def display(self, screen, renderable) -> None:
        original_display(self, screen, renderable)
        if renderable is None or screen is not self.screen:
            return
        name, focus_id, key = steps[at[0]]
        if type(screen).__name__ != name:
            return
        if focus_id is not None and getattr(self.focused, "id", None) != focus_id:
            return
        at[0] += 1
        sys.stdout.write(f"{'ready' if key is None else 'drawn'} {name}\n")
        sys.stdout.flush()
        if key is None:
            os._exit(0)
        event = events.Key(key, CHARS.get(key, key))
        event.set_sender(self)  # as the driver does: a key from outside, not from a screen
        self.post_message(event)

    App.run = run_headless  # type: ignore[method-assign]
    App._display = display  # type: ignore[method-assign]


def child_bare() -> None:
    _instrument([("Screen", None, None)])
    from textual.app import App
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self):
            yield Label("ready")

    Bare().run()


def child_direct(scenario: str) -> None:
    _instrument([("CallScreen", "reply", None)])
    from callsim.sim.cli import main

    main(["app", "--scenario", scenario, "--mode", "practice"])


def child_home() -> None:
    _instrument(
        [
            ("HomeScreen", "scenarios", "enter"),
            ("BriefingScreen", "practice", "p"),
            ("CallScreen", "reply", None),
        ]
    )
    from callsim.sim.cli import main

    main(["app"])


def time_child(store: Path, *args: str) -> tuple[float, float, list[float]]:
    """(wall seconds to "ready", CPU seconds of the child, wall seconds to each screen drawn
    on the way), on a fresh copy of `store`."""
    db = store.with_name("run.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(store, db)
    env = {
        **os.environ,
        "CALLSIM_DB": str(db),
        "PYTHONPYCACHEPREFIX": str(store.parent / "pyc"),
        # A returning trainee: the name is known, so the app does not ask for it first.
        "CALLSIM_TRAINEE": "bench",
        "CALLSIM_CONFIG_DIR": str(store.parent / "config"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules are read compiled
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    steps: list[float] = []
    line = proc.stdout.readline()
    while line.startswith("drawn "):
        steps.append(time.perf_counter() - start)
        line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if not line.startswith("ready "):
        raise SystemExit(f"{' '.join(args)} run did not get ready (exit {proc.returncode})")
    return elapsed, usage.ru_utime + usage.ru_stime, steps


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        kind, rest = sys.argv[2], sys.argv[3:]
        {"bare": child_bare, "direct": child_direct, "home": child_home}[kind](*rest)
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    from callsim.sim.scenario_paths import bundled_scenarios
    from callsim.sim.store import open_store

    first = bundled_scenarios()[0].stem  # the scenario the home screen lists first
    kinds = {"bare": ("bare",), "direct": ("direct", first), "home": ("home",)}
    results: dict[str, list[tuple[float, float, list[float]]]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        # An empty store, as a new trainee has; each run gets its own copy (a run leaves an
        # unfinished call behind, which the next run would offer to resume).
        store = Path(tmp, "callsim.db")
        open_store(store).close()
        for args in kinds.values():  # warm the file cache
            time_child(store, *args)
        for _ in range(runs):
            for kind, args in kinds.items():
                results[kind].append(time_child(store, *args))
    labels = {
        "bare": "bare Textual app, one label",
        "direct": "callsim app --scenario ID --mode practice",
        "home": "callsim app: home -> briefing -> call",
    }
    summary = []
    bare_wall = statistics.median(w for w, _, _ in results["bare"])
    bare_cpu = statistics.median(c for _, c, _ in results["bare"])
    print(f"scenario: {first}")
    print(f"runs: {runs} each, interleaved; python {sys.version.split()[0]}; 80x24 headless")
    print(
        f"{'median of the runs':44} {'wall':>7} {'(min)':>7} {'ratio':>6} {'CPU':>7} {'ratio':>6}"
    )
    for kind, label in labels.items():
        walls = [w for w, _, _ in results[kind]]
        cpu = statistics.median(c for _, c, _ in results[kind])
        wall = statistics.median(walls)
        print(
            f"{label:44} {wall:6.3f}s {min(walls):6.3f}s {wall / bare_wall:5.2f}x"
            f" {cpu:6.3f}s {cpu / bare_cpu:5.2f}x"
        )
        if kind != "bare":
            limit = LIMITS[kind]
            summary.append(
                [
                    f"start-up: {label}",
                    f"<= 0.6 s and <= {limit:g}x bare",
                    f"{wall:.2f} s, {wall / bare_wall:.2f}x (CPU {cpu / bare_cpu:.2f}x)",
                    wall <= 0.6 and wall / bare_wall <= limit,
                ]
            )
    home_steps = [statistics.median(s[i] for _, _, s in results["home"]) for i in range(2)]
    print(f"  home path, first frame of: home {home_steps[0]:.3f}s, briefing {home_steps[1]:.3f}s")
    print("targets: call screen ready <= 0.6 s; <= 1.5x the bare app direct, 2x through home")
    print("SUMMARY " + json.dumps({"bench": "startup", "figures": summary}))


if __name__ == "__main__":
    main()
