"""Demand distributions of the simulators: normal, Poisson, negative binomial, empirical.

One small value type draws per-period demand for every trial at once and states its
mean and standard deviation (what a forecast of it would say). Draws depend only on the
generator handed in, so two policies given generators with the same seed see the same
demand (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from supplynet.graph.errors import Problem, ValidationFailed

FloatArray = npt.NDArray[np.float64]
Kind = Literal["normal", "poisson", "negative_binomial", "empirical", "deterministic"]
KINDS: tuple[str, ...] = ("normal", "poisson", "negative_binomial", "empirical", "deterministic")


@dataclass(frozen=True)
class DemandModel:
    """Demand per period.

    ``normal``: ``mean``, ``sd`` (truncated at 0, as the inventory anchors do);
    ``poisson``: ``mean``; ``negative_binomial``: ``mean`` and ``sd`` with ``sd**2 > mean``;
    ``empirical``: equally likely ``values``; ``deterministic``: ``mean`` every period.
    """

    kind: Kind
    mean: float = 0.0
    sd: float = 0.0
    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationFailed(problems, "demand model")

    def problems(self) -> list[Problem]:
        found = []
        if self.kind not in KINDS:
            found.append(Problem("kind", f"unknown demand distribution {self.kind!r}"))
        if self.mean < 0 or self.sd < 0:
            found.append(Problem("mean", "mean and sd must not be negative"))
        if self.kind == "negative_binomial" and self.sd**2 <= self.mean:
            found.append(Problem("sd", "a negative binomial needs sd**2 > mean"))
        if self.kind == "empirical" and not self.values:
            found.append(Problem("values", "an empirical distribution needs values"))
        return found

    @classmethod
    def empirical(cls, values: tuple[float, ...] | list[float]) -> DemandModel:
        sample = np.asarray(values, float)
        return cls("empirical", float(sample.mean()), float(sample.std()), tuple(sample.tolist()))

    @classmethod
    def from_anchor(cls, spec: Mapping[str, Any]) -> DemandModel:
        """The demand of one stage of an ``inventory-anchor/v1`` file."""
        kind = spec["distribution"]
        if kind in ("poisson", "poisson_process"):
            return cls("poisson", float(spec.get("mean", spec.get("rate", 0.0))))
        if kind == "empirical":
            return cls.empirical(spec["values"])
        return cls(kind, float(spec.get("mean", 0.0)), float(spec.get("sd", 0.0)))

    def scaled(self, share: float) -> DemandModel:
        """Demand over ``share`` of a period (a finer review period): Poisson and
        deterministic exactly, others by matching mean and variance."""
        if self.kind in ("poisson", "deterministic"):
            return DemandModel(self.kind, self.mean * share)
        if self.kind == "empirical":
            raise ValidationFailed(
                [Problem("kind", "an empirical distribution cannot be split")], "demand model"
            )
        return DemandModel(self.kind, self.mean * share, self.sd * np.sqrt(share))

    @property
    def whole_units(self) -> bool:
        """Whether every draw is a whole number of units."""
        if self.kind == "empirical":
            return all(float(v).is_integer() for v in self.values)
        return self.kind in ("poisson", "negative_binomial")

    @property
    def std(self) -> float:
        """Standard deviation per period."""
        if self.kind == "poisson":
            return float(np.sqrt(self.mean))
        return 0.0 if self.kind == "deterministic" else self.sd

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        """Demand draws of the given shape (``[periods, trials]`` in the simulators)."""
        if self.kind == "normal":
            return np.maximum(rng.normal(self.mean, self.sd, shape), 0.0)
        if self.kind == "poisson":
            return rng.poisson(self.mean, shape).astype(float)
        if self.kind == "negative_binomial":
            success = self.mean / self.sd**2
            size = self.mean * success / (1.0 - success)
            return rng.negative_binomial(size, success, shape).astype(float)
        if self.kind == "empirical":
            return rng.choice(np.asarray(self.values, float), size=shape)
        return np.full(shape, self.mean)
