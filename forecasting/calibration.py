"""Conformal calibration of P10/P90: widen or narrow intervals to what backtests showed.

A model's own intervals are only as honest as its noise model (Prophet's Gaussian,
a baseline's in-sample errors, a quantile regressor's fit). Split conformal
calibration fixes that from outcomes: on held-out forecasts (a rolling backtest on
the training history only), find the shifts of P10 and P90 that leave 10% of the
actuals below the lower bound and 10% above the upper one, and apply those shifts to
later forecasts. Shifts are in units of each series' recent level (``scale``), so one
pooled calibration fits small and large series alike; outputs stay non-negative, and
the shift accounts for that clipping (a zero actual is never below a zero P10). Where
the lower bound cannot reach its 10% (intermittent demand: P10 is zero and most
actuals are too), the upper bound takes the rest of the 20% outside share, so the
P10-P90 interval still covers 80%, the promise a planner reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

LOWER, UPPER = 0.1, 0.9
MIN_POINTS = 20
"""Fewer scored points than this leave the intervals as the model made them."""


@dataclass(frozen=True)
class IntervalCalibration:
    """Shifts of P10 and P90 per unit of series scale (zero: leave them as they are)."""

    lower_shift: float = 0.0
    upper_shift: float = 0.0
    points: int = 0

    @classmethod
    def fit(
        cls,
        actual: npt.ArrayLike,
        p10: npt.ArrayLike,
        p90: npt.ArrayLike,
        scale: npt.ArrayLike,
    ) -> IntervalCalibration:
        """The shifts that put ``LOWER`` of ``actual`` below P10 and ``1 - UPPER`` above P90.

        Points without an actual are ignored; with fewer than ``MIN_POINTS`` the
        calibration is the identity.
        """
        a = np.asarray(actual, dtype=float)
        keep = np.isfinite(a)
        a = a[keep]
        lo = np.asarray(p10, dtype=float)[keep]
        hi = np.asarray(p90, dtype=float)[keep]
        s = np.maximum(np.asarray(scale, dtype=float)[keep], 1e-9)
        if len(a) < MIN_POINTS:
            return cls()
        lower = _shift(a, lo, s, LOWER, below=True)
        below = float(np.mean(a < np.maximum(lo + lower * s, 0.0)))
        upper = _shift(a, hi, s, (1 - UPPER) + (LOWER - below), below=False)
        return cls(lower, upper, len(a))

    def apply(
        self, p10: np.ndarray, p90: np.ndarray, scale: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Shifted (P10, P90), clipped at zero."""
        return (
            np.maximum(p10 + self.lower_shift * scale, 0.0),
            np.maximum(p90 + self.upper_shift * scale, 0.0),
        )


def _shift(a: np.ndarray, bound: np.ndarray, scale: np.ndarray, share: float, below: bool) -> float:
    """Smallest-error shift ``d`` so that the share of actuals strictly outside
    ``max(bound + d * scale, 0)`` is ``share`` (bisection: outside share is monotone in d)."""
    residual = (a - bound) / scale
    low, high = float(residual.min()) - 1.0, float(residual.max()) + 1.0

    def outside(d: float) -> float:
        moved = np.maximum(bound + d * scale, 0.0)
        return float(np.mean(a < moved) if below else np.mean(a > moved))

    # below: outside share grows with d; above: it shrinks with d. The end kept is the
    # one with at most ``share`` outside (discrete demand rarely hits it exactly).
    for _ in range(60):
        middle = 0.5 * (low + high)
        too_many = outside(middle) > share
        if below == too_many:
            high = middle
        else:
            low = middle
    return low if below else high
