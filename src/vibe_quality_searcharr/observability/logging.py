"""structlog setup: console or JSON lines on stderr, JSON in a rotating file, secrets redacted.

Standard-library loggers (uvicorn, httpx, apscheduler, alembic) are routed through the same
processors, so no line leaves the process without passing the redactor.
"""

from __future__ import annotations

import collections
import json
import logging
import logging.handlers
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import structlog

from vibe_quality_searcharr.observability.redaction import redact_event, registry

__all__ = ["RecentLogs", "configure_logging", "recent_logs"]


class _SafeErrors:
    """A record that cannot be formatted is reported without its arguments.

    The standard library's `Handler.handleError` prints the record's raw arguments to stderr,
    which would bypass the redactor; this says which call failed and nothing it carried.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (stdlib name)
        if logging.raiseExceptions and sys.stderr is not None:
            where = f"{record.pathname}:{record.lineno}"
            # structlog hands over its event dict as `msg`: name it, never print its fields.
            message = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
            problem = registry.scrub(message)[:200]
            sys.stderr.write(f"logging error: cannot format {problem!r} from {where}\n")


class _ConsoleHandler(_SafeErrors, logging.StreamHandler):  # type: ignore[type-arg]
    pass


class _FileHandler(_SafeErrors, logging.handlers.RotatingFileHandler):
    pass


class RecentLogs(_SafeErrors, logging.Handler):
    """Keeps the last lines in memory, already redacted, for the log viewer in the UI."""

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__()
        self.lines: collections.deque[dict[str, Any]] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(json.loads(self.format(record)))
        except Exception:
            self.handleError(record)


recent_logs = RecentLogs()


def _drop_color_message(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event.pop("color_message", None)  # uvicorn's ANSI duplicate of the message
    return event


_SHARED: list[Any] = [
    _drop_color_message,
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
    redact_event,
]


def _formatter(renderer: Any) -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *_SHARED],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )


def configure_logging(
    *,
    level: str = "INFO",
    fmt: str = "console",
    log_dir: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
    secrets: tuple[str, ...] = (),
) -> None:
    for value in secrets:
        registry.add(value)
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = _ConsoleHandler(sys.stderr)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    console.setFormatter(_formatter(renderer))
    root.addHandler(console)
    recent_logs.setFormatter(_formatter(structlog.processors.JSONRenderer()))
    root.addHandler(recent_logs)
    if log_dir is not None:
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        file_handler = _FileHandler(
            log_dir / "vqs.log", maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        file_handler.setFormatter(_formatter(structlog.processors.JSONRenderer()))
        root.addHandler(file_handler)
        (log_dir / "vqs.log").chmod(0o600)
    root.setLevel(level)
    for noisy in (
        "uvicorn.access",
        "httpx",
        "httpcore",
        "apscheduler.executors.default",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
