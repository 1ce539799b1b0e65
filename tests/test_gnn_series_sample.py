"""The GNN's bounded training sample: at most the cap, seeded, the kept series in, and
whole locations (the kept series' first), so within-location neighbours stay."""

from __future__ import annotations

from collections import Counter

import pytest

from supplynet.gnn.series_sample import whole_locations
from supplynet.graph.errors import ValidationFailed

KEYS = [(f"S{s}", f"K{k}") for s in range(10) for k in range(s + 3)]
"""Ten locations of 3 to 12 series each (75 series)."""
KEEP = [("S7", "K1"), ("S2", "K0")]


def test_sample_is_bounded_seeded_and_keeps_the_scored_series() -> None:
    sample = whole_locations(KEYS, 30, seed=3, keep=KEEP)
    assert len(sample) == 30
    assert set(KEEP) <= set(sample)
    assert sample == sorted(sample)
    assert whole_locations(reversed(KEYS), 30, seed=3, keep=KEEP) == sample
    assert whole_locations(KEYS, 30, seed=4, keep=KEEP) != sample
    tight = whole_locations(KEYS, 3, seed=0, keep=KEEP)
    assert len(tight) == 3 and set(KEEP) <= set(tight)


def test_whole_locations_come_first_for_the_kept_series() -> None:
    """Every location is whole except at most one; the kept series' locations are whole
    when they fit."""
    sample = whole_locations(KEYS, 30, seed=3, keep=KEEP)
    sizes = Counter(location for location, _ in KEYS)
    taken = Counter(location for location, _ in sample)
    assert taken["S7"] == sizes["S7"] and taken["S2"] == sizes["S2"]
    assert sum(taken[location] < sizes[location] for location in taken) <= 1


def test_a_small_history_is_taken_whole() -> None:
    assert whole_locations(KEYS, 500, seed=0) == sorted(KEYS)


def test_a_cap_below_the_kept_series_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="cap"):
        whole_locations(KEYS, 1, seed=0, keep=KEEP)
    with pytest.raises(ValidationFailed, match="keep"):
        whole_locations(KEYS, 10, seed=0, keep=[("S99", "K0")])
