"""Pictures of a twin A/B: service, stock and waste over time, cost split, paired effects.

Pure: a ``TwinResult`` in, a matplotlib ``Figure`` out (the notebook shows it, the docs
save it). Daily series are averaged over replications and smoothed by calendar week.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from supplynet.optimizer.twin.kpis import HEADLINE_KPIS
from supplynet.optimizer.twin.replications import TwinResult

COST_PARTS = ("holding_cost", "ordering_cost", "delivery_cost", "shortage_cost")


def weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Per policy and week: fill rate, mean stock value, expired units, daily costs."""
    frame = daily.assign(week=daily["day"] // 7)
    sums = frame.groupby(["policy", "week"])[
        ["demand", "unmet", "wasted", "delivery_cost", "holding_cost", "ordering_cost"]
    ].sum()
    runs = frame.groupby(["policy", "week"])["replication"].nunique()
    out = sums.div(runs, axis=0)
    out["fill_rate"] = 1 - sums["unmet"] / sums["demand"]
    out["stock_value"] = frame.groupby(["policy", "week"])["stock_value"].mean()
    return out.reset_index()


def outcome_figure(result: TwinResult) -> Figure:
    """Four panels: weekly fill rate, stock value, expired units, and the cost split."""
    figure, axes = plt.subplots(2, 2, figsize=(12, 7.5), constrained_layout=True)
    series = weekly(result.daily)
    for policy, part in series.groupby("policy", sort=False):
        axes[0, 0].plot(part["week"], part["fill_rate"], marker=".", label=policy)
        axes[0, 1].plot(part["week"], part["stock_value"], marker=".", label=policy)
        axes[1, 0].plot(part["week"], part["wasted"], marker=".", label=policy)
    axes[0, 0].set(title="Unit fill rate by week", xlabel="week", ylabel="fill rate")
    axes[0, 1].set(title="Stock value (all positions)", xlabel="week", ylabel="at unit cost")
    axes[1, 0].set(title="Expired units by week", xlabel="week", ylabel="units")
    costs = result.table()[list(COST_PARTS)]
    bottom = np.zeros(len(costs))
    for part_name in COST_PARTS:
        values = costs[part_name].to_numpy()
        axes[1, 1].bar(costs.index, values, bottom=bottom, label=part_name.replace("_", " "))
        bottom += values
    axes[1, 1].set(title="Cost split per run (mean over replications)", ylabel="cost")
    for ax in axes.flat:
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return figure


def effects_figure(result: TwinResult, reference: str = "baseline") -> Figure:
    """Paired effect of each arm on the headline KPIs: relative difference and 95% interval."""
    paired = result.paired(reference)
    figure, ax = plt.subplots(figsize=(8, 0.45 * len(HEADLINE_KPIS) + 1.5), constrained_layout=True)
    if paired.empty:
        return figure
    shown = paired[paired["kpi"].isin(HEADLINE_KPIS)]
    arms = list(shown["policy"].unique())
    for i, policy in enumerate(arms):
        rows = shown[shown["policy"] == policy].set_index("kpi").loc[list(HEADLINE_KPIS)]
        scale = rows["reference_mean"].abs().replace(0, np.nan)
        y = np.arange(len(HEADLINE_KPIS)) + 0.2 * (i - (len(arms) - 1) / 2)
        low = (rows["mean_difference"] - rows["ci_low"]) / scale
        high = (rows["ci_high"] - rows["mean_difference"]) / scale
        ax.errorbar(
            rows["relative"],
            y,
            xerr=[low.fillna(0), high.fillna(0)],
            fmt="o",
            capsize=3,
            label=policy,
        )
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(np.arange(len(HEADLINE_KPIS)), [k.replace("_", " ") for k in HEADLINE_KPIS])
    ax.set(title=f"Paired effect against {reference} (95% interval)", xlabel="relative change")
    ax.legend()
    ax.grid(alpha=0.3)
    return figure
