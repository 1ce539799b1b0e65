"""A real ``supplynet serve`` on a free loopback port, for the benches that call it over gRPC.

The server prints ``serving on HOST:PORT`` once it listens (whatever the log level);
the benches read the port from that line rather than guessing one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Served:
    """A spawned server: where it listens and its process ids (for their CPU time): the
    first is the one started, the others the server processes it started
    (``--processes``)."""

    target: str
    pids: tuple[int, ...]


@contextmanager
def spawned_serve_process(
    data_dir: str | Path, workers: int, processes: int = 1
) -> Iterator[Served]:
    """Serve the embedded store in ``data_dir`` on ``127.0.0.1:PORT``; stops it after."""
    env = {**os.environ, "SUPPLYNET_DATA": str(data_dir)}
    env.pop("NEO4J_URI", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "supplynet.server.cli", "serve", "--address", "127.0.0.1:0",
         "--workers", str(workers), "--processes", str(processes), "--log-level", "WARNING"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        match = None
        while match is None:
            line = server.stderr.readline()
            if not line:
                raise RuntimeError("supplynet serve exited before serving")
            match = re.search(r"serving on 127\.0\.0\.1:(\d+).*\(pid ([\d, ]+)\)", line)
        # what the server says later goes on to our stderr: left in the pipe, 64 KiB of
        # it would block the server's next write (and stall every call behind it)
        threading.Thread(target=_relay, args=(server.stderr,), daemon=True).start()
        pids = tuple(int(pid) for pid in match.group(2).split(", "))
        yield Served(f"127.0.0.1:{match.group(1)}", pids)
    finally:
        server.terminate()
        server.wait(timeout=60)


@contextmanager
def spawned_serve(data_dir: str | Path, workers: int) -> Iterator[str]:
    """Serve the embedded store in ``data_dir``; yields ``127.0.0.1:PORT``, stops it after."""
    with spawned_serve_process(data_dir, workers) as served:
        yield served.target


def _relay(stream: TextIO) -> None:
    for line in stream:
        sys.stderr.write(line)


def cpu_seconds(*pids: int) -> float:
    """User plus system CPU time of processes ``pids`` so far (all their threads; Linux)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")
