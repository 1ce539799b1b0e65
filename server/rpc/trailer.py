"""Fit an error status into the trailers a client accepts.

A rich status travels in trailing metadata (``grpc-message`` and the base64
``grpc-status-details-bin``), and clients drop a trailer block over their limit
(8 KiB by default in grpc-core, 16 KiB in some): the call then fails with
RESOURCE_EXHAUSTED and no details at all. A 5,000-character id echoed in the
message, or 200 field violations, did exactly that. ``fit`` cuts long strings and
keeps the first violations that fit, adding one that counts the rest.
"""

from __future__ import annotations

from google.rpc import error_details_pb2, status_pb2

MESSAGE_CHARS = 400
"""``grpc-message`` is percent-encoded: up to 3 bytes per character on the wire."""
TEXT_CHARS = 200
"""Longest field path, description or ErrorInfo metadata value kept."""
DETAILS_BYTES = 3 * 1024
"""Serialized details kept (about 4 KiB once base64-encoded)."""
MORE_FIELD = "..."


def cut(text: str, limit: int = TEXT_CHARS) -> str:
    """``text`` of at most ``limit`` characters, marked when it was cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fit(status: status_pb2.Status) -> status_pb2.Status:
    """``status`` with its message, metadata and violations cut to the trailer budget."""
    fitted = status_pb2.Status(code=status.code, message=cut(status.message, MESSAGE_CHARS))
    violations: list[error_details_pb2.BadRequest.FieldViolation] = []
    for packed in status.details:
        info = error_details_pb2.ErrorInfo()
        bad = error_details_pb2.BadRequest()
        if packed.Unpack(info):
            metadata = {cut(key, 64): cut(value) for key, value in info.metadata.items()}
            short = error_details_pb2.ErrorInfo(
                reason=cut(info.reason, 64), domain=info.domain, metadata=metadata
            )
            fitted.details.add().Pack(short)
        elif packed.Unpack(bad):
            violations.extend(bad.field_violations)
        else:
            fitted.details.append(packed)  # RetryInfo and other small, bounded details
    if violations:
        fitted.details.add().Pack(_kept_violations(violations, fitted.ByteSize()))
    return fitted


def _kept_violations(
    violations: list[error_details_pb2.BadRequest.FieldViolation], used: int
) -> error_details_pb2.BadRequest:
    """The first violations, cut, that fit beside ``used`` bytes; then one counting the rest."""
    kept = error_details_pb2.BadRequest()
    reserve = 64 + len(MORE_FIELD)
    for index, violation in enumerate(violations):
        short = error_details_pb2.BadRequest.FieldViolation(
            field=cut(violation.field), description=cut(violation.description)
        )
        if used + kept.ByteSize() + short.ByteSize() + 8 + reserve > DETAILS_BYTES:
            rest = len(violations) - index
            kept.field_violations.add(
                field=MORE_FIELD, description=f"and {rest} more violation(s) not shown"
            )
            break
        kept.field_violations.append(short)
    return kept
