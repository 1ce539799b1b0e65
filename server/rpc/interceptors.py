"""The server's one interceptor: request id and logging, bearer-token auth, error mapping.

The token is checked from the call's metadata before its handler is chosen: a call
without the right token gets a handler that never deserializes its request (a 64 MiB
message is not parsed for someone who may not send it) and ends UNAUTHENTICATED.
Every other method runs inside a ``_GuardedCall`` that gives the call a request id (so
every log line and error carries it) and maps ``SupplynetError`` to its rich status,
cut to the trailer budget (``trailer.fit``), and anything unexpected to a bare
INTERNAL. The wrapped method handlers are built once per method and reused: a light
call pays a dictionary lookup, not a handler rebuild per concern.
"""

from __future__ import annotations

import hmac
import inspect
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from supplynet.graph.errors import Problem, SupplynetError, ValidationFailed
from supplynet.server.rpc.status import (
    REQUEST_ID_KEY,
    abort,
    build_status,
    error_status,
    internal_status,
    request_id,
    status_code,
)
from supplynet.server.rpc.trailer import fit

log = logging.getLogger("supplynet.rpc")

PUBLIC_PREFIXES = ("/grpc.health.v1.Health/",)
"""Methods callable without a token: load balancers probe health unauthenticated."""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record, for formats that print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


log.addFilter(RequestIdFilter())


def configure_logging(level: str) -> None:
    """The server's log format, every line with its request id (``RequestIdFilter``)."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RequestIdFilter())


class _GuardedCall:
    """One call's request id, token check, error mapping and log line.

    Plain methods around the handler's own ``try`` (not an async context manager): a
    light call then costs no extra coroutines; only failures await.
    """

    __slots__ = ("context", "method", "outcome", "rid", "started", "token")

    def __init__(self, method: str, context: Any) -> None:
        self.method = method
        self.context = context
        self.outcome = "OK"
        metadata = dict(context.invocation_metadata() or ())
        given = metadata.get(REQUEST_ID_KEY)
        self.rid = given if isinstance(given, str) and 0 < len(given) <= 64 else _new_id()
        self.token = request_id.set(self.rid)
        self.started = time.perf_counter()
        # trailing, not initial, metadata: it rides on the status frame at no extra cost
        context.set_trailing_metadata(((REQUEST_ID_KEY, self.rid),))

    async def deny(self) -> None:
        """End the call as UNAUTHENTICATED (its token is missing or wrong)."""
        self.outcome = "UNAUTHENTICATED"
        await abort(self.context, _unauthenticated(self.rid))

    async def fail(self, error: BaseException) -> None:
        """Turn ``error`` into the status the client sees (raises ``AbortError``), if ours."""
        if isinstance(error, SupplynetError):
            self.outcome = status_code(error).name
            await abort(self.context, fit(error_status(error, self.rid)))
        elif isinstance(error, Exception) and not isinstance(error, grpc.aio.AbortError):
            self.outcome = "INTERNAL"
            log.exception("unexpected failure in %s", self.method)
            await abort(self.context, internal_status(self.rid))
        elif self.outcome == "OK":
            self.outcome = _outcome(self.context, error)

    def finish(self) -> None:
        millis = (time.perf_counter() - self.started) * 1000
        level = logging.DEBUG if self.outcome == "OK" else logging.INFO
        log.log(level, "%s %s %.1f ms", self.method, self.outcome, millis)
        request_id.reset(self.token)


_ID_PREFIX = uuid.uuid4().hex[:8]
_call_numbers = itertools.count()


def _new_id() -> str:
    """Unique per server process and cheap: a random prefix and a call number."""
    return f"{_ID_PREFIX}{next(_call_numbers):08x}"


def _outcome(context: Any, error: BaseException) -> str:
    code = context.code() if hasattr(context, "code") else None
    if code is not None and code != grpc.StatusCode.OK:
        return str(getattr(code, "name", code))
    return type(error).__name__


def _unauthenticated(rid: str) -> Any:
    return build_status(
        grpc.StatusCode.UNAUTHENTICATED,
        "missing or wrong bearer token (metadata 'authorization: Bearer <token>')",
        "UNAUTHENTICATED",
        {"request_id": rid},
    )


Behavior = Callable[[Any, Any], Any]

_KINDS = (
    ("unary_unary", False, grpc.unary_unary_rpc_method_handler),
    ("unary_stream", True, grpc.unary_stream_rpc_method_handler),
    ("stream_unary", False, grpc.stream_unary_rpc_method_handler),
    ("stream_stream", True, grpc.stream_stream_rpc_method_handler),
)


class CallGuard(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Request id, optional bearer-token auth and error mapping around every method.

    Parameters
    ----------
    token
        When given, every method except health requires ``authorization: Bearer <token>``.
    """

    def __init__(self, token: str | None = None) -> None:
        self._expected = None if token is None else f"Bearer {token}".encode()
        self._handlers: dict[tuple[str, bool], tuple[Any, Any]] = {}

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        handler = await continuation(details)
        if handler is None:
            return None
        method: str = details.method
        allowed = self._allows(method, details.invocation_metadata)
        cached = self._handlers.get((method, allowed))
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(handler, method) if allowed else _denying(handler, method)
        self._handlers[(method, allowed)] = (handler, wrapped)
        return wrapped

    def _allows(self, method: str, metadata: Any) -> bool:
        """Whether the call may run: a public method, no token configured, or the token."""
        if self._expected is None or method.startswith(PUBLIC_PREFIXES):
            return True
        given = next((v for k, v in metadata or () if k == "authorization"), "")
        return hmac.compare_digest(str(given).encode(), self._expected)

    def _wrap(self, handler: Any, method: str) -> Any:
        for attr, streaming, make in _KINDS:
            behavior = getattr(handler, attr)
            if behavior is not None:
                wrap = _streaming if streaming else _unary
                return make(
                    wrap(behavior, method, attr.startswith("stream_")),
                    request_deserializer=_tolerant(handler.request_deserializer),
                    response_serializer=handler.response_serializer,
                )
        return handler


class Unparseable:
    """Stands for a request message that did not parse, so the call can say so."""

    __slots__ = ()


_UNPARSEABLE = Unparseable()


def _tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """``deserializer`` that returns ``Unparseable`` instead of raising (gRPC's own handling
    of a failed parse answers INTERNAL, which bytes from a client must never cause)."""
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:
            return _UNPARSEABLE

    return parse


def _parsed(request: Any) -> Any:
    """``request``, unless it did not parse (then ``ValidationFailed``)."""
    if request is _UNPARSEABLE:
        raise ValidationFailed(
            [Problem("request", "not a valid protobuf message of the method's type")], "request"
        )
    return request


async def _parsed_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        yield _parsed(request)


def _denying(handler: Any, method: str) -> Any:
    """A handler of ``handler``'s kind that ends UNAUTHENTICATED without parsing the request."""

    async def deny(request: Any, context: Any) -> None:
        call = _GuardedCall(method, context)
        try:
            await call.deny()
        finally:
            call.finish()

    for attr, _, make in _KINDS:
        if getattr(handler, attr) is not None:
            return make(
                deny,
                request_deserializer=_unparsed,
                response_serializer=handler.response_serializer,
            )
    return handler


def _unparsed(data: bytes) -> None:
    """The request of a call that will be refused: left as bytes, never parsed."""


def _unary(behavior: Behavior, method: str, request_streaming: bool) -> Behavior:
    async def unary(request: Any, context: Any) -> Any:
        call = _GuardedCall(method, context)
        try:
            given = _parsed_stream(request) if request_streaming else _parsed(request)
            result = behavior(given, context)
            if inspect.isawaitable(result):
                result = await result
            return result
        except BaseException as error:
            await call.fail(error)
            raise
        finally:
            call.finish()

    return unary


def _streaming(behavior: Behavior, method: str, request_streaming: bool) -> Behavior:
    async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
        call = _GuardedCall(method, context)
        try:
            given = _parsed_stream(request) if request_streaming else _parsed(request)
            produced = behavior(given, context)
            if inspect.isawaitable(produced):
                produced = await produced
            if hasattr(produced, "__aiter__"):
                async for item in produced:
                    yield item
            elif produced is not None:
                for item in produced:
                    yield item
        except BaseException as error:
            await call.fail(error)
            raise
        finally:
            call.finish()

    return stream
