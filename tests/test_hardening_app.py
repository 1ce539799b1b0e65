"""Use-case validation holds for inputs that once ended INTERNAL (issue 22).

``PlanRoutes`` days ``²``, ``99999999`` and ``3000000`` and plan ids too long for a file
name are refused or not found, on the embedded store, instead of raising deep inside.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import NotFound, ValidationFailed
from supplynet.graph.plans import StoredPlan
from supplynet.server.app.route import resolve_day

PLAN = StoredPlan(id="p1", kind="replenishment", created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("day", ["²", "99999999", "3000000", "-1", "0"])
def test_odd_days_are_invalid_arguments(day: str) -> None:
    with pytest.raises(ValidationFailed, match="is not a ship day"):
        resolve_day(PLAN, day)


def test_plan_id_too_long_for_a_file_name_is_not_found(tmp_path: Path) -> None:
    """GetPlan, PlanRoutes and ExportSchedule load by id: 300 characters is NOT_FOUND."""
    with pytest.raises(NotFound):
        EmbeddedStore(tmp_path).load_plan("p" * 300)
    with pytest.raises(NotFound):
        EmbeddedStore(tmp_path).load_plan("é" * 150)
