"""The series graph and its per-origin snapshots as PyG ``HeteroData``.

Nodes are (location, SKU) demand series. Edges carry the network's structure between
series, one relation each, so the model can learn how much each kind of neighbour
matters:

``substitute``, ``category``, ``supplier`` and ``nearby`` (``supplynet.graph.series_relations``
says which series each joins).

A snapshot at forecast origin ``o`` holds only what is known at ``o``: demand of periods
before ``o``; price and promotion up to ``o + H - 1`` (planned prices and promotions are
known-future covariates: a retailer decides them ahead); the calendar. Targets are the
demand of periods ``o .. o + H - 1``, divided by each series' scale.

Two summaries reach past the lag window, because a few weeks rarely show them: how the
series answered its earlier promotions (its lift and the discount depth behind it, over
all history before ``o``), and last year: its mean (a level from a year of data, where
the window's few weeks are noisy) and its shape over the horizon (demand a year before
each horizon step relative to that mean), the yearly season and level a per-series
model like Prophet fits from the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from supplynet.gnn.panel import CALENDAR_FEATURES, SeriesPanel
from supplynet.gnn.pyg import HeteroData
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.series_relations import RELATIONS, series_relations

NODE = "series"
EdgeType = tuple[str, str, str]
HIST_FEATURES = 3 + CALENDAR_FEATURES
FUTURE_FEATURES = 4 + CALENDAR_FEATURES
"""Promo, log price ratio, last year's log shape and whether last year is known, calendar."""
STATIC_FEATURES = 6
"""Log scale, zero share of the window, promo lift, promo depth, log promo periods seen,
log of last year's mean over the window's."""
MIN_SCALE = 0.05
PROMO_PRIOR = 7.0
"""Promotion periods at which the lift estimate counts half (a one-week promo in days)."""
YEAR = {"D": 364, "W": 52}
"""Periods in a year, whole weeks so weekdays line up."""


def edge_types(relations: tuple[str, ...] = RELATIONS) -> list[EdgeType]:
    return [(NODE, r, NODE) for r in relations]


@dataclass(frozen=True)
class SeriesGraph:
    """Static structure: series keys and one ``[2, E]`` edge index per relation."""

    keys: tuple[tuple[str, str], ...]
    edges: dict[str, torch.Tensor]

    def edge_counts(self) -> dict[str, int]:
        return {r: int(e.shape[1]) for r, e in self.edges.items()}

    def without_edges(self) -> SeriesGraph:
        """The same nodes and relations with every edge removed (the no-graph ablation)."""
        return SeriesGraph(
            self.keys, {r: torch.zeros((2, 0), dtype=torch.long) for r in self.edges}
        )


def build_graph(
    network: Network, keys: tuple[tuple[str, str], ...], relations: tuple[str, ...] = RELATIONS
) -> SeriesGraph:
    """Connect the series ``keys`` (location id, SKU id) through the network
    (``supplynet.graph.series_relations``: which series are neighbours, and why).

    Raises
    ------
    ValidationFailed
        An unknown relation name.
    """
    pairs = series_relations(network, keys, relations)
    return SeriesGraph(
        keys, {r: torch.from_numpy(np.stack([src, dst])) for r, (src, dst) in pairs.items()}
    )


def snapshot(
    panel: SeriesPanel, graph: SeriesGraph, origin: int, lags: int, horizon: int
) -> HeteroData:
    """Features known at period ``origin`` and the targets of the next ``horizon`` periods.

    Parameters
    ----------
    origin
        Index of the first forecast period; needs ``origin >= lags``. Targets beyond the
        panel's history are masked out (``y_mask``), which is how live forecasts are made.

    Shapes
    ------
    ``data["series"]``: ``x_hist [S, lags, HIST_FEATURES]``, ``x_future [S, horizon,
    FUTURE_FEATURES]``, ``x_static [S, STATIC_FEATURES]``, ``scale [S]``, ``base [S,
    horizon]`` (seasonal profile of the window / scale), ``y [S, horizon]``
    (zeros where masked), ``y_mask [S, horizon]`` bool, ``active [S]`` bool (any demand in
    the window). ``data[edge_type].edge_index [2, E]`` for every relation.

    Raises
    ------
    ValidationFailed
        Too little history, or planned prices and promotions missing for the horizon.
    """
    problems = []
    if origin < lags:
        problems.append(Problem("origin", f"needs at least {lags} periods of history"))
    if origin + horizon > panel.price.shape[1]:
        problems.append(Problem("future", "planned price and promo missing for the horizon"))
    if problems:
        raise ValidationFailed(problems, "snapshot")
    past = slice(origin - lags, origin)
    window = panel.quantity[:, past]
    scale = np.maximum(window.mean(axis=1), MIN_SCALE)
    reference = np.maximum(panel.price[:, past].mean(axis=1), 1e-9)
    known = slice(origin, origin + horizon)
    n = panel.n_series
    x_hist = np.concatenate(
        [
            (window / scale[:, None])[..., None],
            panel.promo[:, past, None],
            _log_ratio(panel.price[:, past], reference)[..., None],
            np.broadcast_to(panel.calendar[past], (n, lags, CALENDAR_FEATURES)),
        ],
        axis=2,
    )
    year_shape, year_level, year_known = _year_ago(panel, origin, horizon)
    x_future = np.concatenate(
        [
            panel.promo[:, known, None],
            _log_ratio(panel.price[:, known], reference)[..., None],
            year_shape[..., None],
            np.broadcast_to(year_known, (n, horizon))[..., None],
            np.broadcast_to(panel.calendar[known], (n, horizon, CALENDAR_FEATURES)),
        ],
        axis=2,
    )
    season = 7 if panel.freq == "D" else 1
    node_base = _seasonal_profile(window, panel.promo[:, past], origin, horizon, season)
    observed = min(max(panel.quantity.shape[1] - origin, 0), horizon)
    y = np.zeros((n, horizon))
    y[:, :observed] = panel.quantity[:, origin : origin + observed] / scale[:, None]
    mask = np.zeros((n, horizon), dtype=bool)
    mask[:, :observed] = True
    data = HeteroData()
    node = data[NODE]
    node.num_nodes = n
    node.x_hist = _tensor(x_hist)
    node.x_future = _tensor(x_future)
    node.x_static = _tensor(
        np.column_stack(
            [
                np.log1p(scale),
                (window == 0).mean(axis=1),
                *_promo_response(panel, origin),
                np.where(year_known, year_level - np.log(scale + MIN_SCALE), 0.0),
            ]
        )
    )
    node.scale = _tensor(scale)
    node.base = _tensor(node_base / scale[:, None])
    node.y = _tensor(y)
    node.y_mask = torch.from_numpy(mask)
    node.active = torch.from_numpy(window.sum(axis=1) > 0)
    for relation, index in graph.edges.items():
        data[NODE, relation, NODE].edge_index = index
    return data


def _seasonal_profile(
    window: np.ndarray, promo: np.ndarray, origin: int, horizon: int, season: int
) -> np.ndarray:
    """Per series and step: the window's mean over off-promotion periods in the same
    season phase (over all of them where every one was on promotion).

    The model forecasts corrections to this profile (a seasonal average of regular
    demand, which a promotion in the window would otherwise inflate), which is what a
    good naive forecast already knows.
    """
    lags = window.shape[1]
    phase_of_lag = (np.arange(origin - lags, origin)) % season
    regular = promo == 0
    profile = np.empty((window.shape[0], horizon))
    for h in range(horizon):
        same = phase_of_lag == (origin + h) % season
        if not same.any():
            same = np.ones(lags, dtype=bool)
        count = regular[:, same].sum(axis=1)
        off = (window[:, same] * regular[:, same]).sum(axis=1) / np.maximum(count, 1)
        profile[:, h] = np.where(count > 0, off, window[:, same].mean(axis=1))
    return profile


def _promo_response(panel: SeriesPanel, origin: int) -> list[np.ndarray]:
    """Per series, from all periods before ``origin``: log demand lift on promotion over
    off-promotion periods (shrunk towards 0 while few promotions were seen), mean log
    price cut on promotion, and log1p of promotion periods seen."""
    quantity, promo = panel.quantity[:, :origin], panel.promo[:, :origin] > 0
    on = promo.sum(axis=1)
    off = (~promo).sum(axis=1)
    mean_on = (quantity * promo).sum(axis=1) / np.maximum(on, 1)
    mean_off = (quantity * ~promo).sum(axis=1) / np.maximum(off, 1)
    lift = np.log((mean_on + MIN_SCALE) / (mean_off + MIN_SCALE)) * on / (on + PROMO_PRIOR)
    regular = np.maximum((panel.price[:, :origin] * ~promo).sum(axis=1) / np.maximum(off, 1), 1e-9)
    cut = np.log(np.maximum(panel.price[:, :origin], 1e-9) / regular[:, None])
    depth = (cut * promo).sum(axis=1) / np.maximum(on, 1)
    return [np.where(on > 0, lift, 0.0), np.where(on > 0, depth, 0.0), np.log1p(on)]


def _year_ago(
    panel: SeriesPanel, origin: int, horizon: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Last year's shape and level.

    Returns the log of (demand a year before each horizon step, averaged over two weeks
    around it) over (mean demand of the last year), ``[S, horizon]``; the log of the
    last year's mean over the window's (``[S]``: a level estimated from a year, where
    the window's few weeks are noisy); and 1.0 if a whole year is in the history (else
    zeros and 0.0).
    """
    year = YEAR["W" if panel.freq == "W" else "D"]
    half = 7 if panel.freq == "D" else 1
    if origin - year - half < 0:
        return np.zeros((panel.n_series, horizon)), np.zeros(panel.n_series), 0.0
    level = panel.quantity[:, origin - year : origin].mean(axis=1)
    steps = origin - year + np.arange(horizon)
    low = np.minimum(steps - half, origin - 1)
    high = np.minimum(steps + half + 1, origin)
    total = np.concatenate(
        [np.zeros((panel.n_series, 1)), np.cumsum(panel.quantity[:, :origin], 1, float)], 1
    )
    around = (total[:, high] - total[:, low]) / (high - low)
    shape = np.log((around + MIN_SCALE) / (level[:, None] + MIN_SCALE))
    return shape, np.log(level + MIN_SCALE), 1.0


def _log_ratio(price: np.ndarray, reference: np.ndarray) -> np.ndarray:
    ratio = np.where(price > 0, price, reference[:, None]) / reference[:, None]
    return np.asarray(np.log(ratio))


def _tensor(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))
