"""Property-based fuzzing of the app's own OpenAPI document, as an admin and as a viewer.

Every operation gets a few generated requests (kept small so CI stays fast): none may answer
500, and every answer must match the schema the app publishes.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.conftest import SignedInClient

MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _fuzz(app: FastAPI, client: SignedInClient) -> int:
    token = client.post("/api/v1/tokens", json={"name": "fuzz", "scope": "full"}).json()["token"]
    spec = client.get("/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case, data: st.DataObject) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=CHECKS)

        run()
    return len(operations)


@pytest.mark.slow
def test_api_as_admin_never_errors_and_matches_its_schema(
    app: FastAPI, admin_client: SignedInClient
) -> None:
    assert _fuzz(app, admin_client) > 0


@pytest.mark.slow
def test_api_as_viewer_never_errors_and_matches_its_schema(
    app: FastAPI, viewer_client: SignedInClient
) -> None:
    assert _fuzz(app, viewer_client) > 0


def test_validation_errors_are_documented_as_problems(admin_client: SignedInClient) -> None:
    spec = admin_client.get("/api/openapi.json").json()
    problem = spec["components"]["schemas"]["HTTPValidationError"]
    assert problem["required"] == ["error", "detail"]
    assert "ValidationError" not in spec["components"]["schemas"]
    bad = admin_client.post("/api/v1/tokens", json={"name": ""}).json()
    assert set(bad) == {"error", "detail", "fields"}
