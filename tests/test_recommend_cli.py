"""``supplynet train recommend`` and ``supplynet recommend`` through the CLI: every use answers
with reasons, JSON round-trips the answer, bad input exits 2 naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supplynet.graph.open_store import open_store
from supplynet.server.cli import main


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recommend-cli") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPLYNET_DATA", str(root))
        patch.delenv("NEO4J_URI", raising=False)
        assert main(["generate", "--preset", "tiny", "--seed", "1"]) == 0
        assert main(["train", "recommend", "--epochs", "30"]) == 0
    return root


@pytest.fixture
def store_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(data_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return data_dir


def test_train_saves_a_checkpoint(store_env: Path) -> None:
    assert (store_env / "models" / "recommend.pt").exists()


def test_substitute_json_lists_in_stock_skus_with_reasons(
    store_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["recommend", "--sku", "K0001", "--store", "S0001", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["use"] == "substitute" and answer["items"]
    store = open_store()
    try:
        network = store.snapshot()
    finally:
        store.close()
    stock = {(p.location_id, p.sku_id): p.on_hand for p in network.inventory_positions}
    for item in answer["items"]:
        assert item["reason"].startswith("substitute:")
        assert stock[("S0001", item["sku_id"])] >= 1.0
        assert item["sku_id"] != "K0001"


@pytest.mark.parametrize(
    ("use", "location", "words"),
    [("listing", "S0002", "recommendation"), ("alternate-supplier", "W001", "alternate-supplier")],
)
def test_other_uses_render_a_table(
    store_env: Path, capsys: pytest.CaptureFixture[str], use: str, location: str, words: str
) -> None:
    assert main(["recommend", "--sku", "K0002", "--store", location, "--use", use]) == 0
    assert words in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--sku", "K9999", "--store", "S0001"], "sku_id 'K9999' not found"),
        (["--sku", "K0001", "--store", "S0001", "--limit", "0"], "limit: must be at least 1"),
        (["--sku", "K0001", "--store", "S0001", "--need-date", "soon"], "need_date: not a"),
        (["--store", "S0001"], "sku_id: required"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    store_env: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    assert main(["recommend", *flags]) == 2
    assert message in capsys.readouterr().err
