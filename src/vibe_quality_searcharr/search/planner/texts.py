"""Small phrase builders shared by reasons and skip texts, so every message reads the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["ago", "at", "duration", "plural"]


def plural(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return f"{count} {noun}es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def duration(span: timedelta) -> str:
    """A rough, readable length: "45 minutes", "5 hours", "3 days", "4 months", "12 years"."""
    seconds = max(span.total_seconds(), 0.0)
    minutes = seconds / 60
    if minutes < 90:
        return plural(max(int(minutes), 1) if seconds >= 60 else 0, "minute")
    hours = minutes / 60
    if hours < 48:
        return plural(int(hours), "hour")
    days = hours / 24
    if days < 60:
        return plural(int(days), "day")
    if days < 730:
        return plural(int(days / 30.44), "month")
    return plural(int(days / 365.25), "year")


def ago(then: datetime, now: datetime) -> str:
    if then > now:
        return f"in {duration(then - now)}"
    return f"{duration(now - then)} ago"


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
