"""The default store: Parquet and JSON files in a data directory, no server needed.

Layout::

    ROOT/network/CURRENT            name of the live version, swapped atomically
    ROOT/network/v000007/*.parquet  one file per table
    ROOT/history/demand/part-*.parquet, ROOT/history/deliveries/part-*.parquet
    ROOT/plans/<id>.json

Every write happens under an exclusive file lock and becomes visible through a
single ``os.replace``, so a crash or a rejected write leaves the previous state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from supplynet.graph.errors import NotFound
from supplynet.graph.history import DELIVERIES, DEMAND, HistorySchema, empty, upsert
from supplynet.graph.network import TABLES, Network
from supplynet.graph.plans import PlanInfo, StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.store import checked_history, history_in_scope


class EmbeddedStore:
    """A ``GraphStore`` over a local directory (created on first use)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _current_version(self) -> Path | None:
        pointer = self.root / "network" / "CURRENT"
        if not pointer.exists():
            return None
        return self.root / "network" / pointer.read_text().strip()

    def _read_network(self) -> Network:
        version = self._current_version()
        if version is None:
            return Network()
        frames = {name: pd.read_parquet(version / f"{name}.parquet") for name in TABLES}
        return Network.from_frames(frames)

    def upsert_network(self, network: Network) -> dict[str, int]:
        with self._locked():
            merged = self._read_network().merge(network)
            self._write_network(merged)
        return network.counts()

    def _write_network(self, network: Network) -> None:
        base = self.root / "network"
        base.mkdir(parents=True, exist_ok=True)
        current = self._current_version()
        number = int(current.name[1:]) + 1 if current else 1
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=base))
        for name in TABLES:
            network.frame(name).to_parquet(staging / f"{name}.parquet", index=False)
        target = base / f"v{number:06d}"
        staging.rename(target)
        _atomic_write_text(base / "CURRENT", target.name)
        for stale in base.iterdir():
            if stale.is_dir() and stale != target:
                shutil.rmtree(stale, ignore_errors=True)

    def snapshot(self, scope: Scope | None = None) -> Network:
        with self._locked():
            network = self._read_network()
        return network if scope is None else network.scoped(scope)

    def _append(self, frame: pd.DataFrame, schema: HistorySchema) -> int:
        with self._locked():
            clean = checked_history(frame, schema, self._read_network())
            clean = clean.drop_duplicates(list(schema.key), keep="last")
            folder = self.root / "history" / schema.name
            folder.mkdir(parents=True, exist_ok=True)
            number = len(list(folder.glob("part-*.parquet"))) + 1
            staging = folder / f".part-{number:06d}.tmp"
            clean.to_parquet(staging, index=False)
            os.replace(staging, folder / f"part-{number:06d}.parquet")
        return len(clean)

    def _read(self, schema: HistorySchema, scope: Scope | None) -> tuple[pd.DataFrame, Network]:
        with self._locked():
            parts = sorted((self.root / "history" / schema.name).glob("part-*.parquet"))
            frames = [pd.read_parquet(p) for p in parts]
            network = self._read_network() if scope is not None else Network()
        if not frames:
            return empty(schema), network
        frame = frames[0] if len(frames) == 1 else upsert(frames[0], pd.concat(frames[1:]), schema)
        return history_in_scope(frame, schema, network, scope), network

    def append_demand(self, frame: pd.DataFrame) -> int:
        return self._append(frame, DEMAND)

    def read_demand(
        self, scope: Scope | None = None, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        frame, _ = self._read(DEMAND, scope)
        if start is not None:
            frame = frame[frame["date"] >= pd.Timestamp(start)]
        if end is not None:
            frame = frame[frame["date"] <= pd.Timestamp(end)]
        return frame.reset_index(drop=True)

    def append_deliveries(self, frame: pd.DataFrame) -> int:
        return self._append(frame, DELIVERIES)

    def read_deliveries(self, scope: Scope | None = None) -> pd.DataFrame:
        frame, _ = self._read(DELIVERIES, scope)
        return frame

    def save_plan(self, plan: StoredPlan) -> None:
        with self._locked():
            folder = self.root / "plans"
            folder.mkdir(parents=True, exist_ok=True)
            _atomic_write_text(folder / f"{plan.id}.json", plan.model_dump_json())

    def load_plan(self, plan_id: str) -> StoredPlan:
        path = self.root / "plans" / f"{plan_id}.json"
        if "/" in plan_id or not path.exists():
            raise NotFound("plan", plan_id)
        return StoredPlan.model_validate_json(path.read_text())

    def list_plans(self, kind: str | None = None) -> list[PlanInfo]:
        folder = self.root / "plans"
        plans = (
            [StoredPlan.model_validate(json.loads(p.read_text())) for p in folder.glob("*.json")]
            if folder.exists()
            else []
        )
        infos = [p.info() for p in plans if kind is None or p.kind == kind]
        return sorted(infos, key=lambda i: (i.created_at, i.id), reverse=True)

    def close(self) -> None:
        """Nothing stays open between calls."""


def _atomic_write_text(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.tmp")
    with open(staging, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)
