"""The judges of the bad-input suite can fail: a changed row, a non-problem refusal and a
leaked secret are each caught, and only what a refusal may write is ignored."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from tests.conftest import make_user
from tests.reliability.bad_input.digest import Snapshotter
from tests.reliability.bad_input.verdict import leaked_secret, problem_fault
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.users.models import AuditEvent, LoginThrottle, User, UserSession


def test_a_snapshot_sees_every_stored_change_but_what_refusals_may_write(
    database: Database,
) -> None:
    with database.session_scope() as session:
        user = make_user(session)
        session.add(
            UserSession(user_id=user.id, token_hash="h" * 64, expires_at=utcnow() + timedelta(1))
        )
    snapshots = Snapshotter(database)
    before = snapshots.take()
    with database.session_scope() as session:
        session.add(AuditEvent(kind="login_failed", actor="x"))
        now = utcnow()
        session.add(LoginThrottle(key="ip:1", last_failure_at=now, blocked_until=now))
        session.execute(update(UserSession).values(last_seen_at=now + timedelta(minutes=5)))
    assert snapshots.changed(before, snapshots.take()) == []
    with database.session_scope() as session:
        session.execute(update(User).values(disabled=True))
    assert snapshots.changed(before, snapshots.take()) == ["users"]


def test_only_a_clear_problem_document_passes_as_a_refusal() -> None:
    good = {"error": "validation", "detail": "Invalid input. name: Field required"}
    assert problem_fault(httpx.Response(422, json=good)) is None
    assert problem_fault(httpx.Response(422, json={**good, "fields": {"name": "required"}})) is None
    assert problem_fault(httpx.Response(422, json={"detail": [{"loc": ["body"]}]})) is not None
    assert (
        problem_fault(httpx.Response(400, json={"error": "bad_request", "detail": ""})) is not None
    )
    crash = {"error": "bad_request", "detail": "Traceback (most recent call last): ..."}
    assert problem_fault(httpx.Response(400, json=crash)) is not None
    assert problem_fault(httpx.Response(400, html="<p>Bad</p>")) is not None
    assert problem_fault(httpx.Response(422, json={**good, "fields": {"a": 1}})) is not None


def test_a_stored_secret_is_caught_in_the_body_or_a_header() -> None:
    secret = "0123456789abcdef"
    assert leaked_secret(httpx.Response(200, text=f"key={secret}"), [secret]) == "0123..."
    assert leaked_secret(httpx.Response(200, headers={"X-Key": secret}), [secret]) == "0123..."
    assert leaked_secret(httpx.Response(200, text="nothing here"), [secret]) is None
