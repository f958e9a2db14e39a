"""The failing examples the bad-input fuzzing found, kept as plain tests so they stay fixed.

Each names the request that used to fail and what it did before the fix.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import SignedInClient
from tests.reliability.bad_input.conftest import World
from tests.search.conftest import add_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import Instance


@pytest.mark.parametrize(
    "path", ["/api/v1/instances", "/api/v1/instances/1/health/events", "/api/v1/notifications"]
)
@pytest.mark.parametrize("page", [2**63 - 1, 10**18, 100_001])
def test_a_page_number_past_the_last_possible_page_is_a_422(
    admin_client: SignedInClient, path: str, page: int
) -> None:
    """Was a 500: the offset `(page - 1) * page_size` overflowed SQLite's 64-bit integer."""
    response = admin_client.get(path, params={"page": page})
    assert response.status_code == 422
    assert response.json()["fields"] == {"page": "Input should be less than or equal to 100000"}


NOT_A_HEADER = "ç\U000c963bn\x8csw^ÎÿÝ"  # the key schemathesis generated
CONTROL = "abcdefgh\x0fijkl"


@pytest.mark.parametrize("key", [NOT_A_HEADER, CONTROL])
def test_an_api_key_that_cannot_be_sent_as_a_header_is_refused_before_use(
    context: AppContext, admin_client: SignedInClient, key: str
) -> None:
    """Was a 500 (UnicodeEncodeError in httpx) on every connection test; a created instance
    stored the key and failed every later sync and health check the same way."""
    instance_id = add_instance(context)
    attempts = [
        (
            "post",
            "/api/v1/instances/test",
            {"app": "sonarr", "url": "http://192.168.1.9", "api_key": key},
        ),
        ("post", f"/api/v1/instances/{instance_id}/test", {"api_key": key}),
        (
            "post",
            "/api/v1/instances",
            {"name": "S", "app": "sonarr", "url": "http://192.168.1.9", "api_key": key},
        ),
        ("patch", f"/api/v1/instances/{instance_id}", {"api_key": key}),
    ]
    for method, url, body in attempts:
        response = admin_client.request(method, url, json=body)
        assert response.status_code == 422, (url, response.text)
        assert "API key" in response.json()["fields"]["api_key"]
    page = admin_client.post(
        "/instances/new",
        data={
            "name": "S",
            "app": "sonarr",
            "url": "http://192.168.1.9",
            "api_key": key,
            "action": "test",
        },
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 422
    assert 'id="api_key-error"' in page.text
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 1


def test_nul_in_any_text_is_a_422_naming_the_field_and_stores_nothing(world: World) -> None:
    """Was a 500 on PostgreSQL (text cannot hold NUL; the driver failed on INSERT, UPDATE or the
    LIKE of a search); SQLite stored the NUL. Now refused before the database on both."""
    seeded, nul = world.seeded, "a\x00b"
    instance = seeded.instances[0]
    writes = [
        ("POST", "/api/v1/queues", {"name": nul, "instance_id": instance}, "name"),
        ("PATCH", f"/api/v1/queues/{seeded.queues[0]}", {"name": nul}, "name"),
        (
            "PATCH",
            f"/api/v1/queues/{seeded.queues[0]}",
            {"schedule": {"kind": "cron", "expression": nul}},
            "schedule",
        ),
        (
            "POST",
            "/api/v1/exclusions",
            {"instance_id": instance, "scope": "item", "arr_id": 9, "reason": nul},
            "reason",
        ),
        ("PATCH", f"/api/v1/exclusions/{seeded.exclusions[0]}", {"reason": nul}, "reason"),
        ("POST", "/api/v1/notifications", {"name": nul, "url": "json://127.0.0.1:9/x"}, "name"),
        ("PATCH", f"/api/v1/notifications/{seeded.notifications[0]}", {"name": nul}, "name"),
        (
            "POST",
            "/api/v1/instances",
            {"name": nul, "app": "sonarr", "url": "http://192.168.1.5", "api_key": "abcdefgh12"},
            "name",
        ),
        ("PATCH", f"/api/v1/instances/{instance}", {"name": nul}, "name"),
    ]
    before = world.snapshots.take()
    for method, url, body, field in writes:
        response = world.admin.request(method, url, json=body)
        assert response.status_code == 422, (method, url, response.text)
        assert "NUL" in response.json()["fields"][field]
    for path in (f"/api/v1/library/{instance}/items", f"/api/v1/library/{instance}/parents"):
        response = world.admin.get(path, params={"q": nul})
        assert response.status_code == 422, (path, response.text)
        assert "NUL" in response.json()["fields"]["q"]
    page = world.admin.get(
        f"/library/{instance}/items", params={"q": nul}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 422
    form = world.admin.post(
        "/exclusions",
        data={
            "instance_id": str(instance),
            "scope": "item",
            "arr_id": "9",
            "reason": nul,
            "expiry": "30",
        },
        headers={"Accept": "text/html"},
    )
    assert form.status_code == 422
    assert 'id="reason-error"' in form.text
    assert world.snapshots.changed(before, world.snapshots.take()) == []
