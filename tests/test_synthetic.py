"""The generator is deterministic and plants the structure its truth describes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplynet.graph.synthetic import PRESETS, SyntheticDataset, generate, haversine_km


def test_same_seed_gives_identical_output(tiny: SyntheticDataset) -> None:
    again = generate("tiny", seed=7)
    assert again.network == tiny.network
    pd.testing.assert_frame_equal(again.demand, tiny.demand)
    pd.testing.assert_frame_equal(again.deliveries, tiny.deliveries)
    for name in ("skus", "lane_risk", "disruptions", "promotions", "cannibalisation"):
        pd.testing.assert_frame_equal(getattr(again.truth, name), getattr(tiny.truth, name))


def test_other_seed_gives_other_output(tiny: SyntheticDataset) -> None:
    other = generate("tiny", seed=8)
    assert not other.demand["quantity"].equals(tiny.demand["quantity"])


def test_sizes_follow_the_preset(demo: SyntheticDataset) -> None:
    spec = PRESETS["demo"]
    counts = demo.network.counts()
    assert (counts["warehouses"], counts["stores"], counts["skus"]) == (
        spec.warehouses,
        spec.stores,
        spec.skus,
    )
    assert demo.demand["date"].nunique() == spec.periods
    large = PRESETS["large"]
    assert large.warehouses >= 10 and large.stores >= 500 and large.skus >= 1000
    assert large.freq == "W"


def test_stores_cluster_around_their_warehouse(demo: SyntheticDataset) -> None:
    net = demo.network
    home = {
        t.destination_id: t.origin_id
        for t in net.transport_lanes
        if t.destination_id.startswith("S")
    }
    where = net.locations
    own, other = [], []
    for store in net.stores:
        for warehouse in net.warehouses:
            km = float(
                haversine_km(
                    np.array(store.latitude),
                    np.array(store.longitude),
                    np.array(warehouse.latitude),
                    np.array(warehouse.longitude),
                )
            )
            (own if home[store.id] == warehouse.id else other).append(km)
    assert np.mean(own) < 0.5 * np.mean(other)
    assert set(home.values()) <= set(where)


def _category_demand(demo: SyntheticDataset) -> pd.DataFrame:
    """Non-promo demand with the known price response divided out, per category."""
    truth = demo.truth.skus.set_index("sku_id")
    frame = demo.demand[~demo.demand["promo"]]
    response = (frame["price"] / frame["sku_id"].map(truth["base_price"])) ** (
        -frame["sku_id"].map(truth["elasticity"])
    )
    return frame.assign(
        category=frame["sku_id"].map(truth["category"]), quantity=frame["quantity"] / response
    )


def test_weekly_seasonality_is_recoverable(demo: SyntheticDataset) -> None:
    frame = _category_demand(demo)
    for row in demo.truth.categories.itertuples():
        part = frame[frame["category"] == row.category]
        by_day = part.groupby(part["date"].dt.day_of_week)["quantity"].mean()
        truth = 1 + row.weekly_amplitude * np.cos(2 * np.pi * (np.arange(7) - 5) / 7)
        assert np.corrcoef(by_day.to_numpy(), truth)[0, 1] > 0.9


def test_yearly_seasonality_is_recoverable(demo: SyntheticDataset) -> None:
    frame = _category_demand(demo)
    for row in demo.truth.categories.itertuples():
        part = frame[frame["category"] == row.category]
        by_month = part.groupby(part["date"].dt.month)["quantity"].mean()
        mid_month_day = np.array([pd.Timestamp(2024, m, 15).day_of_year for m in by_month.index])
        truth = 1 + row.yearly_amplitude * np.sin(
            2 * np.pi * mid_month_day / 365.25 + row.yearly_phase
        )
        assert np.corrcoef(by_month.to_numpy(), truth)[0, 1] > 0.8


def test_holidays_lift_demand(demo: SyntheticDataset) -> None:
    daily = demo.demand.groupby("date")["quantity"].sum()
    christmas_eve = daily[pd.Timestamp("2024-12-24")]
    same_weekday = daily[daily.index.day_of_week == pd.Timestamp("2024-12-24").day_of_week]
    assert christmas_eve > 1.3 * same_weekday.median()


def test_promotions_lift_demand_as_elasticity_and_uplift_say(demo: SyntheticDataset) -> None:
    truth = demo.truth.skus.set_index("sku_id")
    fast = truth.index[~truth["slow_mover"]]
    frame = demo.demand[demo.demand["sku_id"].isin(fast)]
    observed, expected = [], []
    for sku, part in frame.groupby("sku_id"):
        response = (part["price"] / truth.at[sku, "base_price"]) ** (-truth.at[sku, "elasticity"])
        promo = part["promo"].to_numpy()
        if promo.sum() < 14:
            continue
        observed.append(part.loc[promo, "quantity"].mean() / part.loc[~promo, "quantity"].mean())
        expected.append(
            truth.at[sku, "promo_uplift"] * response[promo].mean() / response[~promo].mean()
        )
    assert len(observed) >= 10
    assert min(observed) > 1.1
    assert np.corrcoef(observed, expected)[0, 1] > 0.7
    assert np.median(np.array(observed) / np.array(expected)) == pytest.approx(1.0, abs=0.15)


def test_substitutes_cannibalise(demo: SyntheticDataset) -> None:
    promo = demo.demand.groupby(["date", "sku_id"])["promo"].first().unstack()
    units = demo.demand.groupby(["date", "sku_id"])["quantity"].sum().unstack()
    ratios, losses = [], []
    for row in demo.truth.cannibalisation.itertuples():
        own, other = promo[row.sku_id], promo[row.substitute_id]
        hit = units.loc[other & ~own, row.sku_id].mean()
        calm = units.loc[~other & ~own, row.sku_id].mean()
        ratios.append(hit / calm)
        losses.append(row.loss)
    ratios_arr, losses_arr = np.array(ratios), np.array(losses)
    assert (ratios_arr < 1).mean() > 0.8
    assert np.median(ratios_arr - (1 - losses_arr)) == pytest.approx(0.0, abs=0.08)


def test_slow_movers_are_intermittent(demo: SyntheticDataset) -> None:
    slow = set(demo.truth.skus.loc[demo.truth.skus["slow_mover"], "sku_id"])
    zero_share = (
        demo.demand.assign(zero=demo.demand["quantity"] == 0)
        .groupby(demo.demand["sku_id"].isin(slow))["zero"]
        .mean()
    )
    assert zero_share[True] > 0.5
    assert zero_share[False] < 0.2


def test_disruptions_make_regional_suppliers_late(demo: SyntheticDataset) -> None:
    supplier_region = demo.truth.supplier_risk.set_index("supplier_id")["region"]
    deliveries = demo.deliveries.dropna(subset=["delivered_date"]).copy()
    deliveries["late"] = deliveries["delivered_date"] > deliveries["promised_date"]
    deliveries["region"] = deliveries["supplier_id"].map(supplier_region)
    inside = np.zeros(len(deliveries), dtype=bool)
    for event in demo.truth.disruptions.itertuples():
        inside |= (
            (deliveries["region"] == event.region)
            & deliveries["order_date"].between(event.start, event.end)
        ).to_numpy()
    assert deliveries.loc[inside, "late"].mean() > 0.55
    assert deliveries.loc[~inside, "late"].mean() < 0.25


def test_lane_risk_truth_matches_late_rates(demo: SyntheticDataset) -> None:
    deliveries = demo.deliveries.dropna(subset=["delivered_date"])
    late = (
        (deliveries["delivered_date"] > deliveries["promised_date"])
        .groupby(deliveries["supplier_id"])
        .mean()
    )
    base = demo.truth.supplier_risk.set_index("supplier_id")["late_probability"]
    assert np.corrcoef(late[base.index], base)[0, 1] > 0.5
