"""Prophet's point forecast from the fitted parameters, without ``Prophet.predict``.

With no predictive draws, ``Prophet.predict`` spends its time in pandas: it prepares a
frame, rebuilds the features and splits them into a dozen named components, each its
own matrix product, before adding them up. The forecast itself is
``trend * (1 + X @ beta_mult) + y_scale * X @ beta_add``; this module computes exactly
that from the same fitted parameters and Prophet's own trend and feature functions
(memoised by ``CachingProphet``). tests/test_forecasting_prophet.py checks it against
``Prophet.predict`` on the same fitted model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from prophet import Prophet


def predict_mean(model: Prophet, frame: pd.DataFrame) -> np.ndarray:
    """``Prophet.predict(frame)["yhat"]`` for a fitted linear- or flat-growth model.

    Parameters
    ----------
    model
        A fitted ``Prophet`` (MAP or MCMC; MCMC parameters are averaged as Prophet does).
    frame
        ``ds`` (sorted, unique dates) and the model's extra regressors, unscaled.

    Returns
    -------
    np.ndarray
        ``yhat`` per row of ``frame``.

    Shapes
    ------
    frame: (n, 1 + regressors) -> (n,)
    """
    if model.growth not in ("linear", "flat"):
        raise ValueError(f"predict_mean supports linear and flat growth, not {model.growth!r}")
    params: dict[str, Any] = model.params
    y_scale = float(model.y_scale or 1.0)
    df = pd.DataFrame({"ds": pd.to_datetime(frame["ds"]).to_numpy()})
    for name, props in model.extra_regressors.items():
        values = frame[name].to_numpy(dtype=float)
        df[name] = (values - props["mu"]) / props["std"]
    features, _, component_cols, _ = model.make_all_seasonality_features(df)
    x = features.to_numpy(dtype=float)
    beta = np.asarray(params["beta"], dtype=float)
    additive = np.nanmean(x @ (beta * component_cols["additive_terms"].to_numpy()).T, axis=1)
    multiplicative = np.nanmean(
        x @ (beta * component_cols["multiplicative_terms"].to_numpy()).T, axis=1
    )
    t = np.asarray((df["ds"] - model.start) / model.t_scale, dtype=float)
    k = float(np.nanmean(params["k"]))
    m = float(np.nanmean(params["m"]))
    if model.growth == "linear":
        deltas = np.nanmean(params["delta"], axis=0)
        trend = model.piecewise_linear(t, deltas, k, m, np.asarray(model.changepoints_t))
    else:
        trend = model.flat_trend(t, m)
    floor = 0.0 if model.scaling == "absmax" else float(model.y_min or 0.0)
    trend = trend * y_scale + floor
    return np.asarray(trend * (1 + multiplicative) + additive * y_scale, dtype=float)
