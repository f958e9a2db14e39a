"""Makes the OpenAPI document describe 422 answers as they really are.

FastAPI documents validation errors as `HTTPValidationError` (`detail` a list), but the one
error handler (`error_handlers.py`) answers `{"error", "detail", "fields"?}`. Schemathesis caught
the mismatch; clients generated from the document would mis-parse every validation error.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

__all__ = ["PROBLEM_SCHEMA", "describe_problems"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "Kind of problem, e.g. validation."},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Message per invalid field.",
        },
    },
}


def describe_problems(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "HTTPValidationError" in components:
            components["HTTPValidationError"] = PROBLEM_SCHEMA
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
