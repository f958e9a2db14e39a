"""Every state-changing route, forms and JSON API alike, refuses a signed-in browser's request
that lacks this app's CSRF token (missing, forged, or sent from another site) and stores
nothing of it, even when the rest of the submission is exactly what the page would send. A page
route is told why on an error page, the API with the problem document.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.routing import APIRoute, iter_route_contexts

from tests.conftest import SignedInClient
from tests.reliability.bad_input.conftest import World
from tests.reliability.bad_input.forms import concrete, discover_forms
from tests.reliability.bad_input.hostile import targets
from tests.reliability.bad_input.verdict import problem_fault

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
REASONS = (
    "Missing or wrong CSRF token; reload the page and try again.",
    "Cross-site request refused.",
)


@contextmanager
def _without_csrf(client: SignedInClient) -> Iterator[None]:
    token, client.csrf_token = client.csrf_token, None
    try:
        yield
    finally:
        client.csrf_token = token


def _refusal_fault(response: httpx.Response) -> str | None:
    """A 403 that says why: an error page outside the API (every request here accepts HTML, as
    a browser's does; a JSON problem would be shown raw), the JSON problem for the API."""
    if response.status_code != 403:
        return "not refused"
    if response.request.url.path.startswith("/api/"):
        return problem_fault(response)
    if not response.headers.get("content-type", "").startswith("text/html"):
        return "a form post refused with something a browser cannot show"
    if not any(why in response.text for why in REASONS):
        return "an error page that does not say why"
    return None


def _unsafe_routes(world: World) -> list[tuple[str, str]]:
    found = set()
    for context in iter_route_contexts(world.app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path is not None:
            found |= {(method, context.path) for method in route.methods or () if method in UNSAFE}
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


def test_no_unsafe_route_acts_without_this_apps_csrf_token(world: World) -> None:
    real = targets(world.seeded)
    rendered = {form.path: form for form in discover_forms(world.app, world.admin, real)}
    token = world.admin.csrf_token
    assert token
    routes = _unsafe_routes(world)
    assert len(routes) >= 70, "unsafe routes went missing"
    before = world.snapshots.take()
    failures: list[str] = []
    for method, path in routes:
        url = concrete(path, real)
        form = rendered.get(path)
        body: dict[str, Any] = (
            {"data": {name: values[0] for name, values in form.fields.items() if values}}
            if form is not None
            else {"json": {}}
        )
        attempts: list[tuple[str, dict[str, str], dict[str, Any]]] = [
            ("no token", {}, body),
            ("forged header", {"X-CSRF-Token": token[:-2] + "xx"}, body),
            ("another site", {"X-CSRF-Token": token, "Origin": "https://evil.example"}, body),
        ]
        if form is not None:
            forged = {**body["data"], "csrf_token": "forged"}
            attempts.append(("forged field", {}, {"data": forged}))
        for what, headers, payload in attempts:
            with _without_csrf(world.admin):
                response = world.admin.request(
                    method,
                    url,
                    headers={"Accept": "text/html", **headers},
                    follow_redirects=False,
                    **payload,
                )
            fault = _refusal_fault(response)
            if fault is not None:
                failures.append(f"{method} {url} ({what}): {response.status_code} {fault}")
    changed = world.snapshots.changed(before, world.snapshots.take())
    assert not failures, "\n".join(failures)
    assert not changed, f"requests without a valid CSRF token changed {changed}"
