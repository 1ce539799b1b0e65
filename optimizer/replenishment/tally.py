"""What the rolling evaluators share: the run-length check and the service tallies.

``rolling.roll`` (single stage) and ``assembly.roll_assembly`` run a policy for
``periods`` periods in ``trials`` trials and measure after ``warmup``; both count the
same cost and service figures into a ``SimulationResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.optimizer.simulation import SimulationResult

FloatArray = npt.NDArray[np.float64]


def check_run(problems: list[Problem], periods: int, warmup: int, subject: str) -> None:
    """Raise the instance's ``problems`` and a warm-up that leaves nothing to measure."""
    if warmup >= periods:
        problems = [*problems, Problem("warmup", "must be shorter than periods")]
    if problems:
        raise ValidationFailed(problems, subject)


@dataclass
class Tally:
    """Cost per trial and service counts over the measured periods."""

    trials: int
    cost: FloatArray = field(init=False)
    demanded: float = 0.0
    served: float = 0.0
    stockouts: float = 0.0

    def __post_init__(self) -> None:
        self.cost = np.zeros(self.trials)

    def add(self, cost: FloatArray, demand: FloatArray, met: FloatArray) -> None:
        """One measured period: its cost per trial, the demand and what was met at once."""
        self.cost += cost
        self.demanded += float(demand.sum())
        self.served += float(met.sum())
        self.stockouts += float((met < demand - 1e-9).sum())

    def result(self, periods: int, warmup: int) -> SimulationResult:
        measured = periods - warmup
        return SimulationResult(
            cost_per_trial=self.cost / measured,
            fill_rate=self.served / self.demanded if self.demanded > 0 else 1.0,
            stockout_rate=self.stockouts / (measured * self.trials),
            periods=periods,
            trials=self.trials,
        )
