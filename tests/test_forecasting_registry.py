"""One holiday country reaches every model the registry makes: Prophet, ``auto``'s
Prophet, ``best``'s candidates (which also select at the requested horizon), the
global model and the calibrated per-series wrapper; models without a calendar take
none; the GNN's calendar features follow its configured country. Unknown names are
rejected with the known ones listed."""

from __future__ import annotations

import pytest

from supplynet.forecasting.best import BestOfForecaster
from supplynet.forecasting.conformal import CalibratedPerSeries
from supplynet.forecasting.global_model import GlobalForecaster
from supplynet.forecasting.prophet_model import ProphetForecaster
from supplynet.forecasting.registry import (
    FORECASTERS,
    GLOBAL_MODELS,
    forecaster_factory,
    panel_forecaster,
)
from supplynet.forecasting.selection import AutoForecaster
from supplynet.gnn.panel import build_panel
from supplynet.graph.errors import ValidationFailed
from tests.forecasting_support import demand_frame, weekly_pattern


def _countries(model: object) -> set[str | None]:
    """Every holiday country configured anywhere inside a (possibly nested) model."""
    if isinstance(model, ProphetForecaster | GlobalForecaster):
        return {model.country}
    if isinstance(model, AutoForecaster):
        return _countries(model.primary())
    if isinstance(model, BestOfForecaster):
        return set().union(*(_countries(f()) for f in model.candidates.values()))
    if isinstance(model, CalibratedPerSeries):
        return _countries(model.factory())
    return set()


def test_the_country_reaches_every_model_with_a_calendar() -> None:
    with_calendar = set()
    for name in FORECASTERS:
        found = _countries(forecaster_factory(name, "BD", 45)())
        assert found <= {"BD"}, name
        with_calendar |= {name} if found else set()
    assert with_calendar == {"prophet", "auto", "best"}
    for name in (*GLOBAL_MODELS, "auto", "prophet"):
        assert _countries(panel_forecaster(name, 45, "BD")) == {"BD"}, name


def test_best_selects_at_the_requested_horizon() -> None:
    model = forecaster_factory("best", None, 45)()
    assert isinstance(model, BestOfForecaster)
    assert model.horizon == 45


def test_unknown_model_is_rejected_with_the_known_ones() -> None:
    with pytest.raises(ValidationFailed, match=r"unknown model 'nope'; known: .*lightgbm_global"):
        forecaster_factory("nope", None, 7)


def test_the_gnn_calendar_follows_its_country() -> None:
    """Bangladesh's Independence Day (26 March) is a holiday feature with ``BD`` only."""
    demand = demand_frame({("S1", "K1"): weekly_pattern(120)}, start="2024-01-01")
    day = 31 + 29 + 25  # 2024-03-26
    holiday_column = 4
    bd = build_panel(demand, holiday_country="BD").calendar[day, holiday_column]
    none = build_panel(demand, holiday_country=None).calendar[day, holiday_column]
    assert (bd, none) == (1.0, 0.0)
