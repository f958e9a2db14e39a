"""Finds every HTML form route of the app and the fields its pages really submit.

The routes come from `app.routes` (every POST outside /api/: pages never post to the JSON API),
so a form added later is fuzzed without touching this file. The fields come from the pages
themselves: every GET page is rendered with seeded ids and its `<form method="post">` controls
read (name, current value, the options of a select), keyed by the route the action matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from vibe_quality_searcharr.security.csrf import CSRF_FIELD

__all__ = ["FormRoute", "discover_forms"]

_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


@dataclass
class FormRoute:
    """A form route: its path template, and the fields seen on pages that post to it."""

    path: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen
    found_on: str | None = None

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)

    def matches(self, action: str) -> bool:
        parts = _PARAMETER.split(self.path)  # literal, name, literal, name, ...
        pattern = "".join(re.escape(p) if i % 2 == 0 else "[^/]+" for i, p in enumerate(parts))
        return re.fullmatch(pattern, action) is not None


class _Forms(HTMLParser):
    """Collects (action, {name: [values]}) for each post form of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._current: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self._current = {}
            self.forms.append((values.get("action", ""), self._current))
        elif self._current is None:
            return
        elif tag in ("input", "textarea", "button") and values.get("name"):
            name = values["name"]
            if name != CSRF_FIELD:
                self._current.setdefault(name, []).append(values.get("value", ""))
        elif tag == "select" and values.get("name"):
            self._select = values["name"]
            self._current.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self._current[self._select].append(values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def concrete(path: str, targets: dict[str, int | str]) -> str:
    return _PARAMETER.sub(lambda match: str(targets[match.group(1)]), path)


def _html_routes(app: FastAPI, method: str) -> list[str]:
    found: list[str] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path
        if not isinstance(route, APIRoute) or path is None or path.startswith("/api/"):
            continue
        if method in (route.methods or set()) and not route.include_in_schema:
            found.append(path)
    return sorted(set(found))


def discover_forms(
    app: FastAPI, client: TestClient, targets: dict[str, int | str]
) -> list[FormRoute]:
    forms = [FormRoute(path) for path in _html_routes(app, "POST")]
    for page in _html_routes(app, "GET"):
        if page.startswith(("/events/", "/auth/oidc", "/library/{instance_id}/posters")):
            continue  # a stream, a redirect to a provider, an image: no forms
        url = concrete(page, targets)
        response = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        parser = _Forms()
        parser.feed(response.text)
        for action, fields in parser.forms:
            action = action.split("?", 1)[0] or url
            for form in forms:
                if form.matches(action):
                    for name, values in fields.items():
                        form.fields.setdefault(name, []).extend(values)
                    form.found_on = form.found_on or url
    return forms
