"""Plans as the stores keep them: a header with KPIs, lines, and named detail tables.

Replenishment plans and route schedules convert themselves to ``StoredPlan`` so
both stores can save, list and load any kind of plan with one schema. ``lines`` are
what a plan asks to be done (orders, transfers, stops); ``details`` are what a planner
reads to trust it (``stock``: projected stock and shortages per position and period;
``explanations``; ``warnings``), kept apart so readers of the lines never see them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Scalar = str | int | float | bool | None
PlanId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Row = dict[str, Scalar]
DetailName = Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")]


class StoredPlan(BaseModel):
    """A saved plan: ``kind`` says how to read its lines (e.g. ``replenishment``, ``routes``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: PlanId
    kind: Annotated[str, Field(min_length=1, max_length=64)]
    created_at: dt.datetime
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    lines: tuple[Row, ...] = ()
    details: dict[DetailName, tuple[Row, ...]] = Field(default_factory=dict)

    @field_validator("details")
    @classmethod
    def _without_empty_tables(
        cls, details: dict[str, tuple[Row, ...]]
    ) -> dict[str, tuple[Row, ...]]:
        """An empty table is no table: every store gives back the same plan."""
        return {name: rows for name, rows in details.items() if rows}

    def info(self) -> PlanInfo:
        return PlanInfo(
            id=self.id,
            kind=self.kind,
            created_at=self.created_at,
            line_count=len(self.lines),
            attributes=self.attributes,
        )

    def detail(self, name: str) -> tuple[Row, ...]:
        """The rows of one detail table; none when the plan predates it."""
        return self.details.get(name, ())


class PlanInfo(BaseModel):
    """A plan's header, as listings return it: its KPIs included."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    created_at: dt.datetime
    line_count: int
    attributes: dict[str, Scalar] = Field(default_factory=dict)
