"""`callsim serve` under load: N browser sessions on loopback, each taking a scripted call.

Each simulated browser is a websocket client doing what the page does: it signs in, opens the
app, finds the repeat-caller scenario, starts a practice call and sends the good advisor's first
replies (tests/sim/scripts/broadband-down-repeat-caller.good.txt) as keystrokes, a few seconds
apart like a fast typist. A reply's time is from its Enter to the first words of the customer's
answer arriving in the terminal output the page would draw (the answers come from the same call
played headless first). Memory is each session's app process (resident and proportional, shared
pages counted once), read from /proc while every session is in its call. Linux only.

    python bench/serve_sessions.py                 # 1, 2, 4, 8 sessions
    python bench/serve_sessions.py --sessions 1 4 12 --replies 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "sim"))
from serving import served  # noqa: E402  (the tests' helper: a real server on a free port)

SCRIPT = ROOT / "tests" / "sim" / "scripts" / "broadband-down-repeat-caller.good.txt"
SCENARIO = "broadband-down-repeat-caller"
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")
GOAL_MS = 200


def answers(replies: list[str]) -> list[str]:
    """The customer's first words after each reply, from the call played headless."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(replies) + "\n")
    out = subprocess.run(
        [sys.executable, "-m", "callsim", "run", SCENARIO, "--script", f.name, "--json",
         "--no-save", "--trainee", "bench"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(f.name)
    turns = json.loads(out)["turns"]
    return [
        " ".join(turns[i + 1]["text"].split()[:3])
        for i, t in enumerate(turns)
        if t["speaker"] == "trainee"
    ]


class Gate:
    """Every session waits here until all are in their call (Gate is 3.11+)."""

    def __init__(self, parties: int) -> None:
        self.left = parties
        self.open = asyncio.Event()
        self.broken: BaseException | None = None

    async def wait(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.open.set()
        await self.open.wait()
        if self.broken is not None:
            raise RuntimeError("another session failed") from self.broken

    def abort(self, exc: BaseException) -> None:
        self.broken = exc
        self.open.set()


class Browser:
    """One simulated browser session."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self.out: list[str] = []
        self.latencies: list[float] = []

    def text(self, since: int = 0) -> str:
        return ANSI.sub("", "".join(self.out[since:]))

    async def wait_for(self, words: str, since: int = 0, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while words not in self.text(since):
            if time.monotonic() > deadline:
                Path(f"/tmp/serve-bench-{self.name.replace(' ', '-')}.txt").write_text(self.text())
                raise TimeoutError(f"{self.name}: never shown: {words!r}")
            await asyncio.sleep(0.005)

    async def _read(self, ws) -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.out.append(msg.data.decode("utf-8", "replace"))
            elif msg.type == aiohttp.WSMsgType.TEXT:
                self.out.append(msg.data)

    async def call(self, replies, expected, in_call: Gate, pause: float) -> None:
        try:
            await self._call(replies, expected, in_call, pause)
        except Exception as exc:
            in_call.abort(exc)  # the others stop waiting for this one
            raise

    async def _call(self, replies, expected, in_call: Gate, pause: float) -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            await http.post(f"{self.url}/sign-in", data={"trainee": self.name})
            ws = await http.ws_connect(self.url.replace("http", "ws") + "/ws?width=120&height=40")
            reader = asyncio.create_task(self._read(ws))
            send = lambda keys: ws.send_json(["stdin", keys])  # noqa: E731
            await ws.send_json(["resize", {"width": 120, "height": 40}])
            await self.wait_for("Broadband down for days", timeout=120)
            for attempt in range(4):  # a busy machine's app may drop or reorder early keys
                await asyncio.sleep(2)
                await send("/")
                await asyncio.sleep(0.3)
                await send("\x15repeat caller")  # Ctrl+U clears the box first
                await asyncio.sleep(1.5)  # the list narrows as the words arrive
                mark = len(self.out)
                await send("\r")  # to the list
                await asyncio.sleep(1)
                await send("\r")  # the highlighted scenario's briefing
                try:
                    await self.wait_for("Practice", since=mark, timeout=10)
                    if "Jordan Reeves" in self.text(mark):  # the repeat caller's briefing
                        break
                except TimeoutError:
                    pass
                if attempt == 3:
                    raise TimeoutError(f"{self.name}: could not open {SCENARIO}")
                await send("\x1b")  # back home, and try again
                await asyncio.sleep(0.5)
                await send("\x1b")
            await send("p")
            await self.wait_for("Type your reply")
            await in_call.wait()  # every session is in its call: measure from here
            for reply, answer in zip(replies, expected, strict=True):
                await asyncio.sleep(pause)
                await send(reply)
                await asyncio.sleep(0.3)  # the text is in the box
                mark = len(self.out)
                started = time.perf_counter()
                await send("\r")
                await self.wait_for(answer, since=mark)
                self.latencies.append(time.perf_counter() - started)
            await ws.close()
            reader.cancel()


def _proc_children(pid: int) -> list[int]:
    kids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(p.name))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def _mem(pid: int) -> tuple[float, float]:
    """(resident, proportional) MiB."""
    rss = pss = 0.0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
    return rss, pss


async def run(url: str, server_pid: int, n: int, replies: list[str], expected: list[str]):
    in_call = Gate(n + 1)
    browsers = [Browser(url, f"trainee {i + 1}") for i in range(n)]
    tasks = [asyncio.create_task(b.call(replies, expected, in_call, 1.0)) for b in browsers]
    try:
        await in_call.wait()
    except RuntimeError:  # a session failed: collect every session's end, then say so
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    await asyncio.sleep(0.5)
    apps = [_mem(pid) for pid in _proc_children(server_pid)]
    server = _mem(server_pid)
    await asyncio.gather(*tasks)
    return browsers, apps, server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--replies", type=int, default=3)
    args = ap.parse_args()
    replies = SCRIPT.read_text(encoding="utf-8").splitlines()[: args.replies]
    expected = answers(replies)
    print(
        f"cores: {os.cpu_count()}; {args.replies} replies per call; goal: answered < {GOAL_MS} ms"
    )
    print(
        "sessions  median ms  p95 ms  p95 after 1st  max ms  app RSS MiB  app PSS MiB  "
        "server RSS MiB"
    )
    for n in args.sessions:
        try:
            with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as srv:
                browsers, apps, server = asyncio.run(
                    run(srv.url, srv.process.pid, n, replies, expected)
                )
        except (TimeoutError, RuntimeError) as exc:
            print(f"{n:8d}  failed: {str(exc)[:200]}")
            break
        ms = sorted(x * 1000 for b in browsers for x in b.latencies)
        later = sorted(x * 1000 for b in browsers for x in b.latencies[1:]) or ms
        rss = statistics.mean(a[0] for a in apps) if apps else 0
        pss = statistics.mean(a[1] for a in apps) if apps else 0
        p95, p95_later = _p95(ms), _p95(later)
        note = "" if p95_later < GOAL_MS else "   <- over the goal"
        print(
            f"{n:8d}  {statistics.median(ms):9.0f}  {p95:6.0f}  {p95_later:13.0f}  "
            f"{ms[-1]:6.0f}  {rss:11.0f}  {pss:11.0f}  {server[0]:14.0f}{note}"
        )


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(len(values) * 0.95))]


if __name__ == "__main__":
    main()
