"""Server interceptors: request id and logging, bearer-token auth, error mapping.

Each interceptor wraps the method handler's behaviour in an async context manager,
so one wrapper serves unary and streaming methods alike. Order in the server:
request id (outermost, so every log line and error carries it), auth, errors.
"""

from __future__ import annotations

import contextlib
import hmac
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from graph.errors import SupplynetError
from server.rpc.status import (
    REQUEST_ID_KEY,
    abort,
    build_status,
    error_status,
    internal_status,
    request_id,
)

log = logging.getLogger("supplynet.rpc")

PUBLIC_PREFIXES = ("/grpc.health.v1.Health/",)
"""Methods callable without a token: load balancers probe health unauthenticated."""

Guard = Callable[[grpc.HandlerCallDetails, Any], contextlib.AbstractAsyncContextManager[None]]


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record, for formats that print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


log.addFilter(RequestIdFilter())


def _wrap(behavior: Callable[..., Any], streaming: bool, guard: Guard, details: Any) -> Any:
    if streaming:

        async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
            async with guard(details, context):
                produced = behavior(request, context)
                if inspect.isawaitable(produced):
                    produced = await produced
                if hasattr(produced, "__aiter__"):
                    async for item in produced:
                        yield item
                elif produced is not None:
                    for item in produced:
                        yield item

        return stream

    async def unary(request: Any, context: Any) -> Any:
        async with guard(details, context):
            result = behavior(request, context)
            if inspect.isawaitable(result):
                result = await result
            return result

    return unary


def guarded(handler: Any, details: Any, guard: Guard) -> Any:
    """A copy of ``handler`` whose behaviour runs inside ``guard``."""
    if handler is None:
        return None
    kinds = (
        ("unary_unary", False, grpc.unary_unary_rpc_method_handler),
        ("unary_stream", True, grpc.unary_stream_rpc_method_handler),
        ("stream_unary", False, grpc.stream_unary_rpc_method_handler),
        ("stream_stream", True, grpc.stream_stream_rpc_method_handler),
    )
    for attr, streaming, make in kinds:
        behavior = getattr(handler, attr)
        if behavior is not None:
            return make(
                _wrap(behavior, streaming, guard, details),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
    return handler


class _GuardInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def guard(self, details: Any, context: Any) -> contextlib.AbstractAsyncContextManager[None]:
        raise NotImplementedError

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        return guarded(await continuation(details), details, self.guard)


class RequestIdInterceptor(_GuardInterceptor):
    """Gives each call an id (the client's ``x-request-id`` or a new one) and logs it."""

    @contextlib.asynccontextmanager
    async def guard(self, details: Any, context: Any) -> AsyncIterator[None]:
        given = dict(details.invocation_metadata or ()).get(REQUEST_ID_KEY)
        rid = given if isinstance(given, str) and 0 < len(given) <= 64 else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        outcome = "OK"
        try:
            # trailing, not initial, metadata: it rides on the status frame at no extra cost
            context.set_trailing_metadata(((REQUEST_ID_KEY, rid),))
            yield
        except BaseException as error:
            outcome = type(error).__name__
            raise
        finally:
            millis = (time.perf_counter() - started) * 1000
            code = context.code() if hasattr(context, "code") else None
            if code is not None and code != grpc.StatusCode.OK:
                outcome = getattr(code, "name", str(code))
            level = logging.DEBUG if outcome == "OK" else logging.INFO
            log.log(level, "%s %s %.1f ms", details.method, outcome, millis)
            request_id.reset(token)


class AuthInterceptor(_GuardInterceptor):
    """Requires ``authorization: Bearer <token>`` on every method except health."""

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    @contextlib.asynccontextmanager
    async def guard(self, details: Any, context: Any) -> AsyncIterator[None]:
        if not details.method.startswith(PUBLIC_PREFIXES):
            given = str(dict(details.invocation_metadata or ()).get("authorization", ""))
            if not hmac.compare_digest(given.encode(), self._expected):
                status = build_status(
                    grpc.StatusCode.UNAUTHENTICATED,
                    "missing or wrong bearer token (metadata 'authorization: Bearer <token>')",
                    "UNAUTHENTICATED",
                    {"request_id": request_id.get()},
                )
                await abort(context, status)
        yield


class ErrorInterceptor(_GuardInterceptor):
    """Maps ``SupplynetError`` to its status and anything unexpected to a bare INTERNAL."""

    @contextlib.asynccontextmanager
    async def guard(self, details: Any, context: Any) -> AsyncIterator[None]:
        try:
            yield
        except SupplynetError as error:
            await abort(context, error_status(error, request_id.get()))
        except grpc.aio.AbortError:
            raise
        except Exception:
            log.exception("unexpected failure in %s", details.method)
            await abort(context, internal_status(request_id.get()))
