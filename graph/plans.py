"""Plans as the stores keep them: a generic header with KPIs plus lines.

Replenishment plans and route schedules convert themselves to ``StoredPlan`` so
both stores can save, list and load any kind of plan with one schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool | None
PlanId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class StoredPlan(BaseModel):
    """A saved plan: ``kind`` says how to read its lines (e.g. ``replenishment``, ``routes``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: PlanId
    kind: Annotated[str, Field(min_length=1, max_length=64)]
    created_at: dt.datetime
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    lines: tuple[dict[str, Scalar], ...] = ()

    def info(self) -> PlanInfo:
        return PlanInfo(
            id=self.id, kind=self.kind, created_at=self.created_at, line_count=len(self.lines)
        )


class PlanInfo(BaseModel):
    """A plan's header, as listings return it."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    created_at: dt.datetime
    line_count: int
