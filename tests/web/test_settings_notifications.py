"""Settings > Notifications: add with "send test" first, edit (a blank URL keeps the stored
one), enable/disable, test, delete with a confirmation. The URL (it holds a token) never
appears on a page; bad input is shown next to its field and stores nothing."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import SignedInClient
from tests.notifications import conftest as notification_fixtures
from tests.notifications.conftest import TOKEN, Receiver
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.service import url_box

PAGE = "/settings/notifications"
receiver = notification_fixtures.receiver  # the loopback Apprise json:// receiver fixture


def _targets(context: AppContext) -> list[NotificationTarget]:
    with context.database.session_scope() as session:
        rows = list(session.scalars(select(NotificationTarget).order_by(NotificationTarget.id)))
        session.expunge_all()
        return rows


def _form(url: str, name: str = "Home", **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "url": url,
        "events": ["run_grabs", "budget_low"],
        "enabled": "on",
        **extra,
    }


def test_a_target_is_tested_before_saving_and_its_url_never_shown(
    admin_client: SignedInClient,
    context: AppContext,
    receiver: Receiver,
    mode: Mode,
) -> None:
    empty = mode.page(mode.get(admin_client, PAGE))
    assert "No notification target yet" in empty
    tested = mode.post(admin_client, f"{PAGE}/new", data=_form(receiver.url(), action="test"))
    assert "Test message sent" in mode.page(tested)
    assert receiver.titles == ["Vibe-Quality-Searcharr test"]
    assert TOKEN not in tested.text
    assert _targets(context) == []

    refused = mode.post(admin_client, f"{PAGE}/new", data=_form("foo://x/y", action="test"))
    text = mode.page(refused, 200 if mode.htmx else 422)
    assert "Nothing was sent" in text
    assert "unknown service foo://" in text
    assert len(receiver.posts) == 1

    for data, field in (
        (_form("foo://x/y"), "url"),
        (_form(receiver.url(), name=" "), "name"),
        (_form(receiver.url(), events=["nope"]), "events"),
        (_form(receiver.url(), events=["test"]), "events"),
    ):
        page = mode.page(mode.post(admin_client, f"{PAGE}/new", data=data), 422)
        assert f'id="{field}-error"' in page, field
        assert TOKEN not in page
    assert _targets(context) == []

    saved = mode.post(admin_client, f"{PAGE}/new", data=_form(receiver.url()))
    assert mode.redirected_to(saved) == PAGE
    listing = mode.page(mode.get(admin_client, PAGE))
    assert "Added Home (JSON)." in listing
    assert "<code>json://…</code>" in listing
    assert "Run finished with grabs, Budget nearly spent" in listing
    assert TOKEN not in listing
    (target,) = _targets(context)
    assert target.events == ["run_grabs", "budget_low"]
    assert url_box(context.secrets.master_secret).decrypt(target.url_encrypted) == receiver.url()
    edit = mode.page(mode.get(admin_client, f"{PAGE}/{target.id}/edit"))
    assert TOKEN not in edit
    assert "leave blank to keep it" in edit

    taken = mode.post(admin_client, f"{PAGE}/new", data=_form(receiver.url()))
    assert 'id="name-error"' in mode.page(taken, 422)
    assert len(_targets(context)) == 1


def test_edit_toggle_test_and_delete(
    admin_client: SignedInClient,
    context: AppContext,
    receiver: Receiver,
    mode: Mode,
) -> None:
    for name in ("Home", "Phone"):
        created = admin_client.post(
            "/api/v1/notifications", json={"name": name, "url": receiver.url()}
        )
        assert created.status_code == 201
    home, phone = _targets(context)
    edit = f"{PAGE}/{home.id}/edit"

    clash = mode.post(
        admin_client, edit, data={"name": "Phone", "url": "", "events": ["sync_failed"]}
    )
    assert 'id="name-error"' in mode.page(clash, 422)
    assert _targets(context)[0].name == "Home"

    renamed = mode.post(
        admin_client, edit, data={"name": "Desk", "url": "", "events": ["sync_failed"]}
    )
    assert mode.redirected_to(renamed) == PAGE
    desk = _targets(context)[0]
    assert (desk.name, desk.events, desk.enabled) == ("Desk", ["sync_failed"], False)
    assert url_box(context.secrets.master_secret).decrypt(desk.url_encrypted) == receiver.url()

    # "Send test" while editing with the URL left blank uses the stored URL.
    tested = mode.post(admin_client, edit, data={"name": "Desk", "url": "", "action": "test"})
    assert "Test message sent" in mode.page(tested)
    assert len(receiver.posts) == 1

    enabled = mode.post(admin_client, f"{PAGE}/{desk.id}/enabled", data={"enabled": "true"})
    assert mode.redirected_to(enabled) == PAGE
    assert _targets(context)[0].enabled
    assert "Desk enabled." in mode.page(mode.get(admin_client, PAGE))

    receiver.status = 500
    failed = mode.post(admin_client, f"{PAGE}/{desk.id}/test")
    mode.redirected_to(failed)
    listing = mode.page(mode.get(admin_client, PAGE))
    assert "The test message to Desk failed" in listing
    assert "Last failure" in listing
    assert TOKEN not in listing

    confirm = mode.page(mode.get(admin_client, f"{PAGE}/{phone.id}/delete"))
    assert "Delete Phone?" in confirm
    assert [t.name for t in _targets(context)] == ["Desk", "Phone"]
    deleted = mode.post(admin_client, f"{PAGE}/{phone.id}/delete")
    assert mode.redirected_to(deleted) == PAGE
    assert [t.name for t in _targets(context)] == ["Desk"]
    assert mode.get(admin_client, f"{PAGE}/{phone.id}/edit").status_code == 404


def test_viewers_cannot_see_or_change_notifications(
    viewer_client: SignedInClient, mode: Mode
) -> None:
    assert mode.get(viewer_client, PAGE).status_code == 403
    assert mode.get(viewer_client, f"{PAGE}/new").status_code == 403
    response = mode.post(viewer_client, f"{PAGE}/new", data=_form("json://127.0.0.1:1/x"))
    assert response.status_code == 403
    nav = mode.page(mode.get(viewer_client, "/settings/account")).split("Settings sections")[1]
    assert "Notifications" not in nav.split("</nav>")[0]
