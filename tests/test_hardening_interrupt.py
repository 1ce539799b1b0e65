"""Ctrl-C of ``supplynet forecast`` while its pool works: exit 130 and one line (issue 22).

A terminal sends SIGINT to the whole foreground process group, the pool's workers
included; each worker used to print its own ``KeyboardInterrupt`` traceback. The test
starts the CLI in a group of its own, waits until its workers exist (no clock), and
interrupts the group as a terminal would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset


def _workers(pid: int) -> int:
    """Children of ``pid`` forked from it (same command line): its pool's workers, not
    the Stan processes its fits start."""
    parent = Path(f"/proc/{pid}/cmdline").read_bytes()
    found = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:  # exited meanwhile
                continue
            found += int(stat.rsplit(")", 1)[1].split()[1]) == pid and cmdline == parent
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_of_forecast_exits_130_with_one_line(tiny: SyntheticDataset, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    env = {**os.environ, "SUPPLYNET_DATA": str(tmp_path / "store")}
    env.pop("NEO4J_URI", None)
    command = [sys.executable, "-m", "supplynet.server.cli", "forecast", "--model", "prophet"]
    cli = subprocess.Popen(
        [*command, "--workers", "2", "--out", str(tmp_path / "forecast.csv")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        while _workers(cli.pid) < 2 and cli.poll() is None:
            time.sleep(0.05)  # polling, not timing: nothing asserts how long it took
        assert cli.poll() is None, "the forecast ended before its workers started"
        os.killpg(cli.pid, signal.SIGINT)
        out, err = cli.communicate(timeout=120)
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
    assert cli.returncode == 130, err
    assert "Traceback" not in out + err
    assert err.strip().splitlines() == ["error: interrupted"]
