"""``DemandForecast``: the one result type every demand model returns.

Prophet, the baselines and the GNN all produce it, and the replenishment planner
consumes it, so none of them needs to know which model made a forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed

Freq = Literal["D", "W"]


@dataclass(frozen=True)
class DemandForecast:
    """Per (location, SKU, period): mean, quantiles and the model that produced them.

    ``frame`` columns: ``location_id``, ``sku_id``, ``period`` (start of the day or
    week), ``mean``, ``p10``, ``p50``, ``p90``, ``model``. Values are units per period,
    non-negative, with ``p10 <= p50 <= p90``.
    """

    frame: pd.DataFrame
    freq: Freq = "D"

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "location_id",
        "sku_id",
        "period",
        "mean",
        "p10",
        "p50",
        "p90",
        "model",
    )
    QUANTILES: ClassVar[dict[str, float]] = {"p10": 0.1, "p50": 0.5, "p90": 0.9}

    def __post_init__(self) -> None:
        problems = _problems(self.frame)
        if problems:
            raise ValidationFailed(problems, "forecast")

    @classmethod
    def concat(cls, parts: list[DemandForecast]) -> DemandForecast:
        """Join forecasts of disjoint series made at the same frequency."""
        if not parts:
            return cls.empty()
        freqs = {p.freq for p in parts}
        if len(freqs) > 1:
            raise ValidationFailed(
                [Problem("freq", f"mixed frequencies {sorted(freqs)}")], "forecast"
            )
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
        return cls(frame, parts[0].freq)

    @classmethod
    def empty(cls, freq: Freq = "D") -> DemandForecast:
        return cls(
            pd.DataFrame({c: [] for c in cls.COLUMNS}).astype(
                {
                    "period": "datetime64[ns]",
                    "mean": float,
                    "p10": float,
                    "p50": float,
                    "p90": float,
                }
            ),
            freq,
        )

    @property
    def periods(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(sorted(self.frame["period"].unique()))

    @property
    def series_keys(self) -> list[tuple[str, str]]:
        keys = self.frame[["location_id", "sku_id"]].drop_duplicates()
        return list(keys.itertuples(index=False, name=None))

    def series(self, location_id: str, sku_id: str) -> pd.DataFrame:
        """One series' rows, sorted by period."""
        f = self.frame
        part = f[(f["location_id"] == location_id) & (f["sku_id"] == sku_id)]
        return part.sort_values("period").reset_index(drop=True)

    def models_used(self) -> pd.Series:
        """Number of series per model name."""
        return self.frame.drop_duplicates(["location_id", "sku_id"])["model"].value_counts()


def _problems(frame: pd.DataFrame) -> list[Problem]:
    missing = [c for c in DemandForecast.COLUMNS if c not in frame.columns]
    if missing:
        return [Problem(f"forecast.{c}", "missing column") for c in missing]
    problems = []
    values = frame[["mean", "p10", "p50", "p90"]].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        problems.append(Problem("forecast", "non-finite values"))
    if (values < 0).any():
        problems.append(Problem("forecast", "negative values"))
    if (frame["p10"] > frame["p50"] + 1e-9).any() or (frame["p50"] > frame["p90"] + 1e-9).any():
        problems.append(Problem("forecast", "quantiles out of order (need p10 <= p50 <= p90)"))
    if frame.duplicated(["location_id", "sku_id", "period"]).any():
        problems.append(Problem("forecast", "duplicate (location_id, sku_id, period) rows"))
    return problems
