"""``SupplynetError`` -> ``google.rpc.Status`` (AIP-193), the one place errors meet gRPC.

Every error carries a canonical code and exactly one ``ErrorInfo`` (UPPER_SNAKE
reason, domain ``supplynet``); validation failures add one ``BadRequest`` whose
field violations name each bad field (``nodes[3].warehouse.storage_capacity``).
"""

from __future__ import annotations

import contextvars
import datetime as dt

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from supplynet.graph.errors import (
    Cancelled,
    NotFound,
    Overloaded,
    StoreError,
    StoreUnavailable,
    SupplynetError,
    ValidationFailed,
)

DOMAIN = "supplynet"
DETAILS_KEY = "grpc-status-details-bin"
REQUEST_ID_KEY = "x-request-id"

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
"""The id of the call being served, for log lines, error details and trailing metadata."""

_CODES: tuple[tuple[type[SupplynetError], grpc.StatusCode], ...] = (
    (ValidationFailed, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (StoreUnavailable, grpc.StatusCode.UNAVAILABLE),
    (StoreError, grpc.StatusCode.INTERNAL),
    (Cancelled, grpc.StatusCode.CANCELLED),
    (Overloaded, grpc.StatusCode.RESOURCE_EXHAUSTED),
)
"""Most specific first; any other ``SupplynetError`` is a FAILED_PRECONDITION."""


def status_code(error: SupplynetError) -> grpc.StatusCode:
    """The canonical code of a supplynet error."""
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.FAILED_PRECONDITION


def _pack(
    message: error_details_pb2.ErrorInfo
    | error_details_pb2.BadRequest
    | error_details_pb2.RetryInfo,
) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def build_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    metadata: dict[str, str] | None = None,
    violations: list[tuple[str, str]] | None = None,
) -> status_pb2.Status:
    """A rich status: code, message, one ErrorInfo and at most one BadRequest."""
    details = [
        _pack(error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata or {}))
    ]
    if violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=field, description=description)
                for field, description in violations
            ]
        )
        details.append(_pack(bad))
    return status_pb2.Status(code=code.value[0], message=message, details=details)


def error_status(error: SupplynetError, request_id: str) -> status_pb2.Status:
    """The status a client sees for a supplynet error."""
    metadata = {"request_id": request_id}
    violations = None
    if isinstance(error, ValidationFailed):
        violations = [(p.path, p.reason) for p in error.problems]
        metadata["subject"] = error.subject
    elif isinstance(error, NotFound):
        metadata |= {"kind": error.kind, "key": error.key}
    status = build_status(status_code(error), str(error), error.reason_code, metadata, violations)
    if isinstance(error, Overloaded):
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromTimedelta(dt.timedelta(seconds=error.retry_after_s))
        status.details.append(_pack(retry))
    return status


def internal_status(request_id: str) -> status_pb2.Status:
    """What an unexpected failure shows: nothing of its internals, only the request id."""
    return build_status(
        grpc.StatusCode.INTERNAL,
        f"internal error; the server log has the details under request id {request_id}",
        "INTERNAL",
        {"request_id": request_id},
    )


async def abort(context: grpc.aio.ServicerContext, status: status_pb2.Status) -> None:
    """End the call with a rich status (raises, as ``context.abort`` does)."""
    code = next(c for c in grpc.StatusCode if c.value[0] == status.code)
    metadata = ((DETAILS_KEY, status.SerializeToString()), (REQUEST_ID_KEY, request_id.get()))
    await context.abort(code, status.message, trailing_metadata=metadata)


def unpack_status(trailing_metadata: object) -> status_pb2.Status | None:
    """The rich status a server sent, from a call's trailing metadata (client side)."""
    for key, value in trailing_metadata or ():  # type: ignore[attr-defined]
        if key == DETAILS_KEY:
            return status_pb2.Status.FromString(value)
    return None
