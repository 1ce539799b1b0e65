"""What changed between two saved plans, and why: for the planner who re-plans.

The "why" is what a plan keeps about its making: its settings (``setting_*``), its
inputs (``input_*``: the store version, the forecast), and its explanations (binding
limits, shortages). Lines are matched by what they move where and when, so a re-plan
reads as orders added, dropped and resized rather than as two unrelated lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from supplynet.graph.plans import Row, Scalar, StoredPlan
from supplynet.server.app.plans import EXPLANATIONS, STOCK, headline, prefixed

LINE_KEY = ("line_type", "origin_id", "destination_id", "sku_id", "ship_date")
EXPLANATION_KEY = ("kind", "constraint", "location_id", "sku_id")
TOLERANCE = 1e-6
"""Quantities closer than this are the same."""


class Change(BaseModel):
    """One value in the old and the new plan (``None``: absent there)."""

    model_config = ConfigDict(frozen=True)

    name: str
    old: Scalar
    new: Scalar


class LineChange(BaseModel):
    """A line's quantity in each plan; 0 where the plan has no such line."""

    model_config = ConfigDict(frozen=True)

    key: tuple[str, ...]
    old: float
    new: float

    @property
    def what(self) -> str:
        return "added" if self.old == 0 else "removed" if self.new == 0 else "resized"


class PlanDiff(BaseModel):
    """Two plans compared: headline numbers, causes, lines, explanations, shortages."""

    model_config = ConfigDict(frozen=True)

    old_id: str
    new_id: str
    kpis: tuple[Change, ...]
    settings: tuple[Change, ...]
    inputs: tuple[Change, ...]
    lines: tuple[LineChange, ...]
    explanations_added: tuple[Row, ...]
    explanations_gone: tuple[Row, ...]
    shortages: tuple[LineChange, ...]
    """Units short per (location, SKU) over the horizon, where they differ."""

    def reasons(self) -> list[str]:
        """The causes in words, settings first: what a planner reads first."""
        found = [f"setting {c.name}: {c.old} -> {c.new}" for c in self.settings]
        found += [f"input {c.name}: {c.old} -> {c.new}" for c in self.inputs]
        found += [f"new limit: {e['message']}" for e in self.explanations_added]
        found += [f"limit gone: {e['message']}" for e in self.explanations_gone]
        if not found and (self.lines or self.kpis):
            found.append(
                "same settings and inputs: the solver stopped at a different point "
                "(time limit or gap), see status and gap"
            )
        return found

    def is_empty(self) -> bool:
        return not (self.kpis or self.settings or self.inputs or self.lines or self.shortages)


def _changes(old: Mapping[str, Scalar], new: Mapping[str, Scalar]) -> tuple[Change, ...]:
    names = sorted(set(old) | set(new))
    return tuple(
        Change(name=n, old=old.get(n), new=new.get(n))
        for n in names
        if not _same(old.get(n), new.get(n))
    )


def _same(a: Scalar, b: Scalar) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= TOLERANCE
    return a == b


def _totals(rows: Iterable[Row], key: tuple[str, ...], value: str) -> dict[tuple[str, ...], float]:
    totals: dict[tuple[str, ...], float] = {}
    for row in rows:
        k = tuple(str(row.get(part) or "") for part in key)
        totals[k] = totals.get(k, 0.0) + float(row.get(value) or 0.0)
    return totals


def _line_changes(
    old: dict[tuple[str, ...], float], new: dict[tuple[str, ...], float]
) -> tuple[LineChange, ...]:
    return tuple(
        LineChange(key=k, old=old.get(k, 0.0), new=new.get(k, 0.0))
        for k in sorted(set(old) | set(new))
        if abs(old.get(k, 0.0) - new.get(k, 0.0)) > TOLERANCE
    )


def _keyed(rows: Iterable[Row]) -> dict[tuple[str, ...], Row]:
    return {tuple(str(row.get(part) or "") for part in EXPLANATION_KEY): row for row in rows}


def diff(old: StoredPlan, new: StoredPlan) -> PlanDiff:
    """Compare ``old`` with ``new`` (any two plans of one kind)."""
    old_why, new_why = _keyed(old.detail(EXPLANATIONS)), _keyed(new.detail(EXPLANATIONS))
    position = ("location_id", "sku_id")
    return PlanDiff(
        old_id=old.id,
        new_id=new.id,
        kpis=tuple(
            c
            for c in _changes(headline(old), headline(new))
            if c.name not in ("solve_seconds", "created_at")
        ),
        settings=_changes(prefixed(old, "setting_"), prefixed(new, "setting_")),
        inputs=_changes(prefixed(old, "input_"), prefixed(new, "input_")),
        lines=_line_changes(
            _totals(old.lines, LINE_KEY, "quantity"), _totals(new.lines, LINE_KEY, "quantity")
        ),
        explanations_added=tuple(new_why[k] for k in sorted(set(new_why) - set(old_why))),
        explanations_gone=tuple(old_why[k] for k in sorted(set(old_why) - set(new_why))),
        shortages=_line_changes(
            _totals(old.detail(STOCK), position, "shortage"),
            _totals(new.detail(STOCK), position, "shortage"),
        ),
    )
