"""Demand GNN training and inference time on the CPU vs the GPU, same data and epochs.

Early stopping is off (patience = epochs) so every device runs the same number of
epochs; the CPU uses ``--threads`` threads (2 mirrors the development machine). The
GPU row appears only where CUDA is available. ``wide`` is a bigger daily network
(about 3,000 series) to show how the cost scales with the number of series.

    .venv/bin/python bench/gnn_device.py [--presets demo wide] [--epochs 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import torch

from supplynet.gnn.demand_forecaster import forecast_demand, train_demand
from supplynet.gnn.demand_model import DemandConfig
from supplynet.gnn.training import TrainConfig
from supplynet.graph.synthetic import PRESETS, Preset, generate

WIDE = dataclasses.replace(
    PRESETS["demo"],
    name="wide",
    regions=4,
    suppliers=10,
    warehouses=6,
    stores=80,
    skus=60,
    categories=6,
    assortment=0.5,
)
BENCH_PRESETS: dict[str, Preset] = {"demo": PRESETS["demo"], "wide": WIDE}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--presets", nargs="+", default=["demo", "wide"], choices=sorted(BENCH_PRESETS)
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="inference repeats (median)")
    parser.add_argument("--stride", type=int, default=2, help="periods between training origins")
    parser.add_argument(
        "--gpu-only",
        nargs="*",
        default=[],
        metavar="PRESET",
        help="presets to train on the GPU alone (no CPU baseline)",
    )
    args = parser.parse_args()
    available = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    print(
        f"torch {torch.__version__}, GPU: {gpu}, CPU threads {args.threads}, "
        f"{args.epochs} epochs, no early stopping"
    )
    header = (
        f"{'preset':8s} {'series':>7s} {'device':6s} {'train_s':>8s} {'s/epoch':>8s} "
        f"{'speedup':>8s} {'val_loss':>9s} {'infer_s':>8s}"
    )
    print(header)
    for name in args.presets:
        dataset = generate(BENCH_PRESETS[name], seed=0)
        series = len(dataset.truth.series)
        baseline = None
        devices = ["cuda"] if name in args.gpu_only and "cuda" in available else available
        for device in devices:
            training = TrainConfig(
                epochs=args.epochs,
                patience=args.epochs,
                device=device,
                threads=args.threads,
                seed=0,
            )
            started = time.perf_counter()
            model = train_demand(
                dataset.network, dataset.demand, DemandConfig(), training, stride=args.stride
            )
            train_s = time.perf_counter() - started
            if device == "cpu":
                baseline = train_s
            speedup = baseline / train_s if baseline else float("nan")
            infer = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                forecast_demand(model, dataset.network, dataset.demand)
                infer.append(time.perf_counter() - started)
            report = model.report
            assert report is not None
            print(
                f"{name:8s} {series:7d} {device:6s} {train_s:8.1f} "
                f"{train_s / len(report.train_loss):8.2f} {speedup:7.1f}x "
                f"{report.best_val_loss:9.4f} {statistics.median(infer):8.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
