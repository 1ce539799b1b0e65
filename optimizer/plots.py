"""A replenishment plan's KPIs as tables and plots: projected stock, shortages, costs.

Drawn by the analyst notebooks and ``scripts/render_figures``. Pure: a plan in,
frames or axes out.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from supplynet.optimizer.replenishment.plan import ReplenishmentPlan

EXPLANATION_COLUMNS = ["kind", "location_id", "sku_id", "periods", "shortfall", "constraint"]


def explanations_frame(plan: ReplenishmentPlan) -> pd.DataFrame:
    """The plan's explanations (binding limits and shortages), largest shortfall first.

    Columns: kind, location_id, sku_id, periods, shortfall, constraint, message.
    """
    rows = [
        {
            "kind": e.kind,
            "location_id": e.location_id,
            "sku_id": e.sku_id,
            "periods": list(e.periods),
            "shortfall": e.shortfall,
            "constraint": e.constraint,
            "message": e.message,
        }
        for e in plan.explanations
    ]
    frame = pd.DataFrame(rows, columns=[*EXPLANATION_COLUMNS, "message"])
    return frame.sort_values(["shortfall", "location_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def shortage_table(plan: ReplenishmentPlan) -> pd.DataFrame:
    """Positions that run short, with the plan's reasons for it.

    Columns: location_id, sku_id, shortage (units of unmet demand), below_target
    (units under the safety stock target, summed over periods), periods_short,
    reasons (the explanation kinds naming this position, e.g. ``shortage`` or
    ``warehouse_capacity``).
    """
    inventory = plan.inventory
    per_position = inventory.groupby(["location_id", "sku_id"]).agg(
        shortage=("shortage", "sum"),
        below_target=("below_target", "sum"),
        periods_short=("shortage", lambda s: int((s > 1e-6).sum())),
    )
    short = per_position[per_position["shortage"] > 1e-6].reset_index()
    explained = explanations_frame(plan)
    reasons = (
        explained.dropna(subset=["sku_id"])
        .groupby(["location_id", "sku_id"])["kind"]
        .agg(lambda kinds: ", ".join(sorted(set(kinds))))
        .rename("reasons")
    )
    short = short.merge(reasons.reset_index(), on=["location_id", "sku_id"], how="left")
    short["reasons"] = short["reasons"].fillna("")
    return short.sort_values(["shortage", "location_id", "sku_id"], ascending=[False, True, True])[
        ["location_id", "sku_id", "shortage", "below_target", "periods_short", "reasons"]
    ].reset_index(drop=True)


def cost_breakdown(plan: ReplenishmentPlan, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars of the plan's cost components, largest on top."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    costs = pd.Series(dict(plan.costs), dtype=float).sort_values()
    bars = ax.barh(costs.index, costs.to_numpy(), color="tab:blue")
    ax.bar_label(bars, labels=[f"{v:,.0f}" for v in costs.to_numpy()], padding=3, fontsize=8)
    ax.set_xlabel("cost over the horizon")
    ax.set_title(f"Cost breakdown (total {costs.sum():,.0f}, {plan.status})")
    ax.margins(x=0.15)
    return ax


def shortage_by_period(plan: ReplenishmentPlan, *, ax: Axes | None = None) -> Axes:
    """Units of unmet demand and of stock below target per period, side by side."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    per_period = plan.inventory.groupby("period_start")[["shortage", "below_target"]].sum()
    labels = [pd.Timestamp(p).strftime("%Y-%m-%d") for p in per_period.index]
    positions = range(len(labels))
    ax.bar([p - 0.2 for p in positions], per_period["shortage"], 0.4, label="unmet demand")
    ax.bar(
        [p + 0.2 for p in positions],
        per_period["below_target"],
        0.4,
        label="below safety target",
        color="tab:orange",
    )
    ax.set_xticks(list(positions), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("units")
    ax.set_title("Shortages per period")
    ax.legend(fontsize=8)
    return ax


def projected_stock(
    plan: ReplenishmentPlan, keys: Sequence[tuple[str, str]], *, columns: int = 2
) -> Figure:
    """Per (location, SKU): end-of-period stock against its safety target, shortages in red."""
    rows = max(1, -(-len(keys) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(6 * columns, 3 * rows), squeeze=False)
    flat = list(axes.ravel())
    inventory = plan.inventory
    for (location, sku), ax in zip(keys, flat, strict=False):
        part = inventory[(inventory["location_id"] == location) & (inventory["sku_id"] == sku)]
        part = part.sort_values("period")
        step = pd.Timedelta(days=plan.period_days)
        starts = pd.DatetimeIndex(part["period_start"])
        edges = starts.append(starts[-1:] + step)
        for column, style in (("stock", {}), ("target", {"linestyle": "--", "color": "0.4"})):
            values = part[column].to_numpy(dtype=float)
            ax.step(edges, [*values, values[-1]], where="post", label=column, **style)
        ax.bar(
            starts + step / 2,
            part["shortage"],
            width=plan.period_days * 0.5,
            color="tab:red",
            label="shortage",
        )
        ax.set_title(f"{location} / {sku}", fontsize=10)
        ax.set_ylabel("units")
        ax.legend(fontsize=7, loc="upper right")
    for ax in flat[len(keys) :]:
        ax.set_visible(False)
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure
