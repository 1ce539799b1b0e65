"""Assembly at a plant: a bill of materials turned into component and assembly orders.

A plant (a warehouse with ``bill_of_materials`` lines) assembles a finished SKU from
components it buys on its own supply lanes, each with its own lead time. Rosling (1989)
showed that such an assembly system is equivalent to a serial system: components sorted
by lead time form the stages of a chain (the longest-lead component most upstream), and
a *balanced* echelon base-stock policy is optimal. So the finished SKU and each component
get an echelon level (the serial chain's, by ``serial_echelon_levels``), and every period

* each component is ordered up to its echelon level, but never beyond what the
  components with longer lead times will have delivered by the time it arrives (an
  order that could not be assembled would only be held);
* the plant assembles up to the finished SKU's level, as far as matched components on
  hand allow.

Echelon positions are in finished units: a component's stock counts
``1 / quantity_per_unit`` finished units. The plan projects this policy over the
horizon on the forecast's mean (period 0 acts on the actual state); with a forecast
without spread it is the classic MRP explosion: each component ordered its lead time
before the assembly that needs it, in the finished demand times its quantity per unit,
net of the stock at the plant.

Timing (as ``rolling``): decisions at the start of a period after its arrivals, before
its demand; an order or assembly started in period ``t`` with lead time ``L`` is
available in period ``t + L``. Costs per period: local holding on finished and component
stock, work in assembly at its components' holding cost, backorders of the finished SKU.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.model import BomLine, SupplyLane
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment.demand_models import DemandModel
from supplynet.optimizer.replenishment.plan import (
    ASSEMBLY_COLUMNS,
    ORDER_COLUMNS,
    ReplenishmentPlan,
)
from supplynet.optimizer.replenishment.problem import (
    DEFAULT_HOLDING_RATE,
    PlanningProblem,
    PlanSettings,
)
from supplynet.optimizer.replenishment.safety_stock import SerialChain, serial_echelon_levels
from supplynet.optimizer.replenishment.tally import Tally, check_run
from supplynet.optimizer.simulation import SimulationResult

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Component:
    """One component of an assembly: ``quantity`` per finished unit, bought on a lane
    from ``supplier_id`` with ``lead`` periods; ``holding`` per component unit and period."""

    sku_id: str
    quantity: float
    lead: int
    holding: float
    supplier_id: str = ""


@dataclass(frozen=True)
class Assembly:
    """A finished SKU assembled at a plant in ``lead`` periods; ``holding`` and
    ``backorder_cost`` per finished unit and period."""

    plant_id: str
    sku_id: str
    lead: int
    holding: float
    backorder_cost: float
    components: tuple[Component, ...]

    def problems(self) -> list[Problem]:
        found = []
        if self.lead < 0:
            found.append(Problem("lead", "must not be negative"))
        if self.backorder_cost <= 0:
            found.append(Problem("backorder_cost", "must be positive"))
        if not self.components:
            found.append(Problem("components", "an assembly needs at least one component"))
        for index, part in enumerate(self.components):
            if part.quantity <= 0:
                found.append(Problem(f"components[{index}].quantity", "must be positive"))
            if part.lead < 0:
                found.append(Problem(f"components[{index}].lead", "must not be negative"))
        if self.holding < self.component_holding():
            found.append(
                Problem("holding", "must be at least its components' holding per finished unit")
            )
        return found

    def component_holding(self) -> float:
        """Holding cost per period of the components in one finished unit."""
        return float(sum(p.quantity * p.holding for p in self.components))

    @property
    def quantities(self) -> FloatArray:
        return np.array([p.quantity for p in self.components], float)

    @property
    def leads(self) -> npt.NDArray[np.int64]:
        return np.array([p.lead for p in self.components], int)

    def serial_chain(self, mean: float, sd: float) -> SerialChain:
        """Rosling's equivalent serial chain (orders placed at the end of a period, as
        ``SerialChain`` counts them): the finished stage, then one stage per distinct
        component lead time, shortest first."""
        leads = sorted(set(self.leads.tolist()))
        holding = [sum(p.quantity * p.holding for p in self.components if p.lead == lead)
                   for lead in leads]  # fmt: skip
        # A stage that adds no holding cost still needs a positive one (newsvendor ratios).
        least = 1e-6 * self.backorder_cost
        return SerialChain(
            (self.lead + 1, *np.diff([0, *leads]).tolist()),
            tuple(max(h, least) for h in (self.holding - self.component_holding(), *holding)),
            self.backorder_cost,
            mean,
            sd,
        )

    def safety(self, mean: float, sd: float) -> tuple[float, FloatArray]:
        """Echelon levels above mean demand over each stage's cover, in finished units:
        the finished SKU's and each component's."""
        levels = serial_echelon_levels(self.serial_chain(mean, sd))
        stage = np.searchsorted(sorted(set(self.leads.tolist())), self.leads) + 1
        cover = self.cover()
        return levels[0] - mean * (self.lead + 1), np.array(levels)[stage] - mean * cover

    def cover(self) -> npt.NDArray[np.int64]:
        """Periods each component's echelon level covers: its lead, assembly, review."""
        return self.leads + self.lead + 1


@dataclass
class AssemblyState:
    """Per trial, at the start of a period after its arrivals.

    Shapes
    ------
    finished: [trials] (on hand minus backorders); work: [assembly lead, trials], row
    ``k`` done ``k + 1`` periods from now; on_hand: [components, trials] (component
    units); pipeline: [components, longest lead, trials], as ``work``.
    """

    finished: FloatArray
    work: FloatArray
    on_hand: FloatArray
    pipeline: FloatArray

    @classmethod
    def empty(cls, assembly: Assembly, trials: int) -> AssemblyState:
        parts = len(assembly.components)
        return cls(
            np.zeros(trials),
            np.zeros((max(assembly.lead, 1), trials)),
            np.zeros((parts, trials)),
            np.zeros((parts, max(int(assembly.leads.max()), 1), trials)),
        )

    def copy(self) -> AssemblyState:
        return AssemblyState(
            self.finished.copy(), self.work.copy(), self.on_hand.copy(), self.pipeline.copy()
        )

    def arrive(self) -> None:
        """The period's receipts: finished assemblies and components due now."""
        self.finished += self.work[0]
        self.on_hand += self.pipeline[:, 0]
        self.work = np.concatenate([self.work[1:], np.zeros_like(self.work[:1])])
        self.pipeline = np.concatenate(
            [self.pipeline[:, 1:], np.zeros_like(self.pipeline[:, :1])], axis=1
        )


@dataclass(frozen=True)
class AssemblyDecision:
    """Per trial: finished units started and component units ordered ([components, trials])."""

    assemble: FloatArray
    order: FloatArray


def balanced_decision(
    assembly: Assembly, finished_level: FloatArray, levels: FloatArray, state: AssemblyState
) -> AssemblyDecision:
    """Rosling's balanced echelon base-stock decision for one period.

    ``finished_level``: [trials] or scalar; ``levels``: [components] or [components,
    trials], echelon levels in finished units.
    """
    q = assembly.quantities[:, None]
    leads = assembly.leads
    echelon = state.finished + state.work.sum(axis=0)
    position = echelon + (state.on_hand + state.pipeline.sum(axis=1)) / q
    target = np.broadcast_to(np.asarray(levels, float).reshape(len(leads), -1), position.shape)
    order = np.zeros_like(position)
    for j, lead in enumerate(leads):
        cap = target[j]
        for k in np.flatnonzero(leads > lead):
            due = state.on_hand[k] + state.pipeline[k, :lead].sum(axis=0)
            cap = np.minimum(cap, echelon + due / q[k])
        order[j] = np.maximum(cap - position[j], 0.0) * q[j]
    on_hand = state.on_hand + np.where(leads[:, None] == 0, order, 0.0)
    room = np.asarray(finished_level, float) - echelon
    assemble = np.maximum(np.minimum(room, (on_hand / q).min(axis=0)), 0.0)
    return AssemblyDecision(assemble, order)


def carry_out(assembly: Assembly, state: AssemblyState, decision: AssemblyDecision) -> None:
    """Place the orders and start the assemblies of a decision (before demand)."""
    for j, lead in enumerate(assembly.leads):
        if lead == 0:
            state.on_hand[j] += decision.order[j]
        else:
            state.pipeline[j, lead - 1] += decision.order[j]
    state.on_hand -= decision.assemble * assembly.quantities[:, None]
    if assembly.lead == 0:
        state.finished += decision.assemble
    else:
        state.work[assembly.lead - 1] += decision.assemble


def period_cost(assembly: Assembly, state: AssemblyState) -> FloatArray:
    """Holding and backorder cost of the period's end state, per trial.

    Components due next period are charged as held: they can be assembled only then, as
    in the anchors' timing, where they arrive at the start of this period and wait.
    """
    holding = np.array([p.holding for p in assembly.components])[:, None]
    cost: FloatArray = (
        assembly.holding * np.maximum(state.finished, 0.0)
        + assembly.backorder_cost * np.maximum(-state.finished, 0.0)
        + (holding * (state.on_hand + state.pipeline[:, 0])).sum(axis=0)
        + assembly.component_holding() * state.work.sum(axis=0)
    )
    return cost


@dataclass(frozen=True)
class Projection:
    """The policy projected over a horizon: per period, finished units started and
    component units ordered ([horizon, trials] and [horizon, components, trials])."""

    assemble: FloatArray
    order: FloatArray


def project(
    assembly: Assembly,
    mean: FloatArray,
    sd: float,
    state: AssemblyState,
) -> Projection:
    """The plan: the balanced policy from ``state`` over the periods of ``mean`` (the
    finished SKU's forecast demand per period), on mean demand after period 0.

    Levels follow the forecast: mean demand over each stage's cover from the period,
    plus the stationary safety of the serial chain (demand beyond the forecast repeats
    its last period).
    """
    horizon = len(mean)
    cover = assembly.cover()
    longest = int(cover.max())
    ahead = np.concatenate([mean, np.full(longest, mean[-1] if horizon else 0.0)])
    sums = np.concatenate([[0.0], np.cumsum(ahead)])
    finished_safety, safety = assembly.safety(float(mean.mean()) if horizon else 0.0, sd)
    state = state.copy()
    trials = len(state.finished)
    assemble = np.zeros((horizon, trials))
    order = np.zeros((horizon, len(assembly.components), trials))
    for t in range(horizon):
        if t > 0:
            state.arrive()
        finished_level = sums[t + assembly.lead + 1] - sums[t] + finished_safety
        levels = sums[t + cover] - sums[t] + safety
        decision = balanced_decision(assembly, np.asarray(finished_level), levels, state)
        carry_out(assembly, state, decision)
        state.finished -= mean[t]
        assemble[t], order[t] = decision.assemble, decision.order
    return Projection(assemble, order)


class AssemblyPlanner:
    """The planner as a policy: plan from the state (``project``), carry out period 0.

    The forecast is stationary (``demand``'s mean every period, ``horizon`` periods),
    as for the single-stage instances of ``rolling``.
    """

    name = "assembly planner (rolled)"

    def __init__(self, assembly: Assembly, demand: DemandModel, horizon: int) -> None:
        self.assembly = assembly
        self.mean = np.full(horizon, demand.mean)
        self.sd = demand.std

    def levels(self) -> tuple[float, FloatArray]:
        """The echelon levels period 0 uses (finished units): the effective policy."""
        finished, safety = self.assembly.safety(float(self.mean.mean()), self.sd)
        mean = float(self.mean.mean())
        return finished + mean * (self.assembly.lead + 1), safety + mean * self.assembly.cover()

    def decide(self, state: AssemblyState) -> AssemblyDecision:
        plan = project(self.assembly, self.mean, self.sd, state)
        return AssemblyDecision(plan.assemble[0], plan.order[0])


class FixedLevels:
    """A balanced echelon base-stock policy at given levels (finished units)."""

    def __init__(self, assembly: Assembly, finished: float, components: FloatArray) -> None:
        self.assembly = assembly
        self.finished = finished
        self.components = components
        self.name = f"balanced echelon base-stock ({finished:g}; {components.round(3).tolist()})"

    def decide(self, state: AssemblyState) -> AssemblyDecision:
        return balanced_decision(self.assembly, np.asarray(self.finished), self.components, state)


def roll_assembly(
    assembly: Assembly,
    demand: DemandModel,
    policy: AssemblyPlanner | FixedLevels,
    *,
    trials: int = 20,
    periods: int = 300,
    warmup: int = 30,
    seed: int = 0,
) -> SimulationResult:
    """Run ``policy`` on an assembly system with common random numbers: demand depends
    only on ``seed``, trials and periods. Trials start empty; costs per period after
    ``warmup``.

    Raises
    ------
    ValidationFailed
        For a bad instance or run length.
    """
    check_run(assembly.problems(), periods, warmup, "assembly evaluation")
    draws = demand.sample(np.random.default_rng(seed), (periods, trials))
    state = AssemblyState.empty(assembly, trials)
    tally = Tally(trials)
    for t in range(periods):
        state.arrive()
        carry_out(assembly, state, policy.decide(state.copy()))
        met = np.minimum(np.maximum(state.finished, 0.0), draws[t])
        state.finished -= draws[t]
        if t >= warmup:
            tally.add(period_cost(assembly, state), draws[t], met)
    return tally.result(periods, warmup)


# ---- the planner: a network's bills of materials ----


@dataclass(frozen=True, eq=False)
class AssemblyPlan:
    """Component orders (``plan.ORDER_COLUMNS``) and assemblies (``ASSEMBLY_COLUMNS``)."""

    orders: pd.DataFrame
    assemblies: pd.DataFrame
    warnings: tuple[str, ...] = ()
    """Assemblies left unplanned, and why."""

    def feed(self, problem: PlanningProblem) -> PlanningProblem:
        """``problem`` with the assemblies' output as receipts of the finished SKU at
        its plant, which the planner then moves to the stores."""
        key = pd.MultiIndex.from_frame(problem.nodes[["location_id", "sku_id"]])
        done = self.assemblies[self.assemblies["finish_period"] < problem.horizon]
        node = key.get_indexer(pd.MultiIndex.from_frame(done[["plant_id", "sku_id"]]))
        receipts = problem.receipts.copy()
        np.add.at(
            receipts,
            (node, done["finish_period"].to_numpy(int)),
            done["quantity"].to_numpy(float),
        )
        return dataclasses.replace(
            problem, receipts=receipts, warnings=problem.warnings + self.warnings
        )

    def attach(self, plan: ReplenishmentPlan) -> ReplenishmentPlan:
        """``plan`` with the component orders among its orders and the assemblies."""
        orders = pd.concat([plan.orders, self.orders], ignore_index=True)
        return dataclasses.replace(plan, orders=orders, assemblies=self.assemblies)


def assemblies_of(network: Network, settings: PlanSettings) -> list[Assembly]:
    """The assemblies of a network's bills of materials, in the problem's periods.

    Each component is bought on the cheapest of the plant's lanes for it (then the
    shortest); the assembly takes the longest lead time of its lines. Backorders of the
    finished SKU cost ``settings.backorder_daily_rate`` times its price per day.

    Raises
    ------
    ValidationFailed
        A component with no supply lane at its plant, or one the plant assembles itself
        (multi-level bills of materials are not planned).
    """
    days = settings.period_days
    skus = network.skus_by_id
    holding = {p.key(): p.holding_cost_per_day for p in network.inventory_positions}
    lanes: dict[tuple[str, str], SupplyLane] = {}
    for each in sorted(
        network.supply_lanes, key=lambda x: (x.unit_cost, x.lead_time_mean_days, x.supplier_id)
    ):
        lanes.setdefault((each.warehouse_id, each.sku_id), each)

    def per_period(location: str, sku: str) -> float:
        daily = holding.get((location, sku))
        if daily is None:
            daily = skus[sku].unit_cost * DEFAULT_HOLDING_RATE / 365.0
        return daily * days

    lines: dict[tuple[str, str], list[tuple[int, BomLine]]] = {}
    for index, line in enumerate(network.bill_of_materials):
        lines.setdefault((line.plant_id, line.sku_id), []).append((index, line))
    problems = []
    result = []
    for (plant, sku), found in lines.items():
        parts = []
        for index, line in found:
            lane = lanes.get((plant, line.component_id))
            if (plant, line.component_id) in lines:
                problems.append(
                    Problem(
                        f"bill_of_materials[{index}].component_id",
                        f"{line.component_id!r} is assembled at {plant!r} too: "
                        "multi-level bills of materials are not planned",
                    )
                )
            elif lane is None:
                problems.append(
                    Problem(
                        f"bill_of_materials[{index}].component_id",
                        f"no supply lane for {line.component_id!r} at {plant!r}",
                    )
                )
            else:
                parts.append(
                    Component(
                        line.component_id,
                        line.quantity_per_unit,
                        round(lane.lead_time_mean_days) // days,
                        per_period(plant, line.component_id),
                        lane.supplier_id,
                    )
                )
        lead = max(round(line.assembly_lead_time_days) // days for _, line in found)
        price = max(skus[sku].price, skus[sku].unit_cost)
        backorder = settings.backorder_daily_rate * price * days
        components = tuple(parts)
        finished = max(per_period(plant, sku), sum(p.quantity * p.holding for p in components))
        result.append(Assembly(plant, sku, lead, finished, backorder, components))
    if problems:
        raise ValidationFailed(problems, "bill of materials")
    return result


def plant_demand(problem: PlanningProblem, plant: str, sku: str) -> tuple[FloatArray, float]:
    """The finished SKU's forecast demand per period at a plant (the stores it serves,
    a store served by several warehouses shared equally) and its sd per period."""
    nodes = problem.nodes
    key = pd.MultiIndex.from_frame(nodes[["location_id", "sku_id"]])
    origin = key.get_indexer(pd.MultiIndex.from_tuples([(plant, sku)]))[0]
    transfers = problem.transfers
    origins = transfers.groupby("node")["origin"].nunique()
    served = transfers.loc[transfers["origin"] == origin, "node"].to_numpy()
    share = 1.0 / origins.reindex(served).to_numpy(float) if len(served) else np.zeros(0)
    mean = (problem.demand[served] * share[:, None]).sum(axis=0)
    variance = ((problem.demand_sd[served] * share[:, None]) ** 2).sum(axis=0)
    return mean, float(np.sqrt(variance.mean())) if len(variance) else 0.0


def _start_state(network: Network, problem: PlanningProblem, assembly: Assembly) -> AssemblyState:
    """The plant's stock and open orders of the finished SKU and its components."""
    state = AssemblyState.empty(assembly, 1)
    on_hand = {p.key(): p.on_hand for p in network.inventory_positions}
    state.finished[0] = on_hand.get((assembly.plant_id, assembly.sku_id), 0.0)
    index = {p.sku_id: j for j, p in enumerate(assembly.components)}
    for order in network.open_orders:
        if order.location_id != assembly.plant_id:
            continue
        ahead = max(problem.period_of(order.due_date), 0)
        if order.sku_id == assembly.sku_id:
            state.finished[0] += order.quantity  # finished units already due: counted now
        elif order.sku_id in index:
            j = index[order.sku_id]
            if ahead == 0:
                state.on_hand[j, 0] += order.quantity
            else:
                row = min(ahead, state.pipeline.shape[1]) - 1
                state.pipeline[j, row, 0] += order.quantity
    for j, part in enumerate(assembly.components):
        state.on_hand[j, 0] += on_hand.get((assembly.plant_id, part.sku_id), 0.0)
    return state


def plan_assembly(
    network: Network, problem: PlanningProblem, settings: PlanSettings
) -> AssemblyPlan:
    """Component orders and assemblies for every bill of materials of ``network``."""
    orders, assemblies, warnings = [], [], []
    stocked = set(zip(problem.nodes["location_id"], problem.nodes["sku_id"], strict=True))
    for assembly in assemblies_of(network, settings):
        if (assembly.plant_id, assembly.sku_id) not in stocked:
            warnings.append(
                f"plant {assembly.plant_id} assembles {assembly.sku_id} but has no inventory "
                "position for it: nothing is assembled"
            )
            continue
        mean, sd = plant_demand(problem, assembly.plant_id, assembly.sku_id)
        plan = project(assembly, mean, sd, _start_state(network, problem, assembly))
        for t in np.flatnonzero(plan.assemble[:, 0] > 1e-9):
            assemblies.append(
                {
                    "plant_id": assembly.plant_id,
                    "sku_id": assembly.sku_id,
                    "quantity": float(plan.assemble[t, 0]),
                    "start_period": int(t),
                    "finish_period": int(t + assembly.lead),
                    "start_date": problem.period_start(int(t)),
                    "finish_date": problem.period_start(int(t + assembly.lead)),
                }
            )
        for t, j in zip(*np.nonzero(plan.order[:, :, 0] > 1e-9), strict=True):
            part = assembly.components[j]
            orders.append(
                {
                    "origin_id": part.supplier_id,
                    "destination_id": assembly.plant_id,
                    "sku_id": part.sku_id,
                    "quantity": float(plan.order[t, j, 0]),
                    "order_period": int(t),
                    "arrival_period": int(t + part.lead),
                    "ship_date": problem.period_start(int(t)),
                    "arrival_date": problem.period_start(int(t + part.lead)),
                }
            )
    columns = list(ORDER_COLUMNS)
    return AssemblyPlan(
        pd.DataFrame(orders, columns=columns),
        pd.DataFrame(assemblies, columns=list(ASSEMBLY_COLUMNS)),
        tuple(warnings),
    )


def anchor_assembly(data: Mapping[str, Any]) -> tuple[Assembly, DemandModel, FixedLevels]:
    """An ``assembly_ssm`` file of ``inventory-anchor/v1`` as an assembly, its demand and
    its optimal policy.

    The file places orders at the end of a period (lead ``L``); here decisions come at
    the start of the next one, so the assembly's lead is ``L - 1`` and a component's is
    its own (its order still meets the same period's demand). Levels in the file are
    echelon levels in finished units.
    """
    stages = {s["id"]: s for s in data["network"]["stages"]}
    (top,) = [s for s in stages.values() if s.get("external_demand")]
    per_unit = {e["from"]: float(e["units_per_parent"]) for e in data["network"]["edges"]}
    parts = tuple(
        Component(sid, per_unit[sid], int(stages[sid]["lead_time"]), stages[sid]["holding_cost"])
        for sid in per_unit
    )
    assembly = Assembly(
        top["id"],
        top["id"],
        int(top["lead_time"]) - 1,
        top["holding_cost"],
        top["stockout_cost"],
        parts,
    )
    levels = data["expected"]["decisions"]["echelon_base_stock"]
    optimum = FixedLevels(assembly, levels[top["id"]], np.array([levels[p.sku_id] for p in parts]))
    return assembly, DemandModel.from_anchor(data["demand"][top["id"]]), optimum


@dataclass(frozen=True)
class AnchorRun:
    """An assembly anchor rolled forward: its optimal policy and the planner on the same
    demand (common random numbers)."""

    optimum: FixedLevels
    planner: AssemblyPlanner
    best: SimulationResult
    ours: SimulationResult


def run_anchor(
    data: Mapping[str, Any], *, trials: int, periods: int, seed: int, horizon: int = 8
) -> AnchorRun:
    """Roll an ``assembly_ssm`` anchor's optimal policy and the planner (planning
    ``horizon`` periods each period) for ``trials`` x ``periods`` after a tenth as warm-up."""
    assembly, demand, optimum = anchor_assembly(data)
    planner = AssemblyPlanner(assembly, demand, horizon)
    run = {"trials": trials, "periods": periods, "warmup": max(periods // 10, 1), "seed": seed}
    best = roll_assembly(assembly, demand, optimum, **run)
    return AnchorRun(optimum, planner, best, roll_assembly(assembly, demand, planner, **run))
