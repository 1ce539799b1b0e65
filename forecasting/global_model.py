"""The global model: gradient boosting (LightGBM) trained across every series at once.

One model learns from all series' histories (``global_features``: lags and rolling
statistics from the past, calendar and holidays, planned price and promotion, the
network neighbours' signals), so a short or noisy series borrows strength from the
rest; M5's lesson. It is direct multi-horizon: the step is a feature, so one model
answers steps ``1 .. horizon`` from one origin, and forecasting 100k series is one
batched prediction rather than 100k fits.

Outputs: P10/P50/P90 from quantile (pinball) models, learning demand over the
series' recent level, weighted by that level so the losses are in units, as the pooled
metrics are; ``mean`` is the P50 times a bias factor learnt on the validation windows
(the median is the robust point of skewed, intermittent demand; the factor restores the
level a planner sums over days), shrunk toward 1 by its week-to-week noise: a level that
moved in the validation weeks is not carried into the forecast (on SupplyGraph's
backtests it cut the mean's bias at 7, 28 and 45 days). Fitting is split by time: the
windows ending on the last day validate (four or more, a week apart, at least 28 days
of targets) and set the boosting rounds per model, the mean's bias factor and the
conformal shifts of P10/P90 (``calibration``); then the models are refit on everything
with those rounds. A history too short for whole validation windows is validated on
windows cut at the last day (the early model still trains on four weeks of origins
before them): the rounds, the bias factor and the short steps' calibration rest on what
there is, and the longer steps take the calibration of the longest bucket measured.
Calibration is per horizon bucket (``HorizonCalibration``): errors grow with the step;
the first week's is per tercile of the series' momentum (last week's level over the
recent level): after a level shift the next days miss more.
Weekdays that are closed (zero in nearly every recent week) are
forecast as zero.

Daily and weekly data take the same path: the panel's ``Cadence`` (read from the
frame) sets the features and the counts above in periods (a level window of history
before the first origin and of the early model's origins, validation windows a week
apart covering 28 days); ``horizon`` counts periods.

``graph="both"`` (the default model, ``auto``) trains the model with and without the
graph features on the same rows and averages their quantiles, each series with its own
weights from the validation windows (inverse absolute error of P50, each series' relative
errors averaged with the pooled ones, so a few noisy windows cannot hand a series to one
variant). Combining forecasts is the most robust known gain (M4, M5); which variant is
better differs by dataset (on SupplyGraph the no-graph one wins at 28 days, on the
synthetic network the graph one). The mean's bias factor and the calibration are then
learnt on the combined validation forecasts, and ``fit_.weights`` records each series'
weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Self

import numpy as np
import pandas as pd

from supplynet.forecasting.calibration import HorizonCalibration
from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.forecaster import bounded
from supplynet.forecasting.global_features import (
    Cadence,
    DemandPanel,
    FeatureRows,
    demand_panel,
    feature_rows,
)
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.series_relations import RELATIONS, series_relations

MODEL_NAME = "lightgbm_global"
NO_GRAPH_NAME = "lightgbm_no_graph"
COMBINED_NAME = "lightgbm_combined"
GraphUse = bool | Literal["both"]
"""``True``: graph features; ``False``: the no-graph ablation; ``"both"``: the two combined."""
VALIDATION_DAYS = 28
"""Validation windows hold at least this many days of targets."""
VALIDATION_EXTRA = 3
"""Windows beyond those that cover ``VALIDATION_DAYS``: the calibration's quantiles of
long steps rest on a few weekly origins' level errors, so two windows are too few."""
MIN_TRAIN_ORIGINS = 8
"""Training origins at least. A panel so wide that ``max_rows`` holds fewer origins
(100k series) keeps this many and a seeded sample of their rows: a single origin would
leave the early model nothing before the validation windows and no step but the first
with a target."""
OBJECTIVES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}
BIAS_LIMITS = (0.8, 1.25)
"""The mean's validation bias correction is kept within these factors."""


@dataclass(frozen=True)
class GlobalFit:
    """What fitting learned: per variant (graph features or not) the boosters per output
    and their rounds, each series' combination weights, the corrections."""

    boosters: dict[str, dict[str, Any]]
    rounds: dict[str, dict[str, int]]
    mean_factor: float
    calibration: HorizonCalibration
    features: tuple[str, ...]
    relations: tuple[str, ...]
    cadence: Cadence
    weights: pd.DataFrame
    """Per series (index ``store_id``, ``sku_id``) the weight of each variant (columns)."""
    pooled: dict[str, float]
    """Weights of a series not seen in fitting."""


class GlobalForecaster:
    """LightGBM forecaster over all series of a cleaned daily or weekly demand frame.

    Parameters
    ----------
    horizon
        Periods forecast from each origin; ``forecast`` refuses a longer one.
    country
        ``holidays`` country code of the holiday calendar (``None``: no holidays).
    network
        The network whose relations give the graph features (``None``: none).
    graph
        Use the graph features (``False``: the no-graph ablation; ``"both"``: the two
        combined per series by validation error).
    rounds, learning_rate, leaves, min_leaf_rows
        LightGBM's size: at most ``rounds`` trees (validation picks fewer).
    max_rows
        Training rows at most (origins are thinned evenly to fit).
    validate
        Hold out the last ``horizon`` periods to choose rounds and calibrate, then refit.
    seed, threads
        LightGBM's seed and thread count.
    """

    def __init__(
        self,
        horizon: int = 28,
        country: str | None = None,
        network: Network | None = None,
        graph: GraphUse = True,
        rounds: int = 300,
        learning_rate: float = 0.1,
        leaves: int = 31,
        min_leaf_rows: int = 50,
        max_rows: int = 200_000,
        validate: bool = True,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        self.horizon = horizon
        self.country = country
        self.network = network
        self.graph = graph
        self.rounds = rounds
        self.learning_rate = learning_rate
        self.leaves = leaves
        self.min_leaf_rows = min_leaf_rows
        self.max_rows = max_rows
        self.validate = validate
        self.seed = seed
        self.threads = threads
        self.fit_: GlobalFit | None = None

    @property
    def model_name(self) -> str:
        if self.graph == "both":
            return COMBINED_NAME
        return MODEL_NAME if self.graph else NO_GRAPH_NAME

    def _variants(self) -> dict[str, bool]:
        """Variant name -> whether it uses the graph features."""
        variants = {MODEL_NAME: True, NO_GRAPH_NAME: False}
        if self.graph == "both" and self.network is not None:
            return variants
        name = NO_GRAPH_NAME if self.graph is False else MODEL_NAME
        return {name: variants[name]}

    def fit(self, cleaned: pd.DataFrame) -> Self:
        """Learn from every series of a ``clean_demand`` frame (daily or weekly).

        Raises
        ------
        ValidationFailed
            A non-positive horizon, an irregular grid, or too little history.
        """
        if self.horizon < 1:
            raise ValidationFailed(
                [Problem("horizon", f"must be >= 1, got {self.horizon}")], "global model"
            )
        panel = demand_panel(cleaned, None, self.horizon)
        relations = self._relations()
        neighbours = self._neighbours(panel, relations)
        holidays = self._holidays(panel)
        cadence = panel.cadence
        features = cadence.features(relations)
        length = panel.length
        if length < cadence.level + 2:
            raise ValidationFailed(
                [
                    Problem(
                        "demand", f"needs at least {cadence.level + 2} {cadence.unit}s of history"
                    )
                ],
                "global model",
            )
        origins = self._origins(panel, length)
        rows = self._sampled(feature_rows(panel, origins, self.horizon, holidays, neighbours))
        target_day = rows.origin + rows.step
        cuts = self._validation_origins(length, cadence)
        variants = self._variants()
        widths = {name: _width(uses, features, cadence) for name, uses in variants.items()}
        rounds = {name: dict.fromkeys(OBJECTIVES, self.rounds) for name in variants}
        mean_factor, calibration = 1.0, HorizonCalibration()
        weights = np.full((len(panel.keys), len(variants)), 1 / len(variants))
        pooled = weights[0]
        if self.validate and length - cuts[0] >= cadence.week:
            val = feature_rows(panel, cuts, self.horizon, holidays, neighbours)
            actual = val.target * val.scale
            known = np.isfinite(actual)
            answers = {}
            for name, width in widths.items():
                early = self._train(rows, target_day < cuts.min(), width, val)
                rounds[name] = {
                    output: max(int(b.best_iteration or self.rounds), 10)
                    for output, b in early.items()
                }
                answers[name] = _raw(early, val, width)
            weights, pooled = _weights(
                [answers[name]["p50"] for name in variants], actual, known, val.series, weights
            )
            answer = _combine(list(answers.values()), weights[val.series])
            mean_factor = _mean_factor(actual, answer["p50"], val.origin + val.step, cadence.week)
            calibration = HorizonCalibration.fit(
                actual,
                answer["p10"],
                answer["p90"],
                val.scale,
                val.step,
                _momentum(val, features, cadence),
            )
        boosters = {
            name: self._train(rows, target_day < length, width, None, rounds[name])
            for name, width in widths.items()
        }
        table = pd.DataFrame(
            weights, index=pd.MultiIndex.from_tuples(panel.keys), columns=list(variants)
        ).rename_axis(["store_id", "sku_id"])
        self.fit_ = GlobalFit(
            boosters,
            rounds,
            mean_factor,
            calibration,
            features,
            relations,
            cadence,
            table,
            dict(zip(variants, map(float, pooled), strict=True)),
        )
        return self

    def forecast(
        self,
        history: pd.DataFrame,
        future: pd.DataFrame | None = None,
        horizon: int | None = None,
    ) -> DemandForecast:
        """Forecast the periods after ``history`` (a ``clean_demand`` frame) for its series.

        Parameters
        ----------
        future
            Planned ``price``/``promo`` per series and period (DEMAND columns).
        horizon
            Periods to forecast (default: the fitted horizon).

        Raises
        ------
        ValidationFailed
            ``horizon`` beyond the fitted one (the model is never retrained silently), or
            a history of another frequency than the fitted one.
        """
        fit = self.fit_
        if fit is None:
            raise RuntimeError("the global model is not fitted")
        horizon = horizon or self.horizon
        unit = fit.cadence.unit
        if not 1 <= horizon <= self.horizon:
            raise ValidationFailed(
                [
                    Problem(
                        "horizon",
                        f"the model was trained for {self.horizon} {unit}s; got {horizon} "
                        "(train a model for this horizon)",
                    )
                ],
                "global model",
            )
        panel = demand_panel(history, future, horizon)
        if panel.cadence != fit.cadence:
            raise ValidationFailed(
                [
                    Problem(
                        "freq",
                        f"the model was trained on {fit.cadence.label} data; "
                        f"got {panel.cadence.label}",
                    )
                ],
                "global model",
            )
        neighbours = self._neighbours(panel, fit.relations)
        rows = feature_rows(
            panel, np.array([panel.length]), horizon, self._holidays(panel), neighbours
        )
        uses = self._variants()
        weights = (
            fit.weights.reindex(pd.MultiIndex.from_tuples(panel.keys))
            .fillna(pd.Series(fit.pooled))
            .to_numpy(dtype=float)
        )
        answer = _combine(
            [
                _raw(boosters, rows, _width(uses[name], fit.features, fit.cadence))
                for name, boosters in fit.boosters.items()
            ],
            weights[rows.series],
        )
        momentum = _momentum(rows, fit.features, fit.cadence)
        answer = _corrected(answer, rows, fit.mean_factor, fit.calibration, momentum)
        path = bounded(answer["mean"], answer["p10"], answer["p50"], answer["p90"])
        keys = np.array(panel.keys, dtype=object)[rows.series]
        frame = pd.DataFrame(
            {
                "location_id": keys[:, 0],
                "sku_id": keys[:, 1],
                "period": panel.dates(panel.length, horizon).to_numpy()[rows.step],
                **path._asdict(),
                "model": self.model_name,
            }
        )
        return DemandForecast(frame, panel.cadence.freq)

    def _relations(self) -> tuple[str, ...]:
        return RELATIONS if self.graph and self.network is not None else ()

    def _neighbours(
        self, panel: DemandPanel, relations: tuple[str, ...]
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        if not relations or self.network is None:
            return {}
        return series_relations(self.network, panel.keys, relations)

    def _holidays(self, panel: DemandPanel) -> frozenset[pd.Timestamp]:
        if self.country is None:
            return frozenset()
        from supplynet.forecasting.prophet_model import holiday_frame

        first = panel.start.year
        periods = panel.length + self.horizon
        last = (panel.start + pd.Timedelta(days=periods * panel.cadence.days)).year
        frame = holiday_frame(self.country, tuple(range(first, last + 1)))
        return frozenset(pd.DatetimeIndex(frame["ds"]))

    def _validation_origins(self, length: int, cadence: Cadence) -> np.ndarray:
        """Origins a week apart whose windows end at the last period: at least 28 days of
        validation targets and ``VALIDATION_EXTRA`` more windows, so the rounds, the bias
        and the calibration rest on several weeks' origins. Where whole windows would leave
        the early model less than a level window (``cadence.level``) of origins after the
        first one, the windows start later and are cut at the last period (their later
        steps are unknown and not scored)."""
        periods = math.ceil(VALIDATION_DAYS / cadence.days)
        count = math.ceil(periods / self.horizon) + VALIDATION_EXTRA
        room = length - 2 * cadence.level - cadence.week * (count - 1)
        span = min(self.horizon, max(room, 0))
        return np.array([length - span - cadence.week * k for k in range(count)])

    def _origins(self, panel: DemandPanel, length: int) -> np.ndarray:
        """Every origin once a level window of history exists (``cadence.level``), thinned
        evenly to about ``max_rows`` rows (``MIN_TRAIN_ORIGINS`` at least)."""
        origins = np.arange(panel.cadence.level, length)
        per_origin = len(panel.keys) * self.horizon
        keep = max(int(self.max_rows // max(per_origin, 1)), MIN_TRAIN_ORIGINS)
        if keep >= len(origins):
            return origins
        # The latest origins stay: they carry the newest behaviour and the short steps.
        picks = np.unique(np.linspace(len(origins) - 1, 0, keep).round().astype(int))
        return np.asarray(origins[picks])

    def _sampled(self, rows: FeatureRows) -> FeatureRows:
        """At most ``max_rows`` rows with targets, a seeded sample where the
        ``MIN_TRAIN_ORIGINS`` origins of a wide panel hold more."""
        if len(rows.target) <= self.max_rows:
            return rows
        known = np.flatnonzero(np.isfinite(rows.target))
        rng = np.random.default_rng(self.seed)
        picked = rng.choice(known, min(self.max_rows, len(known)), replace=False)
        return rows.take(np.sort(picked))

    def _train(
        self,
        rows: FeatureRows,
        use: np.ndarray,
        width: int,
        val: FeatureRows | None,
        rounds: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """Boosters per output on the first ``width`` feature columns of the ``use`` rows."""
        import lightgbm as lgb

        use = use & np.isfinite(rows.target)
        data = lgb.Dataset(
            rows.x[use, :width], rows.target[use], weight=rows.scale[use], free_raw_data=False
        )
        valid = None
        if val is not None:
            known = np.isfinite(val.target)
            valid = lgb.Dataset(
                val.x[known, :width], val.target[known], weight=val.scale[known], reference=data
            )
        boosters = {}
        for name, alpha in OBJECTIVES.items():
            params: dict[str, Any] = {
                "objective": "regression" if alpha is None else "quantile",
                "learning_rate": self.learning_rate,
                "num_leaves": self.leaves,
                "min_data_in_leaf": self.min_leaf_rows,
                "feature_fraction": 0.8,
                "bagging_fraction": 0.8,
                "bagging_freq": 1,
                "lambda_l2": 1.0,
                "seed": self.seed,
                "num_threads": self.threads,
                "deterministic": True,
                "force_row_wise": True,
                "max_bin": 63,
                "verbose": -1,
            }
            if alpha is not None:
                params["alpha"] = alpha
            callbacks: list[Any] = (
                [lgb.early_stopping(20, verbose=False)] if valid is not None else []
            )
            boosters[name] = lgb.train(
                params,
                data,
                num_boost_round=(rounds or {}).get(name, self.rounds),
                valid_sets=[valid] if valid is not None else None,
                callbacks=callbacks,
            )
        return boosters


def _width(uses_graph: bool, features: tuple[str, ...], cadence: Cadence) -> int:
    """Feature columns a variant reads: all, or all but the trailing graph features."""
    return len(features) if uses_graph else len(cadence.features(()))


def _raw(boosters: dict[str, Any], rows: FeatureRows, width: int) -> dict[str, np.ndarray]:
    """Each output in units: scaled prediction times scale, closed days zero."""
    open_day = ~rows.closed
    return {
        name: np.maximum(booster.predict(rows.x[:, :width], num_threads=1), 0.0)
        * rows.scale
        * open_day
        for name, booster in boosters.items()
    }


def _combine(answers: list[dict[str, np.ndarray]], weights: np.ndarray) -> dict[str, np.ndarray]:
    """Weighted average per output (``weights`` ``[rows, variants]``): quantile averaging,
    whose result is again a quantile forecast."""
    return {
        name: np.sum([w * answer[name] for w, answer in zip(weights.T, answers, strict=True)], 0)
        for name in answers[0]
    }


def _weights(
    p50: list[np.ndarray],
    actual: np.ndarray,
    known: np.ndarray,
    series: np.ndarray,
    default: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(per series ``[S, V]``, pooled ``[V]``) weights, inverse to the variants' absolute
    P50 errors on the validation windows. A series' errors relative to its mean over
    variants are averaged with the pooled relative errors before inverting: a series'
    few windows are noisy evidence, so its weights lean on what held across all series."""
    count = len(default)
    errors = np.stack(
        [np.bincount(series[known], np.abs(actual - p)[known], minlength=count) for p in p50],
        axis=1,
    )
    total = errors.sum(axis=0)
    if not total.any():
        return default, default[0]
    pooled_relative = total / total.mean()
    mean = errors.mean(axis=1, keepdims=True)
    relative = np.where(mean > 0, errors / np.where(mean > 0, mean, 1.0), pooled_relative)
    inverse = 1.0 / np.maximum(0.5 * (relative + pooled_relative), 1e-9)
    pooled = (1.0 / np.maximum(pooled_relative, 1e-9)) / (
        1.0 / np.maximum(pooled_relative, 1e-9)
    ).sum()
    return inverse / inverse.sum(axis=1, keepdims=True), pooled


def _mean_factor(actual: np.ndarray, p50: np.ndarray, target: np.ndarray, week: int) -> float:
    """The mean's factor over the P50: the validation windows' ratio of actual to P50
    sums, its logarithm shrunk toward 0 by its own noise (positive-part James-Stein:
    ``1 - se^2 / log(ratio)^2``), within ``BIAS_LIMITS``.

    The ratio mixes the skew of demand (a mean above the median, steady) with how the
    level moved in the few validation weeks (which need not last: on SupplyGraph a
    week's ratio ranges 0.3-2). The spread of the weekly ratios of target periods
    (``target`` in periods, ``week`` periods a week) measures the latter, so a factor
    within its week-to-week noise is not applied, and one well outside it is."""
    known = np.isfinite(actual)
    total = float(p50[known].sum())
    if total <= 0 or not actual[known].sum() > 0:
        return 1.0
    log_ratio = math.log(float(actual[known].sum()) / total)
    weeks = (target[known] - target[known].min()) // week
    sums = np.bincount(weeks, actual[known]), np.bincount(weeks, p50[known])
    scored = (sums[0] > 0) & (sums[1] > 0)
    share = sums[1][scored] / sums[1][scored].sum()
    concentration = float(np.sum(share**2))
    if concentration >= 1.0:
        return 1.0
    logs = np.log(sums[0][scored] / sums[1][scored])
    spread = float(np.sum(share * (logs - np.sum(share * logs)) ** 2)) / (1.0 - concentration)
    keep = max(0.0, 1.0 - spread * concentration / log_ratio**2) if log_ratio else 0.0
    return float(np.clip(math.exp(keep * log_ratio), *BIAS_LIMITS))


def _momentum(rows: FeatureRows, features: tuple[str, ...], cadence: Cadence) -> np.ndarray:
    """Each row's last-week level over its recent level (the shortest mean feature): how
    the level moves at the origin, which the calibration of the first week groups by."""
    return rows.x[:, features.index(f"mean_{cadence.means[0]}")].astype(float)


def _corrected(
    answer: dict[str, np.ndarray],
    rows: FeatureRows,
    mean_factor: float,
    calibration: HorizonCalibration,
    momentum: np.ndarray,
) -> dict[str, np.ndarray]:
    """The mean (P50 times the bias factor) and P10/P90 shifted by the calibration."""
    open_scale = rows.scale * ~rows.closed
    p10, p90 = calibration.apply(answer["p10"], answer["p90"], open_scale, rows.step, momentum)
    return {"mean": answer["p50"] * mean_factor, "p10": p10, "p50": answer["p50"], "p90": p90}
