"""Hypothesis-generated submissions at every HTML form route, as a signed-in admin with a valid
CSRF token, and every unsafe route without one.

Fields are the ones the pages really render (`forms.discover_forms`), each left out, repeated or
filled with hostile text: random unicode, null bytes, 100,000-character values, numbers out of
range, wrong types, markup. Path ids are real seeded rows or ids that do not exist or are not
numbers. Whatever comes back: never a 5xx, never a stored secret, never a redirect off the site.
A refusal (a 4xx, a form shown again with its errors, or a redirect to a page flashing an error)
shows its message and leaves every stored row as it was.
"""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.bad_input.conftest import FUZZ, World
from tests.reliability.bad_input.forms import FormRoute, concrete, discover_forms
from tests.reliability.bad_input.seed import Seeded, settle
from tests.reliability.bad_input.verdict import describe, leaked_secret, problem_fault

# Forms a seeded admin's pages do not render (signed-out pages, other 2FA states): their fields
# as the templates name them.
UNRENDERED_FIELDS = {
    "/login": ["username", "password", "next"],
    "/login/2fa": ["code", "next"],
    "/setup": ["username", "password"],
    "/settings/2fa/confirm": ["code"],
    "/settings/2fa/disable": ["password", "code"],
    "/settings/2fa/recovery-codes": ["password"],
    "/library/{instance_id}/items/{item_id}/exclude": ["scope", "reason", "expires_in_days"],
}
BOGUS_IDS = ["999999", "0", "-1", "abc", "1.5", "99999999999999999999999", "%00", "1%20OR%201"]
HOSTILE = [
    "",
    " ",
    "\x00",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "[]",
    '{"a": 1}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "2025-13-45T25:61",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "Ā\u202e\ufeff",
]
ERROR_MARKERS = ('class="field-error"', 'class="form-error"', "flash-error", 'role="alert"')


def targets(seeded: Seeded) -> dict[str, int]:
    return {
        "instance_id": seeded.instances[0],
        "queue_id": seeded.queues[0],
        "exclusion_id": seeded.exclusions[0],
        "user_id": seeded.users[0],
        "token_id": seeded.tokens[0],
        "session_id": seeded.sessions[0],
        "run_id": seeded.runs[0],
        "item_id": seeded.items[2][1],  # not excluded: its page shows the exclude form
        "parent_id": seeded.parents[0][1],
        "target_id": seeded.notifications[0],
    }


def _value(seen: list[str]) -> st.SearchStrategy[str]:
    huge = st.builds(
        lambda ch, n: ch * n,
        st.sampled_from(["A", "\x00", "é", "\U0001f600"]),
        st.sampled_from([5_000, 100_000]),
    )
    return st.one_of(
        st.sampled_from(sorted(set(seen)) or [""]),  # a real value keeps the other fields honest
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.integers().map(str),
        huge,
    )


def _fields(form: FormRoute) -> st.SearchStrategy[dict[str, Any]]:
    one = {name: _value(seen) for name, seen in form.fields.items()}
    many = {
        name: st.one_of(value, st.lists(value, min_size=2, max_size=3))
        for name, value in one.items()
    }
    extra = st.dictionaries(st.text(min_size=1, max_size=12), st.sampled_from(HOSTILE), max_size=2)
    return st.builds(
        lambda known, more: {**more, **known}, st.fixed_dictionaries({}, optional=many), extra
    )


def _path(form: FormRoute, real: dict[str, int]) -> st.SearchStrategy[str]:
    def build(ids: list[str]) -> str:
        return concrete(form.path, dict(zip(form.parameters, ids, strict=True)))  # type: ignore[arg-type]

    one = [
        st.one_of(st.just(str(real[name])), st.sampled_from(BOGUS_IDS)) for name in form.parameters
    ]
    return st.tuples(*one).map(lambda ids: build(list(ids)))


def _order(form: FormRoute) -> tuple[int, str]:
    if form.path == "/logout":
        return (3, form.path)
    if form.path.endswith(("/delete", "/revoke", "/revoke-others")):
        return (2, form.path)
    return (1 if form.path.startswith("/instances/") else 0, form.path)


def _page_shows_error(text: str) -> bool:
    return any(marker in text for marker in ERROR_MARKERS)


def _refusal(world: World, response: httpx.Response) -> tuple[bool, str | None]:
    """(refused, fault): whether the app turned the submission down, and what is wrong with how
    it answered, if anything."""
    status = response.status_code
    location = response.headers.get("HX-Redirect") or response.headers.get("location")
    if location is not None:
        if not location.startswith("/") or location.startswith("//"):
            return False, f"redirects off the site to {location!r}"
        page = world.admin.get(location, headers={"Accept": "text/html"}, follow_redirects=True)
        return "flash-error" in page.text, None
    if 400 <= status < 500:
        if response.headers.get("content-type", "").startswith("text/html"):
            shown = _page_shows_error(response.text) or re.search(r"<h1[ >]", response.text)
            return True, None if shown else "a refusal page without an error message"
        return True, problem_fault(response)
    return status == 200 and _page_shows_error(response.text), None


def _fire(world: World, form: FormRoute, real: dict[str, int]) -> int:
    sent = 0

    @given(path=_path(form, real), fields=_fields(form), htmx=st.booleans())
    @FUZZ
    def run(path: str, fields: dict[str, Any], htmx: bool) -> None:
        nonlocal sent
        headers = {"Accept": "text/html", **({"HX-Request": "true"} if htmx else {})}
        before = world.snapshots.take()
        response = world.admin.post(path, data=fields, headers=headers, follow_redirects=False)
        settle(world.app, world.admin)
        sent += 1
        where = f"POST {path} {sorted(fields)[:8]}"
        assert response.status_code < 500, f"{where} answered {response.status_code}"
        leak = leaked_secret(response, world.seeded.secrets)
        assert leak is None, f"{where} sent back a stored secret ({leak})"
        refused, fault = _refusal(world, response)
        assert fault is None, f"{where} {response.status_code}: {fault}"
        if refused:
            changed = world.snapshots.changed(before, world.snapshots.take())
            assert not changed, f"{where} was refused but changed {changed}"

    run()
    return sent


def _forms(world: World) -> tuple[list[FormRoute], dict[str, int]]:
    real = targets(world.seeded)
    forms = discover_forms(world.app, world.admin, real)
    assert len(forms) >= 30, "form routes went missing"
    for form in forms:
        for name in UNRENDERED_FIELDS.get(form.path, []):
            form.fields.setdefault(name, [""])
    return sorted(forms, key=_order), real


def test_every_form_refuses_bad_fields_clearly_and_changes_nothing(world: World) -> None:
    forms, real = _forms(world)
    only = os.environ.get("VQS_TEST_FUZZ_ONLY", "")
    failures: list[str] = []
    sent = 0
    for form in (form for form in forms if only in form.path):
        try:
            sent += _fire(world, form, real)
        except Exception as exc:  # collect them all: one report lists every broken form
            failures.append(f"{form.path}: {describe(exc)}")
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
    assert sent >= len(forms)
