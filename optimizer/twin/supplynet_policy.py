"""The ``supplynet`` arm, and the ``oracle`` built from it: the service's own pipeline.

At every review (default weekly) the policy forecasts each store series with a
forecaster from ``forecasting.registry`` (default ``seasonal_average``: the weekday
profile of the last four weeks with its own error quantiles, the cheapest model that
sees the weekly cycle), snapshots the network with today's stock, open orders at their
promised dates and goods on the road, and calls ``plan_replenishment`` with the stock's
expiry dates (the planner ages perishable stock and caps it at what sells while fresh)
and the suppliers' delays as this arm has seen them (``DelayLedger``). Between reviews
it places the plan's supplier orders as their ship dates come and tracks the plan at
the stores (``PlanTracker``): each evening a store is brought to the position the plan
expects, so demand above or below the forecast, or a transfer the warehouse could not
fill, is corrected the next day instead of at the next review.
Shipments are routed by the routing solver (``solver.solve``).

The ``oracle`` is the same pipeline with perfect foresight: the forecast is the true
future demand (no spread, so no safety stock) and each supply lane's lead time is the
true one for an order placed today. Its gap to ``supplynet`` is the value of knowing the
future; it needs the scenario, so it runs only where the simulator grants foresight.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.registry import VALUE_FORECASTERS
from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.deadline import Deadline
from supplynet.graph.model import InventoryPosition, OpenOrder
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment import PlanSettings, ReplenishmentPlan, plan_replenishment
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.twin.policy import Decision, Observation, Routes
from supplynet.optimizer.twin.routers import solver_routes
from supplynet.optimizer.twin.world import FloatArray, TwinWorld

DEFAULT_SETTINGS = PlanSettings(
    horizon=6, period_days=7, service_level=0.99, time_limit_s=30.0, workers=1, shelf_life=True
)
"""Six weekly periods (beyond the longest promised lead time of ``demo``), a 99% cycle
service level (the twin's stockout target is about 1% of store-days), one worker
process: replications already fill the cores."""
FIT_DAYS = 56


class SupplynetPolicy:
    """Forecast, plan and route every ``review_days``; execute the plan in between."""

    def __init__(
        self,
        world: TwinWorld,
        review_days: int = 7,
        settings: PlanSettings = DEFAULT_SETTINGS,
        forecaster: str = "seasonal_average",
        route_cap_s: float = 10.0,
        foresight: bool = False,
    ) -> None:
        self.world = world
        self.review_days = review_days
        # supplier orders are placed at reviews: warehouse targets cover one
        self.settings = dataclasses.replace(
            settings, order_review_periods=max(1, review_days // settings.period_days)
        )
        self.forecaster = forecaster
        self.route_cap_s = route_cap_s
        self.clairvoyant = foresight
        self.name = "oracle" if foresight else "supplynet"
        self.plan: ReplenishmentPlan | None = None
        self.track = PlanTracker.empty(world.n_store)
        self.track_start = 0
        self.seconds: list[float] = []
        lanes = world.network.frame("supply_lanes")
        self.lane_of = pd.Series(
            np.arange(len(lanes)),
            index=pd.MultiIndex.from_frame(lanes[["supplier_id", "warehouse_id", "sku_id"]]),
        )
        self.position_of = world.position_index()
        self.delays = DelayLedger(world)

    def decide(self, observation: Observation) -> Decision:
        """Re-plan on review days; place the plan's orders due today and ship each store
        its planned transfer corrected by how far it is from the plan's position."""
        self.delays.observe(observation)
        n = self.world.n_store
        actual = observation.on_hand[:n] + observation.in_transit[:n] - observation.backlog
        if observation.day % self.review_days == 0 or self.plan is None:
            started = time.monotonic()
            self.plan = self._plan(observation)
            self.seconds.append(time.monotonic() - started)
            self.track = PlanTracker.of(
                self.world, self.plan, self.position_of, self.settings.backorders, actual
            )
            self.track_start = observation.day
        ship = self.world.date(observation.day + 1)
        orders = self.plan.orders[self.plan.orders["ship_date"] == ship]
        lane = self.lane_of.reindex(
            pd.MultiIndex.from_frame(orders[["origin_id", "destination_id", "sku_id"]])
        ).to_numpy()
        ok_lane = np.isfinite(lane)
        self.delays.placed(observation.day, lane[ok_lane].astype(np.int64))
        send = self.track.transfer(observation.day - self.track_start, actual)
        stores = np.flatnonzero(send > 1e-9)
        return Decision(
            order_lane=lane[ok_lane].astype(np.int64),
            order_quantity=orders["quantity"].to_numpy(float)[ok_lane],
            transfer_position=stores.astype(np.int64),
            transfer_quantity=send[stores],
        )

    def route(self, problem: RoutingProblem) -> Routes:
        return solver_routes(problem, Deadline.after(self.route_cap_s))

    def planning_seconds(self) -> Sequence[float]:
        return tuple(self.seconds)

    def _plan(self, observation: Observation) -> ReplenishmentPlan:
        days = self.settings.horizon * self.settings.period_days
        start = self.world.date(observation.day + 1)
        risk = None
        if self.clairvoyant:
            future = observation.foresee()
            mean = _padded(future.demand, days)
            low = high = mean
            lead_extra = future.delays_today
        else:
            mean, low, high = self._forecast(observation.demand_history, days)
            lead_extra = np.zeros(len(self.world.lanes), dtype=np.int64)
            risk = self.delays.scores()
        mean = mean.copy()
        mean[0] += observation.backlog
        forecast = _forecast_frame(self.world, start, mean, low, high, self.name)
        network = _snapshot(self.world, observation, lead_extra)
        return plan_replenishment(
            network, forecast, self.settings, risk, stock_life=_stock_life(self.world, observation)
        )

    def _forecast(
        self, history: FloatArray, days: int
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``[days, n_store]`` mean, p10 and p90 of the registry's forecaster, per series."""
        fitted = history[-FIT_DAYS:]
        paths = [
            VALUE_FORECASTERS[self.forecaster]().fit_values(fitted[:, i], 7).predict_values(days)
            for i in range(fitted.shape[1])
        ]
        return tuple(
            np.stack([getattr(p, q) for p in paths], axis=1) for q in ("mean", "p10", "p90")
        )  # type: ignore[return-value]


class DelayLedger:
    """How late each supplier has delivered this arm's orders, as risk scores.

    Promised lead times are optimistic (``demo``'s suppliers average 1-3 days late with
    a spread of 2-5 days against a stated 1); a shop sees its own deliveries come in.
    The ledger keeps the orders this arm placed by lane and promised day; one gone from
    the evening's open orders arrived today, ``today - promised`` days late, and one
    still open past its promise is late by at least that much (counted so, or the
    latest deliveries would be missing from the estimate). From ``MIN_DELIVERIES`` on,
    a supplier's share of late deliveries and mean delay go to the planner as supplier
    risk scores, which widen its warehouses' lead times.
    """

    MIN_DELIVERIES = 3

    def __init__(self, world: TwinWorld) -> None:
        self.supplier = world.lanes["supplier_id"].to_numpy()
        self.lead = world.lanes["lead_days"].to_numpy()
        self.mine: Counter[tuple[int, int]] = Counter()
        self.arrived: dict[str, list[int]] = {}
        self.day = 0

    def observe(self, observation: Observation) -> None:
        """Book the orders that arrived since yesterday evening."""
        lanes = observation.orders_lane.tolist()
        promised = observation.orders_promised_day.tolist()
        still = self.mine & Counter(zip(lanes, promised, strict=True))
        for (lane, due), count in (self.mine - still).items():
            late = max(observation.day - due, 0)
            self.arrived.setdefault(str(self.supplier[lane]), []).extend([late] * count)
        self.mine, self.day = still, observation.day

    def placed(self, day: int, lanes: npt.NDArray[np.int64]) -> None:
        self.mine.update((int(lane), day + int(self.lead[lane])) for lane in lanes)

    def scores(self) -> RiskScores | None:
        delays = {k: list(v) for k, v in self.arrived.items()}
        for (lane, due), count in self.mine.items():
            if due < self.day:
                delays.setdefault(str(self.supplier[lane]), []).extend([self.day - due] * count)
        rows = [
            {
                "entity_type": "supplier",
                "supplier_id": supplier,
                "warehouse_id": "",
                "sku_id": "",
                "late_probability": float(np.mean(np.array(late) > 0)),
                "expected_delay_days": float(np.mean(late)),
                "model": "observed",
            }
            for supplier, late in delays.items()
            if len(late) >= self.MIN_DELIVERIES
        ]
        return RiskScores(pd.DataFrame(rows, columns=list(RiskScores.COLUMNS))) if rows else None


@dataclass(frozen=True)
class PlanTracker:
    """The plan at the stores, ``[n_store, periods]``: transfers it ships in each period,
    the demand it expects, and the inventory position it expects after each period
    (stock at the period's end, less backorders, plus what is on the road); ``before``:
    the positions on the review evening."""

    ship: FloatArray
    demand: FloatArray
    position: FloatArray
    before: FloatArray
    period_days: int = 1

    @classmethod
    def empty(cls, n_store: int) -> PlanTracker:
        none = np.zeros((n_store, 0))
        return cls(none, none, none, np.zeros(n_store))

    @classmethod
    def of(
        cls,
        world: TwinWorld,
        plan: ReplenishmentPlan,
        position_of: pd.Series,
        backorders: bool,
        before: FloatArray,
    ) -> PlanTracker:
        n, horizon = world.n_store, plan.horizon
        ship, demand, position = (np.zeros((n, horizon)) for _ in range(3))
        stock = plan.inventory
        row = _store_rows(stock, position_of, n)
        ok = row >= 0
        at = (row[ok], stock["period"].to_numpy()[ok])
        net = stock["stock"].to_numpy(float) - stock["shortage"].to_numpy(float) * backorders
        np.add.at(position, at, net[ok])
        np.add.at(demand, at, stock["demand"].to_numpy(float)[ok])
        lines = plan.transfers
        row = _store_rows(lines.rename(columns={"destination_id": "location_id"}), position_of, n)
        sent, due = lines["order_period"].to_numpy(), lines["arrival_period"].to_numpy()
        quantity = lines["quantity"].to_numpy(float)
        for r, o, a, q in zip(row, sent, due, quantity, strict=True):
            if r >= 0:
                ship[r, o] += q
                position[r, o : min(a, horizon)] += q
        return cls(ship, demand, position, before.copy(), plan.period_days)

    def transfer(self, day: int, actual: FloatArray) -> FloatArray:
        """What to ship tonight, ``day`` days after the review: what brings ``actual`` to
        the position the plan expects after this period's transfer, less the demand it
        expects to have been met since the period began (on a period's first evening:
        its line plus the gap to the plan's position after the previous period)."""
        period, into = divmod(day, self.period_days)
        if period >= self.ship.shape[1]:
            return np.zeros(len(actual))
        base = self.before if period == 0 else self.position[:, period - 1]
        met = self.demand[:, period] * into / self.period_days
        return np.maximum(base + self.ship[:, period] - met - actual, 0.0)


def _store_rows(frame: pd.DataFrame, position_of: pd.Series, n_store: int) -> np.ndarray:
    """World store position of each row's (location_id, sku_id); -1 for other rows."""
    where = position_of.reindex(pd.MultiIndex.from_frame(frame[["location_id", "sku_id"]]))
    row = where.fillna(-1).to_numpy(np.int64)
    return np.where(row < n_store, row, -1)


def _padded(values: FloatArray, days: int) -> FloatArray:
    """The first ``days`` rows; past the scenario's end its last week repeats."""
    if len(values) >= days:
        return values[:days]
    tail = values[-7:] if len(values) else np.zeros((7, values.shape[1]))
    extra = tail[np.arange(days - len(values)) % len(tail)]
    return np.concatenate([values, extra])


def _forecast_frame(
    world: TwinWorld,
    start: dt.date,
    mean: FloatArray,
    low: FloatArray,
    high: FloatArray,
    model: str,
) -> DemandForecast:
    days, n = mean.shape
    periods = pd.date_range(start, periods=days, freq="D")
    frame = pd.DataFrame(
        {
            "location_id": np.tile(world.location_id[:n], days),
            "sku_id": np.tile(world.sku_id[:n], days),
            "period": np.repeat(periods.to_numpy(), n),
            "mean": mean.ravel(),
            "p10": np.minimum(low, mean).ravel(),
            "p50": mean.ravel(),
            "p90": np.maximum(high, mean).ravel(),
            "model": model,
        }
    )
    return DemandForecast(frame, "D")


def _stock_life(world: TwinWorld, observation: Observation) -> pd.DataFrame:
    """Perishable stock on hand by the days it may still sell from tomorrow on."""
    life = observation.stock_by_life[:, :-1]
    position, left = np.nonzero(life > 1e-9)
    return pd.DataFrame(
        {
            "location_id": world.location_id[position],
            "sku_id": world.sku_id[position],
            "days_left": left.astype(float),
            "quantity": life[position, left],
        }
    )


def _snapshot(world: TwinWorld, observation: Observation, lead_extra: np.ndarray) -> Network:
    """The network as it stands tonight: stock, open orders and goods on the road."""
    network = world.network
    given = {p.key(): p for p in network.inventory_positions}
    positions = []
    for i in range(world.n_positions):
        key = (str(world.location_id[i]), str(world.sku_id[i]))
        update = {"on_hand": float(observation.on_hand[i])}
        if key in given:
            positions.append(given[key].model_copy(update=update))
        else:
            positions.append(
                InventoryPosition(
                    location_id=key[0],
                    sku_id=key[1],
                    holding_cost_per_day=float(world.holding_per_day[i]),
                    **update,
                )
            )
    tomorrow = observation.day + 1
    due: dict[tuple[str, str, dt.date], float] = {}
    lane_position = world.lanes["position"].to_numpy()[observation.orders_lane]
    arrival = np.maximum(observation.orders_promised_day, tomorrow)
    for position, day, quantity in zip(
        lane_position, arrival, observation.orders_quantity, strict=True
    ):
        when = (str(world.location_id[position]), str(world.sku_id[position]), world.date(day))
        due[when] = due.get(when, 0.0) + float(quantity)
    for position in np.flatnonzero(observation.in_transit):
        when = (str(world.location_id[position]), str(world.sku_id[position]), world.date(tomorrow))
        due[when] = due.get(when, 0.0) + float(observation.in_transit[position])
    orders = [
        OpenOrder(location_id=loc, sku_id=sku, quantity=q, due_date=date)
        for (loc, sku, date), q in due.items()
    ]
    lanes = network.supply_lanes
    if lead_extra.any():
        lanes = tuple(
            lane.model_copy(
                update={
                    "lead_time_mean_days": lane.lead_time_mean_days + float(extra),
                    "lead_time_std_days": 0.0,
                }
            )
            for lane, extra in zip(lanes, lead_extra, strict=True)
        )
    tables = {name: network.table(name) for name in ("suppliers", "warehouses", "stores", "skus")}
    return Network.unchecked(
        {
            **tables,
            "supply_lanes": lanes,
            "transport_lanes": network.transport_lanes,
            "inventory_positions": positions,
            "open_orders": orders,
            "substitutions": network.substitutions,
        }
    )
