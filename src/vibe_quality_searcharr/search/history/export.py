"""The history as CSV: UTF-8, a header row, and every cell that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from vibe_quality_searcharr.search.history.schemas import HistoryRow

__all__ = ["CSV_HEADER", "csv_lines", "safe_cell"]

CSV_HEADER = (
    "id", "intent_at", "sent_at", "finished_at", "instance", "queue", "strategy", "kind",
    "status", "score", "items", "item_ids", "grabbed", "reason", "arr_status", "arr_result",
    "message",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _cells(row: HistoryRow) -> Sequence[object]:
    return (
        row.id, row.intent_at, row.sent_at, row.finished_at, row.instance_name, row.queue_name,
        row.strategy, row.kind, row.status, row.score,
        " | ".join(item.label for item in row.items),
        " ".join(str(item.item_id) for item in row.items),
        row.grabbed, row.reason, row.arr_status, row.arr_result, row.message,
    )  # fmt: skip


def csv_lines(chunks: Iterable[Sequence[HistoryRow]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue().encode("utf-8")
    for chunk in chunks:
        buffer.seek(0)
        buffer.truncate()
        for row in chunk:
            writer.writerow([safe_cell(cell) for cell in _cells(row)])
        yield buffer.getvalue().encode("utf-8")
