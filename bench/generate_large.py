"""Generation time and peak memory of the ``large`` preset, and byte-identical reruns.

Each run happens in a fresh subprocess (so peak RSS is that run's own), generates the
preset, and writes every table and history as Parquet. The two runs with the same
seed must produce identical files (compared by SHA-256).

    .venv/bin/python bench/generate_large.py [--preset large] [--seed 1] [--runs 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from supplynet.graph.network import TABLES
from supplynet.graph.synthetic import generate


def one_run(preset: str, seed: int, out: Path) -> dict[str, float]:
    started = time.perf_counter()
    dataset = generate(preset, seed=seed)
    generated = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        dataset.network.frame(name).to_parquet(out / f"{name}.parquet", index=False)
    dataset.demand.to_parquet(out / "demand.parquet", index=False)
    dataset.deliveries.to_parquet(out / "deliveries.parquet", index=False)
    return {
        "generate_s": generated,
        "write_s": time.perf_counter() - started - generated,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "demand_rows": float(len(dataset.demand)),
        "series": float(len(dataset.truth.series)),
        **{f"n_{k}": float(v) for k, v in dataset.network.counts().items()},
    }


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.preset, args.seed, args.child)))
        return
    results, folders = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            folder = Path(tmp) / f"run{run}"
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--preset",
                    args.preset,
                    "--seed",
                    str(args.seed),
                    "--child",
                    str(folder),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
            folders.append(digests(folder))
        identical = all(d == folders[0] for d in folders[1:])
    first = results[0]
    print(f"preset {args.preset!r} seed {args.seed}, {args.runs} runs in fresh processes")
    print(
        "  network: "
        + ", ".join(f"{k[2:]} {int(v):,}" for k, v in first.items() if k.startswith("n_"))
    )
    print(f"  demand rows {int(first['demand_rows']):,} over {int(first['series']):,} series")
    for key in ("generate_s", "write_s", "peak_rss_mib"):
        values = [r[key] for r in results]
        print(
            f"  {key:14s} median {statistics.median(values):9.2f}   runs "
            + " ".join(f"{v:.2f}" for v in values)
        )
    print(f"  identical files across runs: {identical} ({len(folders[0])} files)")
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
