"""What a search engine is: a configuration in, one visit order per vehicle out.

Engines run in worker processes, so configurations and runs are small picklable values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from supplynet.graph.deadline import Deadline
from supplynet.optimizer.routing.matrix import IntegerModel


@dataclass(frozen=True)
class SearchConfig:
    """One configured search of the portfolio.

    ``engine`` is ``ortools`` or ``pyvrp``; ``first_solution`` and ``metaheuristic`` are
    OR-Tools enum names; ``mandatory`` turns off the drop penalties (plain OR-Tools, used
    as the benchmark baseline).
    """

    engine: str = "ortools"
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    seed: int = 0
    mandatory: bool = False

    @property
    def name(self) -> str:
        if self.engine == "pyvrp":
            return f"pyvrp(seed={self.seed})"
        suffix = ",mandatory" if self.mandatory else ""
        return f"ortools({self.first_solution}+{self.metaheuristic}{suffix})"


@dataclass(frozen=True)
class EngineRun:
    """What one search returned: ``routes[v]`` are stop indices of vehicle ``v``."""

    config: SearchConfig
    routes: tuple[tuple[int, ...], ...]
    found: bool
    wall_s: float
    detail: str = ""


class Engine(Protocol):
    """A search engine: solves the integer model by ``deadline`` (model building included)."""

    def __call__(
        self, model: IntegerModel, config: SearchConfig, deadline: Deadline, skip: frozenset[int]
    ) -> EngineRun: ...
