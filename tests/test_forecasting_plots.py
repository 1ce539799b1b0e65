"""forecasting.plots draws the history it is given and the forecast's P10-P90 band exactly."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.plots import fan_chart, fan_charts, history_plot
from supplynet.graph.synthetic import SyntheticDataset


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _forecast(key: tuple[str, str], start: str, days: int) -> DemandForecast:
    mean = np.linspace(2.0, 4.0, days)
    return DemandForecast(
        pd.DataFrame(
            {
                "location_id": key[0],
                "sku_id": key[1],
                "period": pd.date_range(start, periods=days, freq="D"),
                "mean": mean,
                "p10": mean - 1.0,
                "p50": mean,
                "p90": mean + 2.0,
                "model": "test",
            }
        )
    )


def test_history_plot_draws_weekly_totals(tiny: SyntheticDataset) -> None:
    """One line per series whose values are the weekly sums of its demand."""
    keys = [("S0001", "K0001"), ("S0002", "K0003")]
    ax = history_plot(tiny.demand, keys)
    assert len(ax.get_lines()) == 2
    rows = tiny.demand[(tiny.demand["store_id"] == "S0001") & (tiny.demand["sku_id"] == "K0001")]
    weekly = rows.set_index("date")["quantity"].resample("W").sum()
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), weekly.to_numpy())


def test_fan_chart_band_spans_p10_to_p90(tiny: SyntheticDataset) -> None:
    """The shaded band runs from P10 to P90; the history stops before the forecast starts."""
    key = ("S0001", "K0001")
    forecast = _forecast(key, "2025-12-01", 14)
    ax = fan_chart(forecast, key, history=tiny.demand, history_periods=30)
    band = next(c for c in ax.collections if isinstance(c, PolyCollection))
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(1.0)
    assert ys.max() == pytest.approx(6.0)
    history, actual = ax.get_lines()[:2]
    assert len(history.get_xdata()) == 30
    assert len(actual.get_xdata()) == 14  # actuals inside the horizon, as dots


def test_fan_charts_one_panel_per_key() -> None:
    """A grid with one visible panel per series and the spare panel hidden."""
    keys = [("S1", "K1"), ("S2", "K1"), ("S3", "K1")]
    forecast = DemandForecast.concat([_forecast(k, "2025-01-01", 7) for k in keys])
    figure = fan_charts(forecast, keys, columns=2)
    assert sum(ax.get_visible() for ax in figure.axes) == 3
