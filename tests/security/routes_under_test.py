"""The application's routes as concrete (method, path) pairs, computed from `app.routes`.

Routes added by later issues are picked up automatically: nothing here names a route.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

__all__ = ["UNSAFE", "all_routes", "concrete"]

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def concrete(path: str) -> str:
    path = re.sub(r"\{[^}:]+:path\}", "x/y", path)
    return re.sub(r"\{[^}]+\}", "1", path)


def all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every route, including those of included routers (FastAPI resolves those lazily)."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.add(("GET", route.path.rstrip("/") + "/probe"))
            found.add(("POST", route.path.rstrip("/") + "/probe"))
            continue
        path = context.path
        if path is None:
            continue
        for method in getattr(context, "methods", None) or {"GET"}:
            if method != "HEAD":
                found.add((method, concrete(path)))
    return sorted(found, key=lambda pair: (pair[1], pair[0]))
