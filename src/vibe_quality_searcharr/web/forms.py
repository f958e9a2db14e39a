"""Turning validation failures into messages shown next to the field that caused them.

Pages never answer a bad form with a JSON problem: they render the form again, status 422,
with `errors` mapping each field name to one message (and "form" for what belongs to no field).
"""

from __future__ import annotations

from pydantic import ValidationError

from vibe_quality_searcharr.errors import AppError

__all__ = ["app_error_fields", "validation_fields"]


def validation_fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        name = location[0] if location else "form"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        fields.setdefault(name, message[:1].upper() + message[1:])
    return fields


def app_error_fields(exc: AppError, default_field: str = "form") -> dict[str, str]:
    """A service's refusal: its per-field messages, or its detail on the form as a whole."""
    if exc.fields:
        return {
            name: (exc.detail if len(exc.fields) == 1 else message.capitalize())
            for name, message in exc.fields.items()
        }
    return {default_field: exc.detail}
