"""A real `callsim serve` on a free loopback port, for the serve and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    db: Path
    config_root: Path
    log: Path
    process: subprocess.Popen

    def sessions(self) -> list[Path]:
        """Each session's (or person's) config folder, as the server made them."""
        return sorted(p for p in self.config_root.glob("*/*") if p.is_dir())


@contextmanager
def served(tmp_path: Path, *args: str, timeout: float = 30) -> Iterator[Served]:
    """`callsim serve` with a store and config folder of its own under tmp_path; stopped (and
    its session apps with it) at the end."""
    port = free_port()
    db, root, log = tmp_path / "calls.db", tmp_path / "sessions", tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "callsim", "serve", "--port", str(port), "--db", str(db),
             "--config-root", str(root), *args],
            stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy(), start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"callsim serve stopped: {log.read_text('utf-8')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("callsim serve did not listen in time") from None
                time.sleep(0.1)
        yield Served(f"http://127.0.0.1:{port}", db, root, log, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the server and any app it left
            process.wait()
