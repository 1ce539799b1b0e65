"""The model store: trained checkpoints kept beside the graph store, one file per kind.

``<SUPPLYNET_DATA>/models/<kind>.pt`` unless a caller names a file. Writes go to a
partial file first and replace the old checkpoint at once, so a crash never leaves
half a model behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from supplynet.graph.errors import NotFound
from supplynet.graph.open_store import StoreSettings

if TYPE_CHECKING:
    from supplynet.gnn.training import Checkpoint


@dataclass(frozen=True)
class ModelStore:
    """Checkpoints under ``root``."""

    root: Path

    @classmethod
    def beside(cls, store: StoreSettings | None = None) -> ModelStore:
        """The model store of the configured graph store."""
        return cls((store or StoreSettings()).data_dir / "models")

    def path(self, kind: str, given: Path | None = None) -> Path:
        return given if given is not None else self.root / f"{kind}.pt"

    def exists(self, kind: str, given: Path | None = None) -> bool:
        return self.path(kind, given).exists()

    def save(self, kind: str, checkpoint: Checkpoint, given: Path | None = None) -> Path:
        path = self.path(kind, given)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".partial")
        partial.write_bytes(checkpoint.to_bytes())
        partial.replace(path)
        return path

    def load_bytes(self, kind: str, given: Path | None = None) -> bytes:
        """Raises ``NotFound`` when there is no checkpoint (train one first)."""
        path = self.path(kind, given)
        if not path.exists():
            raise NotFound(f"{kind} model checkpoint", f"{path} (run: supplynet train {kind})")
        return path.read_bytes()

    def load(self, kind: str, given: Path | None = None) -> Checkpoint:
        from supplynet.gnn.training import Checkpoint

        return Checkpoint.from_bytes(self.load_bytes(kind, given))
