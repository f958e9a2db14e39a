"""The time bounds of a history filter: what "from" and "to" mean, for the page, the API and the
CSV export alike.

A plain day (`2026-03-29`) is a day of the user's time zone (Settings > General), the zone the
pages show times in: it runs from that local midnight to the next one, so a day on which the
clocks change is 23 or 25 hours long. A date and time with an offset
(`2026-03-29T00:00:00+01:00`, or `Z`) is that exact instant. Nothing else is read: Pydantic
would take a number as a Unix timestamp (`3.97e-271` was "1970-01-01"), a date and time without
an offset is ambiguous around a clock change, and `date.fromisoformat` accepts forms (`20260329`,
`2026-W13-7`) no user means; each is refused with a message saying what to write instead.

The bounds are UTC instants, the lower one inclusive and the upper one exclusive: "to" a day
ends at the next local midnight, "to" an instant includes that instant (one microsecond after
it, the resolution of the stored times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["BOUND_HELP", "BoundError", "Bounds", "day_start", "parse_bound", "parse_day", "resolve"]

BOUND_HELP = (
    "a day YYYY-MM-DD (a day of the time zone set in Settings > General) or an ISO 8601 date and "
    "time with an offset, e.g. 2026-03-29T00:00:00+01:00 or 2026-03-29T00:00:00Z (that exact "
    "instant; in a URL write + as %2B). Numbers (Unix timestamps) are refused."
)
# ASCII digits only: `\d` alone would also match other scripts' digits.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
_INSTANT = re.compile(_TIME + r"(?:Z|[+-]\d{2}:\d{2})", re.ASCII)
_NO_OFFSET = re.compile(_TIME, re.ASCII)
_LOST_PLUS = re.compile(_TIME + r" \d{2}:\d{2}", re.ASCII)
_MICROSECOND = timedelta(microseconds=1)


class BoundError(ValueError):
    """A bound that is not one of the two accepted forms, or not a real date; the message is
    meant for the user."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """UTC instants: `since` inclusive, `before` exclusive; None is unbounded."""

    since: datetime | None = None
    before: datetime | None = None


def parse_day(raw: str) -> date:
    """A day written YYYY-MM-DD, and nothing else (the page's date fields)."""
    if not _DAY.fullmatch(raw):
        raise BoundError("Enter a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BoundError("Enter a real date as YYYY-MM-DD") from None


def parse_bound(raw: str) -> date | datetime:
    """A day, or an instant with its offset (the API's `since` and `until`)."""
    text = raw.strip()
    if _DAY.fullmatch(text):
        return parse_day(text)
    upper = text.upper()
    if _INSTANT.fullmatch(upper):
        try:
            return datetime.fromisoformat(upper)
        except ValueError:
            raise BoundError(f"not a real date and time: {raw[:40]!r}") from None
    if _LOST_PLUS.fullmatch(upper):
        raise BoundError("the offset's + arrived as a space: write it as %2B in the URL")
    if _NO_OFFSET.fullmatch(upper):
        raise BoundError("a date and time needs an offset (Z or +01:00), or give a plain day")
    raise BoundError(f"not an ISO 8601 day or date and time: {raw[:40]!r}; use {BOUND_HELP}")


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `zone`. A midnight that the clocks skip begins
    the day at the first instant after the jump (zoneinfo reads it with the earlier offset)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def resolve(since: date | datetime | None, until: date | datetime | None, zone: ZoneInfo) -> Bounds:
    """The instants the filter means; `BoundError` if one is out of range or the range is
    empty (the first bound after the last)."""
    try:
        start = _lower(since, zone)
        before = _upper(until, zone)
    except OverflowError:
        raise BoundError("the date is out of range") from None
    if start is not None and before is not None and start >= before:
        raise BoundError("since must not be after until")
    return Bounds(start, before)


def _lower(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return day_start(value, zone)


def _upper(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) + _MICROSECOND
    if value == date.max:
        return None
    return day_start(value + timedelta(days=1), zone)
