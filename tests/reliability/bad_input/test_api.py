"""Generated and deliberately invalid requests at every operation of the app's own OpenAPI
document, as an admin with a full-scope API token, against a seeded configuration.

Each operation is fired at three ways: schemathesis' negative data (bodies, query and path
values that break the schema) with generated path values, the same with the path pointing at a
real seeded row (so the invalid edit has a target), and valid data aimed at real rows. Whatever
comes back: never a 5xx, never a stored secret, and the schema's own promises hold. Every 4xx
is a problem document with a clear message and leaves every stored row as it was (see
`digest.IGNORED_TABLES` for what a refusal may write). Deletes run last so the other operations
still find their targets.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from tests.reliability.bad_input.conftest import FUZZ, World
from tests.reliability.bad_input.hostile import targets
from tests.reliability.bad_input.seed import settle
from tests.reliability.bad_input.verdict import describe, leaked_secret, problem_fault

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]


def _send(client: httpx.Client, case: schemathesis.Case, headers: dict[str, str]) -> httpx.Response:
    """The case through the test's own client (the app's lifespan and event loop stay ours)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    method, url = kwargs.pop("method"), kwargs.pop("url")
    request: dict[str, Any] = {"headers": kwargs.pop("headers"), "params": kwargs.pop("params")}
    if "json" in kwargs:
        request["json"] = kwargs.pop("json")
    if "data" in kwargs:
        data = kwargs.pop("data")
        request["content" if isinstance(data, (bytes, str)) else "data"] = data
    if cookies := kwargs.pop("cookies", None):
        request["headers"]["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    assert not {k for k, v in kwargs.items() if v}, f"unsupported transport options {kwargs}"
    return client.request(method, url, **request)


def _has_inputs(operation: APIOperation) -> bool:
    """Whether it takes anything besides its path: a body or query parameters."""
    return bool(list(operation.body)) or bool(list(operation.query))


def _order(operation: APIOperation) -> tuple[int, str]:
    destructive = operation.method.upper() == "DELETE" or operation.path.endswith(
        ("/logout", "/revoke-others", "/import")
    )
    return (1 if destructive else 0, operation.label)


def _variants(operation: APIOperation, targets: dict[str, int | str]) -> list[tuple[str, Any]]:
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in targets.items() if name in names}
    assert len(fixed) == len(names), f"no seeded target for {names - set(fixed)}"
    negative = GenerationMode.NEGATIVE
    variants = []
    if names or _has_inputs(operation):  # nothing to break in an operation without inputs
        variants.append(("negative", operation.as_strategy(negative)))
    if names and _has_inputs(operation):
        variants.append(
            ("negative at a real row", operation.as_strategy(negative, path_parameters=fixed))
        )
    variants.append(("positive", operation.as_strategy(path_parameters=fixed or None)))
    return variants


def _fire(world: World, label: str, mode: str, strategy: Any, headers: dict[str, str]) -> int:
    checks = NEGATIVE_CHECKS if mode.startswith("negative") else CHECKS
    sent = 0

    @given(case=strategy)
    @FUZZ
    def run(case: schemathesis.Case) -> None:
        nonlocal sent
        before = world.snapshots.take()
        response = _send(world.admin, case, headers)
        settle(world.app, world.admin)
        sent += 1
        where = f"{label} ({mode}): {case.method} {response.request.url}"
        assert response.status_code < 500, f"{where} answered {response.status_code}"
        leak = leaked_secret(response, world.seeded.secrets)
        assert leak is None, f"{where} sent back a stored secret ({leak})"
        if 400 <= response.status_code < 500:
            fault = problem_fault(response)
            assert fault is None, f"{where} {response.status_code}: {fault}"
            changed = world.snapshots.changed(before, world.snapshots.take())
            assert not changed, f"{where} refused ({response.text[:200]}) but changed {changed}"
        case.validate_response(response, checks=checks, headers=headers)

    run()
    return sent


def test_every_operation_refuses_bad_input_cleanly_and_changes_nothing(world: World) -> None:
    spec = world.admin.get("/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) >= 60, "the document lost operations"
    headers = {"Authorization": f"Bearer {world.seeded.token}"}
    real = targets(world.seeded)
    failures: list[str] = []
    sent = 0
    only = os.environ.get("VQS_TEST_FUZZ_ONLY", "")
    chosen = [operation for operation in operations if only in operation.label]
    for operation in chosen:
        for mode, strategy in _variants(operation, real):
            try:
                sent += _fire(world, operation.label, mode, strategy, headers)
            except Exception as exc:  # collect them all: one report lists every broken route
                failures.append(f"{operation.label} [{mode}]: {describe(exc)}")
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
    assert sent >= len(chosen) * 2


EDGES: dict[str, list[Any]] = {
    "integer": [2**63, -(2**63) - 1, 10**30, 0, -1, "1.5", "0x10", ""],
    "number": ["1e400", "-1e400", "NaN", "Infinity", ""],
    "string": ["\x00", "A" * 5000, "\U0001f600" * 100, "' OR 1=1 --", "", " "],
    "boolean": ["maybe", "2", ""],
}


def _kind(schema: dict[str, Any]) -> str:
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("type") in EDGES:
            return str(option["type"])
    return "string"


def test_every_query_parameter_survives_edge_values(world: World) -> None:
    """The values random generation rarely reaches: past 64 bits, NaN, null bytes, 5,000
    characters. Each is sent alone, to every query parameter of every operation."""
    spec = world.admin.get("/api/openapi.json").json()
    headers = {"Authorization": f"Bearer {world.seeded.token}"}
    real = targets(world.seeded)
    failures: list[str] = []
    sent = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            url = path.format(**real)
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                for value in EDGES[_kind(parameter.get("schema", {}))]:
                    before = world.snapshots.take()
                    response = world.admin.request(
                        method, url, params={parameter["name"]: value}, headers=headers
                    )
                    settle(world.app, world.admin)
                    sent += 1
                    where = f"{method.upper()} {path}?{parameter['name']}={str(value)[:20]!r}"
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
                    elif response.status_code >= 400:
                        fault = problem_fault(response)
                        changed = world.snapshots.changed(before, world.snapshots.take())
                        if fault or changed:
                            failures.append(f"{where}: {fault or ''} changed {changed}")
    assert not failures, "\n".join(failures)
    assert sent >= 100
