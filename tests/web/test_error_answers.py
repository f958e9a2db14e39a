"""Every error answered to a browser is visible: htmx gets a toast aimed at the page's toast
region, a page or a plain form post gets the error page, the API keeps its JSON problems.

htmx swaps no 4xx/5xx by default, so before this an error answering a button showed nothing.
Each test runs as a page and as htmx (`mode`); an htmx toast is checked for its retarget
headers (what makes htmx put it in `#toasts`) and a page for its layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.conftest import SignedInClient, sign_in_client
from tests.reliability.dbfaults import PageLimit, queue_count, queue_form
from tests.search.conftest import add_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.errors import Conflict, Forbidden, InvalidInput
from vibe_quality_searcharr.notifications.models import NotificationTarget

SECRET_DETAIL = "password=hunter2 at /srv/secret/path.py line 42"


def shown(mode: Mode, response: httpx.Response, status: int, *words: str) -> str:
    """The error as this mode must show it: a toast for htmx (retargeted to the toast region,
    whatever the button aimed at), the error page with the layout otherwise."""
    text = mode.page(response, status)
    if mode.htmx:
        assert response.headers["HX-Retarget"] == "#toasts"
        assert response.headers["HX-Reswap"] == "innerHTML"
        assert response.headers["HX-Reselect"] == "[data-toast]"
        assert 'data-toast="error"' in text
        assert 'class="flash flash-error toast"' in text
        assert "<h1" not in text
    else:
        assert "HX-Retarget" not in response.headers
        assert "<h1>" in text
        assert "Back to the dashboard" in text
    for word in words:
        assert word in text, (word, text[:2000])
    assert "Traceback" not in text
    return text


@pytest.fixture
def failing(context: AppContext) -> Iterator[SignedInClient]:
    """An admin of an app with routes that crash or refuse, as a page's form would meet them."""
    app: FastAPI = create_app(context=context)

    @app.post("/test/crash")
    def crash() -> None:
        raise RuntimeError(SECRET_DETAIL)

    @app.post("/test/conflict")
    def conflict() -> None:
        raise Conflict("That name is taken by another queue.")

    @app.post("/test/forbidden")
    def forbidden() -> None:
        raise Forbidden("Admins only.")

    @app.post("/test/markup")
    def markup() -> None:
        raise InvalidInput('The name "<b>bold</b><script>alert(1)</script>" is not allowed.')

    with sign_in_client(app, context, "admin") as client:
        yield client


def test_a_crash_is_shown_with_its_request_id_and_nothing_else(
    failing: SignedInClient, mode: Mode
) -> None:
    response = mode.post(failing, "/test/crash", data={"x": "1"})
    request_id = response.headers["X-Request-ID"]
    text = shown(mode, response, 500, "Something went wrong", f"Quote request id {request_id}")
    assert "hunter2" not in text
    assert "RuntimeError" not in text


@pytest.mark.parametrize(
    ("path", "status", "sentence"),
    [
        ("/test/conflict", 409, "That name is taken by another queue."),
        ("/test/forbidden", 403, "Admins only."),
    ],
)
def test_a_refusal_of_a_form_post_is_shown_not_sent_as_json(
    failing: SignedInClient, mode: Mode, path: str, status: int, sentence: str
) -> None:
    shown(mode, mode.post(failing, path, data={"x": "1"}), status, sentence)


def test_a_message_quoting_what_was_typed_is_text_not_markup(
    failing: SignedInClient, mode: Mode
) -> None:
    text = shown(mode, mode.post(failing, "/test/markup", data={"x": "1"}), 422, "is not allowed")
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>bold" not in text


def test_the_api_keeps_its_json_problems(failing: SignedInClient) -> None:
    """A script posting JSON (no form, no htmx) still gets the problem document."""
    response = failing.post("/test/conflict", json={})
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": "That name is taken by another queue.",
    }
    crash = failing.post("/test/crash", json={})
    assert crash.status_code == 500
    assert crash.json()["error"] == "internal"
    refused = failing.post(
        "/api/v1/queues", json={"name": "x" * 500}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json()["error"] == "validation"


def test_a_viewer_pressing_a_button_is_told_why_nothing_happened(
    viewer_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context)
    response = mode.post(viewer_client, "/queues/new", data=queue_form(instance_id, "Mine"))
    shown(mode, response, 403, "Not allowed", "Viewers cannot change anything; ask an admin.")
    assert queue_count(context) == 0


def test_a_missing_csrf_token_is_shown_with_what_to_do(
    admin_client: SignedInClient, context: AppContext
) -> None:
    """htmx sends the token from the page's hx-headers; a page left open across a restart of
    the secrets, or a stripped header, must still say why the button did nothing."""
    instance_id = add_instance(context)
    htmx = Mode(htmx=True)
    token, admin_client.csrf_token = admin_client.csrf_token, None
    try:
        response = htmx.post(admin_client, "/queues/new", data=queue_form(instance_id, "Mine"))
    finally:
        admin_client.csrf_token = token
    shown(htmx, response, 403, "Missing or wrong CSRF token; reload the page and try again.")
    assert queue_count(context) == 0


def sqlite_only(context: AppContext) -> None:
    """The faults below are SQLite's (a page limit, the file moved away); PostgreSQL's
    unreachable server is tests/reliability/test_disk_db.py's."""
    if context.database.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite fault")


def test_a_full_disk_under_a_form_post_is_shown_and_nothing_is_stored(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    sqlite_only(context)
    instance_id = add_instance(context)
    limit = PageLimit(context.database)
    limit.fill()
    for number in range(400):  # until the pages left in the file are used up
        response = mode.post(
            admin_client, "/queues/new", data=queue_form(instance_id, f"Q{number}")
        )
        if response.status_code == 503:
            break
    stored = queue_count(context)
    text = shown(mode, response, 503, "Database unavailable", "disk holding the data directory")
    assert "Nothing was changed" in text
    assert "sqlite" not in text.lower()
    assert response.headers["Retry-After"] == "60"
    limit.lift()
    assert queue_count(context) == stored


def test_a_missing_database_file_is_shown_on_a_poll_too(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    """The sign-in itself cannot be read: the authentication layer answers, the same way."""
    sqlite_only(context)
    path = context.settings.sqlite_path
    aside = path.with_name("moved-away.db")
    path.rename(aside)
    try:
        response = mode.get(admin_client, "/instances")
        shown(mode, response, 503, "Database unavailable", "database file is missing")
    finally:
        aside.rename(path)
    assert mode.get(admin_client, "/instances").status_code == 200


def _notification_count(context: AppContext) -> int:
    with context.database.session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(NotificationTarget)) or 0


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "N" * 201, "url": "json://127.0.0.1:9/x"}, "name", "at most 200 characters"),
        ({"name": "Mine", "url": "json://x", "enabled": "y" * 11}, "enabled", "at most 10"),
    ],
    ids=["too-long", "too-long-checkbox"],
)
def test_a_form_field_refused_before_the_view_is_a_sentence_naming_it(
    admin_client: SignedInClient,
    context: AppContext,
    mode: Mode,
    data: dict[str, str],
    field: str,
    words: str,
) -> None:
    response = mode.post(admin_client, "/settings/notifications/new", data=data)
    text = shown(mode, response, 422, "Invalid request", f"The field “{field}”", words)
    assert "Nothing was changed." in text
    assert "json://" not in text
    assert _notification_count(context) == 0


def test_a_query_or_path_refused_before_the_view_names_the_parameter(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context)
    page = mode.get(admin_client, f"/library/{instance_id}/items", params={"page": "abc"})
    text = shown(mode, page, 422, "The field “page”", "valid integer")
    assert "Nothing was changed" not in text  # a read changes nothing to begin with
    path = mode.get(admin_client, "/instances/abc")
    shown(mode, path, 422, "The field “instance_id”")


def test_a_form_refused_by_its_view_still_swaps_into_its_form(
    admin_client: SignedInClient, mode: Mode
) -> None:
    """422 with errors next to the fields is the view's own answer: no retarget, the form."""
    response = mode.post(
        admin_client, "/instances/new", data={"name": "", "app": "sonarr", "url": "", "api_key": ""}
    )
    text = mode.page(response, 422)
    assert "HX-Retarget" not in response.headers
    assert 'class="field-error"' in text
    assert re.search(r'id="url-error"', text)


def test_every_page_has_the_toast_region_and_the_script_that_fills_it(
    admin_client: SignedInClient,
) -> None:
    page = Mode(htmx=False).page(Mode(htmx=False).get(admin_client, "/"))
    assert '<div id="toasts" class="toast-region" role="alert"></div>' in page
    assert '<script src="/static/js/htmx-errors.js" defer></script>' in page
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert config is not None
    assert '{"code":"[45]..","swap":true,"error":true}' in config.group(1)
    assert '{"code":"422","swap":true}' in config.group(1)
    script = admin_client.get("/static/js/htmx-errors.js")
    assert script.status_code == 200
    assert "htmx:sendError" in script.text
