"""Jobs: killable child processes at a lower priority; deadlines become solver time limits."""

from __future__ import annotations

import asyncio
import os

import pytest

from supplynet.graph.errors import NotFound
from supplynet.server.app.progress import Report
from supplynet.server.rpc.jobs import JOB_NICENESS, JobRunner
from supplynet.server.rpc.settings import JobPriority


def niceness(*, report: Report) -> int:
    return os.nice(0)


def scheduling_policy(*, report: Report) -> int:
    return os.sched_getscheduler(0)


def missing(key: str, *, report: Report) -> None:
    raise NotFound("node", key)


def test_jobs_run_at_a_lower_priority_and_bring_back_domain_errors() -> None:
    async def run() -> tuple[int, str]:
        runner = JobRunner(workers=1)
        try:
            child = await runner.run(niceness)
            with pytest.raises(NotFound) as error:
                await runner.run(missing, "W404")
            return child, error.value.key
        finally:
            runner.shutdown()

    child, key = asyncio.run(run())
    assert child == min(os.nice(0) + JOB_NICENESS, 19)
    assert key == "W404"


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling policies")
@pytest.mark.parametrize(("priority", "policy"), [("idle", "SCHED_IDLE"), ("nice", "SCHED_OTHER")])
def test_job_priority_picks_the_scheduling_policy(priority: JobPriority, policy: str) -> None:
    """``idle`` jobs only get CPU the server leaves; ``nice`` ones share it, niced."""

    async def run() -> tuple[int, int]:
        runner = JobRunner(workers=1, priority=priority)
        try:
            return await runner.run(scheduling_policy), await runner.run(niceness)
        finally:
            runner.shutdown()

    child_policy, child_niceness = asyncio.run(run())
    assert child_policy == getattr(os, policy)
    assert child_niceness == min(os.nice(0) + JOB_NICENESS, 19)
