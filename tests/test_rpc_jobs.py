"""Jobs: killable child processes at a lower priority; deadlines become solver time limits."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from supplynet.graph.errors import NotFound
from supplynet.server.rpc.jobs import DEADLINE_SHARE, JOB_NICENESS, JobRunner, Report, TimeBudget


def niceness(*, report: Report) -> int:
    return os.nice(0)


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


def test_without_a_deadline_the_requested_limit_stands() -> None:
    assert TimeBudget.for_call(30.0, None).seconds() == 30.0


def test_a_deadline_caps_the_limit_at_its_share() -> None:
    budget = TimeBudget.for_call(600.0, 10.0)
    assert budget.seconds() == pytest.approx(10.0 * DEADLINE_SHARE, abs=0.05)
    assert TimeBudget.for_call(2.0, 10.0).seconds() == 2.0


def test_time_passing_before_the_solve_shrinks_the_limit() -> None:
    budget = TimeBudget.for_call(600.0, 1.0)
    before = budget.seconds()
    time.sleep(0.3)
    assert budget.seconds() == pytest.approx(before - 0.3, abs=0.05)


def test_an_exhausted_deadline_still_leaves_a_minimal_limit() -> None:
    assert TimeBudget(600.0, solve_by=time.time() - 5).seconds() == 0.1
