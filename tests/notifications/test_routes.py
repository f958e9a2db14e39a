"""The notifications API: URLs checked by Apprise, stored encrypted, never returned; test send."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import SignedInClient
from tests.notifications.conftest import TOKEN, Receiver
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.notifications.kinds import DEFAULT_SUBSCRIPTIONS
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.service import url_box

DISCORD = "discord://1234567890/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"


def stored(context: AppContext) -> list[NotificationTarget]:
    with context.database.session_scope() as session:
        rows = list(session.scalars(select(NotificationTarget)))
        session.expunge_all()
        return rows


def test_create_stores_the_url_encrypted_and_never_returns_it(
    admin_client: SignedInClient, context: AppContext
) -> None:
    response = admin_client.post(
        "/api/v1/notifications", json={"name": "Discord #media", "url": DISCORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/notifications/{body['id']}"
    assert body["url_set"] is True
    assert (body["scheme"], body["service"]) == ("discord", "Discord")
    assert body["events"] == [s.value for s in DEFAULT_SUBSCRIPTIONS]
    assert "update_available" not in body["events"]
    assert "abcdefghijklmnop" not in response.text
    listing = admin_client.get("/api/v1/notifications")
    assert listing.json()["total"] == 1
    assert "abcdefghijklmnop" not in listing.text
    assert "abcdefghijklmnop" not in admin_client.get(f"/api/v1/notifications/{body['id']}").text
    (row,) = stored(context)
    assert "abcdefghijklmnop" not in row.url_encrypted
    assert url_box(context.secrets.master_secret).decrypt(row.url_encrypted) == DISCORD


def test_an_unknown_service_or_broken_url_is_422_and_stores_nothing(
    admin_client: SignedInClient, context: AppContext
) -> None:
    for url, expected in (
        ("foo://bar/baz", "unknown service foo://"),
        ("discord://", "Apprise cannot use this discord:// URL"),
        ("not a url", "spaces"),
        ("", "enter an Apprise URL"),
    ):
        response = admin_client.post("/api/v1/notifications", json={"name": "x", "url": url})
        assert response.status_code == 422, url
        assert response.json()["error"] == "validation"
        assert expected in response.json()["fields"]["url"], response.json()
    assert stored(context) == []
    bad_event = admin_client.post(
        "/api/v1/notifications", json={"name": "x", "url": DISCORD, "events": ["nope"]}
    )
    assert bad_event.status_code == 422
    assert stored(context) == []


def test_update_keeps_the_url_unless_given_and_checks_a_new_one(
    admin_client: SignedInClient, context: AppContext
) -> None:
    created = admin_client.post(
        "/api/v1/notifications", json={"name": "one", "url": DISCORD, "events": ["instance_down"]}
    ).json()
    path = f"/api/v1/notifications/{created['id']}"
    changed = admin_client.patch(
        path, json={"name": "renamed", "events": ["update_available", "instance_up"]}
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["instance_up", "update_available"]
    assert (
        url_box(context.secrets.master_secret).decrypt(stored(context)[0].url_encrypted) == DISCORD
    )
    refused = admin_client.patch(path, json={"url": "foo://x", "name": "other"})
    assert refused.status_code == 422
    assert stored(context)[0].name == "renamed"
    ntfy = admin_client.patch(path, json={"url": "ntfys://ntfy.sh/my-private-topic-83hd"})
    assert (ntfy.json()["scheme"], ntfy.json()["service"]) == ("ntfys", "ntfy")
    admin_client.post("/api/v1/notifications", json={"name": "two", "url": DISCORD})
    assert admin_client.patch(path, json={"name": "two"}).status_code == 409
    assert admin_client.delete(path).status_code == 204
    assert admin_client.get(path).status_code == 404


def test_send_test_reaches_the_receiver_and_reports_failures(
    admin_client: SignedInClient, receiver: Receiver
) -> None:
    created = admin_client.post(
        "/api/v1/notifications", json={"name": "Home", "url": receiver.url()}
    ).json()
    result = admin_client.post(f"/api/v1/notifications/{created['id']}/test")
    assert result.status_code == 200
    assert result.json() == {"ok": True, "error": None}
    assert receiver.titles == ["Vibe-Quality-Searcharr test"]
    assert receiver.posts[0].path == f"/hooks/{TOKEN}"
    receiver.status = 503
    failed = admin_client.post(f"/api/v1/notifications/{created['id']}/test").json()
    assert failed["ok"] is False
    assert failed["error"]
    assert TOKEN not in failed["error"]
    shown = admin_client.get(f"/api/v1/notifications/{created['id']}").json()
    assert shown["failures"] == 1
    assert shown["sent_count"] == 1
    assert shown["last_error"] == failed["error"]
    assert admin_client.post("/api/v1/notifications/999/test").status_code == 404


def test_viewers_and_read_tokens_may_look_but_not_change(
    admin_client: SignedInClient, viewer_client: SignedInClient, anon_client: TestClient
) -> None:
    created = admin_client.post("/api/v1/notifications", json={"name": "d", "url": DISCORD}).json()
    assert viewer_client.get("/api/v1/notifications").status_code == 200
    assert viewer_client.post(f"/api/v1/notifications/{created['id']}/test").status_code == 403
    assert viewer_client.delete(f"/api/v1/notifications/{created['id']}").status_code == 403
    token = admin_client.post("/api/v1/tokens", json={"name": "ro", "scope": "read"}).json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    assert anon_client.get("/api/v1/notifications", headers=bearer).status_code == 200
    refused = anon_client.post(
        "/api/v1/notifications", json={"name": "x", "url": DISCORD}, headers=bearer
    )
    assert refused.status_code == 403
    assert anon_client.get("/api/v1/notifications").status_code == 401
