"""Safety stock logic against the textbook anchors in ../shared/data/inventory."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SHARED_DATA

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.replenishment.gsm import GsmStage, optimize_service_times
from supplynet.optimizer.replenishment.safety_stock import (
    SerialChain,
    buffer,
    sd_from_quantiles,
    serial_echelon_levels,
    two_echelon_targets,
    widened_lead_time,
    z_value,
)

INVENTORY = SHARED_DATA / "inventory"


def anchor(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((INVENTORY / f"{name}.json").read_text())


def test_newsvendor_level_is_the_closed_form_optimum() -> None:
    """One stage: the echelon rule is the newsvendor critical fractile."""
    data = anchor("nv_normal_snyder_shen_ex4_3")
    store = data["network"]["stages"][0]
    chain = SerialChain((1,), (store["holding_cost"],), store["stockout_cost"], 50.0, 8.0)
    expected = data["expected"]["decisions"]["base_stock_level"]["store"]
    assert serial_echelon_levels(chain)[0] == pytest.approx(expected, abs=1e-6)


def test_serial_levels_match_the_shang_song_reference() -> None:
    """Three stages: the levels the anchor lists for the Shang-Song heuristic."""
    data = anchor("serial3_clark_scarf_snyder_shen_ex6_1")
    stages = data["network"]["stages"][::-1]
    chain = SerialChain(
        tuple(s["lead_time"] for s in stages),
        tuple(s["echelon_holding_cost"] for s in stages),
        stages[0]["stockout_cost"],
        5.0,
        1.0,
    )
    assert chain.local_holding == (7.0, 4.0, 2.0)
    assert serial_echelon_levels(chain) == pytest.approx((6.491, 12.027, 22.634), abs=2e-3)


@pytest.mark.parametrize("cap", [None, 5, 8, 12])
def test_gsm_reproduces_the_camera_tree(cap: int | None) -> None:
    """CP-SAT finds the Graves-Willems optimum and its variants for looser end-item service."""
    data = anchor("gsm_tree_camera_snyder_shen_fig6_14")
    external = {e["to"]: e["service_time"] for e in data["network"]["external_supply"]}
    stages = [
        GsmStage(
            id=s["id"],
            processing_time=s["processing_time"],
            holding_cost=s["holding_cost"],
            demand_sd=10.0,
            max_service_time=(cap or s["max_outbound_service_time"])
            if s.get("external_demand")
            else None,
            external_service_time=external.get(s["id"], 0),
        )
        for s in data["network"]["stages"]
    ]
    edges = [(e["from"], e["to"]) for e in data["network"]["edges"]]
    solution = optimize_service_times(stages, edges, data["service"]["demand_bound_constant_z"])
    expected = data["expected"]
    if cap is None:
        assert solution.cost == pytest.approx(expected["safety_stock_cost_per_period"], rel=1e-9)
        assert dict(solution.net_lead_time) == expected["decisions"]["net_lead_time"]
    else:
        target = expected["variants_max_outbound_service_time"][str(cap)]
        assert solution.cost == pytest.approx(target, rel=1e-9)
    assert solution.optimal


def test_gsm_rejects_unknown_stages() -> None:
    with pytest.raises(ValidationFailed, match=r"edges\[0\]: unknown stage 'b'"):
        optimize_service_times([GsmStage("a", 1, 1.0, 1.0)], [("a", "b")], 1.64)


def test_two_echelon_placement_matches_brute_force() -> None:
    """The end-point rule equals the best of a fine grid of warehouse service times."""
    rng = np.random.default_rng(3)
    z = z_value(0.95)
    for _ in range(20):
        stores = int(rng.integers(1, 6))
        mean, sd = rng.uniform(5, 50, stores), rng.uniform(1, 10, stores)
        time_s, h_s = rng.uniform(1, 3, stores), rng.uniform(0.5, 3, stores)
        time_w, h_w = float(rng.uniform(1, 6)), float(rng.uniform(0.1, 2))
        got = two_echelon_targets(
            z,
            np.zeros(stores, dtype=np.int64),
            mean,
            sd,
            time_s,
            h_s,
            np.array([time_w]),
            np.zeros(1),
            np.array([h_w]),
        )
        cost = h_w * got.warehouse[0] + (h_s * got.store).sum()
        grid = []
        for quote in np.linspace(0, time_w, 41):
            w = buffer(z, np.array([time_w - quote]), mean.sum(), np.sqrt((sd**2).sum()), 0.0)
            s = buffer(z, time_s + quote, mean, sd, np.zeros(stores))
            grid.append(h_w * w[0] + (h_s * s).sum())
        assert cost == pytest.approx(min(grid), rel=1e-9)


def test_risk_widens_lead_time() -> None:
    """A 20% chance of a 10-day delay (2 days expected) adds 2 days and spread."""
    mean, sd = widened_lead_time(np.array([5.0]), np.array([1.0]), np.array([0.2]), np.array([2.0]))
    assert mean[0] == pytest.approx(7.0)
    assert sd[0] == pytest.approx(np.sqrt(1.0 + 4.0 * 0.8 / 0.2))
    same = widened_lead_time(np.array([5.0]), np.array([1.0]), np.zeros(1), np.zeros(1))
    assert same[0][0] == 5.0
    assert same[1][0] == 1.0


def test_quantile_spread_and_service_level() -> None:
    assert sd_from_quantiles(np.array([10.0]), np.array([10.0]))[0] == 0.0
    assert sd_from_quantiles(np.array([-1.2815515655446004]), np.array([1.2815515655446004]))[
        0
    ] == pytest.approx(1.0)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValidationFailed, match="service_level"):
            z_value(bad)
    assert z_value(0.5) == 0.0
