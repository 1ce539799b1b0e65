"""The default store: Parquet and JSON files in a data directory, no server needed.

Layout::

    ROOT/MANIFEST.json                    the live state: network version and history parts
    ROOT/network/v000007/*.parquet        one file per table
    ROOT/history/demand/part-*.parquet, ROOT/history/deliveries/part-*.parquet
    ROOT/plans/<id>.json

Every write happens under an exclusive file lock: new files are written beside the
live ones, then one ``os.replace`` of the manifest makes all of them visible at once.
A crash, a Ctrl-C or a rejected write therefore leaves the previous state (files the
manifest does not list are ignored and removed by the next write), and an import of
a network with its histories is all-or-nothing. A directory written before the
manifest existed (``network/CURRENT`` and every part on disk) is read as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from supplynet.graph.errors import NotFound, Problem, ValidationFailed
from supplynet.graph.history import DELIVERIES, DEMAND, HistorySchema, empty, upsert
from supplynet.graph.network import TABLES, Network
from supplynet.graph.plans import PlanInfo, StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.store import checked_history, history_in_scope

MAX_PLAN_ID_BYTES = 200
"""Longest plan id stored as a file name (file systems allow 255 bytes per name)."""
INFO_SUFFIX = ".info"
"""Beside each ``ID.json`` plan, ``ID.info`` holds its header, so listing plans reads no lines."""
PLANS_VERSION = ".version"
RACY_NS = 2_000_000_000
"""A file changed less than this before it was read may change again within the same tick
of the file system's coarse clock (same mtime): ``_FileMemo`` re-reads it every time."""
_VERSION = re.compile(r"^v(\d{6,})$")
_PART = re.compile(r"^part-(\d{6,})\.parquet$")


@dataclass(frozen=True)
class _Manifest:
    """What is live: the network version's folder name and the history part files."""

    network: str | None = None
    parts: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {DEMAND.name: (), DELIVERIES.name: ()}
    )

    def to_json(self) -> str:
        return json.dumps({"network": self.network} | {k: list(v) for k, v in self.parts.items()})

    @classmethod
    def from_json(cls, text: str) -> _Manifest:
        data = json.loads(text)
        names = (DEMAND.name, DELIVERIES.name)
        return cls(data["network"], {name: tuple(data.get(name, ())) for name in names})


class _FileMemo:
    """What ``read`` made of a small file, read again only when ``os.stat`` says it changed.

    The versions are asked for on every server call: a stat is ~2 us, opening, reading and
    parsing the manifest ~20 us. Every write replaces the file (a new inode and mtime), so
    an unchanged (inode, size, mtime, ctime) means unchanged content, unless the file was
    replaced within one tick of the file system's clock of the read: a file younger than
    ``RACY_NS`` when read is read again every time (git treats its index's "racily clean"
    entries so). The stat comes before the read: a write in between is seen next time.
    """

    def __init__(
        self,
        path: Path,
        read: Callable[[], str],
        missing: str | None = None,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self._path = str(path)
        self._read = read
        self._missing = missing
        """The value while the file does not exist (``None``: ``read`` says)."""
        self._clock = clock
        self._memo: tuple[tuple[int, int, int, int], str] | None = None

    def get(self) -> str:
        try:
            info = os.stat(self._path)
        except FileNotFoundError:
            return self._read() if self._missing is None else self._missing
        key = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        memo = self._memo
        if memo is not None and memo[0] == key:
            return memo[1]
        value = self._read()
        if self._clock() - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS:
            self._memo = (key, value)
        return value


class EmbeddedStore:
    """A ``GraphStore`` over a local directory (created on first use)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._thread_lock = threading.Lock()
        self._version = _FileMemo(self.root / "MANIFEST.json", self._read_version)
        self._plans_version = _FileMemo(
            self.root / "plans" / PLANS_VERSION,
            lambda: f"plans:{self._plans_counter()}",
            missing="plans:0",
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _manifest(self) -> _Manifest:
        path = self.root / "MANIFEST.json"
        if path.exists():
            return _Manifest.from_json(path.read_text())
        pointer = self.root / "network" / "CURRENT"
        network = pointer.read_text().strip() if pointer.exists() else None
        parts = {
            schema.name: tuple(
                p.name for p in sorted((self.root / "history" / schema.name).glob("part-*.parquet"))
            )
            for schema in (DEMAND, DELIVERIES)
        }
        return _Manifest(network, parts)

    def version(self) -> str:
        """The directory version: the live manifest (its network version folder and
        history parts change on every write), so equal means unchanged. Plans are
        not part of it: no cached read depends on them."""
        return self._version.get()

    def _read_version(self) -> str:
        digest = hashlib.blake2b(self._manifest().to_json().encode(), digest_size=8)
        return f"embedded:{digest.hexdigest()}"

    def _read_network(self, manifest: _Manifest) -> Network:
        if manifest.network is None:
            return Network()
        version = self.root / "network" / manifest.network
        if not version.is_dir():  # the live version vanished: a broken store, not an empty one
            raise FileNotFoundError(f"the live network version {version} is missing")
        # A version written before a table existed has no file for it: an empty table.
        files = {name: version / f"{name}.parquet" for name in TABLES}
        frames = {name: pd.read_parquet(path) for name, path in files.items() if path.exists()}
        return Network.from_frames(frames)

    def upsert_network(self, network: Network) -> dict[str, int]:
        return self.import_bundle(network, None, None)

    def import_bundle(
        self, network: Network, demand: pd.DataFrame | None, deliveries: pd.DataFrame | None
    ) -> dict[str, int]:
        """Upsert a network and append histories as one write; see ``GraphStore``."""
        with self._locked():
            manifest = self._manifest()
            stored = self._read_network(manifest)
            merged = stored.merge(network) if network.counts() != Network().counts() else stored
            histories = {
                schema.name: checked_history(frame, schema, merged)
                for schema, frame in ((DEMAND, demand), (DELIVERIES, deliveries))
                if frame is not None and len(frame)
            }
            staged = self._stage(manifest, merged if merged is not stored else None, histories)
            self._commit(staged)
        counts = network.counts()
        return counts | {name: len(frame) for name, frame in histories.items()}

    def _stage(
        self, manifest: _Manifest, network: Network | None, histories: dict[str, pd.DataFrame]
    ) -> _Manifest:
        """Write the new files beside the live ones; returns the manifest listing them."""
        parts = dict(manifest.parts)
        for name, frame in histories.items():
            folder = self.root / "history" / name
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"part-{_next_number(folder, _PART):06d}.parquet"
            _write_file(target, functools.partial(_write_parquet, frame))
            parts[name] = (*parts[name], target.name)
        version = manifest.network
        if network is not None:
            version = self._write_network(network)
        return replace(manifest, network=version, parts=parts)

    def _write_network(self, network: Network) -> str:
        base = self.root / "network"
        base.mkdir(parents=True, exist_ok=True)
        target = base / f"v{_next_number(base, _VERSION):06d}"
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=base))
        try:
            for name in TABLES:
                network.frame(name).to_parquet(staging / f"{name}.parquet", index=False)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target.name

    def _commit(self, manifest: _Manifest) -> None:
        """Make ``manifest`` live with one ``os.replace``, then drop what it no longer lists."""
        _atomic_write_text(self.root / "MANIFEST.json", manifest.to_json())
        base = self.root / "network"
        if base.exists():
            for stale in base.iterdir():
                if stale.name != manifest.network:
                    _remove(stale)
        for name, listed in manifest.parts.items():
            folder = self.root / "history" / name
            if folder.exists():
                for stale in folder.iterdir():
                    if stale.name not in listed:
                        _remove(stale)

    def snapshot(self, scope: Scope | None = None) -> Network:
        with self._locked():
            network = self._read_network(self._manifest())
        return network if scope is None else network.scoped(scope)

    def _read(self, schema: HistorySchema, scope: Scope | None) -> tuple[pd.DataFrame, Network]:
        with self._locked():
            manifest = self._manifest()
            folder = self.root / "history" / schema.name
            frames = [pd.read_parquet(folder / name) for name in manifest.parts[schema.name]]
            network = self._read_network(manifest) if scope is not None else Network()
        if not frames:
            return empty(schema), network
        frame = frames[0] if len(frames) == 1 else upsert(frames[0], pd.concat(frames[1:]), schema)
        return history_in_scope(frame, schema, network, scope), network

    def append_demand(self, frame: pd.DataFrame) -> int:
        return self.import_bundle(Network(), frame, None).get(DEMAND.name, 0)

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
        return self.import_bundle(Network(), None, frame).get(DELIVERIES.name, 0)

    def read_deliveries(self, scope: Scope | None = None) -> pd.DataFrame:
        frame, _ = self._read(DELIVERIES, scope)
        return frame

    def save_plan(self, plan: StoredPlan) -> None:
        if not _is_file_name(plan.id):
            raise ValidationFailed(
                [Problem("id", f"at most {MAX_PLAN_ID_BYTES} bytes, no '/' or NUL")], "plan"
            )
        with self._locked():
            folder = self.root / "plans"
            folder.mkdir(parents=True, exist_ok=True)
            _atomic_write_text(folder / f"{plan.id}.json", plan.model_dump_json())
            _atomic_write_text(folder / f"{plan.id}{INFO_SUFFIX}", plan.info().model_dump_json())
            _atomic_write_text(folder / PLANS_VERSION, str(self._plans_counter() + 1))

    def load_plan(self, plan_id: str) -> StoredPlan:
        path = self.root / "plans" / f"{plan_id}.json"
        if not _is_file_name(plan_id) or not path.exists():
            raise NotFound("plan", plan_id)
        return StoredPlan.model_validate_json(path.read_text())

    def list_plans(self, kind: str | None = None) -> list[PlanInfo]:
        """Read from each plan's header file; a plan saved before headers were kept (or
        whose header a crash cut off) is read whole."""
        folder = self.root / "plans"
        infos = []
        for path in folder.glob("*.json") if folder.exists() else []:
            header = path.with_name(path.name.removesuffix(".json") + INFO_SUFFIX)
            info = (
                PlanInfo.model_validate_json(header.read_text())
                if header.exists()
                else StoredPlan.model_validate_json(path.read_text()).info()
            )
            if kind is None or info.kind == kind:
                infos.append(info)
        return sorted(infos, key=lambda i: (i.created_at, i.id), reverse=True)

    def plans_version(self) -> str:
        return self._plans_version.get()

    def _plans_counter(self) -> int:
        """Bumped by every plan saved (a folder's mtime can repeat within a clock tick)."""
        try:
            return int((self.root / "plans" / PLANS_VERSION).read_text())
        except FileNotFoundError:
            return 0

    def close(self) -> None:
        """Nothing stays open between calls."""


def _atomic_write_text(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.tmp")
    with open(staging, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)


def _is_file_name(plan_id: str) -> bool:
    """Whether ``plan_id`` can name a file in the plans folder."""
    return (
        0 < len(plan_id.encode()) <= MAX_PLAN_ID_BYTES
        and "/" not in plan_id
        and "\0" not in plan_id
        and plan_id not in (".", "..")
    )


def _next_number(folder: Path, pattern: re.Pattern[str]) -> int:
    """One past the highest number any entry of ``folder`` carries, listed or stray."""
    numbers = [int(m[1]) for p in folder.iterdir() if (m := pattern.match(p.name))]
    return max(numbers, default=0) + 1


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def _write_file(target: Path, write: Callable[[Path], object]) -> None:
    """Write through a hidden temporary name, so ``target`` appears only once complete."""
    staging = target.with_name(f".{target.name}.tmp")
    try:
        write(staging)
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
