"""The risk GNN: late probability and expected delay per supply lane and supplier.

Each node type gets its own input layer; two rounds of relation-typed GraphSAGE carry
region-wide and supplier-wide delivery trouble to every lane (region -> supplier ->
lane). Heads on lane and supplier nodes give the logit of "the next order is late" and
the delay if it is late; their product is the expected delay (unconditional).

Beside the deep path runs a linear one (wide and deep): a linear model of the node's own
features and of its neighbours' mean features along fixed meta-paths (a lane sees its
supplier and its supplier's region; a supplier its region and its lanes), a simplified
graph convolution (SGC). It starts the network from what a logistic regression knows,
and region-wide trouble, the strongest signal of a coming late delivery, reaches every
lane in one linear step that a few disruption episodes can fit without overfitting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from supplynet.gnn.pyg import HeteroConv, HeteroData, SAGEConv
from supplynet.gnn.risk_data import (
    FEATURES,
    RISK_EDGES,
    RiskGraph,
    build_risk_graph,
    delivery_log,
    risk_snapshot,
)
from supplynet.gnn.risk_scores import RiskScores
from supplynet.gnn.training import (
    Checkpoint,
    Progress,
    TrainConfig,
    TrainReport,
    fit,
    seeded,
)
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network

MODEL_NAME = "gnn"
CHECKPOINT_KIND = "risk"
SCORED = ("lane", "supplier")
META_PATHS: dict[str, tuple[tuple[tuple[str, str, str], ...], ...]] = {
    "lane": ((RISK_EDGES[1],), (RISK_EDGES[3], RISK_EDGES[1])),
    "supplier": ((RISK_EDGES[3],), (RISK_EDGES[0],)),
}
"""Per scored node type: edge-type chains whose mean source features feed the wide path."""
DELAY_SCALE = 25.0
LABEL_DAYS = 14
"""Gap between training and validation cut-offs: about when a next order's outcome is in."""
DEFAULT_TRAINING = TrainConfig(epochs=60, patience=10, batch_size=16, weight_decay=1e-2)


@dataclass(frozen=True)
class RiskConfig:
    """Network shape and the snapshot grid; plain values, stored in checkpoints.

    ``history_days``: the first training cut-off, in days after the first order (short
    windows are fine: order counts say how much they saw, and early disruptions teach).
    """

    hidden: int = 16
    layers: int = 2
    dropout: float = 0.2
    message_passing: bool = True
    history_days: int = 28
    stride_days: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RiskNet(nn.Module):
    """Shapes: forward(data) -> {``lane``: ``[L, 2]``, ``supplier``: ``[P, 2]``} of
    (late logit, pre-softplus delay given lateness in units of ``DELAY_SCALE`` days)."""

    def __init__(self, config: RiskConfig) -> None:
        super().__init__()
        h = config.hidden
        self.inputs = nn.ModuleDict(
            {nt: nn.Linear(FEATURES, h) for nt in ("lane", "supplier", "region")}
        )
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv((h, h), h) for et in RISK_EDGES}, aggr="sum")
            for _ in range(config.layers)
        )
        self.heads = nn.ModuleDict(
            {nt: nn.Sequential(nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2)) for nt in SCORED}
        )
        self.wide = nn.ModuleDict(
            {nt: nn.Linear(FEATURES * (1 + len(META_PATHS[nt])), 2) for nt in SCORED}
        )
        self.dropout = nn.Dropout(config.dropout)
        for nt in self.inputs:
            self.register_buffer(f"mean_{nt}", torch.zeros(FEATURES))
            self.register_buffer(f"std_{nt}", torch.ones(FEATURES))

    def standardise_with(self, samples: list[HeteroData]) -> None:
        """Learn input means and spreads from training snapshots (kept in the state dict)."""
        for nt in self.inputs:
            x = torch.cat([s[nt].x for s in samples])
            getattr(self, f"mean_{nt}").copy_(x.mean(0))
            getattr(self, f"std_{nt}").copy_(x.std(0).clamp(min=1e-3))

    def forward(self, data: HeteroData) -> dict[str, Tensor]:
        own = {
            nt: (data[nt].x - getattr(self, f"mean_{nt}")) / getattr(self, f"std_{nt}")
            for nt in self.inputs
        }
        x = {nt: F.relu(layer(own[nt])) for nt, layer in self.inputs.items()}
        edges = {et: data[et].edge_index for et in RISK_EDGES}
        for conv in self.convs:
            messages = conv(x, edges)
            x = {
                nt: x[nt] + self.dropout(F.relu(messages[nt])) if nt in messages else x[nt]
                for nt in x
            }
        wide = {
            nt: torch.cat([own[nt], *(_path_mean(own, edges, path) for path in META_PATHS[nt])], 1)
            for nt in SCORED
        }
        return {nt: self.wide[nt](wide[nt]) + self.heads[nt](x[nt]) for nt in SCORED}


def _path_mean(
    x: dict[str, Tensor],
    edges: dict[tuple[str, str, str], Tensor],
    path: tuple[tuple[str, str, str], ...],
) -> Tensor:
    """Mean features of the nodes at the start of ``path``, carried hop by hop to its end
    (zeros where no edge arrives, as in the no-edges ablation)."""
    value = x[path[0][0]]
    for edge_type in path:
        src, dst = edges[edge_type]
        size = x[edge_type[2]].shape[0]
        total = value.new_zeros((size, value.shape[1])).index_add_(0, dst, value[src])
        count = value.new_zeros(size).index_add_(0, dst, value.new_ones(dst.shape[0]))
        value = total / count.clamp(min=1.0)[:, None]
    return value


def risk_loss(net: nn.Module, batch: HeteroData) -> Tensor:
    """Binary cross-entropy of lateness plus, on late orders, the squared error of the
    scaled delay (the delay head is the delay given lateness), masked."""
    out = net(batch)
    loss = torch.zeros(())
    for nt in SCORED:
        mask = batch[nt].y_mask
        if not bool(mask.any()):
            continue
        late = batch[nt].late[mask]
        loss = loss + F.binary_cross_entropy_with_logits(out[nt][mask, 0], late)
        given_late = F.softplus(out[nt][mask, 1])
        error = (given_late - batch[nt].delay[mask] / DELAY_SCALE) ** 2
        loss = loss + (error * late).sum() / late.sum().clamp(min=1.0)
    return loss


@dataclass(frozen=True)
class RiskModel:
    """A trained risk GNN and how it was trained."""

    config: RiskConfig
    net: RiskNet
    report: TrainReport | None = None

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(CHECKPOINT_KIND, self.config.to_dict(), self.net.state_dict())

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> RiskModel:
        """Rebuild the model; raises ``ValidationFailed`` for a checkpoint of another kind."""
        checkpoint.require_kind(CHECKPOINT_KIND)
        config = RiskConfig(**checkpoint.config)
        net = RiskNet(config)
        net.load_state_dict(checkpoint.state)
        net.eval()
        return cls(config, net)

    def graph(self, network: Network) -> RiskGraph:
        return _graph(network, self.config)


def _graph(network: Network, config: RiskConfig) -> RiskGraph:
    graph = build_risk_graph(network)
    return graph if config.message_passing else graph.without_edges()


def train_risk(
    network: Network,
    deliveries: pd.DataFrame,
    config: RiskConfig | None = None,
    training: TrainConfig | None = None,
    *,
    val_share: float = 0.2,
    max_cutoffs: int | None = None,
    progress: Progress | None = None,
) -> RiskModel:
    """Fit on snapshots over all of ``deliveries`` (cut it before calling to hold data out).

    The latest ``val_share`` of cut-offs validate (after a gap of ``LABEL_DAYS``, so no
    training label is observed inside the validation period) and pick the number of
    epochs; the model is then refit on every cut-off for that many epochs, so the
    latest deliveries are learned from too.

    Parameters
    ----------
    max_cutoffs
        Spread the cut-offs (one snapshot each) so at most this many cover the history,
        never closer than ``config.stride_days``: bounds time and memory on long
        histories. The model's config records the stride used. ``None``: no bound.
    """
    config = config or RiskConfig()
    training = training or DEFAULT_TRAINING
    graph = _graph(network, config)
    log = delivery_log(graph, deliveries)
    settled = (
        int(np.nanmax(np.where(np.isfinite(log.delivered), log.delivered, np.nan), initial=0)) - 30
    )
    config = spread_cutoffs(config, settled, max_cutoffs)
    days = list(range(config.history_days, settled + 1, config.stride_days))
    split = int(len(days) * (1 - val_share))
    train_days = (
        [d for d in days[:split] if d < days[split] - LABEL_DAYS] if split < len(days) else days
    )
    if not train_days or split >= len(days):
        raise ValidationFailed(
            [
                Problem(
                    "deliveries",
                    f"history too short: need more than {config.history_days + 60} days",
                )
            ],
            "risk training",
        )
    # One snapshot per cut-off, shared by the validation fit and the refit (the training
    # days are a prefix of ``days``).
    everything = [risk_snapshot(graph, log, log.start + pd.Timedelta(days=d)) for d in days]
    with seeded(training.seed):
        net = RiskNet(config)
        train = everything[: len(train_days)]
        net.standardise_with(train)
        report = fit(net, train, everything[split:], risk_loss, training, progress)
    with seeded(training.seed):
        final = RiskNet(config)
        final.standardise_with(everything)
        epochs = report.best_epoch + 1
        again = dataclasses.replace(training, epochs=epochs, patience=epochs)
        refit = fit(final, everything, [], risk_loss, again, progress)
    final.cpu()
    return RiskModel(
        config, final, dataclasses.replace(report, seconds=report.seconds + refit.seconds)
    )


def spread_cutoffs(config: RiskConfig, settled: int, max_cutoffs: int | None) -> RiskConfig:
    """``config`` with a stride that fits at most ``max_cutoffs`` cut-offs from
    ``history_days`` to day ``settled`` (its own stride if that already does)."""
    if max_cutoffs is None:
        return config
    span = max(settled - config.history_days + 1, 1)
    return dataclasses.replace(
        config, stride_days=max(config.stride_days, -(-span // max(max_cutoffs, 1)))
    )


def predict(model: RiskModel, data: HeteroData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(late probability, expected delay in days) per scored node type of a snapshot."""
    with torch.no_grad():
        out = model.net(data)
    scores = {}
    for nt, o in out.items():
        p = torch.sigmoid(o[:, 0])
        scores[nt] = (p.numpy(), (p * F.softplus(o[:, 1])).numpy() * DELAY_SCALE)
    return scores


def score_risk(
    model: RiskModel, network: Network, deliveries: pd.DataFrame, cutoff: pd.Timestamp | None = None
) -> RiskScores:
    """Risk of every supply lane and supplier for orders placed from ``cutoff`` on.

    ``cutoff`` defaults to the day after the last order or delivery in the history.
    """
    graph = model.graph(network)
    log = delivery_log(graph, deliveries)
    if cutoff is None:
        seen = np.concatenate([log.order, log.delivered[np.isfinite(log.delivered)]])
        cutoff = log.start + pd.Timedelta(days=float(seen.max(initial=0)) + 1)
    scores = predict(model, risk_snapshot(graph, log, cutoff))
    lanes = graph.lanes
    lane_p, lane_d = scores["lane"]
    sup_p, sup_d = scores["supplier"]
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "entity_type": "supplier",
                    "supplier_id": list(graph.suppliers),
                    "warehouse_id": "",
                    "sku_id": "",
                    "late_probability": sup_p.astype(float),
                    "expected_delay_days": sup_d.astype(float),
                }
            ),
            pd.DataFrame(
                {
                    "entity_type": "supply_lane",
                    "supplier_id": lanes["supplier_id"].to_numpy(),
                    "warehouse_id": lanes["warehouse_id"].to_numpy(),
                    "sku_id": lanes["sku_id"].to_numpy(),
                    "late_probability": lane_p.astype(float),
                    "expected_delay_days": lane_d.astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    frame["model"] = MODEL_NAME
    return RiskScores(frame)
