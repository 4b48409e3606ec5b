"""Log lines without PHI: JSON formatting, the request id, and masked exception reports.

Every line is one JSON object (a newline typed into a username cannot forge a second
line, T-VAL-08) carrying the request id of the request that wrote it. Exception messages
are left out of log lines: a database error repeats the values it refused (PostgreSQL's
unique violation quotes the key), so only the exception types and frames are kept.
"""

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

# The request being handled in this thread or task; set by RequestIdMiddleware.
current_request: ContextVar[HttpRequest | None] = ContextVar(
    "current_request", default=None
)

_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime", "request_id"}


def get_request_id() -> str:
    """The id of the request being handled, or "" outside a request."""
    request = current_request.get()
    return getattr(request, "request_id", "") if request is not None else ""


def install_record_factory() -> None:
    """Stamp every log record with the request id when it is created.

    A handler's filter would miss records handled elsewhere (test capture, a second
    handler); the factory runs once per record, whatever handles it.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = get_request_id()
        return record

    factory.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = get_request_id()
        return True


def _exception_outline(exc: BaseException) -> str:
    """Types and frames of an exception chain, without any exception message."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        name = f"{type(current).__module__}.{type(current).__qualname__}"
        parts.append(f"Traceback (most recent call last):\n{frames}{name}")
        if current.__cause__ is None and current.__suppress_context__:
            break
        current = current.__cause__ or current.__context__
    return "\n\nwhile handling:\n".join(reversed(parts))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or get_request_id(),
        }
        for key, value in record.__dict__.items():
            # Extras passed as logging's `extra=` (ids and codes only, never values).
            if key not in _STANDARD_ATTRIBUTES and key != "request":
                line[key] = value if isinstance(value, int | str | bool) else str(value)
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = _exception_outline(record.exc_info[1])
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and request.method == "POST":
            # The field names help debugging; every value is masked.
            line["post"] = MaskAllPostFilter().get_post_parameters(request)
        return json.dumps(line, ensure_ascii=True, default=str)


class MaskAllPostFilter(SafeExceptionReporterFilter):
    """Mask every POST value in exception reports, not only the sensitive ones."""

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        # Local variables of the frames may hold answers or names: mask them all.
        return [
            (name, self.cleansed_substitute)
            for name, _ in super().get_traceback_frame_variables(request, tb_frame)
        ]
