"""The log viewer (admins): the newest lines of the JSON log file, filtered by level.

Only the tail of the file is read (at most `TAIL_BYTES`, from the end), so a log of any size
costs the same. Lines were redacted when they were written (`observability.logging` passes
every record through the redactor before any handler), and the template escapes them. Without
a log file (logging to stderr only), the in-memory ring of recent lines is shown instead.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.observability.logging import recent_logs
from vibe_quality_searcharr.security.principal import AdminUser
from vibe_quality_searcharr.web.templating import render

__all__ = ["LEVELS", "LogLine", "read_tail", "router", "tail_lines"]

router = APIRouter(include_in_schema=False)

TAIL_BYTES = 512 * 1024
MAX_LINES = 500
LEVELS: tuple[str, ...] = ("debug", "info", "warning", "error", "critical")
Level = Literal["debug", "info", "warning", "error", "critical"]
_SHOWN_KEYS = ("timestamp", "level", "logger", "event")


@dataclass(frozen=True)
class LogLine:
    timestamp: str
    level: str
    logger: str
    event: str
    extra: str


def read_tail(path: Path, max_bytes: int = TAIL_BYTES) -> list[str]:
    """The complete lines in the last `max_bytes` of a file (a cut first line is dropped)."""
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - max_bytes)
        handle.seek(start)
        data = handle.read(max_bytes)
    lines = data.decode("utf-8", errors="replace").splitlines()
    if start > 0 and lines:
        lines = lines[1:]
    return lines


def _parse(record: dict[str, Any]) -> LogLine:
    extra = {k: v for k, v in record.items() if k not in _SHOWN_KEYS}
    return LogLine(
        timestamp=str(record.get("timestamp", "")),
        level=str(record.get("level", "info")).lower(),
        logger=str(record.get("logger", "")),
        event=str(record.get("event", "")),
        extra=json.dumps(extra, default=str, sort_keys=True) if extra else "",
    )


def tail_lines(
    records: list[dict[str, Any]], minimum: str | None, limit: int = MAX_LINES
) -> list[LogLine]:
    """Newest first, at or above `minimum` level, at most `limit`."""
    floor = LEVELS.index(minimum) if minimum in LEVELS else 0
    out: list[LogLine] = []
    for record in reversed(records):
        line = _parse(record)
        rank = LEVELS.index(line.level) if line.level in LEVELS else 1
        if rank >= floor:
            out.append(line)
            if len(out) >= limit:
                break
    return out


def _records(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for raw in read_tail(path):
        try:
            value = json.loads(raw)
        except ValueError:
            value = {"event": raw, "level": "info"}
        if isinstance(value, dict):
            records.append(value)
    return records


@router.get("/logs", response_class=HTMLResponse)
def logs_page(
    request: Request,
    _admin: AdminUser,
    context: Context,
    level: Annotated[Level | None, Query()] = None,
) -> HTMLResponse:
    path = context.settings.logs_dir / "vqs.log"
    if path.is_file():
        records, source = _records(path), str(path)
    else:
        records, source = list(recent_logs.lines), ""
    return render(
        request,
        "logs.html",
        lines=tail_lines(records, level),
        level=level or "",
        levels=LEVELS,
        source=source,
        limit=MAX_LINES,
    )
