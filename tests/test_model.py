"""Every field rule of the domain records rejects a bad value with its field named."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from pydantic import ValidationError

from supplynet.graph.model import (
    InventoryPosition,
    OpenOrder,
    Record,
    Sku,
    Store,
    Substitution,
    Supplier,
    SupplyLane,
    TransportLane,
    Warehouse,
)

VALID: dict[type[Record], dict[str, Any]] = {
    Supplier: {"id": "P1", "latitude": 50.0, "longitude": 8.0},
    Warehouse: {"id": "W1", "latitude": 50.0, "longitude": 8.0, "storage_capacity": 100.0},
    Store: {"id": "S1", "latitude": 50.0, "longitude": 8.0},
    Sku: {
        "id": "K1",
        "category": "C",
        "unit_weight_kg": 1.0,
        "unit_volume_m3": 0.01,
        "unit_cost": 2.0,
        "price": 3.0,
        "shelf_life_days": 30.0,
    },
    SupplyLane: {
        "supplier_id": "P1",
        "warehouse_id": "W1",
        "sku_id": "K1",
        "lead_time_mean_days": 3.0,
        "lead_time_std_days": 1.0,
        "unit_cost": 2.0,
        "moq": 10.0,
        "lot_size": 6.0,
        "capacity_per_day": 100.0,
    },
    TransportLane: {
        "origin_id": "W1",
        "destination_id": "S1",
        "distance_km": 10.0,
        "transit_time_days": 1.0,
        "cost_per_unit": 0.1,
        "cost_per_km": 1.0,
    },
    InventoryPosition: {
        "location_id": "W1",
        "sku_id": "K1",
        "on_hand": 5.0,
        "holding_cost_per_day": 0.01,
    },
    OpenOrder: {
        "location_id": "W1",
        "sku_id": "K1",
        "quantity": 5.0,
        "due_date": dt.date(2025, 1, 3),
    },
    Substitution: {"sku_id": "K1", "substitute_id": "K2", "strength": 0.3},
}

# (model, field, bad value, message fragment)
RULES = [
    (Supplier, "id", "", "at least 1 character"),
    (Supplier, "id", "has space", "should match pattern"),
    (Supplier, "latitude", 91.0, "less than or equal to 90"),
    (Supplier, "longitude", -181.0, "greater than or equal to -180"),
    (Supplier, "latitude", math.nan, "finite number"),
    (Warehouse, "storage_capacity", -1.0, "greater than or equal to 0"),
    (Store, "window_open_min", -5, "greater than or equal to 0"),
    (Store, "window_close_min", 24 * 60 + 1, "less than or equal to 1440"),
    (Store, "service_min", -1.0, "greater than or equal to 0"),
    (Sku, "category", "", "at least 1 character"),
    (Sku, "unit_weight_kg", -0.5, "greater than or equal to 0"),
    (Sku, "unit_volume_m3", math.inf, "finite number"),
    (Sku, "unit_cost", -1.0, "greater than or equal to 0"),
    (Sku, "price", -1.0, "greater than or equal to 0"),
    (Sku, "shelf_life_days", 0.0, "greater than 0"),
    (SupplyLane, "lead_time_mean_days", -1.0, "greater than or equal to 0"),
    (SupplyLane, "lead_time_std_days", -1.0, "greater than or equal to 0"),
    (SupplyLane, "unit_cost", -1.0, "greater than or equal to 0"),
    (SupplyLane, "fixed_order_cost", -1.0, "greater than or equal to 0"),
    (SupplyLane, "moq", -1.0, "greater than or equal to 0"),
    (SupplyLane, "lot_size", 0.0, "greater than 0"),
    (SupplyLane, "capacity_per_day", -1.0, "greater than or equal to 0"),
    (TransportLane, "distance_km", -1.0, "greater than or equal to 0"),
    (TransportLane, "transit_time_days", -1.0, "greater than or equal to 0"),
    (TransportLane, "cost_per_unit", -1.0, "greater than or equal to 0"),
    (TransportLane, "cost_per_km", -1.0, "greater than or equal to 0"),
    (InventoryPosition, "on_hand", -1.0, "greater than or equal to 0"),
    (InventoryPosition, "storage_capacity", -1.0, "greater than or equal to 0"),
    (InventoryPosition, "holding_cost_per_day", -1.0, "greater than or equal to 0"),
    (OpenOrder, "quantity", -1.0, "greater than or equal to 0"),
    (OpenOrder, "due_date", "not a date", "valid date"),
    (Substitution, "strength", 0.0, "greater than 0"),
    (Substitution, "strength", 1.5, "less than or equal to 1"),
]


@pytest.mark.parametrize("model", list(VALID))
def test_valid_records_parse(model: type[Record]) -> None:
    """The reference rows are valid, so each rule below fails for its own reason only."""
    assert model.model_validate(VALID[model])


@pytest.mark.parametrize(("model", "field", "value", "message"), RULES)
def test_each_field_rule_rejects_bad_values(
    model: type[Record], field: str, value: object, message: str
) -> None:
    row = VALID[model] | {field: value}
    with pytest.raises(ValidationError, match=message) as info:
        model.model_validate(row)
    assert [e["loc"] for e in info.value.errors()] == [(field,)]


@pytest.mark.parametrize(
    ("model", "changes", "message"),
    [
        (Store, {"window_open_min": 600, "window_close_min": 500}, "window_close_min"),
        (TransportLane, {"destination_id": "W1"}, "must differ"),
        (Substitution, {"substitute_id": "K1"}, "cannot substitute itself"),
        (Sku, {"colour": "red"}, "Extra inputs are not permitted"),
        (Sku, {"unit_cost": None}, "valid number"),
    ],
)
def test_record_level_rules(model: type[Record], changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        model.model_validate(VALID[model] | changes)


def test_records_are_immutable_and_keyed() -> None:
    lane = SupplyLane.model_validate(VALID[SupplyLane])
    with pytest.raises(ValidationError):
        lane.moq = 5.0  # type: ignore[misc]
    assert lane.key() == ("P1", "W1", "K1")
