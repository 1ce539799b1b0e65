"""Load on a running ``supplynet serve``: light calls, then light calls beside plans.

Phases (asyncio client on uvloop; the C concurrent clients are ``--clients`` channels,
each its own TCP connection, as separate users are, not streams of one connection):
1. The two light calls the issue names, each N times at concurrency C on an idle
   server, ``--repeats`` runs: ``GetNode`` of a random node and ``ForecastDemand`` of
   one random (store, SKU) series with a baseline model. Then the same from the Go
   client (``bench/loadclient``, built here when ``go`` is on the PATH): ~0.1 ms of CPU
   per call against the asyncio client's ~0.25 ms (and ghz's ~0.3 ms: it builds each
   request from JSON), so on 2 shared cores it leaves the server what clients on other
   machines would.
2. ``RecommendSkus`` N times at concurrency C, ``--repeats`` runs, the three uses mixed:
   a closed loop (each client sends when its last call answered), so the server runs
   saturated and latency is about C / throughput (issue #20's target: p99 < 20 ms, 0
   errors). Then latency against offered load: an open loop at each of ``--rates`` total
   calls/s, C clients with Poisson arrivals sending whether or not their earlier calls
   answered, and the highest of those rates with p99 < 20 ms. Then the closed loop from
   the Go client: on 2 cores the asyncio client takes half as much CPU per call as the
   server, which clients on other machines would not. The number of distinct requests
   is printed: the server keeps the answers of a recommender (``KEPT_ANSWERS``), so a
   question asked again costs less than a new one; so the Go client's closed loop runs
   three times: with the mix above (need date unset, so repeated questions), with the
   same mix on need dates spread over a year (a substitute's answer depends on the shelf
   stock that day, so it is answered anew; a listing's or an alternate supplier's is the
   same on any date, so the server keeps one for every date) and with substitutes only,
   every one new (the most work per call).
3. P concurrent ``StartPlan`` operations watched to the end, with both light calls
   running beside them (latency under solve load). A StartPlan refused for the server's
   operation limit (RESOURCE_EXHAUSTED) waits the RetryInfo delay and asks again, as a
   real client does; refusals are counted apart from errors.
Each row gives the server's CPU time per call (all its server processes, not its job
workers) when the bench spawned the server (``--processes`` of them sharing the port) or
``--server-pid`` names them.
A health probe runs every 200 ms throughout. Targets: 0 errors, p99 < 50 ms for both light
calls (median of the runs) from the Go or the asyncio client, idle and beside the plans,
health SERVING throughout. On 2 cores the client takes a share of the CPU: both clients'
rows are printed.

Usage (the result file gets the commit and the load average at start and end)::

    flock /tmp/supplynet-bench.lock .venv/bin/python bench/grpc_load.py \
        --out bench/results/grpc_load.txt                                      # spawns a server
    .venv/bin/python bench/grpc_load.py --target 127.0.0.1:50051 --token T     # existing one

Without ``--target`` it generates the demo network (seed 0) into a temporary embedded
store, trains a recommender (``--recommend-epochs``, latency does not depend on them)
and starts ``supplynet serve`` (one server process, the default; ``--processes``) on a
free port for the run. A server given by ``--target`` needs a trained recommender for
the RecommendSkus phase (else it is skipped).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import gc
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import grpc
import numpy as np
import uvloop
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from spawned_serve import Served, cpu_seconds, spawned_serve_process

from supplynet.graph.embedded import EmbeddedStore
from supplynet.server.rpc.status import unpack_status
from supplynet.v1 import (
    common_pb2,
    forecast_pb2,
    forecast_pb2_grpc,
    network_pb2,
    network_pb2_grpc,
    operation_pb2,
    recommendation_pb2,
    recommendation_pb2_grpc,
    replenishment_pb2,
    replenishment_pb2_grpc,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Sample:
    """Latencies (ms) and errors of one phase."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    server_cpu_s: float | None = None
    """CPU time of the server process during the phase (a spawned server only)."""
    lags: list[float] = field(default_factory=list)
    """Open loop only: how late (ms) each call left after its planned time."""

    async def time(self, call: Awaitable[object]) -> None:
        began = time.perf_counter()
        try:
            await call
        except grpc.RpcError as error:
            code = error.code().name  # type: ignore[attr-defined]
            self.errors[code] = self.errors.get(code, 0) + 1
            return
        self.latencies.append((time.perf_counter() - began) * 1000)

    def row(self) -> list[str]:
        values = np.array(self.latencies) if self.latencies else np.array([np.nan])
        count = len(self.latencies) + sum(self.errors.values())
        return [
            self.name,
            str(count),
            str(sum(self.errors.values())),
            f"{np.percentile(values, 50):.1f}",
            f"{np.percentile(values, 99):.1f}",
            f"{values.max():.1f}",
            f"{count / self.wall_s:.0f}" if self.wall_s else "-",
            f"{self.server_cpu_s / count * 1e6:.0f}" if self.server_cpu_s and count else "-",
        ]


Call = Callable[[int, int], Coroutine[Any, Any, None]]
"""One timed call: ``call(index, client)``, ``client`` picking the channel it goes over."""


async def run_concurrently(count: int, concurrency: int, call: Call) -> None:
    """Closed loop: ``concurrency`` clients, each sending its next call when the last one
    answered, ``count`` calls in all."""
    queue = iter(range(count))

    async def worker(client: int) -> None:
        for index in queue:
            await call(index, client)

    await asyncio.gather(*(worker(client) for client in range(concurrency)))


async def open_loop(
    sample: Sample, rate: float, seconds: float, clients: int, call: Call, seed: int
) -> None:
    """Open loop: ``clients`` clients, each sending at Poisson arrivals of ``rate / clients``
    calls/s for ``seconds`` whether or not its earlier calls have answered (as independent
    users do); ``call`` times itself into ``sample``. ``sample.lags`` gets how late (ms) each
    call left after its planned time: the client's own lag; when it grows, the client, not
    the server, limits the row."""
    lags = sample.lags
    calls: list[asyncio.Task[None]] = []

    async def client(number: int) -> None:
        arrivals = random.Random(seed * 1000 + number)
        start = time.perf_counter()
        planned = start + arrivals.expovariate(rate / clients)
        index = 0
        while planned < start + seconds:
            await asyncio.sleep(max(0.0, planned - time.perf_counter()))
            sent = time.perf_counter()
            lags.append((sent - planned) * 1000)
            calls.append(asyncio.create_task(call(index, number)))
            index += 1
            planned += arrivals.expovariate(rate / clients)

    await asyncio.gather(*(client(number) for number in range(clients)))
    await asyncio.gather(*calls)


async def phase(
    sample: Sample, body: Awaitable[object], server_cpu: Callable[[], float] | None = None
) -> Sample:
    """Run ``body``, recording its wall time (and the server's CPU time when known)."""
    cpu = server_cpu() if server_cpu else 0.0
    began = time.perf_counter()
    await body
    sample.wall_s = time.perf_counter() - began
    if server_cpu is not None:
        sample.server_cpu_s = server_cpu() - cpu
    return sample


@dataclass
class Health:
    checks: int = 0
    not_serving: int = 0
    slowest_ms: float = 0.0

    async def probe(self, channel: grpc.aio.Channel, stop: asyncio.Event) -> None:
        stub = health_pb2_grpc.HealthStub(channel)
        while not stop.is_set():
            began = time.perf_counter()
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
                ok = reply.status == health_pb2.HealthCheckResponse.SERVING
            except grpc.RpcError:
                ok = False
            self.checks += 1
            self.not_serving += not ok
            self.slowest_ms = max(self.slowest_ms, (time.perf_counter() - began) * 1000)
            await asyncio.sleep(0.2)


async def node_ids(
    stub: network_pb2_grpc.NetworkServiceStub, metadata: list[tuple[str, str]]
) -> dict[str, list[str]]:
    """Node ids by kind (``supplier``, ``warehouse``, ``store``, ``sku``), every page."""
    ids: dict[str, list[str]] = {}
    token = ""
    while True:
        page = await stub.ListNodes(
            network_pb2.ListNodesRequest(page_size=1000, page_token=token), metadata=metadata
        )
        for node in page.nodes:
            ids.setdefault(str(node.WhichOneof("kind")), []).append(node.name.split("/", 1)[1])
        token = page.next_page_token
        if not token:
            return ids


SEPARATE_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]
"""Channels to one target otherwise share one connection (gRPC's global subchannel pool):
each client then gets its own TCP connection and HTTP/2 stream limits, as separate users do."""


async def load(
    args: argparse.Namespace,
    target: str,
    pairs: list[tuple[str, str]] | None = None,
    server_cpu: Callable[[], float] | None = None,
) -> int:
    """Run the phases; ``pairs`` lists the (store, SKU) series with history, when known;
    ``server_cpu`` reads the server process's CPU seconds, when known."""
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    async with contextlib.AsyncExitStack() as stack:
        channels = [
            await stack.enter_async_context(
                grpc.aio.insecure_channel(target, options=SEPARATE_CONNECTION)
            )
            for _ in range(args.clients)
        ]
        channel = channels[0]
        networks = [network_pb2_grpc.NetworkServiceStub(c) for c in channels]
        forecast_stubs = [forecast_pb2_grpc.ForecastServiceStub(c) for c in channels]
        plan_stubs = [replenishment_pb2_grpc.ReplenishmentServiceStub(c) for c in channels]
        recommenders = [recommendation_pb2_grpc.RecommendationServiceStub(c) for c in channels]
        network, forecasts = networks[0], forecast_stubs[0]
        ids = await node_ids(network, metadata)
        names = [f"nodes/{key}" for keys in ids.values() for key in keys]
        warehouses, stores, skus = ids["warehouse"], ids["store"], ids["sku"]
        rng = random.Random(args.seed)

        def forecast_request() -> forecast_pb2.ForecastDemandRequest:
            store, sku = rng.choice(pairs) if pairs else (rng.choice(stores), rng.choice(skus))
            return forecast_pb2.ForecastDemandRequest(
                scope=common_pb2.Scope(sku_ids=[sku]),
                store_ids=[store],
                horizon_days=14,
                model="seasonal_naive",
            )

        def node_request() -> network_pb2.GetNodeRequest:
            return network_pb2.GetNodeRequest(name=rng.choice(names))

        def recommend_request(
            use: int | None = None, need_date: str = ""
        ) -> recommendation_pb2.RecommendSkusRequest:
            """Any of the three uses: an alternate supplier is for a warehouse."""
            use = rng.choice(RECOMMEND_USES) if use is None else use
            alternate = use == recommendation_pb2.RECOMMENDATION_USE_ALTERNATE_SUPPLIER
            return recommendation_pb2.RecommendSkusRequest(
                sku_id=rng.choice(skus),
                store_id=rng.choice(warehouses if alternate else stores),
                use=use,  # type: ignore[arg-type]
                need_date=need_date,
            )

        def new_question(
            today: dt.date, use: int | None = None
        ) -> recommendation_pb2.RecommendSkusRequest:
            """A request on a need date up to a year ahead: a substitute there is almost
            never asked before in the run, so the server answers it anew (it keeps answers,
            ``KEPT_ANSWERS``); a listing or an alternate supplier is the same on any date."""
            day = today + dt.timedelta(days=rng.randrange(365))
            return recommend_request(use, need_date=day.isoformat())

        # untimed: the phases measure a server that has started. A light forecast waits
        # for the series index; one of every series is a job, which waits for the worker
        # pool's imports (a core busy for seconds after start-up)
        for stub in forecast_stubs:  # every connection: servers behind one port each index
            await stub.ForecastDemand(forecast_request(), metadata=metadata, timeout=300)
        every_series = forecast_pb2.ForecastDemandRequest(horizon_days=7, model="naive")
        await forecasts.ForecastDemand(every_series, metadata=metadata, timeout=300)
        # the client's own full garbage collections (its imports: ~0.5M objects) would
        # stall every call it has in flight: out of the collector's sight, as the server's
        gc.freeze()
        health = Health()
        stop = asyncio.Event()
        prober = asyncio.create_task(health.probe(channel, stop))

        def get_node(sample: Sample) -> Call:
            async def call(_: int, client: int) -> None:
                stub = networks[client % len(networks)]
                await sample.time(stub.GetNode(node_request(), metadata=metadata, timeout=10))

            return call

        def forecast(sample: Sample) -> Call:
            async def call(_: int, client: int) -> None:
                stub = forecast_stubs[client % len(forecast_stubs)]
                request = forecast_request()
                await sample.time(stub.ForecastDemand(request, metadata=metadata, timeout=10))

            return call

        def recommend(sample: Sample) -> Call:
            async def call(_: int, client: int) -> None:
                stub = recommenders[client % len(recommenders)]
                request = recommend_request()
                await sample.time(stub.RecommendSkus(request, metadata=metadata, timeout=10))

            return call

        light: dict[str, list[Sample]] = {}
        for method, calls in (("GetNode", get_node), ("ForecastDemand, 1 series", forecast)):
            for repeat in range(1, args.repeats + 1):
                run = Sample(f"{method}, run {repeat}")
                body = run_concurrently(args.light, args.concurrency, calls(run))
                await phase(run, body, server_cpu)
                print(" ".join(run.row()), flush=True)
                light.setdefault(f"{method}, asyncio client", []).append(run)
        recommended: list[Sample] = []
        curve: list[tuple[float, Sample]] = []
        today = dt.date.today()
        try:  # untimed: the first call of each use builds its recommender, over every
            # connection (servers behind one port each build their own)
            for use in RECOMMEND_USES:
                for stub in recommenders:
                    request = recommend_request(use)
                    reply = await stub.RecommendSkus(request, metadata=metadata, timeout=300)
                    today = dt.date.fromisoformat(reply.need_date)
        except grpc.RpcError as error:
            print(f"RecommendSkus skipped: {error.code().name} (no recommender trained?)")  # type: ignore[attr-defined]
        else:
            for repeat in range(1, args.repeats + 1):
                run = Sample(f"RecommendSkus, run {repeat}")
                body = run_concurrently(args.light, args.concurrency, recommend(run))
                await phase(run, body, server_cpu)
                print(" ".join(run.row()), flush=True)
                recommended.append(run)
            for rate in args.rates:
                run = Sample(f"RecommendSkus, open loop {rate:.0f}/s")
                body = open_loop(
                    run, rate, args.curve_seconds, args.concurrency, recommend(run), args.seed
                )
                await phase(run, body, server_cpu)
                print(" ".join(run.row()), flush=True)
                curve.append((rate, run))
                if run.errors or np.median(run.latencies or [np.inf]) > 20:
                    break  # past saturation: higher rates only pile up calls until shed
        recommended_go: list[Sample] = []
        recommended_new: list[Sample] = []
        substitutes_new: list[Sample] = []
        go_client = load_client()
        if go_client is not None:
            nodes = [node_request() for _ in range(args.light)]
            series = [forecast_request() for _ in range(args.light)]
            for method, requests, runs in (
                ("GetNode", nodes, light.setdefault(f"GetNode, {GO_CLIENT}", [])),
                ("ForecastDemand", series, light.setdefault(f"ForecastDemand, {GO_CLIENT}", [])),
            ):
                for repeat in range(1, args.repeats + 1):
                    name = f"{method}, {GO_CLIENT}, run {repeat}"
                    runs.append(
                        await go_phase(go_client, args, target, method, name, requests, server_cpu)
                    )
            if recommended:
                asked = [recommend_request() for _ in range(args.light)]
                distinct = len({r.SerializeToString(deterministic=True) for r in asked})
                print(f"RecommendSkus from the Go client: {distinct} distinct requests of "
                      f"{args.light} (need date unset: today), the same in every run")  # fmt: skip
                for repeat in range(1, args.repeats + 1):
                    name = f"RecommendSkus, {GO_CLIENT}, run {repeat}"
                    recommended_go.append(
                        await go_phase(go_client, args, target, "RecommendSkus", name, asked,
                                       server_cpu)
                    )  # fmt: skip
                substitute = recommendation_pb2.RECOMMENDATION_USE_SUBSTITUTE
                for kept, use in ((recommended_new, None), (substitutes_new, substitute)):
                    for repeat in range(1, args.repeats + 1):
                        asking = "new dates" if use is None else "new substitutes"
                        name = f"RecommendSkus, {asking}, {GO_CLIENT}, run {repeat}"
                        fresh = [new_question(today, use) for _ in range(args.light)]
                        kept.append(
                            await go_phase(go_client, args, target, "RecommendSkus", name,
                                           fresh, server_cpu)
                        )  # fmt: skip

        planned = Sample("plan asked -> done, retries included")
        busy = Sample("GetNode + ForecastDemand, during plans")
        states: dict[str, int] = {}
        refusals: list[float] = []
        plans_done = asyncio.Event()

        async def plan(index: int, client: int) -> None:
            plans = plan_stubs[client % len(plan_stubs)]

            request = replenishment_pb2.StartPlanRequest(
                scope=common_pb2.Scope(warehouse_ids=[warehouses[index % len(warehouses)]]),
                horizon_days=28,
                forecast_model="seasonal_naive",
                time_limit_seconds=args.plan_time_limit,
            )

            async def start_and_watch() -> None:
                started = await start_politely(plans, request)
                watch = replenishment_pb2.WatchOperationRequest(name=started.name)
                last = started
                async for update in plans.WatchOperation(watch, metadata=metadata, timeout=900):
                    last = update
                state = operation_pb2.OperationState.Name(last.metadata.state)
                states[state] = states.get(state, 0) + 1
                if last.metadata.state != operation_pb2.OPERATION_STATE_SUCCEEDED:
                    raise RuntimeError(f"{started.name} ended {state}")

            try:
                await planned.time(start_and_watch())
            except RuntimeError:
                planned.errors["NOT_SUCCEEDED"] = planned.errors.get("NOT_SUCCEEDED", 0) + 1

        async def start_politely(
            plans: replenishment_pb2_grpc.ReplenishmentServiceStub,
            request: replenishment_pb2.StartPlanRequest,
        ) -> operation_pb2.Operation:
            """StartPlan as a real client sends it: refused for the operation limit
            (RESOURCE_EXHAUSTED), it waits the RetryInfo delay and asks again."""
            while True:
                try:
                    return await plans.StartPlan(request, metadata=metadata, timeout=30)
                except grpc.RpcError as error:
                    delay = retry_delay(error)
                    if delay is None:
                        raise
                    refusals.append(delay)
                    await asyncio.sleep(delay)

        async def light_while_planning() -> None:
            nodes, series = get_node(busy), forecast(busy)

            async def either(index: int, client: int) -> None:
                await (nodes if index % 2 else series)(index, client)

            while not plans_done.is_set():
                await run_concurrently(args.concurrency, args.concurrency, either)
                await asyncio.sleep(0.05)

        async def all_plans() -> None:
            await run_concurrently(args.plans, args.plans, plan)
            plans_done.set()

        beside = asyncio.create_task(phase(busy, light_while_planning()))
        await phase(planned, all_plans())
        await beside
        stop.set()
        await prober

    samples = [
        *(run for runs in light.values() for run in runs),
        *recommended,
        *recommended_go,
        *recommended_new,
        *substitutes_new,
        *(run for _, run in curve),
        busy,
        planned,
    ]
    table = [
        ["phase", "calls", "errors", "p50 ms", "p99 ms", "max ms", "calls/s", "server us/call"]
    ]
    table += [s.row() for s in samples]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for row in table:
        print(
            "  ".join(
                cell.rjust(w) if i else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    light_p99 = {name: median_p99(runs) for name, runs in light.items()}
    print()
    for name, p99 in light_p99.items():
        print(f"p99, median of {args.repeats} runs, {name}: {p99:.1f} ms")
    recommend_ok = False
    for client, runs in (
        ("the three uses, asyncio client", recommended),
        ("the three uses, " + GO_CLIENT, recommended_go),
        (
            "the three uses on need dates over a year (a substitute answered anew, a listing "
            "or an alternate supplier the same on any date), " + GO_CLIENT,
            recommended_new,
        ),
        ("substitutes only, every one new (need dates over a year), " + GO_CLIENT, substitutes_new),
    ):
        if not runs:
            continue
        recommend_p99 = median_p99(runs)
        recommend_errors = sum(sum(run.errors.values()) for run in runs)
        met = recommend_p99 < 20 and recommend_errors == 0
        recommend_ok = recommend_ok or met
        print(
            f"p99, median of {args.repeats} runs, RecommendSkus ({client}), "
            f"closed loop at {args.concurrency} concurrent on {args.clients} connections "
            f"(saturation): {recommend_p99:.1f} ms, {recommend_errors} errors; target (#20) "
            f"p99 < 20 ms, 0 errors: {'met' if met else 'NOT met'}"
        )
    if recommended:
        print_curve(curve, args.concurrency)
    busy_p99 = float(np.percentile(busy.latencies, 99)) if busy.latencies else float("nan")
    print(f"light calls during plans: p99 {busy_p99:.1f} ms (target < 50 ms)")
    print(f"plan outcomes: {states}")
    print(
        f"plan starts refused for the operation limit, then retried after the server's "
        f"RetryInfo delay: {len(refusals)}"
        + (f" (delays {min(refusals):.1f}-{max(refusals):.1f} s)" if refusals else "")
    )
    for sample in samples:
        if sample.errors:
            print(f"errors in {sample.name}: {sample.errors}")
    print(
        f"health: {health.checks} checks, {health.not_serving} not SERVING, "
        f"slowest {health.slowest_ms:.1f} ms"
    )
    errors = sum(sum(s.errors.values()) for s in samples)
    clients = sorted({name.rpartition(", ")[2] for name in light_p99})
    fast = {
        client: all(p99 < 50 for name, p99 in light_p99.items() if name.endswith(client))
        for client in clients
    }
    for client, ok in fast.items():
        print(f"both light calls p99 < 50 ms from the {client}: {'yes' if ok else 'no'}")
    verdict = (
        errors == 0
        and any(fast.values())
        and busy_p99 < 50
        and recommend_ok
        and health.not_serving == 0
    )
    met = "met" if verdict else "NOT met"
    print(
        "targets (0 errors; GetNode and one-series ForecastDemand p99 < 50 ms from the Go or the "
        "asyncio client, as the issue allows, idle and during the plans; RecommendSkus p99 "
        f"< 20 ms from either; health SERVING throughout): {met}"
    )
    return 0 if verdict else 1


RECOMMEND_USES = (
    recommendation_pb2.RECOMMENDATION_USE_SUBSTITUTE,
    recommendation_pb2.RECOMMENDATION_USE_LISTING,
    recommendation_pb2.RECOMMENDATION_USE_ALTERNATE_SUPPLIER,
)


def print_curve(curve: list[tuple[float, Sample]], clients: int) -> None:
    """RecommendSkus latency against offered load, and the highest load under 20 ms p99."""
    print(
        f"RecommendSkus latency vs offered load (open loop: {clients} clients on separate "
        "connections, Poisson arrivals; latency from when the call left the client):"
    )
    print("  offered/s  calls  errors  p50 ms  p99 ms  client lag p99 ms  server us/call")
    under = [rate for rate, run in curve if not run.errors and run.latencies
             and np.percentile(run.latencies, 99) < 20]  # fmt: skip
    for rate, run in curve:
        _, calls, errors, p50, p99, _, _, cpu = run.row()
        lag = np.percentile(run.lags, 99) if run.lags else float("nan")
        print(f"  {rate:9.0f}  {calls:>5}  {errors:>6}  {p50:>6}  {p99:>6}  {lag:17.1f}  {cpu:>14}")
    print(
        "highest offered load with p99 < 20 ms and 0 errors: "
        + (f"{max(under):.0f} calls/s" if under else "none of those tried")
        + f" (tried {', '.join(f'{rate:.0f}' for rate, _ in curve)}; the curve stops at "
        "the first rate with errors or a median over 20 ms: the server is saturated there, "
        "and with thousands of calls waiting gRPC itself cancels some)"
    )


def retry_delay(error: grpc.RpcError) -> float | None:
    """The RetryInfo delay (s) of a RESOURCE_EXHAUSTED refusal; ``None`` for other errors."""
    if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:  # type: ignore[attr-defined]
        return None
    status = unpack_status(error.trailing_metadata())  # type: ignore[attr-defined]
    for packed in status.details if status is not None else ():
        info = error_details_pb2.RetryInfo()
        if packed.Unpack(info):
            return float(info.retry_delay.ToTimedelta().total_seconds())
    return None


def median_p99(samples: list[Sample]) -> float:
    return float(np.median([np.percentile(s.latencies or [np.nan], 99) for s in samples]))


GO_CLIENT = "Go client"
GO_METHODS = {
    "GetNode": "/supplynet.v1.NetworkService/GetNode",
    "ForecastDemand": "/supplynet.v1.ForecastService/ForecastDemand",
    "RecommendSkus": "/supplynet.v1.RecommendationService/RecommendSkus",
}


def load_client() -> Path | None:
    """Build ``bench/loadclient`` into ``.tools/`` (Go's build cache makes a rebuild a
    second); ``None`` without Go, and the Go rows are left out."""
    go = shutil.which("go")
    if go is None:
        print("Go client rows left out: no go on the PATH")
        return None
    binary = ROOT / ".tools" / "loadclient"
    subprocess.run(
        [go, "build", "-o", str(binary), "."], cwd=ROOT / "bench" / "loadclient", check=True
    )
    return binary


async def go_phase(
    client: Path,
    args: argparse.Namespace,
    target: str,
    method: str,
    name: str,
    requests: Sequence[Message],
    server_cpu: Callable[[], float] | None = None,
) -> Sample:
    """The same closed loop from the Go client: ``requests`` round-robin, ``--concurrency``
    callers over ``--clients`` connections, each opened by an untimed first call (as the
    asyncio client's are open before its timed phases)."""
    with tempfile.NamedTemporaryFile(prefix="supplynet-requests-", suffix=".bin") as file:
        for request in requests:
            payload = request.SerializeToString()
            file.write(len(payload).to_bytes(4, "big") + payload)
        file.flush()
        command = [
            str(client), "-target", target, "-method", GO_METHODS[method],
            "-requests", file.name, "-n", str(args.light), "-c", str(args.concurrency),
            "-connections", str(args.clients), "-cpus", str(args.go_cpus),
        ]  # fmt: skip
        env = {**os.environ, "SUPPLYNET_TOKEN": args.token or ""}
        cpu = server_cpu() if server_cpu else 0.0
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, env=env
        )
        out, _ = await process.communicate()
        server_cpu_s = server_cpu() - cpu if server_cpu else None
    if process.returncode != 0:
        raise RuntimeError(f"the Go client failed on {method} (exit {process.returncode})")
    report = json.loads(out)
    sample = Sample(
        name,
        latencies=list(report["latencies_ms"] or []),
        errors=dict(report["errors"]),
        wall_s=report["wall_s"],
        server_cpu_s=server_cpu_s,
    )
    print(" ".join(sample.row()), flush=True)
    return sample


@contextmanager
def spawned_server(
    workers: int, processes: int, recommend_epochs: int = 0
) -> Iterator[tuple[Served, list[tuple[str, str]]]]:
    """Generate the demo network into a temporary store and serve it on a free port;
    with ``recommend_epochs``, train a recommender first."""
    with tempfile.TemporaryDirectory(prefix="supplynet-bench-") as data:
        env = {**os.environ, "SUPPLYNET_DATA": data}
        env.pop("NEO4J_URI", None)
        cli = [sys.executable, "-m", "supplynet.server.cli"]
        subprocess.run(
            [*cli, "generate", "--preset", "demo", "--seed", "0"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        if recommend_epochs:
            subprocess.run(
                [*cli, "train", "recommend", "--epochs", str(recommend_epochs)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        with spawned_serve_process(data, workers, processes) as served:
            demand = EmbeddedStore(data).read_demand()
            pairs = demand[["store_id", "sku_id"]].drop_duplicates().itertuples(index=False)
            yield served, [(str(a), str(b)) for a, b in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", help="host:port of a running server (default: spawn one)")
    parser.add_argument("--token", default=os.environ.get("SUPPLYNET_TOKEN"))
    parser.add_argument(
        "--server-pid",
        type=int,
        nargs="+",
        help="process ids of the --target server (every server process of it), for its CPU "
        "time per call (same host)",
    )
    parser.add_argument(
        "--light",
        type=int,
        default=6000,
        help="calls per light-call run (default 6000: the p99 of 2,000 rests on the 20 "
        "slowest and moved by about 3 ms from run to run)",
    )
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients")
    parser.add_argument(
        "--clients",
        type=int,
        default=50,
        help="channels (each its own connection) the concurrent calls spread over (default 50)",
    )
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        default=[250.0, 500.0, 750.0, 1000.0, 1250.0, 1500.0, 1750.0, 2000.0],
        help="total offered RecommendSkus calls/s of the open-loop curve, rising "
        "(default 250,500,750,...,2000; it stops past saturation)",
    )
    parser.add_argument(
        "--curve-seconds", type=float, default=4.0, help="seconds per open-loop rate (default 4)"
    )
    parser.add_argument("--plans", type=int, default=20, help="concurrent plan requests")
    parser.add_argument("--plan-time-limit", type=float, default=10.0)
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes of a spawned server"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes of a spawned server, sharing its port (serve --processes; "
        "default 1, the server's own default: with the client on the same 2 cores a second "
        "process gave longer tails, see bench/results/grpc_load_2_processes.txt)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--recommend-epochs",
        type=int,
        default=10,
        help="epochs of the spawned server's recommender (default 10; 0: no RecommendSkus)",
    )
    parser.add_argument("--out", type=Path, help="also write the output to this file")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each light-call phase")
    parser.add_argument(
        "--go-cpus",
        type=int,
        default=1,
        help="cores the Go client may use (default 1: on 2 cores, the other one is the server's)",
    )
    args = parser.parse_args()
    printed = io.StringIO()
    with contextlib.redirect_stdout(Tee(sys.stdout, printed)):
        code = run(args)
    if args.out is not None:
        args.out.write_text(printed.getvalue())
    return code


def run(args: argparse.Namespace) -> int:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# bench/grpc_load.py {' '.join(sys.argv[1:])} at {commit}, {when}")
    print(f"# load average at start {os.getloadavg()[0]:.1f} (2 cores shared with other work)")
    print(
        f"grpc_load: {args.repeats} x {args.light} GetNode, one-series forecasts and "
        f"RecommendSkus at concurrency {args.concurrency}, {args.plans} concurrent plans"
    )
    if args.target:
        pids = args.server_pid
        cpu = None if pids is None else functools.partial(cpu_seconds, *pids)
        code = uvloop.run(load(args, args.target, server_cpu=cpu))
    else:
        with spawned_server(args.workers, args.processes, args.recommend_epochs) as (
            served,
            pairs,
        ):
            print(
                f"spawned supplynet serve on {served.target} (demo network, seed 0, "
                f"{args.workers} workers, {args.processes} server processes)"
            )
            cpu = functools.partial(cpu_seconds, *served.pids)
            code = uvloop.run(load(args, served.target, pairs, cpu))
    print(f"# load average at end {os.getloadavg()[0]:.1f}")
    return code


class Tee(io.StringIO):
    """Writes go to every stream given (the terminal and the copy for ``--out``)."""

    def __init__(self, *streams: TextIO) -> None:
        super().__init__()
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


if __name__ == "__main__":
    sys.exit(main())
