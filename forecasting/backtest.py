"""Rolling-origin backtests: how wrong each model would have been, never peeking ahead.

For each origin (cut) the model sees only the periods before it, forecasts the next
``horizon`` periods, and is scored against what then happened. Origins step back from
the end of the data by ``step`` periods. The MASE scale is computed on the training
part only, so nothing after an origin influences its score's denominator either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from supplynet.forecasting import metrics
from supplynet.forecasting.forecaster import ForecasterFactory, season_length
from supplynet.forecasting.series import SeriesHistory, split_series
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.executor import ParallelSettings, Progress, parallel_map

KEY = ["model", "location_id", "sku_id"]


@dataclass(frozen=True)
class Backtest:
    """Every scored forecast point of a backtest, and the tables derived from them.

    ``points`` columns: ``model``, ``location_id``, ``sku_id``, ``origin`` (first
    forecast period), ``period``, ``actual``, ``mean``, ``p10``, ``p50``, ``p90``,
    ``scale`` (MASE denominator at that origin), ``fitted_model`` (what the model
    recorded, e.g. the fallback ``auto`` chose).
    """

    points: pd.DataFrame
    horizon: int

    def per_series(self) -> pd.DataFrame:
        """WAPE, MASE, bias, mean pinball (P10/P50/P90) and P10-P90 coverage per series."""
        rows = [
            {
                "model": model,
                "location_id": location,
                "sku_id": sku,
                **_scores(part),
            }
            for (model, location, sku), part in self.points.groupby(KEY, sort=True)
        ]
        return pd.DataFrame(rows)

    def aggregate(self) -> pd.DataFrame:
        """One row per model: pooled WAPE, bias, pinball and coverage; mean MASE."""
        per_series = self.per_series()
        rows = []
        for model, part in self.points.groupby("model", sort=False):
            scores = _scores(part)
            series_mase = per_series.loc[per_series["model"] == model, "mase"]
            scores["mase"] = float(np.nanmean(series_mase)) if series_mase.notna().any() else np.nan
            rows.append({"model": model, "series": len(series_mase), **scores})
        return pd.DataFrame(rows).sort_values("wape", kind="stable").reset_index(drop=True)

    def best_models(self, metric: str = "mase") -> dict[tuple[str, str], str]:
        """Per series, the model with the lowest ``metric`` over this backtest's origins."""
        table = self.per_series().dropna(subset=[metric]).sort_values(metric, kind="stable")
        best = table.drop_duplicates(["location_id", "sku_id"])
        return {(r.location_id, r.sku_id): str(r.model) for r in best.itertuples()}

    def with_best(self, metric: str = "mase", selection_origins: int = 1) -> Backtest:
        """Add a ``best`` model chosen per series on the first origins, scored on the rest.

        The earliest ``selection_origins`` origins choose each series' model; the result
        keeps only the later origins, for every model, so ``best`` is compared on equal
        terms and its score is out of sample.
        """
        origins = sorted(self.points["origin"].unique())
        if len(origins) <= selection_origins:
            raise ValidationFailed(
                [Problem("selection_origins", f"need fewer than the {len(origins)} origins")],
                "backtest",
            )
        early = self.points["origin"].isin(origins[:selection_origins])
        choice = Backtest(self.points[early], self.horizon).best_models(metric)
        later = self.points[~early]
        keys = list(zip(later["location_id"], later["sku_id"], strict=True))
        chosen = later["model"].to_numpy() == np.array([choice.get(k, "") for k in keys])
        best = later[chosen].assign(model="best")
        return Backtest(pd.concat([later, best], ignore_index=True), self.horizon)


def backtest(
    cleaned: pd.DataFrame,
    models: Mapping[str, ForecasterFactory],
    horizon: int,
    origins: int = 3,
    step: int | None = None,
    parallel: ParallelSettings | None = None,
    progress: Progress | None = None,
) -> Backtest:
    """Score each of ``models`` on every series at ``origins`` rolling origins.

    Parameters
    ----------
    cleaned
        A ``clean_demand`` frame.
    models
        Name -> factory of an unfitted forecaster; names label the result rows.
    horizon
        Periods forecast from each origin.
    origins
        Number of origins; the last one leaves exactly ``horizon`` periods to score.
    step
        Periods between origins (default ``horizon``: non-overlapping test windows).

    Raises
    ------
    ValidationFailed
        Non-positive horizon, origins or step, or no model given.
    """
    step = step or horizon
    problems = [
        Problem(name, f"must be >= 1, got {value}")
        for name, value in (("horizon", horizon), ("origins", origins), ("step", step))
        if value < 1
    ]
    if not models:
        problems.append(Problem("models", "give at least one model"))
    if problems:
        raise ValidationFailed(problems, "backtest")
    work = partial(_backtest_one, dict(models), horizon, origins, step)
    parts = parallel_map(work, split_series(cleaned), parallel, progress)
    parts = [p for p in parts if len(p)]
    points = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return Backtest(points, horizon)


def cuts(length: int, horizon: int, origins: int, step: int) -> list[int]:
    """Positions of the origins in a series of ``length`` periods (training = ``[:cut]``).

    Origins that would leave fewer than two training periods are dropped.
    """
    last = length - horizon
    return [c for c in (last - k * step for k in reversed(range(origins))) if c >= 2]


def _backtest_one(
    models: dict[str, ForecasterFactory],
    horizon: int,
    origins: int,
    step: int,
    series: SeriesHistory,
) -> pd.DataFrame:
    history = series.history
    season = season_length(pd.DatetimeIndex(history.index))
    rows = []
    for cut in cuts(len(history), horizon, origins, step):
        train = history.iloc[:cut]
        actual = history["quantity"].iloc[cut : cut + horizon].to_numpy(dtype=float)
        scale = metrics.mase_scale(train["quantity"].to_numpy(dtype=float), season)
        for name, factory in models.items():
            model = factory().fit(train)
            answer = model.predict(horizon).reset_index()
            answer["actual"] = actual
            answer["model"] = name
            answer["fitted_model"] = model.model_name
            answer["origin"] = answer["period"].iloc[0]
            answer["scale"] = scale
            rows.append(answer)
    if not rows:
        return pd.DataFrame()
    frame = pd.concat(rows, ignore_index=True)
    frame["location_id"] = series.location_id
    frame["sku_id"] = series.sku_id
    return frame


def _scores(part: pd.DataFrame) -> dict[str, float]:
    actual = part["actual"].to_numpy()
    pinball = np.mean([metrics.pinball(actual, part[c], q) for c, q in _QUANTILES])
    return {
        "wape": metrics.wape(actual, part["mean"]),
        "mase": _mase(part),
        "bias": metrics.bias(actual, part["mean"]),
        "pinball": float(pinball),
        "coverage": metrics.coverage(actual, part["p10"], part["p90"]),
    }


def _mase(part: pd.DataFrame) -> float:
    """MASE of each origin with its own training scale, averaged over origins."""
    values = [
        metrics.mase(o["actual"], o["mean"], float(o["scale"].iloc[0]))
        for _, o in part.groupby("origin", sort=False)
    ]
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


_QUANTILES = (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))
