"""The fast path over many parts, on this process and worker processes.

The pooled dynamic program is many small numpy steps per part, so threads gain nothing
(the interpreter lock); separate processes do. Chunks of parts are dealt round-robin:
this process plans its share and reports each chunk, and after each one takes in what
the workers have sent. Workers are forked when this process has a single thread
(instant, nothing to copy), else started from a forkserver (safe, slower to start:
the problem is pickled to them). A worker stops at the deadline like this process;
one that has not answered shortly after it counts as having planned nothing more.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.replenishment.fast_path import Arrays, arrays, plan_parts
from supplynet.optimizer.replenishment.model import Batch, BatchSolution
from supplynet.optimizer.replenishment.problem import PlanningProblem
from supplynet.optimizer.workers import start_worker, stop_worker, worker_context

CHUNK = 200
"""Parts per chunk: progress is reported after each, and a chunk replays its parts'
flows in one vectorised pass."""
PROCESS_PARTS = 2000
"""Fewer parts than this are planned in this process alone (a worker costs ~0.1 s to
fork and seconds to start from a forkserver)."""
GRACE_S = 0.5

Planned = list[tuple[int, BatchSolution]]
"""Solutions of one chunk, by part index."""


def chunk_count(parts: int) -> int:
    """How many chunks ``plan_fast`` makes of ``parts`` parts."""
    return -(-parts // CHUNK)


def plan_fast(
    problem: PlanningProblem,
    parts: list[tuple[int, Batch]],
    deadline: Deadline,
    workers: int,
    on_chunk: Callable[[Planned], None],
) -> int:
    """Plan ``parts`` (index, part) by the fast path; ``on_chunk`` gets each chunk's
    solutions (parts it declined or did not reach are left out). Returns the number of
    chunks."""
    chunks = [parts[i : i + CHUNK] for i in range(0, len(parts), CHUNK)]
    # A daemonic process (a server job) may not start children: it plans alone.
    alone = multiprocessing.current_process().daemon
    if workers < 2 or len(parts) < PROCESS_PARTS or alone:
        values = arrays(problem)
        for chunk in chunks:
            on_chunk(_plan(problem, chunk, deadline, values))
        return len(chunks)
    context = worker_context("supplynet.optimizer.replenishment.fast_workers")
    running = [
        start_worker(context, _worker, problem, chunks[w::workers], deadline)
        for w in range(1, workers)
    ]
    values = arrays(problem)
    open_pipes = [receive for _, receive in running]
    for chunk in chunks[::workers]:
        on_chunk(_plan(problem, chunk, deadline, values))
        open_pipes = _drain(open_pipes, on_chunk, wait_until=None)
    grace = deadline.earlier(deadline.remaining() + GRACE_S)
    while open_pipes and not grace.expired():
        open_pipes = _drain(open_pipes, on_chunk, wait_until=grace)
    for process, receive in running:
        stop_worker(process, receive)
    return len(chunks)


def _drain(
    pipes: list[Connection], on_chunk: Callable[[Planned], None], wait_until: Deadline | None
) -> list[Connection]:
    """Take in every chunk the workers have sent; return the pipes still open. With
    ``wait_until``, wait for the first message up to then."""
    still = []
    for pipe in pipes:
        timeout = 0.0 if wait_until is None else wait_until.remaining()
        finished = False
        while pipe.poll(timeout):
            message = pipe.recv()
            if message is None:
                finished = True
                break
            on_chunk(message)
            timeout = 0.0
        if not finished:
            still.append(pipe)
    return still


def _plan(
    problem: PlanningProblem, chunk: list[tuple[int, Batch]], deadline: Deadline, values: Arrays
) -> Planned:
    solved = plan_parts(problem, [b for _, b in chunk], deadline, values)
    return [(i, s) for (i, _), s in zip(chunk, solved, strict=True) if s is not None]


def _worker(
    send: Connection,
    problem: PlanningProblem,
    chunks: list[list[tuple[int, Batch]]],
    deadline: Deadline,
) -> None:
    values = arrays(problem)
    for chunk in chunks:
        if deadline.expired():
            break
        send.send(_plan(problem, chunk, deadline, values))
    send.send(None)
    send.close()
