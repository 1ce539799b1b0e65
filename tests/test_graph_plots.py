"""graph.plots draws every location once, by kind, and colours only the lanes given values."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection

from supplynet.graph.plots import network_map
from supplynet.graph.synthetic import SyntheticDataset


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_every_location_is_drawn_once_by_kind(tiny: SyntheticDataset) -> None:
    """One scatter per kind, holding as many points as that kind has locations."""
    ax = network_map(tiny.network)
    points = {
        c.get_label(): len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)
    }
    assert points == {"suppliers (3)": 3, "warehouses (2)": 2, "stores (6)": 6}
    lanes = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in lanes) == len(tiny.network.transport_lanes)


def test_lane_values_colour_only_their_lanes(tiny: SyntheticDataset) -> None:
    """Valued lanes get a colour array and a colour bar; the rest stay in the grey layer."""
    values = {("P001", "W001"): 0.1, ("P001", "W002"): 0.4}
    ax = network_map(tiny.network, lane_values=values, value_label="late probability")
    lanes = [c for c in ax.collections if isinstance(c, LineCollection)]
    coloured = [c for c in lanes if c.get_array() is not None]
    assert len(coloured) == 1
    assert sorted(np.asarray(coloured[0].get_array())) == [0.1, 0.4]
    assert len(ax.figure.axes) == 2  # the map and its colour bar
    grey = [c for c in lanes if c.get_array() is None]
    assert len(grey[0].get_segments()) == len(tiny.network.transport_lanes) - 2
