"""Pricing bench: elasticity recovery, A/B arms in the pricing simulator, markdowns vs the
exact DP, and the cost of a 1,000-SKU recommendation.

Sections (each prints its table and writes it to ``bench/results/``):

1. Elasticity recovery on ``demo`` (several seeds): median absolute error of own
   elasticities against ``SyntheticTruth.skus.elasticity``, pooled and unpooled, on the
   full history and a thin one (last 90 days); sign of cross effects on planted pairs.
2. Arms in ``optimizer.pricing.simulator`` (the truth's demand process; paired
   replications with common random numbers): today's prices, the best constant price per
   SKU (own-elasticity optimum on the same ladder, no markdown), the rule ladder (-30 % two
   days before expiry), portfolio prices alone, DP markdowns alone (a waste-penalty sweep,
   and margin-safe: the least-waste DP policy whose expected margin under the model is no
   worse than no markdown's), and portfolio prices with margin-safe markdowns.
   Perishable cohorts are sized by today's rule, 1.2 x the model's expected demand over
   the shelf life at the arm's regular price, except in the shelf-life arms: ordering at
   the replenishment planner's shelf-life cap (what sells while fresh) alone, and
   ``margin_safe_order`` (the smallest cohort from that cap up to today's order whose
   margin-safe markdown keeps the model's expected margin at today's, the waste target's
   arm). Arms do not depend on the cross mode: each is built once per seed and run in
   both modes. Rows give the paired standard error of the margin lift and of the waste cut
   against ``today`` over the replications.
3. Markdown policy (estimated parameters, monotone, <= 2 changes) against the exact DP
   optimum (true parameters, any discount any day) on single-SKU cohorts, evaluated exactly.
4. ``speed``: fit and ``recommend_prices`` for 1,000 SKUs of the ``large`` preset, then
   ``RecommendPrices`` for the same scope through a spawned ``supplynet serve`` (first
   call with the fit, then the median of warm calls).
5. ``dqn``: the DQN markdown arm (``optimizer.pricing.dqn``) beside the DP on four
   cohorts, both evaluated exactly under the truth.
6. ``loop``: re-forecasts of ``demo`` at planned prices (the global model, as
   ``ForecastDemand`` with ``prices_plan`` runs it) against the truth's own-price
   response, per SKU: direction and log error, the pricing model's expectation beside.

    .venv/bin/python bench/pricing.py [--seeds 0,1,2] [--replications 5] [--sections ...]
    nice -n 10 .venv/bin/python bench/pricing.py --sections arms --seeds 0,1,2,3,4,5
    nice -n 10 .venv/bin/python bench/pricing.py --sections loop --seeds 0,1
    flock /tmp/supplynet-bench.lock .venv/bin/python bench/pricing.py --sections speed
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import grpc
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from spawned_serve import spawned_serve

from supplynet.forecasting.registry import panel_forecaster
from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset, daily_seasonality, generate
from supplynet.optimizer.pricing import (
    DemandModel,
    ElasticityEstimator,
    MarkdownPolicy,
    MarkdownProblem,
    PriceRules,
    PricingArm,
    PricingSimulator,
    evaluate,
    fresh_order,
    margin_safe_markdown,
    margin_safe_order,
    recommend_prices,
    rule_policy,
    solve_markdown,
)
from supplynet.optimizer.pricing.simulator import Position
from supplynet.server.app.forecast import forecast_inputs, forecast_request
from supplynet.server.app.price_plans import price_future, price_plan_of
from supplynet.server.app.recommend import network_today
from supplynet.server.app.settings import AppSettings
from supplynet.v1 import common_pb2, pricing_pb2, pricing_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
COVER = 1.2
PENALTIES = (0.0, 0.5, 1.0)
"""Waste penalties (x unit cost) the markdown-only arms sweep."""

SAFE_ARM = "DP markdown only, margin-safe"
"""The margin-safe markdown policy alone, at today's order."""
TARGET_ARM = "shelf-life order + margin-safe DP markdown"
"""The waste target's arm (against ``today``): both levers, as a store would run them."""


THIN_DAYS = 90
CROSS_MODES = ("promotions", "log_linear")


def load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def header(load_at_start: str) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return (
        f"commit {commit}, load average {load_at_start} at start, {load_average()} at end, "
        f"{os.cpu_count()} cores"
    )


def fit(data: SyntheticDataset, demand: pd.DataFrame, pooling: bool = True) -> DemandModel:
    skus, edges = data.network.skus, data.network.substitutions
    return ElasticityEstimator(pooling=pooling).fit(demand, skus, edges).model_


def recovery(seeds: list[int]) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        data = generate("demo", seed)
        true = data.truth.skus.set_index("sku_id")["elasticity"]
        cutoff = data.demand["date"].max() - pd.Timedelta(days=THIN_DAYS - 1)
        for history, demand in (
            ("full", data.demand),
            (f"last {THIN_DAYS} days", data.demand[data.demand["date"] >= cutoff]),
        ):
            for pooling in (False, True):
                model = fit(data, demand, pooling)
                frame = model.frame().set_index("sku_id")
                error = (frame["elasticity"] - true[frame.index]).abs()
                cross = {(c.sku_id, c.substitute_id): c.elasticity for c in model.cross}
                planted = data.truth.cannibalisation
                right = [
                    cross.get((r.sku_id, r.substitute_id), 0.0) > 0 for r in planted.itertuples()
                ]
                rows.append(
                    {
                        "seed": seed,
                        "history": history,
                        "estimate": "pooled" if pooling else "unpooled",
                        "median_abs_error": round(float(error.median()), 3),
                        "mean_abs_error": round(float(error.mean()), 3),
                        "covered_95": round(
                            float(
                                (
                                    (frame["elasticity"] - 1.96 * frame["std_error"] <= true)
                                    & (true <= frame["elasticity"] + 1.96 * frame["std_error"])
                                ).mean()
                            ),
                            2,
                        ),
                        "cross_sign_right": round(float(np.mean(right)), 3),
                        "planted_pairs": len(planted),
                    }
                )
    return pd.DataFrame(rows)


def position_units(model: DemandModel, prices: dict[str, float]) -> dict[Position, float]:
    """The model's expected units per day per store position at regular ``prices``."""
    ids = model.sku_ids
    chain = model.units_per_day(np.array([prices[k] for k in ids]))
    return {
        (store, sku): float(chain[k] * model.store_share[s, k])
        for s, store in enumerate(model.store_ids)
        for k, sku in enumerate(ids)
        if model.store_share[s, k] > 0
    }


def build_arm(
    name: str,
    data: SyntheticDataset,
    model: DemandModel,
    sim: PricingSimulator,
    prices: dict[str, float],
    markdown: str | None,
    waste_penalty: float = 0.0,
) -> PricingArm:
    """An arm: regular ``prices``; ``markdown`` None or a key of ``MARKDOWNS`` on
    perishables, whose policy also gives the cohort's order (its ``problem.stock``).

    The DP sees the model's weekday pattern, the substitutes its markdown draws from (their
    margin at the same store) and ``waste_penalty`` x unit cost per wasted unit; ``safe``
    is ``margin_safe_markdown`` (the least-waste DP policy that keeps the model's expected
    margin at least no markdown's); ``fresh`` orders at the shelf-life cap without
    markdowns, ``order+safe`` is ``margin_safe_order``.
    """
    units = position_units(model, prices)
    at = model.index()
    cost = {s.id: s.unit_cost for s in data.network.skus}
    orders: dict[Position, int] = {}
    policies: dict[Position, MarkdownPolicy] = {}
    for (store, sku), life in sim.perishable_positions():
        daily = units.get((store, sku), 0.0)
        orders[(store, sku)] = math.ceil(COVER * daily * life)
        if markdown is None:
            continue
        pattern = model.daily_units(sku, sim.start, life) / model.skus[at[sku]].units_per_day
        neighbours = tuple(
            ((prices[c.sku_id] - cost[c.sku_id]) * units.get((store, c.sku_id), 0.0), c.elasticity)
            for c in model.cross
            if c.substitute_id == sku and c.elasticity > 0
        )
        problem = MarkdownProblem(
            stock=orders[(store, sku)],
            price=prices[sku],
            unit_cost=cost[sku],
            units_per_day=daily * pattern,
            elasticity=model.skus[at[sku]].elasticity,
            waste_penalty=waste_penalty * cost[sku],
            neighbours=neighbours,
        )
        policies[(store, sku)] = MARKDOWNS[markdown](problem)
        orders[(store, sku)] = policies[(store, sku)].problem.stock
    return PricingArm(name, prices, orders, policies)


MARKDOWNS: dict[str, Callable[[MarkdownProblem], MarkdownPolicy]] = {
    "rule": lambda problem: rule_policy(problem, 0.3, 2),
    "dp": solve_markdown,
    "safe": margin_safe_markdown,
    "fresh": lambda problem: rule_policy(replace(problem, stock=fresh_order(problem)), 0.0, 0),
    "order+safe": margin_safe_order,
}


def arms_table(seed: int, replications: int) -> pd.DataFrame:
    data = generate("demo", seed)
    model = fit(data, data.demand)
    skus = data.network.skus
    rules = PriceRules(max_change=0.1)
    today = {s.id: s.price for s in skus}
    portfolio = recommend_prices(model, skus, rules).prices()
    constant = recommend_prices(dataclasses.replace(model, cross=()), skus, rules).prices()
    start = data.demand["date"].max() + pd.Timedelta(days=1)
    sims = {
        mode: PricingSimulator(data.truth, skus, start, days=28, cross_mode=mode)  # type: ignore[arg-type]
        for mode in CROSS_MODES
    }
    sim = sims[CROSS_MODES[0]]  # positions and start: the same in every mode
    arms = [
        build_arm("today", data, model, sim, today, None),
        build_arm("best constant price", data, model, sim, constant, None),
        build_arm("rule ladder (-30% 2 days)", data, model, sim, today, "rule"),
        *[
            build_arm(f"DP markdown only, penalty {p}", data, model, sim, today, "dp", p)
            for p in PENALTIES
        ],
        build_arm(SAFE_ARM, data, model, sim, today, "safe"),
        build_arm("shelf-life order, no markdown", data, model, sim, today, "fresh"),
        build_arm(TARGET_ARM, data, model, sim, today, "order+safe"),
        build_arm("portfolio prices", data, model, sim, portfolio, None),
        build_arm("portfolio + margin-safe DP markdown", data, model, sim, portfolio, "safe"),
        build_arm(f"portfolio + {TARGET_ARM}", data, model, sim, portfolio, "order+safe"),
    ]
    return pd.concat([arm_rows(seed, mode, arms, sims[mode], replications) for mode in CROSS_MODES])


def arm_rows(
    seed: int, mode: str, arms: list[PricingArm], sim: PricingSimulator, replications: int
) -> pd.DataFrame:
    """Each arm's means over paired replications and its paired standard errors against
    ``today`` (margin lift, and waste cut: ``1 - waste / today's waste`` per replication)."""
    outcomes = [sim.run(arm, r, seed) for r in range(replications) for arm in arms]
    frame = pd.DataFrame([dataclasses.asdict(o) | {"waste": o.waste_share} for o in outcomes])
    base = frame[frame["arm"] == "today"].set_index("replication")
    root = math.sqrt(replications)
    rows = []
    for arm in arms:
        mine = frame[frame["arm"] == arm.name].set_index("replication")
        lift = 100 * (mine["margin"] / base["margin"] - 1)
        cut = 100 * (1 - mine["waste"] / base["waste"])
        rows.append(
            {
                "seed": seed,
                "cross_mode": mode,
                "arm": arm.name,
                "margin": round(float(mine["margin"].mean()), 1),
                "margin_vs_today_%": round(float(lift.mean()), 2),
                "se_%": round(float(lift.std()) / root, 2),
                "revenue": round(float(mine["revenue"].mean()), 1),
                "perishable_margin": round(float(mine["perishable_margin"].mean()), 1),
                "perishable_waste_%": round(100 * float(mine["waste"].mean()), 2),
                "waste_cut_%": round(float(cut.mean()), 1),
                "cut_se_%": round(float(cut.std()) / root, 1),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Cohort:
    """A single-SKU cohort: the problem as the model sees it and as the truth runs it."""

    store: str
    sku: str
    mine: MarkdownProblem
    true: MarkdownProblem


def cohorts(seed: int) -> list[Cohort]:
    """Single-SKU cohorts of the demo's 7-day perishables at three stores each."""
    data = generate("demo", seed)
    model = fit(data, data.demand)
    truth = data.truth.skus.set_index("sku_id")
    start = data.demand["date"].max() + pd.Timedelta(days=1)
    sim = PricingSimulator(data.truth, data.network.skus, start)
    units = position_units(model, {s.id: s.price for s in data.network.skus})
    series = data.truth.series.set_index(["store_id", "sku_id"])["base_rate"]
    categories = data.truth.categories["category"].tolist()
    season = daily_seasonality(data.truth.categories, pd.date_range(start, periods=7))
    cost = {s.id: s.unit_cost for s in data.network.skus}
    price = {s.id: s.price for s in data.network.skus}
    out = []
    taken: dict[str, int] = {}
    for (store, sku), life in sim.perishable_positions():
        if taken.get(sku, 0) >= 3:
            continue
        taken[sku] = taken.get(sku, 0) + 1
        k = model.index()[sku]
        pattern = model.daily_units(sku, start, life) / model.skus[k].units_per_day
        mine = MarkdownProblem(
            stock=math.ceil(COVER * units[(store, sku)] * life),
            price=price[sku],
            unit_cost=cost[sku],
            units_per_day=units[(store, sku)] * pattern,
            elasticity=model.skus[k].elasticity,
        )
        column = categories.index(truth.at[sku, "category"])
        true = dataclasses.replace(
            mine,
            units_per_day=series[(store, sku)] * season[:life, column],
            elasticity=float(truth.at[sku, "elasticity"]),
        ).exact()
        out.append(Cohort(store, sku, mine, true))
    return out


def markdown_gap(seed: int) -> pd.DataFrame:
    """The DP policy (estimated parameters) against the exact DP optimum (the truth)."""
    rows = []
    for c in cohorts(seed):
        policy = evaluate(solve_markdown(c.mine), c.true)
        optimum = evaluate(solve_markdown(c.true), c.true)
        flat = evaluate(rule_policy(c.mine, 0.0, 0), c.true)
        rows.append(
            {
                "seed": seed,
                "store": c.store,
                "sku": c.sku,
                "stock": c.mine.stock,
                "policy_margin": round(policy.margin, 2),
                "exact_dp_margin": round(optimum.margin, 2),
                "no_markdown_margin": round(flat.margin, 2),
                "gap_margin_%": round(100 * (1 - policy.margin / optimum.margin), 2),
                "gap_revenue_%": round(100 * (1 - policy.revenue / optimum.revenue), 2),
                "policy_waste_%": round(100 * policy.waste_share, 2),
                "no_markdown_waste_%": round(100 * flat.waste_share, 2),
            }
        )
    return pd.DataFrame(rows)


def dqn_arm(seed: int, instances: int, episodes: int) -> pd.DataFrame:
    """The DQN markdown arm beside the DP on the first cohorts of at least 8 units."""
    import torch

    from supplynet.optimizer.pricing.dqn import DqnMarkdown, DqnSettings

    torch.set_num_threads(1)  # a bench script's own choice: small nets, shared cores
    rows = []
    chosen = [c for c in cohorts(seed) if c.mine.stock >= 8][:instances]
    for c in chosen:
        began = time.perf_counter()
        learned = DqnMarkdown(DqnSettings(episodes=episodes, seed=seed)).fit(c.mine).policy()
        seconds = time.perf_counter() - began
        dqn = evaluate(learned, c.true)
        dp = evaluate(solve_markdown(c.mine), c.true)
        optimum = evaluate(solve_markdown(c.true), c.true)
        rows.append(
            {
                "seed": seed,
                "store": c.store,
                "sku": c.sku,
                "stock": c.mine.stock,
                "dqn_margin": round(dqn.margin, 2),
                "dp_margin": round(dp.margin, 2),
                "exact_dp_margin": round(optimum.margin, 2),
                "dqn_%_of_exact": round(100 * dqn.margin / optimum.margin, 2),
                "dp_%_of_exact": round(100 * dp.margin / optimum.margin, 2),
                "train_s": round(seconds, 1),
            }
        )
    return pd.DataFrame(rows)


def plot_curves(seed: int, path: Path) -> None:
    """Fitted (with 95 % band) vs true chain-wide demand curves of six demo SKUs."""
    data = generate("demo", seed)
    model = fit(data, data.demand)
    truth = data.truth.skus.set_index("sku_id")
    rate = data.truth.series.groupby("sku_id")["base_rate"].sum()
    start = data.demand["date"].max() - pd.Timedelta(days=27)
    season = daily_seasonality_mean(data, start)
    ratio = np.linspace(0.7, 1.3, 61)
    fig, axes = plt.subplots(2, 3, figsize=(12, 7), sharex=True)
    for ax, estimate in zip(axes.ravel(), model.skus[:6], strict=True):
        sku = estimate.sku_id
        true = rate[sku] * season[truth.at[sku, "category"]] * ratio ** -truth.at[sku, "elasticity"]
        low, high = estimate.interval()
        ax.plot(ratio, true, "k-", label="true")
        ax.plot(ratio, estimate.units_per_day * ratio**-estimate.elasticity, "C0--", label="fitted")
        ax.fill_between(
            ratio,
            estimate.units_per_day * ratio**-low,
            estimate.units_per_day * ratio**-high,
            color="C0",
            alpha=0.2,
            label="95% band",
        )
        ax.set_title(f"{sku}: e={estimate.elasticity:.2f} (true {truth.at[sku, 'elasticity']:.2f})")
        ax.set_xlabel("price / today's price")
        ax.set_ylabel("units per day (chain)")
    axes[0, 0].legend()
    fig.suptitle(f"Fitted vs true demand curves, demo preset seed {seed} (last 28 days' level)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def daily_seasonality_mean(data: SyntheticDataset, start: pd.Timestamp) -> dict[str, float]:
    days = pd.date_range(start, periods=28)
    season = daily_seasonality(data.truth.categories, days).mean(axis=0)
    return dict(zip(data.truth.categories["category"], season, strict=True))


def speed(repeats: int) -> pd.DataFrame:
    """1,000 SKUs of ``large``: the fit and ``recommend_prices`` in process, then
    ``RecommendPrices`` through a spawned ``supplynet serve`` (the first call fits the
    scope's elasticities, later calls reuse them while the store is unchanged)."""
    data = generate("large", 0)
    skus = data.network.skus[:1000]
    began = time.perf_counter()
    model = ElasticityEstimator().fit(data.demand, skus, data.network.substitutions).model_
    fit_s = time.perf_counter() - began
    times = []
    result = None
    for _ in range(repeats):
        began = time.perf_counter()
        result = recommend_prices(model, skus, PriceRules(max_change=0.1))
        times.append(time.perf_counter() - began)
    assert result is not None
    rows = [
        {
            "path": "recommend_prices in process",
            "skus": len(skus),
            "first_s": round(fit_s + times[0], 2),
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "repeats": repeats,
            "price_changes": result.summary()["price_changes"],
            "solver_status": result.solver_status,
        }
    ]
    request = pricing_pb2.RecommendPricesRequest(
        max_change=0.1, scope=common_pb2.Scope(sku_ids=[s.id for s in skus])
    )
    with served(data) as target:
        stub = pricing_pb2_grpc.PricingServiceStub(grpc.insecure_channel(target))  # type: ignore[no-untyped-call]
        calls = []
        for _ in range(repeats + 1):
            began = time.perf_counter()
            reply = stub.RecommendPrices(request, timeout=600)
            calls.append(time.perf_counter() - began)
    rows.append(
        {
            "path": "RecommendPrices over gRPC (warm)",
            "skus": len(reply.recommendations),
            "first_s": round(calls[0], 2),
            "median_s": round(statistics.median(calls[1:]), 3),
            "max_s": round(max(calls[1:]), 3),
            "repeats": repeats,
            "price_changes": sum(
                r.recommended_price != r.current_price for r in reply.recommendations
            ),
            "solver_status": reply.solver_status,
        }
    )
    return pd.DataFrame(rows)


@contextmanager
def served(data: SyntheticDataset) -> Iterator[str]:
    """``data`` in a temporary embedded store, served by ``supplynet serve`` on a free port."""
    with tempfile.TemporaryDirectory(prefix="supplynet-pricing-") as root:
        store = EmbeddedStore(Path(root))
        store.upsert_network(data.network)
        store.append_demand(data.demand)
        store.close()
        with spawned_serve(root, workers=1) as target:
            yield target


LOOP_HORIZON = 14
LOOP_STEPS = (0.1, 0.2)
"""Price changes of the loop section's plans (every plan cuts half the SKUs, raises half)."""


def loop(seeds: list[int]) -> pd.DataFrame:
    """Planned prices through the global model (what ``ForecastDemand`` with
    ``prices_plan`` runs) against the truth's response ``(p' / p) ** -e`` per SKU, with
    the pricing model's own expected change beside it. ``p`` is the last recorded price,
    which a forecast without a plan holds; SKUs on promotion that day are left out."""
    rows = []
    app = AppSettings()
    for seed in seeds:
        data = generate("demo", seed)
        request = forecast_request(app, horizon_days=LOOP_HORIZON)
        inputs = forecast_inputs(request, data.network, SeriesIndex(data.demand))
        model = panel_forecaster(
            request.model, LOOP_HORIZON, request.country, data.network, request.seed
        ).fit(inputs.cleaned)
        today = model.forecast(inputs.cleaned).frame.groupby("sku_id")["mean"].sum()
        final = data.demand[data.demand["date"] == data.demand["date"].max()]
        last = final.groupby("sku_id")["price"].first()
        regular = ~final.groupby("sku_id")["promo"].any()
        elasticity = data.truth.skus.set_index("sku_id")["elasticity"]
        pricing = fit(data, data.demand)
        ids = list(pricing.sku_ids)
        start = network_today(data.demand)
        plans: dict[str, dict[str, float]] = {
            f"{'-+'[flip]}/{'+-'[flip]}{step:.0%} alternating": {
                sku: last[sku] * (1 - step if (i % 2 == 0) != flip else 1 + step)
                for i, sku in enumerate(ids)
            }
            for step in LOOP_STEPS
            for flip in (0, 1)
        }
        recommended = recommend_prices(pricing, data.network.skus, PriceRules(max_change=0.1))
        plans["recommended (max change 10%)"] = recommended.prices()
        now = pricing.units_per_day(np.array([last[k] for k in ids]))
        for name, prices in plans.items():
            plan = price_plan_of(prices, last.to_dict(), start, LOOP_HORIZON)
            future = price_future(plan, inputs.cleaned)
            planned = model.forecast(inputs.cleaned, future).frame.groupby("sku_id")["mean"]
            got = planned.sum() / today
            expected = pricing.units_per_day(np.array([prices[k] for k in ids])) / now
            for k, sku in enumerate(ids):
                if not regular[sku] or math.isclose(prices[sku], last[sku]):
                    continue
                rows.append(
                    {
                        "seed": seed,
                        "plan": name,
                        "sku": sku,
                        "price_ratio": prices[sku] / last[sku],
                        "true": (prices[sku] / last[sku]) ** -elasticity[sku],
                        "forecast": got[sku],
                        "pricing_model": expected[k],
                    }
                )
    frame = pd.DataFrame(rows)
    return (
        frame.groupby(["seed", "plan"], sort=False)
        .apply(loop_row, include_groups=False)
        .reset_index()
    )


def loop_row(group: pd.DataFrame) -> pd.Series:
    """One plan's agreement with the truth: direction, log error, median ratios."""
    log_true = np.log(group["true"])
    return pd.Series(
        {
            "skus": len(group),
            "direction_right_%": round(
                100 * float((np.sign(np.log(group["forecast"])) == np.sign(log_true)).mean()), 1
            ),
            "forecast_abs_log_err": round(
                float((np.log(group["forecast"]) - log_true).abs().median()), 3
            ),
            "pricing_model_abs_log_err": round(
                float((np.log(group["pricing_model"]) - log_true).abs().median()), 3
            ),
            "true_ratio_cut": round(float(group.loc[group["price_ratio"] < 1, "true"].median()), 3),
            "forecast_ratio_cut": round(
                float(group.loc[group["price_ratio"] < 1, "forecast"].median()), 3
            ),
            "true_ratio_raise": round(
                float(group.loc[group["price_ratio"] > 1, "true"].median()), 3
            ),
            "forecast_ratio_raise": round(
                float(group.loc[group["price_ratio"] > 1, "forecast"].median()), 3
            ),
        }
    )


def markdown_summary(table: pd.DataFrame) -> str:
    total = 100 * (1 - table["policy_margin"].sum() / table["exact_dp_margin"].sum())
    within = (table["gap_margin_%"] <= 3).mean()
    return (
        f"margin gap: all instances together {total:.2f} %, "
        f"median {table['gap_margin_%'].median():.2f} %, "
        f"within 3 % on {100 * within:.0f} % of instances; "
        f"revenue gap: max {table['gap_revenue_%'].max():.2f} %, median "
        f"{table['gap_revenue_%'].median():.2f} %\n"
    )


def arms_summary(table: pd.DataFrame) -> str:
    mean = table.groupby(["cross_mode", "arm"], sort=False)[
        ["margin_vs_today_%", "perishable_waste_%", "waste_cut_%"]
    ].mean()
    text = f"mean over seeds:\n{mean.round(2).to_string()}\n"
    for arm in (TARGET_ARM, SAFE_ARM):
        rows = waste_target(table, arm)
        text += (
            f"waste target ({arm} vs today: waste -50 % at equal or better margin; +- paired "
            f"standard errors): met on {int(rows['met'].sum())} of {len(rows)} seed x "
            f"cross-mode rows\n{rows.to_string(index=False)}\n"
        )
    return text


def waste_target(table: pd.DataFrame, arm: str) -> pd.DataFrame:
    """Per seed x cross mode: ``arm``'s waste and margin against today's, and the target."""
    keys = ["seed", "cross_mode"]
    mine = table[table["arm"] == arm].set_index(keys)
    today = table[table["arm"] == "today"].set_index(keys)
    met = (mine["waste_cut_%"] >= 50) & (mine["margin_vs_today_%"] >= 0)
    return pd.DataFrame(
        {
            "waste_today_%": today["perishable_waste_%"],
            "waste_arm_%": mine["perishable_waste_%"],
            "waste_cut_%": mine["waste_cut_%"].map("{:.1f}".format)
            + " +- "
            + mine["cut_se_%"].map("{:.1f}".format),
            "margin_vs_today_%": mine["margin_vs_today_%"].map("{:+.2f}".format)
            + " +- "
            + mine["se_%"].map("{:.2f}".format),
            "met": met,
        }
    ).reset_index()


def loop_summary(table: pd.DataFrame) -> str:
    weights = table["skus"]
    right = (table["direction_right_%"] * weights).sum() / weights.sum()
    return (
        f"direction right on {right:.1f} % of SKU x plan rows; median |log error| of the "
        f"re-forecast's change {table['forecast_abs_log_err'].median():.3f} (pricing model "
        f"{table['pricing_model_abs_log_err'].median():.3f})\n"
    )


SUMMARIES: dict[str, Callable[[pd.DataFrame], str]] = {
    "markdown_dp": markdown_summary,
    "arms": arms_summary,
    "loop": loop_summary,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument(
        "--sections",
        default="elasticity,arms,markdown_dp,figure",
        help="comma-separated: elasticity, arms, markdown_dp, figure, loop (slow: fits the "
        "global model per seed), speed (time it under the bench lock), dqn (slow)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dqn-episodes", type=int, default=1000)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    wanted = args.sections.split(",")
    RESULTS.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 200)
    sections: dict[str, Callable[[], pd.DataFrame]] = {
        "elasticity": lambda: recovery(seeds),
        "arms": lambda: pd.concat([arms_table(s, args.replications) for s in seeds]),
        "markdown_dp": lambda: pd.concat([markdown_gap(s) for s in seeds]),
        "speed": lambda: speed(args.repeats),
        "loop": lambda: loop(seeds),
        "dqn": lambda: dqn_arm(seeds[0], 4, args.dqn_episodes),
    }
    for name in wanted:
        if name == "figure":
            plot_curves(seeds[0], ROOT / "docs" / "pricing_demand_curves.png")
            continue
        began, load_at_start = time.perf_counter(), load_average()
        table = sections[name]()
        took = time.perf_counter() - began
        text = f"# pricing_{name}: {header(load_at_start)}, seeds {args.seeds}, {took:.0f} s\n"
        text += f"{table.to_string(index=False)}\n"
        text += SUMMARIES.get(name, lambda _: "")(table)
        print(text)
        (RESULTS / f"pricing_{name}.txt").write_text(text)


if __name__ == "__main__":
    main()
