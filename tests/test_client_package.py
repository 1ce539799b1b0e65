"""The light client: the stubs install alone and talk to a real server; the full package
installs beside proto-plus (whose import name is ``proto``) without a clash."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rpc_harness import ServerThread, running_server, settings

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset

ROOT = Path(__file__).resolve().parents[1]
CLIENT_DEPENDENCIES = {"grpcio", "protobuf", "googleapis-common-protos"}

CLIENT_SCRIPT = """
import sys
import grpc
from supplynet.v1 import forecast_pb2, forecast_pb2_grpc

stub = forecast_pb2_grpc.ForecastServiceStub(grpc.insecure_channel(sys.argv[1]))
reply = stub.ForecastDemand(
    forecast_pb2.ForecastDemandRequest(horizon_days=7, model="seasonal_naive"), timeout=60
)
heavy = sorted({"torch", "prophet", "ortools", "pandas"} & set(sys.modules))
print(len(reply.points), reply.freq, ",".join(heavy) or "-")
"""


@pytest.fixture(scope="module")
def client_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of proto/: setuptools leaves build/ and egg-info where it builds."""
    source = tmp_path_factory.mktemp("client-source") / "proto"
    shutil.copytree(ROOT / "proto", source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         str(source), "-w", str(out)],
        check=True,
    )  # fmt: skip
    (wheel,) = out.glob("supplynet_client-*.whl")
    return wheel


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("client")
    store = EmbeddedStore(root)
    store.import_bundle(tiny.network, tiny.demand, None)
    store.close()
    with running_server(settings(root, workers=1)) as running:
        yield running


def test_the_client_wheel_holds_only_the_stubs_and_needs_only_grpc(client_wheel: Path) -> None:
    with zipfile.ZipFile(client_wheel) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith("METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in wheel.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    packaged = {n for n in names if ".dist-info/" not in n}
    assert packaged and all(n.startswith("supplynet/v1/") for n in packaged)
    assert any(n.endswith("replenishment_pb2_grpc.py") for n in packaged)
    assert {r.split("<")[0].split(">")[0].split("=")[0] for r in requires} == CLIENT_DEPENDENCIES


def test_a_client_environment_calls_the_server_without_the_heavy_stack(
    client_wheel: Path, server: ServerThread, tmp_path: Path
) -> None:
    """A fresh virtual environment with the client alone forecasts over a real socket."""
    venv = tmp_path / "client-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            str(client_wheel),
        ],
        check=True,
    )
    answer = subprocess.run(
        [str(python), "-c", CLIENT_SCRIPT, server.target],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.split()
    assert int(answer[0]) > 0 and answer[1] == "D"
    assert answer[2] == "-", f"the client imported {answer[2]}"
    missing = subprocess.run(
        [str(python), "-c", "import supplynet.graph"], capture_output=True, cwd=tmp_path
    )
    assert missing.returncode != 0, "the client environment has only the stubs"


def test_supplynet_installs_beside_proto_plus() -> None:
    """``proto`` is proto-plus's import name (every Google Cloud client needs it)."""
    proto = pytest.importorskip("proto")
    import supplynet.graph.network
    import supplynet.v1.plan_pb2

    assert Path(proto.__file__).parent.name == "proto"
    assert hasattr(proto, "Message"), "``proto`` is proto-plus, not a supplynet folder"
    assert supplynet.v1.plan_pb2.DESCRIPTOR.package == "supplynet.v1"
    assert supplynet.graph.network.Network is not None
