"""One time budget, created where a request enters and handed down to every solver.

A gRPC deadline or a ``--time-limit`` becomes a ``Deadline`` once, at the entry point;
each layer below asks it for ``remaining()`` seconds and never reads a clock of its
own. Everything is in seconds of one monotonic clock, which tests replace with a
``ManualClock`` to check limits without waiting. Reserves (time kept back for saving
and replying) are decided in one place: ``Deadline.solver_limit``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
"""Seconds on a monotonic scale; ``time.monotonic`` unless a test injects another."""

REPLY_RESERVE_SHARE = 0.2
"""Share of the remaining time a solver leaves for whatever follows it (saving, replying)."""


@dataclass
class ManualClock:
    """A clock that moves only when told to: deadline tests assert on it, not on wall time."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Deadline:
    """The moment by which work must be done, on ``clock``; ``expires_at=inf``: none.

    Picklable with the default clock (``time.monotonic`` is machine-wide on Linux, so a
    worker process on the same machine reads the same scale).
    """

    expires_at: float = math.inf
    clock: Clock = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float | None, clock: Clock = time.monotonic) -> Deadline:
        """A deadline ``seconds`` from now; ``None`` means no deadline."""
        if seconds is None:
            return cls(math.inf, clock)
        return cls(clock() + seconds, clock)

    @classmethod
    def never(cls) -> Deadline:
        return cls()

    def remaining(self) -> float:
        """Seconds left (never negative); ``inf`` without a deadline."""
        return max(0.0, self.expires_at - self.clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def earlier(self, seconds: float | None) -> Deadline:
        """This deadline or one ``seconds`` from now, whichever comes first."""
        if seconds is None:
            return self
        return Deadline(min(self.expires_at, self.clock() + seconds), self.clock)

    def share(self, fraction: float) -> Deadline:
        """A deadline for a stage that may use ``fraction`` of the time left."""
        remaining = self.remaining()
        if math.isinf(remaining):
            return self
        return Deadline(self.clock() + remaining * fraction, self.clock)

    def solver_limit(self, cap: float | None = None) -> float:
        """Seconds a solver starting now may run: the time left less the reply reserve.

        ``cap`` bounds it (a configured maximum); at least a millisecond, so that a solver
        asked to stop at once still returns what it has.
        """
        limit = self.remaining() * (1 - REPLY_RESERVE_SHARE)
        if cap is not None:
            limit = min(limit, cap)
        return max(limit, 1e-3)
