"""Request ids: a proxy's well-formed id is kept, anything else is replaced, every answer has one."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def test_an_id_is_generated_when_none_is_sent(client: TestClient) -> None:
    first = client.get("/health/live").headers["X-Request-ID"]
    second = client.get("/health/live").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert first != second


def test_a_well_formed_incoming_id_is_echoed(client: TestClient) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": "proxy-3f2a.7781_ab"})
    assert response.headers["X-Request-ID"] == "proxy-3f2a.7781_ab"


@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 65, "has space inside", "inject\"quote'1234", "<script>alert(1)</script>"],
)
def test_a_malformed_incoming_id_is_replaced(client: TestClient, incoming: str) -> None:
    returned = client.get("/health/live", headers={"X-Request-ID": incoming}).headers[
        "X-Request-ID"
    ]
    assert returned != incoming
    assert re.fullmatch(r"[0-9a-f]{16}", returned)


def test_error_responses_carry_the_id(admin_client: TestClient) -> None:
    response = admin_client.get("/missing", headers={"X-Request-ID": "abcdef123456"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "abcdef123456"
