"""One Deadline from the door to the solver, checked on an injected clock (no waiting)."""

from __future__ import annotations

import math
import pickle

import pytest

from supplynet.graph.deadline import REPLY_RESERVE_SHARE, Deadline, ManualClock


def test_remaining_counts_down_on_the_clock_and_never_goes_negative() -> None:
    clock = ManualClock()
    deadline = Deadline.after(10.0, clock)
    clock.advance(4.0)
    assert deadline.remaining() == 6.0
    clock.advance(7.0)
    assert deadline.remaining() == 0.0 and deadline.expired()


def test_no_deadline_leaves_the_requested_limit() -> None:
    assert Deadline.never().remaining() == math.inf
    assert Deadline.after(None).solver_limit(30.0) == 30.0


def test_the_earlier_of_a_request_limit_and_a_caller_deadline_wins() -> None:
    """StartPlan's 600 s limit with a 10 s gRPC deadline: 10 s; with none: 600 s."""
    clock = ManualClock()
    assert Deadline.after(600.0, clock).earlier(10.0).remaining() == 10.0
    assert Deadline.after(600.0, clock).earlier(None).remaining() == 600.0
    assert Deadline.after(5.0, clock).earlier(10.0).remaining() == 5.0


def test_the_solver_limit_keeps_the_reply_reserve_and_shrinks_while_waiting() -> None:
    """A job that waits 4 s for a worker gets what is left then, less the reserve."""
    clock = ManualClock()
    deadline = Deadline.after(10.0, clock)
    assert deadline.solver_limit() == pytest.approx(10.0 * (1 - REPLY_RESERVE_SHARE))
    clock.advance(4.0)
    assert deadline.solver_limit() == pytest.approx(6.0 * (1 - REPLY_RESERVE_SHARE))
    assert deadline.solver_limit(cap=2.0) == 2.0
    clock.advance(60.0)
    assert deadline.solver_limit() == 1e-3, "an exhausted deadline still lets a solver return"


def test_a_stage_share_is_a_fraction_of_what_is_left() -> None:
    clock = ManualClock()
    deadline = Deadline.after(10.0, clock)
    clock.advance(2.0)
    assert deadline.share(0.25).remaining() == pytest.approx(2.0)


def test_a_deadline_on_the_default_clock_pickles_for_worker_processes() -> None:
    deadline = Deadline.after(30.0)
    copy = pickle.loads(pickle.dumps(deadline))
    assert copy.expires_at == deadline.expires_at
    assert 0 < copy.remaining() <= 30.0
