"""A bounded, seeded sample of demand series that keeps their neighbourhoods whole.

A demand-GNN snapshot holds every series and every edge of the series graph, so
training costs time and memory in proportion to the series. A backtest that scores a
few series, or a quick model on a large network, does not need them all; but a random
handful of series would lose the graph the model learns from. Three of the four
relations (``substitute``, ``category``, ``supplier``; ``supplynet.graph.series_relations``)
join series at one location, so the sample takes whole locations: every kept series
keeps its neighbours of those kinds, and the ``nearby`` relation joins the same SKU
across the kept locations.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from supplynet.forecasting.series_index import SeriesKey
from supplynet.graph.errors import Problem, ValidationFailed


def whole_locations(
    keys: Iterable[SeriesKey], cap: int, seed: int, keep: Iterable[SeriesKey] = ()
) -> list[SeriesKey]:
    """At most ``cap`` of ``keys``: ``keep``, then whole locations until the cap.

    The locations of ``keep`` come first, then the others in a seeded random order; the
    location that does not fit whole is filled with a seeded random part of its series.
    The same keys, cap, seed and ``keep`` give the same sample.

    Returns
    -------
    The sampled keys, sorted (all of ``keys`` when there are at most ``cap``).

    Raises
    ------
    ValidationFailed
        ``cap`` is below 1 or below the number of series to keep, or ``keep`` names a
        series that is not in ``keys``.
    """
    frame = pd.DataFrame(sorted(set(keys)), columns=["location", "sku"], dtype=object)
    kept = set(keep)
    problems = []
    if cap < max(len(kept), 1):
        problems.append(Problem("cap", f"must be at least {max(len(kept), 1)}, got {cap}"))
    missing = kept - set(zip(frame["location"], frame["sku"], strict=True))
    if missing:
        problems.append(Problem("keep", f"{len(missing)} series not in the history"))
    if problems:
        raise ValidationFailed(problems, "series sample")
    if len(frame) <= cap:
        return list(zip(frame["location"], frame["sku"], strict=True))
    rng = np.random.default_rng(seed)
    locations = frame["location"].unique()
    first = sorted({location for location, _ in kept})
    others = rng.permutation(np.setdiff1d(locations, first))
    rank = {location: i for i, location in enumerate([*first, *others])}
    frame["rank"] = frame["location"].map(rank)
    frame["tie"] = rng.random(len(frame))
    is_kept = pd.Series(list(zip(frame["location"], frame["sku"], strict=True))).isin(kept)
    filler = frame[~is_kept.to_numpy()].sort_values(["rank", "tie"]).head(cap - len(kept))
    chosen = pd.concat([frame[is_kept.to_numpy()], filler])
    return sorted(zip(chosen["location"], chosen["sku"], strict=True))


def location_sample(demand: pd.DataFrame, cap: int, seed: int) -> pd.DataFrame:
    """The rows of ``demand`` (``store_id``, ``sku_id`` columns) of the series that
    ``whole_locations`` picks: a bounded training set that keeps the graph."""
    pairs = demand[["store_id", "sku_id"]].astype(str)
    unique = pairs.drop_duplicates()
    chosen = whole_locations(zip(unique["store_id"], unique["sku_id"], strict=True), cap, seed)
    inside = pd.MultiIndex.from_frame(pairs).isin(chosen)
    return demand[inside]
