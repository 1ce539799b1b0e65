"""The three uses of the recommendation model: substitutes, listings, alternate suppliers.

Built once per model version, network and plan (vectors normalised, lanes indexed); a
request is then a few numpy products over precomputed vectors plus the stock check at
the store on the need date. SKUs or stores the model was not trained on get category
(or chain) popularity instead, and the answer says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.errors import NotFound, Problem, ValidationFailed
from supplynet.graph.model import SupplyLane
from supplynet.graph.network import Network
from supplynet.optimizer.recommend.model import RecommendModel
from supplynet.optimizer.recommend.result import USES, Recommendation, Recommendations
from supplynet.optimizer.recommend.shelf_stock import IN_STOCK_UNITS, ShelfStock

MAX_LIMIT = 1000
SIMILAR_STORES = 5
"""How many nearest stores a listing's reason counts sellers among."""
SOURCING_SUBSTITUTES = 5
"""How many of a SKU's nearest substitutes an alternate-supplier search also sources."""
TABLE_CELLS = 1 << 24
"""The blend's store x SKU and SKU x SKU scores are kept whole, in the network's SKU order,
when a table has at most this many cells (64 MiB of float32): a request then reads one
row instead of indexing the sparse parts (~3 ms per call) and reordering it. Larger
catalogues score per request."""

Scores = npt.NDArray[np.float32]
FloatScores = npt.NDArray[np.floating]


class Recommender:
    """Answers recommendation requests from a model, the network, its stock and risk.

    Parameters
    ----------
    model
        Trained vectors; SKUs and stores it lacks get the popularity fallback.
    network
        Current ids, categories, supply lanes and which warehouse serves which store.
    stock
        Shelf stock with the latest plan's arrivals (``ShelfStock.build``).
    risk
        Late-delivery risk per lane and supplier; without it alternate suppliers are
        ranked as if every lane were on time.
    """

    def __init__(
        self,
        model: RecommendModel,
        network: Network,
        stock: ShelfStock,
        risk: RiskScores | None = None,
    ) -> None:
        self.model = model
        self.network = network
        self.stock = stock
        self.risk = risk
        self.version = model.version
        self._skus = list(stock.skus)
        # a Python list beside the array: reading one element of a numpy array costs ~10x
        # a list's, and a response reads a dozen per item
        self._categories = [network.skus_by_id[k].category for k in self._skus]
        self._category = np.array(self._categories)
        self._model_sku = {k: i for i, k in enumerate(model.sku_ids)}
        self._model_store = {s: i for i, s in enumerate(model.store_ids)}
        # model SKU index -> network SKU index, so model scores line up with stock arrays
        self._to_network = np.array([stock.skus[k] for k in model.sku_ids if k in stock.skus])
        self._from_model = np.array([i for i, k in enumerate(model.sku_ids) if k in stock.skus])
        self._store_unit = _unit_rows(model.store_vectors)
        self._units_sold = np.zeros(len(self._skus))
        self._units_sold[self._to_network] = model.units_sold[self._from_model]
        self._sold = np.zeros((len(model.store_ids), len(self._skus)), dtype=bool)
        self._sold[:, self._to_network] = model.sold[:, self._from_model]
        self._sellers = self._sold.sum(axis=0)
        self._near: dict[int, _Neighbourhood] = {}
        self.stores = frozenset(s.id for s in network.stores)
        self._store_rows = self._network_table(
            model.blend.user_scores, len(model.store_ids), -np.inf
        )
        self._sku_rows = self._network_table(model.blend.item_similarity, len(model.sku_ids), -1.0)
        self._similar: dict[str, dict[int, float]] = {}
        self._warehouses = {w.id for w in network.warehouses}
        self._serving: dict[str, list[str]] = defaultdict(list)
        for lane in network.transport_lanes:
            if lane.origin_id in self._warehouses and lane.destination_id in self.stores:
                self._serving[lane.destination_id].append(lane.origin_id)
        self._lanes: dict[tuple[str, str], list[SupplyLane]] = defaultdict(list)
        for supply in network.supply_lanes:
            self._lanes[(supply.warehouse_id, supply.sku_id)].append(supply)
        self._declared = {(s.sku_id, s.substitute_id): s.strength for s in network.substitutions}
        self._lane_risk = _lane_risks(network.supply_lanes, risk)

    def recommend(
        self, use: str, sku_id: str, store_id: str, need_date: dt.date, limit: int = 10
    ) -> Recommendations:
        """Dispatch to one use after checking the request.

        Raises
        ------
        ValidationFailed
            An unknown ``use`` or ``limit`` outside 1..1000 (paths ``use``, ``limit``).
        NotFound
            An unknown ``sku_id`` or ``store_id`` (the kind names the field).
        """
        problems = []
        if use not in USES:
            problems.append(Problem("use", f"must be one of {', '.join(USES)} (got {use!r})"))
        if not 1 <= limit <= MAX_LIMIT:
            problems.append(Problem("limit", f"must be between 1 and {MAX_LIMIT} (got {limit})"))
        if problems:
            raise ValidationFailed(problems, "recommendation request")
        if use == "substitute":
            return self.substitute(sku_id, store_id, need_date, limit)
        if use == "listing":
            return self.listing(store_id, need_date, limit, sku_id=sku_id or None)
        return self.alternate_supplier(sku_id, store_id, need_date, limit)

    def substitute(
        self, sku_id: str, store_id: str, need_date: dt.date, limit: int = 10
    ) -> Recommendations:
        """SKUs to offer instead of ``sku_id`` that the store has on the need date."""
        self._check_sku(sku_id)
        self._check_store(store_id)
        units = self.stock.units_on(store_id, need_date)
        on_hand = self.stock.on_hand[self.stock.locations[store_id]]
        target = self.stock.skus[sku_id]
        candidates = np.flatnonzero(units >= IN_STOCK_UNITS)
        candidates = candidates[candidates != target]
        seen = sku_id in self._model_sku
        scores: FloatScores
        if seen:
            scores = self._sku_similarity(sku_id)
        else:
            candidates = candidates[self._category[candidates] == self._category[target]]
            scores = self._units_sold / max(float(self._units_sold.max()), 1.0)
        best = _best(scores, candidates, limit)
        score_key = "similarity" if seen else "category_popularity"
        categories, wanted = self._categories, self._categories[target]
        day = need_date.isoformat()
        items = []
        for k, score, shelf, held in zip(
            best.tolist(),
            scores[best].tolist(),
            units[best].tolist(),
            on_hand[best].tolist(),
            strict=True,
        ):
            other = self._skus[k]
            numbers = {
                score_key: round(score, 4),
                "units_on_shelf": shelf,
                "on_hand": held,
                "arriving": shelf - held,
                "declared_strength": self._declared.get((sku_id, other), 0.0),
                "same_category": float(categories[k] == wanted),
            }
            items.append(
                Recommendation(
                    other,
                    round(score, 6),
                    _substitute_reason(numbers, categories[k], day, seen),
                    numbers=numbers,
                )
            )
        note = (
            ""
            if seen
            else f"fallback: {sku_id} is unseen by model {self.version}; "
            f"best-selling in-stock SKUs of its category {wanted}"
        )
        return Recommendations(
            "substitute", sku_id, store_id, need_date, self.version, tuple(items), not seen, note
        )

    def listing(
        self, store_id: str, need_date: dt.date, limit: int = 10, sku_id: str | None = None
    ) -> Recommendations:
        """SKUs similar stores sell and ``store_id`` does not (within ``sku_id``'s category
        when one is given)."""
        self._check_store(store_id)
        candidates = np.arange(len(self._skus))
        if sku_id:
            self._check_sku(sku_id)
            candidates = candidates[self._category == self._category[self.stock.skus[sku_id]]]
        seen = store_id in self._model_store
        scores: FloatScores
        if seen:
            row = self._model_store[store_id]
            candidates = candidates[~self._sold[row, candidates]]
            scores = self._network_row(self._store_rows, self.model.blend.user_scores, row, -np.inf)
            near = self._neighbourhood(row)
        else:
            scores = self._units_sold / max(float(self._units_sold.max()), 1.0)
            near = _Neighbourhood(np.zeros(len(self._skus)), 0, "")
        stores = len(self.model.store_ids)
        best = _best(scores, candidates, limit)
        items = []
        for k, score, nearby, sellers, sold in zip(
            best.tolist(),
            scores[best].tolist(),
            near.selling[best].tolist(),
            self._sellers[best].tolist(),
            self._units_sold[best].tolist(),
            strict=True,
        ):
            numbers = {
                "score": round(score, 4),
                "similar_stores_selling": float(nearby),
                "similar_stores": float(near.count),
                "stores_selling": float(sellers),
                "stores": float(stores),
                "units_sold_chain": float(sold),
            }
            reason = (
                f"listing: sold by {int(nearby)} of the {near.count} most similar stores "
                f"({near.ids}) and {int(sellers)} of {stores} stores "
                f"chain-wide; not sold at {store_id}"
                if seen
                else f"listing (fallback): sold by {int(sellers)} of "
                f"{stores} stores, {sold:.0f} units chain-wide"
            )
            items.append(Recommendation(self._skus[k], round(score, 6), reason, numbers=numbers))
        note = (
            ""
            if seen
            else f"fallback: store {store_id} is unseen by model {self.version}; "
            "chain-wide best sellers"
        )
        return Recommendations(
            "listing", sku_id or "", store_id, need_date, self.version, tuple(items), not seen, note
        )

    def alternate_supplier(
        self, sku_id: str, location_id: str, need_date: dt.date, limit: int = 10
    ) -> Recommendations:
        """Other suppliers that can deliver ``sku_id`` or a close substitute to the warehouse
        (``location_id``, or the warehouses serving it when it is a store), least risky first.

        The current supplier with the highest risk is the one replaced; the score is the
        similarity of the delivered SKU to ``sku_id`` (1 for itself) times the chance the
        delivery is on time.
        """
        self._check_sku(sku_id)
        if location_id in self._warehouses:
            warehouses = [location_id]
        elif location_id in self.stores:
            warehouses = sorted(self._serving.get(location_id, []))
        else:
            raise NotFound("store_id", location_id)
        seen = sku_id in self._model_sku
        closeness_of = self._sourced(sku_id)
        options: list[tuple[float, SupplyLane, dict[str, float], str]] = []
        for warehouse in warehouses:
            current = self._lanes.get((warehouse, sku_id), [])
            risks = [self._risk(lane) for lane in current]
            flagged = current[int(np.argmax([r[0] for r in risks]))] if current else None
            flagged_risk = max(risks, default=(0.0, 0.0))
            for k, closeness in closeness_of.items():
                for lane in self._lanes.get((warehouse, self._skus[k]), []):
                    if flagged is not None and lane.supplier_id == flagged.supplier_id:
                        continue
                    late, delay = self._risk(lane)
                    numbers = {
                        "similarity": round(closeness, 4),
                        "late_probability": round(late, 4),
                        "expected_delay_days": round(delay, 2),
                        "lead_time_days": lane.lead_time_mean_days,
                        "unit_cost": lane.unit_cost,
                        "current_late_probability": round(flagged_risk[0], 4),
                        "current_lead_time_days": flagged.lead_time_mean_days if flagged else 0.0,
                        "current_unit_cost": flagged.unit_cost if flagged else 0.0,
                    }
                    current_id = flagged.supplier_id if flagged else "none"
                    options.append((closeness * (1.0 - late), lane, numbers, current_id))
        options.sort(key=lambda o: (-o[0], o[2]["late_probability"], o[1].supplier_id, o[1].sku_id))
        items = [
            Recommendation(
                lane.sku_id,
                round(score, 6),
                _supplier_reason(lane, sku_id, numbers, current_id, self.risk is not None),
                supplier_id=lane.supplier_id,
                numbers=numbers,
            )
            for score, lane, numbers, current_id in options[:limit]
        ]
        return Recommendations(
            "alternate-supplier",
            sku_id,
            location_id,
            need_date,
            self.version,
            tuple(items),
            not seen,
            ""
            if seen
            else f"fallback: {sku_id} is unseen by model {self.version}; "
            "only suppliers of the SKU itself",
        )

    def _risk(self, lane: SupplyLane) -> tuple[float, float]:
        return self._lane_risk.get((lane.supplier_id, lane.warehouse_id, lane.sku_id), _NO_RISK)

    def _neighbourhood(self, row: int) -> _Neighbourhood:
        """The most similar stores to model store ``row`` and how many of them sell each
        SKU: fixed per model, so worked out on a store's first listing and kept."""
        near = self._near.get(row)
        if near is None:
            neighbours = _nearest(self._store_unit, row, SIMILAR_STORES)
            ids = ", ".join(self.model.store_ids[i] for i in neighbours)
            near = _Neighbourhood(self._sold[neighbours].sum(axis=0), len(neighbours), ids)
            self._near[row] = near
        return near

    def _sourced(self, sku_id: str) -> dict[int, float]:
        """The SKUs an alternate supplier may deliver for ``sku_id`` (network index ->
        closeness): itself (1) and its nearest substitutes of its category (their
        similarity, at least 0; none for a SKU the model lacks). Fixed per model, so worked
        out on a SKU's first request and kept."""
        sourced = self._similar.get(sku_id)
        if sourced is None:
            target = self.stock.skus[sku_id]
            seen = sku_id in self._model_sku
            similarity = self._sku_similarity(sku_id) if seen else np.zeros(len(self._skus))
            categories = self._categories
            others = np.delete(np.arange(len(self._skus)), target)
            similar = [
                k
                for k in _best(similarity, others, 50).tolist()
                if categories[k] == categories[target]
            ][:SOURCING_SUBSTITUTES]
            sourced = {target: 1.0, **{k: max(float(similarity[k]), 0.0) for k in similar}}
            self._similar[sku_id] = sourced
        return sourced

    def _sku_similarity(self, sku_id: str) -> Scores:
        """The blend's similarity of every network SKU to ``sku_id`` (in [-1, 1]; -1 for
        SKUs the model lacks)."""
        row = self._model_sku[sku_id]
        return self._network_row(self._sku_rows, self.model.blend.item_similarity, row, -1.0)

    def _network_table(
        self, score: Callable[[npt.NDArray[np.int64]], FloatScores], rows: int, fill: float
    ) -> Scores | None:
        """Every row of ``score`` over the network's SKUs (``fill`` for those the model
        lacks), or ``None`` above ``TABLE_CELLS``."""
        if rows * len(self._skus) > TABLE_CELLS:
            return None
        return self._in_network_order(score(np.arange(rows)), fill)

    def _network_row(
        self,
        table: Scores | None,
        score: Callable[[npt.NDArray[np.int64]], FloatScores],
        row: int,
        fill: float,
    ) -> Scores:
        """Row ``row`` of ``table``, or of ``score`` worked out now (a large catalogue)."""
        if table is not None:
            kept: Scores = table[row]
            return kept
        scored: Scores = self._in_network_order(score(np.array([row])), fill)[0]
        return scored

    def _in_network_order(self, scored: FloatScores, fill: float) -> Scores:
        """Rows of model-SKU scores as rows over the network's SKUs (``fill`` for those the
        model lacks), float32."""
        table = np.full((len(scored), len(self._skus)), fill, dtype=np.float32)
        table[:, self._to_network] = scored[:, self._from_model]
        return table

    def _check_sku(self, sku_id: str) -> None:
        if sku_id not in self.stock.skus:
            raise NotFound("sku_id", sku_id)

    def _check_store(self, store_id: str) -> None:
        if store_id not in self.stores:
            raise NotFound("store_id", store_id)


_NO_RISK = (0.0, 0.0)


@dataclass(frozen=True)
class _Neighbourhood:
    """A store's most similar stores: how many of them sell each SKU, their count, ids."""

    selling: npt.NDArray[np.float64] | npt.NDArray[np.int64]
    count: int
    ids: str


def _lane_risks(
    lanes: Sequence[SupplyLane], risk: RiskScores | None
) -> dict[tuple[str, str, str], tuple[float, float]]:
    """``RiskScores.for_lane`` of every lane, looked up once: it filters the whole score
    frame per lane (~0.5 ms), a dozen times per alternate-supplier request."""
    if risk is None:
        return {}
    return {
        (lane.supplier_id, lane.warehouse_id, lane.sku_id): risk.for_lane(
            lane.supplier_id, lane.warehouse_id, lane.sku_id
        )
        for lane in lanes
    }


def _unit_rows(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Rows scaled to length 1 (zero rows stay zero), so a product is a cosine."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float64)


def _nearest(unit: npt.NDArray[np.float64], row: int, count: int) -> npt.NDArray[np.int64]:
    """The ``count`` rows most similar to ``row`` (itself left out), most similar first."""
    return _best(unit @ unit[row], np.delete(np.arange(unit.shape[0]), row), count)


def _best(
    scores: FloatScores, candidates: npt.NDArray[np.int64], limit: int
) -> npt.NDArray[np.int64]:
    """The ``limit`` best candidates by score, ties to the lower index.

    Many candidates are first cut to those scoring at least the ``limit``-th best (ties
    kept) in linear time, so only those are sorted."""
    negated = -scores[candidates]
    if len(candidates) > 4 * limit:
        kth = np.partition(negated, limit - 1)[limit - 1]
        if not np.isnan(kth):
            keep = negated <= kth
            candidates, negated = candidates[keep], negated[keep]
    order = np.lexsort((candidates, negated))
    return candidates[order[:limit]]


def _substitute_reason(numbers: dict[str, float], category: str, day: str, seen: bool) -> str:
    why = (
        f"graph similarity {numbers['similarity']:.2f}"
        if seen
        else f"best seller of category {category} (popularity {numbers['category_popularity']:.2f})"
    )
    if numbers["declared_strength"]:
        why += f", declared substitute (strength {numbers['declared_strength']:.2f})"
    if numbers["same_category"] and seen:
        why += f", same category {category}"
    return (
        f"substitute: {why}; {numbers['units_on_shelf']:.0f} units on the shelf on "
        f"{day} ({numbers['on_hand']:.0f} on hand + "
        f"{numbers['arriving']:.0f} arriving)"
    )


def _supplier_reason(
    lane: SupplyLane, sku_id: str, numbers: dict[str, float], current: str, scored: bool
) -> str:
    what = (
        f"{sku_id} itself"
        if lane.sku_id == sku_id
        else f"substitute {lane.sku_id} (similarity {numbers['similarity']:.2f})"
    )
    risk = (
        f"late risk {numbers['late_probability']:.0%} vs "
        f"{numbers['current_late_probability']:.0%} for {current} (current)"
        if scored
        else "no risk scores yet"
    )
    return (
        f"alternate-supplier: {lane.supplier_id} ships {what} to {lane.warehouse_id}; {risk}; "
        f"lead time {numbers['lead_time_days']:.1f} d (current "
        f"{numbers['current_lead_time_days']:.1f}); unit cost {numbers['unit_cost']:.2f} "
        f"(current {numbers['current_unit_cost']:.2f})"
    )
