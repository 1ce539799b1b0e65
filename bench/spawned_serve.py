"""A real ``supplynet serve`` on a free loopback port, for the benches that call it over gRPC.

The server prints ``serving on HOST:PORT`` once it listens (whatever the log level);
the benches read the port from that line rather than guessing one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def spawned_serve(data_dir: str | Path, workers: int) -> Iterator[str]:
    """Serve the embedded store in ``data_dir``; yields ``127.0.0.1:PORT``, stops it after."""
    env = {**os.environ, "SUPPLYNET_DATA": str(data_dir)}
    env.pop("NEO4J_URI", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "supplynet.server.cli", "serve", "--address", "127.0.0.1:0",
         "--workers", str(workers), "--log-level", "WARNING"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        port = None
        while port is None:
            line = server.stderr.readline()
            if not line:
                raise RuntimeError("supplynet serve exited before serving")
            match = re.search(r"serving on 127\.0\.0\.1:(\d+)", line)
            port = match.group(1) if match else None
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)
