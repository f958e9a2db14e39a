"""An end-to-end run through every account feature, scanning each response and log line for
passwords, session tokens, API tokens, TOTP seeds and recovery codes."""

from __future__ import annotations

import logging
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.e2e.leakscan import Recorder
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.users.models import AuditEvent

ADMIN_PASSWORD = "first admin passphrase 1"
NEW_PASSWORD = "second admin passphrase 2"
VIEWER_PASSWORD = "viewer passphrase number 3"
WRONG_PASSWORD = "a wrong guess of a password"


def test_no_secret_reaches_a_response_or_a_log_line(
    app: FastAPI,
    context: AppContext,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    rec = Recorder()
    browser = TestClient(app)
    secrets = [ADMIN_PASSWORD, NEW_PASSWORD, VIEWER_PASSWORD, WRONG_PASSWORD]

    rec.call(browser, "GET", "/setup")
    csrf = rec.call(
        browser, "POST", "/api/v1/setup", json={"username": "admin", "password": ADMIN_PASSWORD}
    ).json()["csrf_token"]
    secrets.append(browser.cookies[SESSION_COOKIE])
    unsafe = {"X-CSRF-Token": csrf}
    rec.call(
        browser,
        "POST",
        "/api/v1/users",
        json={"username": "viewer", "password": VIEWER_PASSWORD},
        headers=unsafe,
    )
    rec.call(
        TestClient(app),
        "POST",
        "/api/v1/auth/login",
        json={"username": "admin", "password": WRONG_PASSWORD},
    )
    rec.call(
        TestClient(app), "POST", "/login", data={"username": "admin", "password": WRONG_PASSWORD}
    )
    token = rec.call(
        browser,
        "POST",
        "/api/v1/tokens",
        json={"name": "ci", "scope": "full"},
        headers=unsafe,
        expect_secret=True,
    ).json()["token"]
    secrets.append(token)
    rec.call(TestClient(app), "GET", "/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    enrol = rec.call(
        browser,
        "POST",
        "/api/v1/auth/2fa/enroll",
        json={"password": ADMIN_PASSWORD},
        headers=unsafe,
        expect_secret=True,
    ).json()
    secrets.append(enrol["secret"])
    totp = pyotp.TOTP(enrol["secret"])
    codes = rec.call(
        browser,
        "POST",
        "/api/v1/auth/2fa/confirm",
        json={"code": totp.at(clock[0])},
        headers=unsafe,
        expect_secret=True,
    ).json()["recovery_codes"]
    secrets += codes
    clock[0] += timedelta(seconds=30)
    second = TestClient(app)
    rec.call(
        second,
        "POST",
        "/login",
        data={"username": "admin", "password": ADMIN_PASSWORD},
        follow_redirects=False,
    )
    rec.call(second, "GET", "/login/2fa")
    rec.call(second, "POST", "/login/2fa", data={"code": codes[0]}, follow_redirects=False)
    secrets.append(second.cookies[SESSION_COOKIE])
    rec.call(
        browser,
        "POST",
        "/api/v1/auth/password",
        json={"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD},
        headers=unsafe,
    )
    for path in (
        "/api/v1/auth/me",
        "/api/v1/auth/sessions",
        "/api/v1/tokens",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/openapi.json",
        "/api/docs",
        "/login",
    ):
        rec.call(browser, "GET", path)
    rec.call(
        TestClient(app), "GET", "/api/v1/users", headers={"Authorization": "Bearer vqs_" + "x" * 43}
    )

    with context.database.session_scope() as session:
        audit_text = " ".join(
            str((e.kind, e.actor, e.subject, e.detail)) for e in session.scalars(select(AuditEvent))
        )
    assert "login_failed" in audit_text
    assert "2fa_enabled" in audit_text
    captured = capfd.readouterr()
    logs = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    rec.assert_absent(secrets, logs + captured.out + captured.err + audit_text)
    assert len(rec.seen) >= 18
    assert second.get("/api/v1/auth/me").status_code == 401  # password change ended it
