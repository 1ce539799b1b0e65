"""Plan sanity: inputs that cannot give a meaningful plan are refused, doubtful ones warned.

A solver answers the model it is given: with zero prices shortages cost nothing, with a
forecast for stores the network lacks it plans nothing, with a 28-day forecast for an
8-week plan it fills weeks 5-8 with averages, and each time it says ``optimal``. These
checks run where the plan is built (``plan.make_plan``), before the solve for refusals
and after it for the status: a plan whose demand was dropped is never ``optimal``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.errors import Problem
from supplynet.graph.network import Network
from supplynet.optimizer.replenishment import ReplenishmentPlan
from supplynet.server.app.validation import require

SHOWN_IDS = 5
"""Unknown ids named in a warning; the rest are counted."""
LOWERED = "status lowered from optimal"


@dataclasses.dataclass(frozen=True)
class Review:
    """What the checks found: warnings for the plan, and whether demand was dropped."""

    warnings: tuple[str, ...] = ()
    dropped_units: float = 0.0
    free_skus: frozenset[str] = frozenset()
    """SKUs whose shortages cost nothing (price and unit cost 0)."""


def _named(ids: pd.Series) -> str:
    unique = sorted({str(i) for i in ids})
    more = f" and {len(unique) - SHOWN_IDS} more" if len(unique) > SHOWN_IDS else ""
    return ", ".join(unique[:SHOWN_IDS]) + more


def review(
    network: Network,
    forecast: DemandForecast,
    horizon_days: int,
    scoped: bool,
    history_end: dt.date | None = None,
) -> Review:
    """Check a plan's inputs; raise ``ValidationFailed`` for those that cannot give a plan.

    ``scoped``: the network is a scope of the stored one, so forecast rows outside it are
    expected and not reported as unknown. ``history_end``: the last recorded demand day,
    when the door knows it.
    """
    frame = forecast.frame
    stores = {s.id for s in network.stores}
    skus = network.frame("skus").set_index("id")
    known = frame["location_id"].isin(stores) & frame["sku_id"].isin(skus.index)
    prices = skus.loc[skus.index.isin(frame.loc[known, "sku_id"]), ["price", "unit_cost"]]
    worthless = prices[(prices["price"] <= 0) & (prices["unit_cost"] <= 0)]
    periods = pd.to_datetime(frame["period"])
    first, last = periods.min().date(), periods.max().date()
    refusals: list[Problem] = []
    if not known.any():
        refusals.append(Problem("forecast", "has no row for a store and SKU of the network"))
    elif len(worthless) == len(prices):
        reason = "every planned SKU has price 0 and unit cost 0: shortages would cost nothing"
        refusals.append(Problem("network.skus.price", reason))
    if history_end is not None and last < history_end:
        reason = f"ends {last}, before the last recorded demand ({history_end}): the plan "
        refusals.append(Problem("forecast", reason + "would lie in the past"))
    require(refusals, "plan input")
    warnings: list[str] = []
    dropped = 0.0
    if len(worthless):
        warnings.append(
            f"{len(worthless)} SKU(s) with price and unit cost 0 ({_named(worthless.index)}): "
            "their shortages cost nothing, so the plan may leave their demand unmet"
        )
    if not scoped and not known.all():
        unknown = frame[~known]
        dropped = float(unknown["mean"].sum())
        warnings.append(
            f"forecast rows for unknown stores or SKUs dropped ({dropped:,.0f} units): "
            f"{_named(unknown['location_id'] + '/' + unknown['sku_id'])}"
        )
    step = 7 if forecast.freq == "W" else 1
    covered = (last - first).days + step
    if covered < horizon_days:
        warnings.append(
            f"forecast covers {covered} of {horizon_days} days (to {last}): later periods "
            "repeat each series' average"
        )
    if history_end is not None and first <= history_end:
        warnings.append(
            f"forecast starts {first}, not after the last recorded demand ({history_end}): "
            "it is from another period, the plan starts in the past"
        )
    return Review(tuple(warnings), dropped, frozenset(str(i) for i in worthless.index))


def settle(plan: ReplenishmentPlan, found: Review) -> ReplenishmentPlan:
    """The plan with the review's warnings; never ``optimal`` when demand was dropped,
    including shortages priced at nothing."""
    warnings = [*plan.warnings, *found.warnings]
    unpriced = _unpriced_shortage(plan, found)
    status = plan.status
    if status == "optimal" and (found.dropped_units > 0 or unpriced > 0):
        status = "feasible"
        why = "forecast demand dropped" if found.dropped_units > 0 else "unpriced shortages"
        warnings.append(f"{LOWERED}: {why}")
    return dataclasses.replace(plan, warnings=tuple(warnings), status=status)


def _unpriced_shortage(plan: ReplenishmentPlan, found: Review) -> float:
    """Units short at SKUs whose shortage costs nothing."""
    stock = plan.inventory
    return float(stock.loc[stock["sku_id"].isin(found.free_skus), "shortage"].sum())
