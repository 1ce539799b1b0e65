"""Long-running operations (AIP-151): start -> id; status and result; progress stream; cancel.

An operation wraps one coroutine (typically a job in a child process). Operations
live in the server's memory: they survive their callers, not a restart; their
results (plans) are in the store. Cancelling an operation cancels its coroutine,
and the job runner kills the process doing the work. At most ``limit`` operations
are queued or running: one more is refused with ``Overloaded`` (RESOURCE_EXHAUSTED
with a RetryInfo), so 200 concurrent StartPlans cannot pile up requests and solves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2, status_pb2

from supplynet.graph.errors import NotFound, Overloaded, SupplynetError
from supplynet.server.app.progress import Progress
from supplynet.server.rpc.status import build_status, error_status, internal_status, request_id
from supplynet.v1 import operation_pb2

log = logging.getLogger("supplynet.rpc")

State = operation_pb2.OperationState
KEEP_DONE = 1000
"""Finished operations remembered for GetOperation; older ones are forgotten first."""
TICK_SECONDS = 0.5
"""How often a running operation's elapsed time (and watchers) are refreshed."""
MAX_ACTIVE = 16
"""Operations queued or running at once, unless the server is configured otherwise."""
RETRY_AFTER_S = 5.0
"""Retry hint when the limit is reached, before any operation has finished to time."""


@dataclass
class Operation:
    """One operation's mutable state; ``snapshot`` freezes it as a proto."""

    id: str
    time_limit: float
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    state: int = State.OPERATION_STATE_QUEUED
    progress: float = 0.0
    stage: str = "queued"
    objective: float | None = None
    plan_id: str | None = None
    error: status_pb2.Status | None = None
    updated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    started: float | None = None
    finished: float | None = None
    version: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    task: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return f"operations/{self.id}"

    @property
    def done(self) -> bool:
        return self.state in (
            State.OPERATION_STATE_SUCCEEDED,
            State.OPERATION_STATE_FAILED,
            State.OPERATION_STATE_CANCELLED,
        )

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    async def update(self, **changes: object) -> None:
        """Apply ``changes`` and wake every watcher."""
        for key, value in changes.items():
            setattr(self, key, value)
        self.updated = dt.datetime.now(dt.UTC)
        self.version += 1
        async with self.changed:
            self.changed.notify_all()

    def report(self, progress: Progress) -> None:
        """Progress callback of the job runner (called on the event loop)."""
        asyncio.get_running_loop().create_task(
            self.update(
                progress=max(self.progress, min(progress.fraction, 1.0)),
                stage=progress.stage,
                objective=progress.objective,
            )
        )

    def snapshot(self) -> operation_pb2.Operation:
        """The operation as clients see it now."""
        metadata = operation_pb2.OperationMetadata(
            state=self.state,  # type: ignore[arg-type]
            progress=self.progress,
            stage=self.stage,
            time_limit_seconds=self.time_limit,
            elapsed_seconds=round(self.elapsed, 3),
        )
        if self.objective is not None:
            metadata.objective = self.objective
        metadata.create_time.FromDatetime(self.created)
        metadata.update_time.FromDatetime(self.updated)
        message = operation_pb2.Operation(name=self.name, done=self.done, metadata=metadata)
        if self.plan_id is not None:
            message.plan = f"plans/{self.plan_id}"
        elif self.error is not None:
            message.error.CopyFrom(
                operation_pb2.OperationError(
                    code=self.error.code, reason=_reason(self.error), message=self.error.message
                )
            )
        return message


Work = Callable[[Operation], Awaitable[str]]
"""The operation's body: does the work, reports through the operation, returns a plan id."""


class Operations:
    """Every operation of one server, by id."""

    def __init__(self, limit: int = MAX_ACTIVE, prefix: str = "") -> None:
        self._operations: dict[str, Operation] = {}
        self.limit = limit
        self.prefix = prefix
        """Starts every id: the process's index when several serve one port."""

    def active(self) -> int:
        """Operations queued or running."""
        return sum(not op.done for op in self._operations.values())

    def start(self, work: Work, time_limit: float) -> Operation:
        """Create an operation and start ``work`` in the background.

        Raises
        ------
        Overloaded
            When ``limit`` operations are queued or running already.
        """
        if self.active() >= self.limit:
            raise Overloaded("operations", self.limit, self._retry_after())
        operation = Operation(id=f"{self.prefix}{uuid.uuid4().hex}", time_limit=time_limit)
        self._operations[operation.id] = operation
        operation.task = asyncio.get_running_loop().create_task(self._run(operation, work))
        self._forget_old()
        return operation

    async def _run(self, operation: Operation, work: Work) -> None:
        rid = request_id.get()
        await operation.update(state=State.OPERATION_STATE_RUNNING, stage="starting")
        operation.started = time.monotonic()
        ticker = asyncio.get_running_loop().create_task(self._tick(operation))
        try:
            plan_id = await work(operation)
        except asyncio.CancelledError:
            status = build_status(
                grpc.StatusCode.CANCELLED, "cancelled by request", "CANCELLED", {"request_id": rid}
            )
            await self._finish(operation, State.OPERATION_STATE_CANCELLED, error=status)
        except SupplynetError as error:
            await self._finish(
                operation, State.OPERATION_STATE_FAILED, error=error_status(error, rid)
            )
        except Exception:
            log.exception("operation %s failed unexpectedly", operation.id)
            await self._finish(operation, State.OPERATION_STATE_FAILED, error=internal_status(rid))
        else:
            await self._finish(operation, State.OPERATION_STATE_SUCCEEDED, plan_id=plan_id)
        finally:
            ticker.cancel()

    async def _finish(self, operation: Operation, state: int, **result: object) -> None:
        operation.finished = time.monotonic()
        progress = 1.0 if state == State.OPERATION_STATE_SUCCEEDED else operation.progress
        await operation.update(state=state, stage="done", progress=progress, **result)

    async def _tick(self, operation: Operation) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            await operation.update()

    def get(self, operation_id: str) -> Operation:
        """Raises ``NotFound`` for an unknown (or long forgotten) id."""
        try:
            return self._operations[operation_id]
        except KeyError:
            raise NotFound("operation", operation_id) from None

    async def watch(self, operation_id: str) -> AsyncIterator[operation_pb2.Operation]:
        """The operation now and after every change, ending with its final state."""
        operation = self.get(operation_id)
        seen = -1
        while True:
            async with operation.changed:
                while operation.version == seen:
                    await operation.changed.wait()
            seen = operation.version
            snapshot = operation.snapshot()
            yield snapshot
            if snapshot.done:
                return

    async def cancel(self, operation_id: str) -> Operation:
        """Cancel and wait until the work has stopped; a finished operation stays as it is."""
        operation = self.get(operation_id)
        if operation.task is not None and not operation.done:
            operation.task.cancel()
            await asyncio.wait({operation.task}, timeout=10)
        return operation

    async def close(self) -> None:
        """Cancel every running operation (server shutdown)."""
        running = [op.task for op in self._operations.values() if op.task and not op.task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=10)

    def _retry_after(self) -> float:
        """About when a slot frees: the shortest time left among running operations."""
        left = [
            op.time_limit - op.elapsed
            for op in self._operations.values()
            if not op.done and op.started is not None
        ]
        return max(1.0, min(left, default=RETRY_AFTER_S))

    def _forget_old(self) -> None:
        finished = [op for op in self._operations.values() if op.done]
        for operation in sorted(finished, key=lambda op: op.created)[
            : max(0, len(finished) - KEEP_DONE)
        ]:
            del self._operations[operation.id]


def _reason(status: status_pb2.Status) -> str:
    for packed in status.details:
        info = error_details_pb2.ErrorInfo()
        if packed.Unpack(info):
            return str(info.reason)
    return ""
