"""The queue form of the web UI: flat field values (what a browser posts and what the form shows
again) to the nested payload `QueueCreate`/`QueueUpdate` take, and validation failures back onto
the field that caused them.

Field names are the dotted paths of the API (`options.custom.year_min`), so a service message
about `options.custom.year_min` lands next to that input. Schedules are the one exception: the
API nests the kind in the error path (`schedule.interval.minutes`), the form has one field per
setting (`schedule.minutes`), so the kind is dropped when mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from vibe_quality_searcharr.errors import AppError, Conflict
from vibe_quality_searcharr.scheduling.schedules import AnySchedule
from vibe_quality_searcharr.search.planner import Order, Source, Strategy
from vibe_quality_searcharr.search.queues.options import QueueOptions

__all__ = [
    "CHECKBOXES",
    "FIELD_NAMES",
    "LISTS",
    "ORDER_CHOICES",
    "SCHEDULE_KINDS",
    "SOURCE_CHOICES",
    "STRATEGY_CHOICES",
    "WEEKDAYS",
    "FormValues",
    "app_errors",
    "field_for",
    "payload",
    "validation_errors",
    "values_of",
]

FormValues = dict[str, Any]  # field name -> str, or list[str] for the multi-choice fields

STRATEGY_CHOICES = (
    (Strategy.MISSING.value, "Missing: items without a file"),
    (Strategy.CUTOFF_UNMET.value, "Cutoff unmet: a file below the quality cutoff"),
    (Strategy.FORMAT_UPGRADE.value, "Format upgrade: below the custom format score"),
    (Strategy.RECENT.value, "Recent: missing items released lately"),
    (Strategy.CUSTOM.value, "Custom: your own filters"),
)
ORDER_CHOICES = (
    (Order.PRIORITY.value, "Priority (best chance first)"),
    (Order.NEWEST.value, "Newest first"),
    (Order.OLDEST.value, "Oldest first"),
    (Order.LEAST_RECENTLY_SEARCHED.value, "Least recently searched"),
    (Order.RANDOM.value, "Random"),
)
SOURCE_CHOICES = (
    (Source.MISSING.value, "Missing"),
    (Source.CUTOFF_UNMET.value, "Cutoff unmet"),
    (Source.FORMAT_UPGRADE.value, "Format upgrade"),
)
SCHEDULE_KINDS = (
    ("interval", "Every N minutes"),
    ("daily", "Daily at a time"),
    ("weekly", "Weekly on chosen days"),
    ("cron", "Cron expression"),
)
WEEKDAYS = (
    ("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
    ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"),
)  # fmt: skip

CHECKBOXES = (
    "enabled",
    "options.cooldown.doubling",
    "options.season_packs.enabled",
    "options.cycle.enabled",
)
LISTS = ("schedule.days", "options.custom.sources")
_TEXT = (
    "preset", "name", "instance_id", "strategy", "order", "batch_size",
    "schedule.kind", "schedule.minutes", "schedule.at", "schedule.expression",
    "schedule.timezone", "schedule.jitter_minutes", "schedule.windows",
    "options.recent_days", "options.custom.year_min", "options.custom.year_max",
    "options.custom.quality_profile_ids", "options.custom.statuses",
    "options.custom.include_tags", "options.custom.monitored", "options.exclude_tags",
    "options.grace_hours", "options.cooldown.mode", "options.cooldown.flat_hours",
    "options.cooldown.cap_days", "options.season_packs.min_episodes", "options.cycle.min_days",
    "options.delay_seconds",
)  # fmt: skip
FIELD_NAMES = frozenset((*_TEXT, *CHECKBOXES, *LISTS))
_OPTIONAL_NUMBERS = ("options.custom.year_min", "options.custom.year_max")
_ID_LISTS = (
    "options.custom.quality_profile_ids",
    "options.custom.include_tags",
    "options.exclude_tags",
)
_KINDS = frozenset(kind for kind, _label in SCHEDULE_KINDS)
# Messages about a group rather than one input, and the input that best explains them.
_GROUPS = {
    "options.custom": "options.custom.sources",
    "schedule": "schedule.kind",
    "ids": "form",
}
_FRIENDLY = {
    "int_parsing": "Enter a whole number",
    "int_from_float": "Enter a whole number",
    "float_parsing": "Enter a number",
    "missing": "Fill this in",
}


def _join(values: Iterable[object]) -> str:
    return ", ".join(str(value) for value in values)


def values_of(
    *,
    name: str,
    instance_id: int | None,
    strategy: str,
    order: str,
    batch_size: int,
    enabled: bool,
    options: QueueOptions,
    schedule: AnySchedule,
    preset: str | None = None,
) -> FormValues:
    """The form filled from a stored queue or a preset."""
    custom, cooldown = options.custom, options.cooldown
    data = schedule.model_dump(mode="json")
    return {
        "preset": preset or "",
        "name": name,
        "instance_id": str(instance_id or ""),
        "strategy": strategy,
        "order": order,
        "batch_size": str(batch_size),
        "enabled": enabled,
        "schedule.kind": data["kind"],
        "schedule.minutes": str(data.get("minutes", 60)),
        "schedule.at": data.get("at", "03:00"),
        "schedule.days": list(data.get("days", [])),
        "schedule.expression": data.get("expression", ""),
        "schedule.timezone": schedule.timezone,
        "schedule.jitter_minutes": f"{schedule.jitter_minutes:g}",
        "schedule.windows": _join(f"{w.start}-{w.end}" for w in schedule.windows),
        "options.recent_days": str(options.recent_days),
        "options.custom.sources": [source.value for source in custom.sources],
        "options.custom.year_min": "" if custom.year_min is None else str(custom.year_min),
        "options.custom.year_max": "" if custom.year_max is None else str(custom.year_max),
        "options.custom.quality_profile_ids": _join(custom.quality_profile_ids),
        "options.custom.statuses": _join(custom.statuses),
        "options.custom.include_tags": _join(custom.include_tags),
        "options.custom.monitored": custom.monitored,
        "options.exclude_tags": _join(options.exclude_tags),
        "options.grace_hours": f"{options.grace_hours:g}",
        "options.cooldown.mode": cooldown.mode,
        "options.cooldown.flat_hours": f"{cooldown.flat_hours:g}",
        "options.cooldown.doubling": cooldown.doubling,
        "options.cooldown.cap_days": f"{cooldown.cap_days:g}",
        "options.season_packs.enabled": options.season_packs.enabled,
        "options.season_packs.min_episodes": str(options.season_packs.min_episodes),
        "options.cycle.enabled": options.cycle.enabled,
        "options.cycle.min_days": f"{options.cycle.min_days:g}",
        "options.delay_seconds": f"{options.delay_seconds:g}",
    }


def posted(form: Mapping[str, Any], getlist: Any) -> FormValues:
    """The values a browser posted (an unchecked box is simply absent)."""
    values: FormValues = {name: str(form.get(name, "")).strip()[:2000] for name in _TEXT}
    for name in CHECKBOXES:
        values[name] = name in form
    for name in LISTS:
        values[name] = [str(value)[:50] for value in getlist(name)][:20]
    return values


def _tokens(text: str) -> list[str]:
    return [token for token in text.replace(",", " ").split() if token][:500]


def _windows(text: str) -> list[dict[str, str]]:
    windows = []
    for token in _tokens(text):
        start, _dash, end = token.partition("-")
        windows.append({"start": start, "end": end})
    return windows


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def payload(values: FormValues, *, include_instance: bool = True) -> dict[str, Any]:
    """The nested request body for QueueCreate/QueueUpdate. Numbers stay strings: pydantic
    converts them, and refuses what is not a number with a message for that field."""
    body: dict[str, Any] = {
        "name": values["name"],
        "strategy": values["strategy"],
        "order": values["order"],
        "batch_size": values["batch_size"],
        "enabled": bool(values["enabled"]),
    }
    if include_instance:
        body["instance_id"] = values["instance_id"]
    kind = values["schedule.kind"]
    schedule: dict[str, Any] = {
        "kind": kind,
        "timezone": values["schedule.timezone"] or "UTC",
        "jitter_minutes": values["schedule.jitter_minutes"],
        "windows": _windows(values["schedule.windows"]),
    }
    if kind == "interval":
        schedule["minutes"] = values["schedule.minutes"]
    elif kind in ("daily", "weekly"):
        schedule["at"] = values["schedule.at"]
        if kind == "weekly":
            schedule["days"] = values["schedule.days"]
    elif kind == "cron":
        schedule["expression"] = values["schedule.expression"]
    body["schedule"] = schedule
    options: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if not name.startswith("options."):
            continue
        value = values[name]
        if name in _OPTIONAL_NUMBERS:
            value = value or None
        elif name in _ID_LISTS:
            value = _tokens(value)
        elif name == "options.custom.statuses":
            value = [token.lower() for token in _tokens(value)]
        _set(options, name.removeprefix("options."), value)
    body["options"] = options
    return body


def field_for(path: Iterable[object]) -> str:
    """The form field an error path points at (the nearest one up the path), or "form"."""
    parts = [str(part) for part in path]
    if len(parts) >= 2 and parts[0] == "schedule" and parts[1] in _KINDS:
        rest = parts[2:]
        # The interval's own rule (jitter shorter than the interval) has no deeper path.
        parts = ["schedule", *rest] if rest else ["schedule", "jitter_minutes"]
    while parts:
        name = ".".join(parts)
        if name in FIELD_NAMES:
            return name
        if name in _GROUPS:
            return _GROUPS[name]
        parts = parts[:-1]
    return "form"


def _message(text: str) -> str:
    text = text.removeprefix("Value error, ")
    return text[:1].upper() + text[1:]


def _add(errors: dict[str, str], name: str, message: str) -> None:
    if name == "options.custom.sources" and "year_max" in message:
        name = "options.custom.year_max"  # "year_min is after year_max; swap them"
    errors.setdefault(name, _message(message))


def validation_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        message = _FRIENDLY.get(error["type"], str(error["msg"]))
        _add(errors, field_for(error["loc"]), message)
    return errors


def app_errors(exc: AppError) -> dict[str, str]:
    """A service refusal: each of its dotted fields onto the form's field; a conflict about one
    field keeps its whole explanation ("A queue named 'x' already exists; ...")."""
    if not exc.fields:
        return {"form": exc.detail}
    errors: dict[str, str] = {}
    for name, message in exc.fields.items():
        text = exc.detail if isinstance(exc, Conflict) and len(exc.fields) == 1 else message
        _add(errors, field_for(name.split(".")), text)
    return errors
