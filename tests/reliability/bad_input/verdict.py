"""What every answer to bad input must look like, checked the same way for the API and the pages.

An API refusal is the one problem document of `error_handlers.py` (`{"error", "detail", "fields"?}`)
whose detail a person can act on: not empty, not a traceback or an exception's repr. No answer,
refused or not, may carry a secret the seeded world holds (API keys, passwords, tokens,
notification URLs, session tokens).
"""

from __future__ import annotations

import re

import httpx

__all__ = ["describe", "leaked_secret", "problem_fault"]

_NOT_FOR_PEOPLE = re.compile(
    r"Traceback|Exception\b|sqlalchemy|pydantic_core|object at 0x|File \"|IntegrityError",
    re.IGNORECASE,
)


def problem_fault(response: httpx.Response) -> str | None:
    """Why this 4xx is not a clear problem document, or None when it is one."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"content-type {response.headers.get('content-type')!r}, not a JSON problem"
    try:
        body = response.json()
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not an object"
    if set(body) - {"error", "detail", "fields"}:
        return f"unexpected keys {sorted(set(body) - {'error', 'detail', 'fields'})}"
    error, detail = body.get("error"), body.get("detail")
    if not isinstance(error, str) or not error:
        return "no 'error' kind"
    if not isinstance(detail, str) or len(detail.strip()) < 5:
        return f"no clear 'detail': {detail!r}"
    if _NOT_FOR_PEOPLE.search(detail):
        return f"detail reads like a crash, not a message: {detail[:200]!r}"
    fields = body.get("fields")
    if fields is not None and not (
        isinstance(fields, dict) and all(isinstance(v, str) and v for v in fields.values())
    ):
        return f"'fields' is not a message per field: {fields!r}"
    return None


def leaked_secret(response: httpx.Response, secrets: list[str]) -> str | None:
    """The first stored secret found in the answer's headers or body, if any."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items() if k != "set-cookie")
    text = headers + "\n" + response.text
    for secret in secrets:
        if secret in text:
            return secret[:4] + "..."
    return None


def describe(exc: BaseException, limit: int = 1500) -> str:
    """A failure in a few lines, with the sub-failures Hypothesis groups (flaky, multiple)."""
    text = str(exc).strip()
    if isinstance(exc, BaseExceptionGroup):
        text += "".join("\n  - " + describe(sub, limit // 2) for sub in exc.exceptions)
    return text[:limit]
