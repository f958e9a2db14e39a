"""TOTP enrolment, sign-in with a second factor, replay refusal and recovery codes."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, make_user
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import RecoveryCode, User
from vibe_quality_searcharr.users.views import PENDING_COOKIE


class Browser:
    def __init__(self, app: FastAPI, name: str) -> None:
        self.client = TestClient(app)
        response = self.client.post(
            "/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200
        self.csrf = response.json()["csrf_token"]

    def post(self, path: str, body: dict[str, str]):  # type: ignore[no-untyped-def]
        return self.client.post(path, json=body, headers={"X-CSRF-Token": self.csrf})


def _enrol(app: FastAPI, name: str, clock: list) -> tuple[Browser, pyotp.TOTP, list[str]]:  # type: ignore[type-arg]
    browser = Browser(app, name)
    assert (
        browser.post("/api/v1/auth/2fa/enroll", {"password": "not my password"}).status_code == 403
    )
    enrolment = browser.post("/api/v1/auth/2fa/enroll", {"password": TEST_PASSWORD}).json()
    assert enrolment["qr_svg"].startswith("<svg")
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrolment["secret"])
    assert (
        browser.post(
            "/api/v1/auth/2fa/confirm",
            {"code": "000000" if totp.at(clock[0]) != "000000" else "111111"},
        ).status_code
        == 422
    )
    codes = browser.post("/api/v1/auth/2fa/confirm", {"code": totp.at(clock[0])}).json()[
        "recovery_codes"
    ]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    return browser, totp, codes


def test_enrol_then_sign_in_needs_a_fresh_code(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    with context.database.session_scope() as session:
        name = make_user(session, keys=auth_keys).username
    _browser, totp, _codes = _enrol(app, name, clock)
    with context.database.session_scope() as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        assert user.totp_enabled
        assert user.totp_secret is not None
        assert totp.secret not in user.totp_secret
    client = TestClient(app)
    login = {"username": name, "password": TEST_PASSWORD}
    needed = client.post("/api/v1/auth/login", json=login)
    assert needed.status_code == 401
    assert needed.json()["error"] == "totp_required"
    clock[0] += timedelta(seconds=30)
    code = totp.at(clock[0])
    assert client.post("/api/v1/auth/login", json={**login, "totp": code}).status_code == 200
    # The same code again is a replay, and so is the previous step's code.
    assert (
        TestClient(app).post("/api/v1/auth/login", json={**login, "totp": code}).status_code == 401
    )
    assert (
        TestClient(app)
        .post(
            "/api/v1/auth/login", json={**login, "totp": totp.at(clock[0] - timedelta(seconds=30))}
        )
        .status_code
        == 401
    )
    # One step of drift either way is accepted, two are not.
    clock[0] += timedelta(seconds=90)
    assert (
        TestClient(app)
        .post(
            "/api/v1/auth/login", json={**login, "totp": totp.at(clock[0] + timedelta(seconds=30))}
        )
        .status_code
        == 200
    )
    clock[0] += timedelta(seconds=120)
    assert (
        TestClient(app)
        .post(
            "/api/v1/auth/login", json={**login, "totp": totp.at(clock[0] + timedelta(seconds=60))}
        )
        .status_code
        == 401
    )


def test_recovery_codes_work_once_and_are_stored_hashed(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    with context.database.session_scope() as session:
        name = make_user(session, keys=auth_keys).username
    _browser, _totp, codes = _enrol(app, name, clock)
    with context.database.session_scope() as session:
        stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert not set(codes) & set(stored)
    login = {"username": name, "password": TEST_PASSWORD}
    assert (
        TestClient(app)
        .post("/api/v1/auth/login", json={**login, "recovery_code": codes[0].upper()})
        .status_code
        == 200
    )
    assert (
        TestClient(app)
        .post("/api/v1/auth/login", json={**login, "recovery_code": codes[0]})
        .status_code
        == 401
    )


def test_regenerating_codes_and_disabling_need_password_and_code(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    with context.database.session_scope() as session:
        name = make_user(session, keys=auth_keys).username
    browser, totp, codes = _enrol(app, name, clock)
    clock[0] += timedelta(seconds=30)
    assert (
        browser.post(
            "/api/v1/auth/recovery-codes", {"password": "wrong", "code": totp.at(clock[0])}
        ).status_code
        == 403
    )
    assert (
        browser.post(
            "/api/v1/auth/recovery-codes", {"password": TEST_PASSWORD, "code": "123"}
        ).status_code
        == 422
    )
    fresh = browser.post(
        "/api/v1/auth/recovery-codes", {"password": TEST_PASSWORD, "code": totp.at(clock[0])}
    )
    assert fresh.status_code == 200
    assert not set(fresh.json()["recovery_codes"]) & set(codes)
    assert (
        browser.post(
            "/api/v1/auth/2fa/disable", {"password": TEST_PASSWORD, "code": codes[1]}
        ).status_code
        == 422
    )  # old codes are void
    new_code = fresh.json()["recovery_codes"][0]
    assert (
        browser.post(
            "/api/v1/auth/2fa/disable", {"password": TEST_PASSWORD, "code": new_code}
        ).status_code
        == 204
    )
    assert (
        TestClient(app)
        .post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
        .status_code
        == 200
    )


def test_the_2fa_page_ends_after_three_wrong_codes(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    with context.database.session_scope() as session:
        name = make_user(session, keys=auth_keys).username
    _browser, totp, _codes = _enrol(app, name, clock)
    client = TestClient(app)
    first = client.post(
        "/login",
        data={"username": name, "password": TEST_PASSWORD, "next": "/x"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    assert first.headers["location"].startswith("/login/2fa")
    assert client.get("/api/v1/auth/me").status_code == 401  # half signed in is not signed in
    page = client.get("/login/2fa")
    assert page.status_code == 200
    assert '<label for="code">' in page.text
    for _attempt in range(3):
        response = client.post(
            "/login/2fa", data={"code": "000000" if totp.at(clock[0]) != "000000" else "111111"}
        )
        assert response.status_code == 401
    assert "sign in again" in response.text
    clock[0] += timedelta(seconds=30)
    # The pending state is gone: even a right code now leads back to the password.
    late = client.post("/login/2fa", data={"code": totp.at(clock[0])}, follow_redirects=False)
    assert late.status_code == 303
    assert late.headers["location"] == "/login"
    # A new password step and a right code sign in.
    client.post(
        "/login",
        data={"username": name, "password": TEST_PASSWORD, "next": "/x"},
        follow_redirects=False,
    )
    assert client.cookies.get(PENDING_COOKIE)
    done = client.post(
        "/login/2fa", data={"code": totp.at(clock[0]), "next": "/x"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/x"
    assert client.get("/api/v1/auth/me").status_code == 200


def test_admin_can_reset_a_users_2fa(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys, admin_client
) -> None:  # type: ignore[no-untyped-def]
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    with context.database.session_scope() as session:
        user = make_user(session, keys=auth_keys)
        name, user_id = user.username, user.id
    _enrol(app, name, clock)
    reset = admin_client.post(f"/api/v1/users/{user_id}/reset-2fa")
    assert reset.status_code == 200
    assert reset.json()["totp_enabled"] is False
    assert (
        TestClient(app)
        .post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
        .status_code
        == 200
    )
