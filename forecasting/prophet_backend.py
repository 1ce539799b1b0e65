"""A cmdstanpy backend for Prophet that hands Stan its data as arrays, not lists.

Prophet's stock backend turns the design matrix (periods x features, ~30,000 numbers
for two years of daily data) into nested Python lists; cmdstanpy's JSON writer then
walks them element by element. Passing numpy arrays takes the writer's fast path
(``tolist`` + ujson). The Stan model, its inputs and the optimizer are unchanged: the
fit is bit-for-bit the same, only the serialisation is cheaper (see
bench/forecast_throughput.py for the measured share).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from prophet.models import CmdStanPyBackend

SCALARS = ("T", "S", "K", "tau", "trend_indicator")
VECTORS = ("y", "t", "cap", "t_change", "s_a", "s_m", "sigmas")


class ArrayBackend(CmdStanPyBackend):
    """``CmdStanPyBackend`` with an array-preserving ``prepare_data``."""

    @staticmethod
    def prepare_data(
        init: dict[str, Any], data: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        stan_data: dict[str, Any] = {name: data[name] for name in SCALARS}
        for name in VECTORS:
            stan_data[name] = np.asarray(data[name])
        stan_data["X"] = np.asarray(data["X"], dtype=float)
        stan_init = {
            "k": init["k"],
            "m": init["m"],
            "delta": np.asarray(init["delta"], dtype=float),
            "beta": np.asarray(init["beta"], dtype=float),
            "sigma_obs": init["sigma_obs"],
        }
        return stan_init, stan_data


@lru_cache(maxsize=1)
def array_backend() -> ArrayBackend:
    """One backend per process: it only holds the compiled model and the last fit."""
    return ArrayBackend()
