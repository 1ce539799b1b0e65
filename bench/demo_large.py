"""``supplynet demo --preset large`` end to end: wall time, time per stage, peak memory.

Target (issue 21): the whole demo on the ``large`` preset (122k series) in <= 15 minutes
with peak memory <= 8 GB over all processes, printing its progress to the log.

The demo runs as a child process (``python -m supplynet.server.cli demo``) writing to a
log; every second this script sums the memory of the child and all its descendants (pool
workers, solver processes) two ways: RSS, where a page shared by forked workers counts
once per process (an upper bound), and PSS, where it is split between them (what the
tree holds). The stage times are the demo's own
``[n/6] ... done in X s`` lines. With ``--limit-s`` the tree is stopped at the limit and
the result says which stage was running and how far its progress lines got.

    nice -n 10 .venv/bin/python bench/demo_large.py            # writes bench/results/demo_large.txt
    .venv/bin/python bench/demo_large.py --preset demo --results /tmp/demo.txt
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
STAGE_DONE = re.compile(r"^\[(\d+)/(\d+)\] (.+): done in ([\d.]+) s$")
STAGE_START = re.compile(r"^\[(\d+)/(\d+)\] (.+) \.\.\.$")
GIB = 1024**3


@dataclass
class Peak:
    """The largest sum over the process tree seen, when, and its processes' shares."""

    bytes: int = 0
    at_s: float = 0.0
    stage: str = ""
    processes: list[tuple[str, int]] = field(default_factory=list)

    def update(self, rows: list[tuple[str, int]], at_s: float, stage: str) -> None:
        total = sum(value for _, value in rows)
        if total > self.bytes:
            self.bytes, self.at_s, self.stage, self.processes = total, at_s, stage, rows


@dataclass
class Sampled:
    """Peaks of summed RSS and PSS over the process tree, and the running stage."""

    rss: Peak = field(default_factory=Peak)
    pss: Peak = field(default_factory=Peak)
    stage: str = "starting"
    stage_pss: dict[str, int] = field(default_factory=dict)
    """The largest summed PSS seen during each stage."""


def tree_memory(root: psutil.Process) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(name, RSS) and (name, PSS) of ``root`` and every live descendant."""
    rss, pss = [], []
    for proc in [root, *root.children(recursive=True)]:
        try:
            memory = proc.memory_full_info()
            name = f"{proc.pid} {proc.name()}"
        except psutil.Error:
            continue
        rss.append((name, memory.rss))
        pss.append((name, memory.pss))
    return rss, pss


def sample(root: psutil.Process, state: Sampled, started: float, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        try:
            rss, pss = tree_memory(root)
        except psutil.Error:
            return
        at_s = time.perf_counter() - started
        state.rss.update(rss, at_s, state.stage)
        state.pss.update(pss, at_s, state.stage)
        total = sum(value for _, value in pss)
        state.stage_pss[state.stage] = max(state.stage_pss.get(state.stage, 0), total)


def peak_lines(kind: str, peak: Peak) -> list[str]:
    return [
        f"peak {kind} summed over the process tree: {peak.bytes / GIB:.2f} GiB "
        f"(target <= 8 GB) at {peak.at_s:.0f} s, during '{peak.stage}'; "
        f"{len(peak.processes)} processes then:",
        *(
            f"  {name}: {value / GIB:.2f} GiB"
            for name, value in sorted(peak.processes, key=lambda row: -row[1])[:8]
        ),
    ]


def stop_tree(root: psutil.Process) -> None:
    """Terminate the demo and its descendants (children first), then kill stragglers."""
    procs = [*root.children(recursive=True), root]
    for proc in procs:
        try:
            proc.terminate()
        except psutil.Error:
            continue
    _, alive = psutil.wait_procs(procs, timeout=10)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            continue


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() + (" (tree has uncommitted changes)" if dirty.stdout else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="large")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit-s", type=float, default=None, help="stop the demo after this")
    parser.add_argument("--results", type=Path, default=ROOT / "bench/results/demo_large.txt")
    parser.add_argument("--workdir", type=Path, default=None, help="demo --out (default: temp)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="supplynet-demo-"))
    log_path = workdir / "demo.log"
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "supplynet.server.cli", "demo", "--preset", args.preset]
    command += ["--seed", str(args.seed), "--out", str(workdir / "out")]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "140"}
    load_before = os.getloadavg()
    header = (
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, "
        f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / GIB:.0f} GiB; "
        f"load average before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}"
    )
    print(header, flush=True)
    started = time.perf_counter()
    stages: list[tuple[str, float]] = []
    progress: dict[str, str] = {}
    state = Sampled()
    stop = threading.Event()
    with log_path.open("w") as log:
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        root = psutil.Process(child.pid)
        sampler = threading.Thread(target=sample, args=(root, state, started, stop), daemon=True)
        sampler.start()
        stopped = threading.Event()

        def at_limit() -> None:
            stopped.set()
            stop_tree(root)

        timer = None
        if args.limit_s is not None:
            timer = threading.Timer(args.limit_s, at_limit)
            timer.start()
        assert child.stdout is not None
        for raw in child.stdout:
            line = raw.rstrip("\n")
            elapsed = time.perf_counter() - started
            log.write(f"{elapsed:8.1f} {line}\n")
            print(f"{elapsed:8.1f} {line}", flush=True)
            if done := STAGE_DONE.match(line.strip()):
                stages.append((done[3], float(done[4])))
            elif begun := STAGE_START.match(line.strip()):
                state.stage = begun[3]
            elif ": " in line and " in " in line and "%)" in line:
                progress[state.stage] = line.strip()
        code = child.wait()
        stop.set()
        if timer is not None:
            timer.cancel()
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    finished = code == 0 and not stopped.is_set()
    status = "completed" if finished else f"exit {code}"
    status += f" (stopped at --limit-s {args.limit_s:g})" if stopped.is_set() else ""
    configured = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("SUPPLYNET_")]
    lines = [
        header,
        f"# command: {' '.join(['demo', '--preset', args.preset, '--seed', str(args.seed)])}"
        f" as a child of bench/demo_large.py; log {log_path}",
        f"# settings from the environment: {', '.join(configured) or 'none (the defaults)'}",
        f"status: {status}; wall {wall:.1f} s ({wall / 60:.1f} min; target <= 15 min)",
        "stages (the demo's own timings):",
        *(f"  {title}: {seconds:.1f} s" for title, seconds in stages),
    ]
    if not finished:
        lines.append(f"  running when it ended: {state.stage}")
    lines += [f"  last progress of '{stage}': {line}" for stage, line in progress.items()]
    lines += [
        "peak PSS summed over the process tree, per stage:",
        *(f"  {stage}: {value / GIB:.2f} GiB" for stage, value in state.stage_pss.items()),
        *peak_lines("PSS", state.pss),
        *peak_lines("RSS", state.rss),
        f"# load average after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}"
        " (other work on the machine slows every stage)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text)
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
