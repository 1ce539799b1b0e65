"""Delivery-risk graph and its per-cut-off snapshots as PyG ``HeteroData``.

Node types: ``lane`` (supply lane: supplier, warehouse, SKU), ``supplier`` and ``region``
(the suppliers' region). Edges: lane <-> supplier, supplier <-> region. Disruptions in
the generator (and in real supply chains) hit a region's suppliers together, so a lane
can learn from its supplier's other lanes and from the region's other suppliers what a
single lane's few recent deliveries cannot tell.

Every node's features come from the deliveries of its own entity (the lane's, all of
the supplier's, all of the region's), using only what is known at the cut-off ``t``:
an order promised before ``t`` is known to be late if it arrived after its promise or
has not arrived by ``t``; its delay is censored at ``t``. The label of a lane is its
next order on or after ``t`` (late, delay); of a supplier, its next order on any lane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from supplynet.gnn.pyg import HeteroData
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.history import DELIVERIES, check
from supplynet.graph.network import Network

LANE_KEY = ["supplier_id", "warehouse_id", "sku_id"]
WINDOWS = (7, 14, 28, 91, 365)
PRIOR_LATE = 0.15
PRIOR_WEIGHT = 2.0
SINCE_CAP = 365.0
FEATURES = 3 * len(WINDOWS) + 3
"""Per window: smoothed late share, mean censored delay, log order count; then the share
of recent orders overdue now, the log of days since the latest order known to be late
(capped; a disruption shows there first) and the log lead time. Only fixed windows: an
all-history feature drifts as history grows and misleads models fitted on its early
values."""
RISK_EDGES = (
    ("lane", "supplied_by", "supplier"),
    ("supplier", "supplies", "lane"),
    ("supplier", "located_in", "region"),
    ("region", "hosts", "supplier"),
)


@dataclass(frozen=True)
class RiskGraph:
    """Entities in a fixed order and the edges between them.

    ``lanes`` columns: supplier_id, warehouse_id, sku_id, supplier (row in ``suppliers``),
    lead_time (days). ``edges``: ``[2, E]`` per edge type in ``RISK_EDGES``.
    """

    lanes: pd.DataFrame
    suppliers: tuple[str, ...]
    supplier_region: tuple[int, ...]
    regions: tuple[str, ...]
    edges: dict[tuple[str, str, str], torch.Tensor]

    def without_edges(self) -> RiskGraph:
        """The same entities, no edges: each node sees only its own deliveries (ablation)."""
        empty = {et: torch.zeros((2, 0), dtype=torch.long) for et in self.edges}
        return RiskGraph(self.lanes, self.suppliers, self.supplier_region, self.regions, empty)


def build_risk_graph(network: Network) -> RiskGraph:
    """Lanes, suppliers and regions of ``network`` (suppliers without a region get their own).

    Raises
    ------
    ValidationFailed
        The network has no supply lanes.
    """
    lanes = network.frame("supply_lanes")
    if lanes.empty:
        raise ValidationFailed([Problem("supply_lanes", "no supply lanes to score")], "risk graph")
    suppliers = tuple(s.id for s in network.suppliers)
    region_of = [s.region or f"supplier:{s.id}" for s in network.suppliers]
    regions = tuple(sorted(set(region_of)))
    supplier_region = tuple(regions.index(r) for r in region_of)
    frame = lanes[LANE_KEY].copy()
    frame["supplier"] = frame["supplier_id"].map({s: i for i, s in enumerate(suppliers)})
    frame["lead_time"] = lanes["lead_time_mean_days"].to_numpy(dtype=float)
    lane_ids = np.arange(len(frame))
    to_supplier = np.stack([lane_ids, frame["supplier"].to_numpy()])
    to_region = np.stack([np.arange(len(suppliers)), np.array(supplier_region, dtype=int)])
    edges = {
        RISK_EDGES[0]: _long(to_supplier),
        RISK_EDGES[1]: _long(to_supplier[::-1]),
        RISK_EDGES[2]: _long(to_region),
        RISK_EDGES[3]: _long(to_region[::-1]),
    }
    return RiskGraph(frame.reset_index(drop=True), suppliers, supplier_region, regions, edges)


def _long(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.int64))


@dataclass(frozen=True)
class DeliveryLog:
    """Deliveries as day numbers, aligned to a risk graph's lanes (built once, sliced often)."""

    start: pd.Timestamp
    lane: np.ndarray
    order: np.ndarray
    promised: np.ndarray
    delivered: np.ndarray


def delivery_log(graph: RiskGraph, deliveries: pd.DataFrame) -> DeliveryLog:
    """Index deliveries by lane; orders on lanes the graph does not know are dropped.

    ``delivered`` is ``inf`` while an order is open.
    """
    frame = check(deliveries, DELIVERIES)
    index = pd.MultiIndex.from_frame(graph.lanes[LANE_KEY].astype(str))
    lane = index.get_indexer(pd.MultiIndex.from_frame(frame[LANE_KEY].astype(str)))
    frame = frame[lane >= 0]
    start = frame["order_date"].min() if len(frame) else pd.Timestamp("1970-01-01")

    def days(column: str) -> np.ndarray:
        return np.asarray((frame[column] - start).dt.days.to_numpy(dtype=float, na_value=np.inf))

    return DeliveryLog(
        start, lane[lane >= 0], days("order_date"), days("promised_date"), days("delivered_date")
    )


def risk_snapshot(graph: RiskGraph, log: DeliveryLog, cutoff: pd.Timestamp) -> HeteroData:
    """Features known at ``cutoff`` and the outcome of each entity's next order.

    Shapes
    ------
    for node types ``lane`` (L), ``supplier`` (P), ``region`` (R): ``x [n, FEATURES]``;
    for lane and supplier also ``late [n]`` (0/1), ``delay [n]`` (days), ``y_mask [n]``
    bool (a next order exists and has arrived). ``edge_index [2, E]`` per edge type.
    """
    t = float((pd.Timestamp(cutoff) - log.start).days)
    supplier = graph.lanes["supplier"].to_numpy()[log.lane]
    region = np.array(graph.supplier_region, dtype=int)[supplier]
    lead = graph.lanes["lead_time"].to_numpy()
    groups = {
        "lane": (log.lane, len(graph.lanes), lead),
        "supplier": (
            supplier,
            len(graph.suppliers),
            _group_mean(lead, graph.lanes["supplier"].to_numpy(), len(graph.suppliers)),
        ),
        "region": (region, len(graph.regions), None),
    }
    data = HeteroData()
    for node_type, (group, size, lead_time) in groups.items():
        store = data[node_type]
        store.num_nodes = size
        store.x = _tensor(_features(log, group, size, t, lead_time))
        if node_type != "region":
            late, delay, mask = _next_outcome(log, group, size, t)
            store.late, store.delay, store.y_mask = (
                _tensor(late),
                _tensor(delay),
                torch.from_numpy(mask),
            )
    for edge_type, index in graph.edges.items():
        data[edge_type].edge_index = index
    return data


def _features(
    log: DeliveryLog, group: np.ndarray, size: int, t: float, lead_time: np.ndarray | None
) -> np.ndarray:
    known = log.promised < t
    late = known & (log.delivered > log.promised)
    delay = np.where(known, np.clip(np.minimum(log.delivered, t) - log.promised, 0, None), 0.0)
    columns = []
    for window in WINDOWS:
        inside = known & (log.promised >= t - window)
        n = np.bincount(group[inside], minlength=size)
        k = np.bincount(group[inside & late], minlength=size)
        d = np.bincount(group[inside], weights=delay[inside], minlength=size)
        columns += [
            (k + PRIOR_LATE * PRIOR_WEIGHT) / (n + PRIOR_WEIGHT),
            d / np.maximum(n, 1),
            np.log1p(n),
        ]
    overdue = known & (log.delivered >= t)
    open_or_due = np.bincount(group[known & (log.promised >= t - 28)], minlength=size)
    columns.append(np.bincount(group[overdue], minlength=size) / np.maximum(open_or_due, 1))
    latest = np.full(size, -np.inf)
    np.maximum.at(latest, group[late], log.promised[late])
    columns.append(np.log1p(np.clip(t - latest, 0, SINCE_CAP)))
    columns.append(np.log1p(lead_time if lead_time is not None else np.zeros(size)))
    return np.column_stack(columns)


def _next_outcome(
    log: DeliveryLog, group: np.ndarray, size: int, t: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Late flag and delay of each entity's first order placed on or after ``t``."""
    upcoming = np.flatnonzero(log.order >= t)
    order = upcoming[np.lexsort((log.order[upcoming], group[upcoming]))]
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]] if len(order) else order
    late, delay = np.zeros(size), np.zeros(size)
    mask = np.zeros(size, dtype=bool)
    arrived = first[np.isfinite(log.delivered[first])]
    who = group[arrived]
    delay[who] = np.maximum(log.delivered[arrived] - log.promised[arrived], 0.0)
    late[who] = (delay[who] > 0).astype(float)
    mask[who] = True
    return late, delay, mask


def _group_mean(values: np.ndarray, group: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(group, weights=values, minlength=size) / np.maximum(
        np.bincount(group, minlength=size), 1
    )


def _tensor(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))
