"""``supplynet price`` through the CLI: the table and the file, markdowns in JSON, planned
prices saved with ``--apply``, and bad input exiting 2 with the field named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.open_store import open_store
from supplynet.server.app import price_plans
from supplynet.server.cli import main


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("price-cli") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPLYNET_DATA", str(root))
        patch.delenv("NEO4J_URI", raising=False)
        assert main(["generate", "--preset", "tiny", "--seed", "1"]) == 0
    return root


@pytest.fixture
def store_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(data_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return data_dir


def test_writes_every_skus_price_within_the_rules(store_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "prices.csv"
    assert main(["price", "--max-change", "0.1", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) == 8
    change = (table["recommended_price"] / table["current_price"] - 1).abs()
    assert (change <= 0.1 + 1e-9).all()
    assert table["reasons"].str.startswith("own elasticity").all()


def test_markdowns_json_and_apply(store_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["price", "--sku", "K0003,K0007", "--markdowns", "--apply", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert {r["sku_id"] for r in answer["recommendations"]} == {"K0003", "K0007"}
    assert answer["markdowns"]
    for schedule in answer["markdowns"]:
        discounts = [step["discount"] for step in schedule["steps"]]
        assert discounts == sorted(discounts)
    store = open_store()
    try:
        saved = price_plans.latest_price_plan(store)
    finally:
        store.close()
    assert saved is not None
    assert {line["sku_id"] for line in saved.lines} == {"K0003", "K0007"}


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--max-change", "1.5"], "max_change"),
        (["--max-change", "0"], "max_change"),
        (["--sku", "NOPE"], "scope.sku_ids"),
        (["--store", "NOWHERE", "--markdowns"], "store_ids[0]"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    store_env: Path, capsys: pytest.CaptureFixture[str], flags: list[str], field: str
) -> None:
    assert main(["price", *flags]) == 2
    assert f"error: {field}:" in capsys.readouterr().err
