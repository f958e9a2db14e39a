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
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.bad_input.conftest import FUZZ, World
from tests.reliability.bad_input.forms import FormRoute, discover_forms
from tests.reliability.bad_input.hostile import HOSTILE, path_strategy, refusal, targets
from tests.reliability.bad_input.seed import settle
from tests.reliability.bad_input.verdict import describe, leaked_secret

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


def _order(form: FormRoute) -> tuple[int, str]:
    if form.path == "/logout":
        return (4, form.path)
    if form.path == "/instances/{instance_id}/delete":  # takes its queues with it: after theirs
        return (3, form.path)
    if form.path.endswith(("/delete", "/revoke", "/revoke-others")):
        return (2, form.path)
    return (1 if form.path.startswith("/instances/") else 0, form.path)


def _fire(world: World, form: FormRoute, real: dict[str, int | str]) -> int:
    sent = 0

    @given(path=path_strategy(form, real), fields=_fields(form), htmx=st.booleans())
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
        refused, fault = refusal(world, response)
        assert fault is None, f"{where} {response.status_code}: {fault}"
        if refused:
            changed = world.snapshots.changed(before, world.snapshots.take())
            assert not changed, f"{where} was refused but changed {changed}"

    run()
    return sent


def _forms(world: World) -> tuple[list[FormRoute], dict[str, int | str]]:
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
