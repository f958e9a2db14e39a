"""The paging envelope and the sort rules of the *arr list endpoints.

Omitted `sortDirection` sorts descending; only the explicit `default` gives the endpoint's own
order. Unknown sort keys fall back silently to the default and the echoed key is the canonical
(table-prefixed on Sonarr v4) form. Sonarr v3 reads the direction only when a key is given and
adds `filters` to the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from vibe_quality_searcharr.simulator.families import SortSpec

__all__ = [
    "BadRequest",
    "PageRequest",
    "Sort",
    "envelope",
    "page_slice",
    "parse_bool",
    "parse_page",
    "resolve",
]


class BadRequest(Exception):
    """Rendered as 400 with the apps' `{"message": ...}` body."""


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int
    sort_key: str | None
    direction: str | None


@dataclass(frozen=True)
class Sort:
    field: str
    ascending: bool
    echo_key: str


def _int(params: QueryParams, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"The value '{raw}' is not valid for {name}.") from None


def parse_bool(params: QueryParams, name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BadRequest(f"The value '{raw}' is not valid for {name}.")


def parse_page(params: QueryParams) -> PageRequest:
    page = max(1, _int(params, "page", 1))
    page_size = _int(params, "pageSize", 10)
    if page_size < 0:
        raise BadRequest("pageSize must not be negative")
    direction = params.get("sortDirection")
    if direction is not None:
        direction = {"0": "default", "1": "ascending", "2": "descending"}.get(
            direction, direction.lower()
        )
        if direction not in ("default", "ascending", "descending"):
            raise BadRequest(f"The value '{params.get('sortDirection')}' is not valid.")
    return PageRequest(page, page_size, params.get("sortKey") or None, direction)


def resolve(spec: SortSpec, request: PageRequest, *, legacy: bool = False) -> Sort:
    """Apply the whitelist with silent fallback; `legacy` is Sonarr v3's rule set."""
    field = spec.accepted.get(request.sort_key or "", spec.default_field)
    echo = spec.echo[field]
    if legacy:
        if request.sort_key is None:
            return Sort(field, spec.default_ascending, echo)
        if request.sort_key in spec.accepted:
            echo = request.sort_key
    if request.direction is None:
        ascending = False
    elif request.direction == "default":
        ascending = spec.default_ascending
    else:
        ascending = request.direction == "ascending"
    return Sort(field, ascending, echo)


def envelope(
    request: PageRequest,
    sort: Sort,
    total: int,
    records: list[dict[str, Any]],
    *,
    legacy: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "page": request.page,
        "pageSize": request.page_size,
        "sortKey": sort.echo_key,
        "sortDirection": "ascending" if sort.ascending else "descending",
        "totalRecords": total,
        "records": records,
    }
    if legacy:
        body["filters"] = []
    return body


def page_slice(request: PageRequest, rows: list[Any]) -> list[Any]:
    start = (request.page - 1) * request.page_size
    return rows[start : start + request.page_size]
