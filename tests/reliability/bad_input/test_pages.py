"""Hostile query strings and path ids at every HTML page: a page never answers 5xx, never shows
a stored secret, shows its message when it refuses, and reading a page never stores anything.

The query parameters fuzzed are the ones each page declares (read from its FastAPI dependant),
plus a stray one; values are the same hostile set as the forms' (`hostile.HOSTILE`).
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.bad_input.conftest import FUZZ, World
from tests.reliability.bad_input.forms import FormRoute
from tests.reliability.bad_input.hostile import HOSTILE, path_strategy, refusal, targets
from tests.reliability.bad_input.seed import settle
from tests.reliability.bad_input.verdict import describe, leaked_secret

NOT_PAGES = ("/events/stream", "/auth/oidc/")  # a stream, and a redirect to an identity provider


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _pages(app: FastAPI) -> list[tuple[str, set[str]]]:
    found: dict[str, set[str]] = {}
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if not isinstance(route, APIRoute) or path is None or path.startswith("/api/"):
            continue
        if "GET" in (route.methods or ()) and not path.startswith(NOT_PAGES):
            found.setdefault(path, set()).update(_query_names(route.dependant))
    return sorted(found.items())


def _query(names: set[str]) -> st.SearchStrategy[dict[str, str]]:
    value = st.one_of(
        st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str), st.just("A" * 5000)
    )
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(names), value))
    stray = st.dictionaries(st.text(min_size=1, max_size=8), value, max_size=1)
    return st.builds(lambda a, b: {**b, **a}, known, stray)


def test_every_page_survives_hostile_queries_and_reading_stores_nothing(world: World) -> None:
    real = targets(world.seeded)
    pages = _pages(world.app)
    assert len(pages) >= 35, "pages went missing"
    only = os.environ.get("VQS_TEST_FUZZ_ONLY", "")
    failures: list[str] = []
    for path, names in (page for page in pages if only in page[0]):

        @given(url=path_strategy(FormRoute(path), real), query=_query(names), htmx=st.booleans())
        @FUZZ
        def run(url: str, query: dict[str, str], htmx: bool) -> None:
            headers = {"Accept": "text/html", **({"HX-Request": "true"} if htmx else {})}
            before = world.snapshots.take()
            response = world.admin.get(url, params=query, headers=headers, follow_redirects=False)
            settle(world.app, world.admin)
            where = f"GET {url} {query!r:.200}"
            assert response.status_code < 500, f"{where} answered {response.status_code}"
            leak = leaked_secret(response, world.seeded.secrets)
            assert leak is None, f"{where} showed a stored secret ({leak})"
            if response.status_code >= 400:
                _refused, fault = refusal(world, response)
                assert fault is None, f"{where} {response.status_code}: {fault}"
            changed = world.snapshots.changed(before, world.snapshots.take())
            assert not changed, f"{where} is a read but changed {changed}"

        try:
            run()
        except Exception as exc:  # collect them all: one report lists every broken page
            failures.append(f"{path}: {describe(exc)}")
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
