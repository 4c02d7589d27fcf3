"""Start-up time: from process start to the call screen ready to type, against a bare Textual app.

Each run is a fresh `python` process running headless (80x24). The callsim run opens the app,
picks the first scenario on the home screen, chooses practice on the briefing and stops once the
call screen's reply box has focus; the bare run stops once an app showing one label is on screen.
The parent times each child from spawn to its "ready" line. Prints the median of N runs.

    .venv/bin/python bench/startup.py [RUNS]
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time


def child_bare() -> None:
    from textual.app import App
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self):
            yield Label("ready")

    async def go() -> None:
        async with Bare().run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            print("ready", flush=True)

    asyncio.run(go())


def child_callsim() -> None:
    from textual.widgets import Input

    from tui.app import CallsimApp

    app = CallsimApp()

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "p")
            while not (isinstance(app.focused, Input) and app.focused.id == "reply"):
                await pilot.pause()
            print("ready", flush=True)

    asyncio.run(go())


def time_child(kind: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait()
    if line.strip() != "ready":
        raise SystemExit(f"{kind} run did not get ready (exit {proc.returncode})")
    return elapsed


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        {"bare": child_bare, "callsim": child_callsim}[sys.argv[2]]()
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    time_child("bare"), time_child("callsim")  # warm the file cache
    bare = [time_child("bare") for _ in range(runs)]
    app = [time_child("callsim") for _ in range(runs)]
    b, a = statistics.median(bare), statistics.median(app)
    print(f"runs: {runs} each, python {sys.version.split()[0]}")
    print(f"bare Textual app, one label:        median {b:.3f} s  (min {min(bare):.3f})")
    print(f"callsim, home -> call screen ready: median {a:.3f} s  (min {min(app):.3f})")
    print(f"ratio: {a / b:.2f}x  (targets: <= 1.5x and <= 0.6 s)")


if __name__ == "__main__":
    main()
