"""TimeBudget: a client's deadline turns into a solver time limit when the solver starts."""

from __future__ import annotations

import time

import pytest

from server.rpc.jobs import DEADLINE_SHARE, TimeBudget


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
