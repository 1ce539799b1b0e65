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
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app.route import resolve_day
from supplynet.server.cli import main

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


@pytest.mark.parametrize("command", ["forecast", "risk"])
def test_unwritable_out_is_refused_before_any_work(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--out`` under a file: exit 2 naming ``out`` before the store is even read."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    (tmp_path / "a-file").write_text("")
    assert main([command, "--out", str(tmp_path / "a-file" / "out.csv")]) == 2
    captured = capsys.readouterr()
    assert "out: cannot write" in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize("command", [["info"], ["export", "OUT"]])
def test_unknown_scope_ids_are_named(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tiny: SyntheticDataset,
) -> None:
    """``--warehouse NOPE --sku GHOST`` exits 2 naming both instead of printing zeros."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    EmbeddedStore(tmp_path / "store").upsert_network(tiny.network)
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    assert main([*args, "--warehouse", "NOPE", "--sku", "GHOST"]) == 2
    captured = capsys.readouterr()
    assert "scope: unknown warehouse 'NOPE'" in captured.err + captured.out
    assert "scope: unknown SKU 'GHOST'" in captured.err + captured.out
