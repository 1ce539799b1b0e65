"""``DemandNet``: a temporal encoder per series plus message passing over the series graph.

Each series' recent history (an MLP over the lag window, far cheaper on a
CPU than a recurrent encoder) and its planned future prices
and promotions are encoded into one vector; ``layers`` rounds of relation-typed
GraphSAGE (``HeteroConv``, one ``SAGEConv`` per relation, summed) mix in what the
neighbours know, e.g. that a substitute goes on promotion next week. A per-step head
turns the vector and that step's covariates into (mean, P10, P50, P90) for every
horizon step (the mean inside the P10-P90 interval), in units of the series' scale,
as corrections to the window's seasonal profile (same-weekday average), so the network
starts from a good naive forecast.
The head also sees, per step and relation, the neighbours' mean planned promotion and
price (a parameter-free mean over the relation's edges): a substitute's promotion next
Tuesday cuts this series' demand next Tuesday, timing that one embedding of the whole
horizon blurs. Without edges the convolutions reduce to their root weights and the
neighbour plans to zeros: the same network minus the graph, which is the ablation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from supplynet.gnn.graph_data import (
    FUTURE_FEATURES,
    HIST_FEATURES,
    NODE,
    STATIC_FEATURES,
    edge_types,
)
from supplynet.gnn.pyg import HeteroConv, SAGEConv
from supplynet.graph.series_relations import RELATIONS

QUANTILES = (0.1, 0.5, 0.9)
PLAN_FEATURES = 2
"""The leading future features that are a plan (promotion, log price ratio)."""
OUTPUTS = ("mean", "p10", "p50", "p90")


@dataclass(frozen=True)
class DemandConfig:
    """Shape of the data and the network; stored in checkpoints, so plain values only."""

    lags: int = 28
    horizon: int = 28
    hidden: int = 32
    layers: int = 2
    dropout: float = 0.1
    relations: tuple[str, ...] = RELATIONS
    message_passing: bool = True
    holiday_country: str | None = None
    freq: str = "D"

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["relations"] = list(self.relations)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DemandConfig:
        return cls(**{**values, "relations": tuple(values["relations"])})


def lag_window(freq: str, periods: int) -> int:
    """The lag window for a history of ``periods`` periods: 16 weeks of daily demand once
    the history spans a year (a level read from a few weeks of small counts is noisy:
    on the demo network 16 weeks forecast about 8% better than 4), else 4 weeks; 12
    weekly periods."""
    if freq == "W":
        return 12
    return 112 if periods >= 365 else 28


class DemandNet(nn.Module):
    """Quantile forecasts for every series of a (batched) snapshot in one pass.

    Shapes
    ------
    forward(data) -> ``[N, horizon, 4]``: mean, P10, P50, P90 divided by the series' scale,
    for the ``N`` series nodes of the batch; quantiles are ordered by construction.
    """

    def __init__(self, config: DemandConfig) -> None:
        super().__init__()
        self.config = config
        h = config.hidden
        self.history = nn.Sequential(
            nn.Linear(config.lags * HIST_FEATURES, h), nn.ReLU(), nn.Linear(h, h)
        )
        self.future = nn.Linear(config.horizon * FUTURE_FEATURES, h)
        self.static = nn.Linear(STATIC_FEATURES, h)
        self.mix = nn.Linear(3 * h, h)
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv(h, h) for et in edge_types(config.relations)}, aggr="sum")
            for _ in range(config.layers)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(h) for _ in range(config.layers))
        plans = PLAN_FEATURES * len(config.relations)
        self.head = nn.Sequential(
            nn.Linear(h + FUTURE_FEATURES + plans, h), nn.ReLU(), nn.Linear(h, len(OUTPUTS))
        )
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, data: Any) -> Tensor:
        node = data[NODE]
        future = node.x_future
        parts = [
            self.history(node.x_hist.flatten(1)),
            self.future(future.flatten(1)),
            self.static(node.x_static),
        ]
        x = F.relu(self.mix(torch.cat(parts, dim=1)))
        edges = {et: data[et].edge_index for et in edge_types(self.config.relations)}
        for conv, norm in zip(self.convs, self.norms, strict=True):
            message = conv({NODE: x}, edges)[NODE]
            x = norm(x + self.dropout(F.relu(message)))
        steps = x[:, None, :].expand(-1, future.shape[1], -1)
        plans = [_neighbour_mean(future[..., :PLAN_FEATURES], edges[et]) for et in edges]
        raw = self.head(torch.cat([steps, future, *plans], dim=2))
        mean, low, mid, high = raw.unbind(dim=2)
        mid = node.base + mid
        p10, p90 = mid - F.softplus(low), mid + F.softplus(high)
        # The mean lies inside the P10-P90 interval: consistent with the quantiles.
        mean = p10 + torch.sigmoid(mean) * (p90 - p10)
        return torch.stack([mean, p10, mid, p90], dim=2)


def _neighbour_mean(values: Tensor, edge_index: Tensor) -> Tensor:
    """Mean of ``values`` over each node's in-neighbours (zeros without any); any shape
    ``[N, ...]``."""
    src, dst = edge_index
    flat = values.flatten(1)
    total = flat.new_zeros(flat.shape).index_add_(0, dst, flat[src])
    count = flat.new_zeros(flat.shape[0]).index_add_(0, dst, flat.new_ones(dst.shape[0]))
    return (total / count.clamp(min=1.0)[:, None]).view_as(values)


def quantile_loss(output: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Pinball loss of P10/P50/P90 plus half the squared error of the mean, over ``mask``.

    All in units of each series' scale, so large and small series weigh alike.
    """
    weight = mask.float()
    total = weight.sum().clamp(min=1.0)
    loss = 0.5 * ((output[..., 0] - target) ** 2 * weight).sum() / total
    for column, q in enumerate(QUANTILES, start=1):
        diff = target - output[..., column]
        loss = loss + (torch.maximum(q * diff, (q - 1) * diff) * weight).sum() / total
    return loss
