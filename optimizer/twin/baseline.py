"""The ``baseline`` arm: what a shop runs without the service.

Every evening each position is reviewed against a 28-day moving average of the demand
it serves (a store its own, a warehouse its stores'), with a min-max rule: when the
inventory position (on hand + on order + in transit - backorders) falls to the min
``s = mu * P + z * sigma_P`` it orders up to the max ``S = s + mu * cover`` (7 days at stores, 14 at
warehouses, at most a third of the shelf life); ``P`` is
lead time plus the one-day review, ``sigma_P`` adds lead-time spread for warehouses.
Orders respect the lane's MOQ and lot size (cheapest lane). Shipments are routed by
nearest neighbour. ``z`` sets the service level; ``BASELINE_Z`` was tuned on seeds the
bench does not use (see ``docs/twin.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.twin.policy import Decision, Observation, Routes
from supplynet.optimizer.twin.routers import nearest_neighbour
from supplynet.optimizer.twin.world import TwinWorld

BASELINE_Z = 1.25
"""Safety factor for ~95% service: on ``demo``, 182 days, scenario seeds 100-102 (not the
bench's), z = 0.5 / 1.0 / 1.25 / 1.5 gave stockout rates 6.7 / 5.6 / 5.0 / 4.8%
(``bench/results/twin_baseline_tuning.md``)."""
WINDOW_DAYS = 28
STORE_COVER_DAYS = 7.0
WAREHOUSE_COVER_DAYS = 14.0
SHELF_LIFE_SHARE = 3.0
"""A perishable position orders at most a third of its shelf life's demand at a time."""


class BaselinePolicy:
    """Min-max on a moving average per position, nearest-neighbour routing."""

    name = "baseline"
    clairvoyant = False

    def __init__(self, world: TwinWorld, z: float = BASELINE_Z) -> None:
        self.world = world
        self.z = z
        lanes = world.lanes.reset_index(names="lane")
        cheapest = lanes.sort_values(["unit_cost", "lead_days", "lane"]).drop_duplicates("position")
        self.lane = cheapest["lane"].to_numpy()
        self.lane_position = cheapest["position"].to_numpy()

    def decide(self, observation: Observation) -> Decision:
        world, n = self.world, self.world.n_store
        window = observation.demand_history[-WINDOW_DAYS:]
        mu, sd = window.mean(axis=0), window.std(axis=0)
        protect = world.transit_days[:n] + 1.0
        low = mu * protect + self.z * sd * np.sqrt(protect)
        position = observation.on_hand[:n] + observation.in_transit[:n] - observation.backlog
        cover = np.minimum(STORE_COVER_DAYS, world.shelf_life[:n] / SHELF_LIFE_SHARE)
        transfer = np.where(position <= low, np.ceil(low + mu * cover - position), 0.0)
        wh_mu = np.zeros(world.n_positions)
        wh_var = np.zeros(world.n_positions)
        np.add.at(wh_mu, world.source[:n], mu)
        np.add.at(wh_var, world.source[:n], sd**2)
        lanes = world.lanes.iloc[self.lane]
        at = self.lane_position
        lead = lanes["lead_days"].to_numpy(float) + 1.0
        sigma = np.sqrt(lead * wh_var[at] + (wh_mu[at] * lanes["lead_sd_days"].to_numpy()) ** 2)
        low_w = wh_mu[at] * lead + self.z * sigma
        stock_w = observation.on_hand[at] + observation.on_order()[at]
        cover_w = np.minimum(WAREHOUSE_COVER_DAYS, world.shelf_life[at] / SHELF_LIFE_SHARE)
        need = np.where(
            (stock_w <= low_w) & (wh_mu[at] > 0),
            low_w + wh_mu[at] * cover_w - stock_w,
            0,
        )
        lot = lanes["lot"].to_numpy()
        order = np.where(
            need > 0, np.ceil(np.maximum(need, lanes["moq"].to_numpy()) / lot) * lot, 0
        )
        stores = np.flatnonzero(transfer > 0)
        placed = order > 0
        return Decision(
            order_lane=self.lane[placed].astype(np.int64),
            order_quantity=order[placed],
            transfer_position=stores.astype(np.int64),
            transfer_quantity=transfer[stores],
        )

    def route(self, problem: RoutingProblem) -> Routes:
        return nearest_neighbour(problem)

    def planning_seconds(self) -> Sequence[float]:
        return ()
