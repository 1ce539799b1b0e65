"""A map of the network: locations coloured by kind, lanes drawn between them.

Used by the analyst notebooks and ``scripts/render_figures``, so the figures in the
docs are the ones the notebooks show. Coordinates are drawn as plain longitude /
latitude (no basemap): enough to see clusters, hubs and long lanes.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from supplynet.graph.analysis import lanes_frame, locations_frame
from supplynet.graph.network import Network

KIND_STYLE: dict[str, tuple[str, str, float]] = {
    "supplier": ("tab:orange", "^", 80.0),
    "warehouse": ("tab:blue", "s", 110.0),
    "store": ("tab:green", "o", 28.0),
}
"""Location kind -> (colour, marker, marker size)."""


def network_map(
    network: Network,
    *,
    ax: Axes | None = None,
    lane_values: Mapping[tuple[str, str], float] | None = None,
    value_label: str = "",
    cmap: str = "OrRd",
    title: str = "Supply network",
) -> Axes:
    """Draw every location and lane of ``network`` on longitude / latitude axes.

    Parameters
    ----------
    network
        The (scoped) network to draw.
    ax
        Axes to draw on; a new 9x6 inch figure when omitted.
    lane_values
        Optional value per (origin, destination) pair, e.g. a late-delivery
        probability; those lanes are coloured by it on ``cmap`` with a colour bar,
        the others stay grey.
    value_label
        Colour bar label for ``lane_values``.
    cmap
        Matplotlib colour map name for ``lane_values``.
    title
        Axes title.

    Returns
    -------
    The axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 6))
    places = locations_frame(network).set_index("id")
    lanes = lanes_frame(network)
    values = lane_values or {}
    xy = places[["longitude", "latitude"]]
    segments = [
        [tuple(xy.loc[o]), tuple(xy.loc[d])]
        for o, d in zip(lanes["origin_id"], lanes["destination_id"], strict=True)
    ]
    valued = np.array(
        [
            (o, d) in values
            for o, d in zip(lanes["origin_id"], lanes["destination_id"], strict=True)
        ],
        dtype=bool,
    )
    plain = [seg for seg, v in zip(segments, valued, strict=True) if not v]
    ax.add_collection(LineCollection(plain, colors="0.6", linewidths=0.6, alpha=0.6, zorder=1))
    if valued.any():
        keys = lanes.loc[valued, ["origin_id", "destination_id"]].itertuples(index=False)
        numbers = np.array([values[(o, d)] for o, d in keys], dtype=float)
        coloured = LineCollection(
            [seg for seg, v in zip(segments, valued, strict=True) if v],
            cmap=cmap,
            norm=Normalize(
                vmin=float(numbers.min()), vmax=float(max(numbers.max(), numbers.min() + 1e-9))
            ),
            linewidths=2.0,
            zorder=2,
        )
        coloured.set_array(numbers)
        ax.add_collection(coloured)
        ax.figure.colorbar(coloured, ax=ax, label=value_label)
    for kind, (colour, marker, size) in KIND_STYLE.items():
        part = places[places["kind"] == kind]
        if part.empty:
            continue
        ax.scatter(
            part["longitude"],
            part["latitude"],
            c=colour,
            marker=marker,
            s=size,
            label=f"{kind}s ({len(part)})",
            edgecolors="black",
            linewidths=0.5,
            zorder=3,
        )
    for ident, row in places[places["kind"] != "store"].iterrows():
        ax.annotate(
            str(ident),
            (row["longitude"], row["latitude"]),
            textcoords="offset points",
            xytext=(5, 5),
            fontsize=8,
        )
    ax.autoscale_view()
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax
