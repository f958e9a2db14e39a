"""Settings pages: password, two-factor enrolment (QR, confirm, recovery codes shown once,
disable), sessions, API tokens (shown once), users (admins only). Refused forms show the error
next to the field and change nothing; viewers manage their own account and nothing else."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, SignedInClient, sign_in_client
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.users.models import ApiToken, User, UserSession

NEW_PASSWORD = "an entirely new passphrase"


def _user(context: AppContext, username: str) -> User:
    with context.database.session_scope() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


def test_password_change_needs_the_current_password_and_matching_new_ones(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    before = _user(context, "admin").password_hash
    url = "/settings/account/password"
    mismatch = {
        "current_password": TEST_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": "other",
    }
    assert 'id="confirm_password-error"' in mode.page(
        mode.post(admin_client, url, data=mismatch), 422
    )
    wrong = dict(mismatch, current_password="not my password", confirm_password=NEW_PASSWORD)
    assert 'id="current_password-error"' in mode.page(mode.post(admin_client, url, data=wrong), 422)
    weak = dict(
        wrong, current_password=TEST_PASSWORD, new_password="short", confirm_password="short"
    )
    assert 'id="new_password-error"' in mode.page(mode.post(admin_client, url, data=weak), 422)
    assert _user(context, "admin").password_hash == before

    good = dict(weak, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    response = mode.post(admin_client, url, data=good)
    assert mode.redirected_to(response) == "/settings/account"
    assert "vqs_session" in response.cookies  # this browser gets a fresh session
    page = mode.page(mode.get(admin_client, "/settings/account"))
    assert "Password changed." in page
    assert _user(context, "admin").password_hash != before


def test_two_factor_enrolment_shows_the_seed_only_until_confirmed(
    app: FastAPI, admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    wrong = mode.post(admin_client, "/settings/2fa/enroll", data={"password": "wrong one"})
    assert 'id="password-error"' in mode.page(wrong, 422)
    assert _user(context, "admin").totp_secret is None

    page = mode.page(
        mode.post(admin_client, "/settings/2fa/enroll", data={"password": TEST_PASSWORD})
    )
    assert 'src="data:image/svg+xml;base64,' in page
    match = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", page)
    assert match is not None
    secret = match.group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)

    bad = mode.page(mode.post(admin_client, "/settings/2fa/confirm", data={"code": "000000"}), 422)
    assert 'id="code-error"' in bad
    assert not _user(context, "admin").totp_enabled

    codes_page = mode.page(
        mode.post(admin_client, "/settings/2fa/confirm", data={"code": totp.at(clock[0])})
    )
    codes = re.findall(r"<li><code>([^<]+)</code></li>", codes_page)
    assert len(codes) == 10
    assert secret not in codes_page
    assert _user(context, "admin").totp_enabled
    for path in ("/settings/2fa", "/settings/account", "/"):
        shown = mode.page(mode.get(admin_client, path))
        assert secret not in shown
        assert secret[:4] + " " + secret[4:8] not in shown
        assert not any(code in shown for code in codes)

    # Turning it off needs the password and a fresh code.
    clock[0] += timedelta(seconds=31)
    refused = mode.post(
        admin_client, "/settings/2fa/disable", data={"password": TEST_PASSWORD, "code": "123456"}
    )
    assert 'id="off-code-error"' in mode.page(refused, 422)
    assert _user(context, "admin").totp_enabled
    off = mode.post(
        admin_client,
        "/settings/2fa/disable",
        data={"password": TEST_PASSWORD, "code": totp.at(clock[0])},
    )
    assert mode.redirected_to(off) == "/settings/2fa"
    assert not _user(context, "admin").totp_enabled


def test_recovery_codes_can_be_replaced_with_password_and_code(
    app: FastAPI, admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    clock = [utcnow()]
    app.state.clock = lambda: clock[0]
    page = mode.page(
        mode.post(admin_client, "/settings/2fa/enroll", data={"password": TEST_PASSWORD})
    )
    match = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", page)
    assert match is not None
    totp = pyotp.TOTP(match.group(1).replace(" ", ""))
    first = mode.page(
        mode.post(admin_client, "/settings/2fa/confirm", data={"code": totp.at(clock[0])})
    )
    old_codes = re.findall(r"<li><code>([^<]+)</code></li>", first)
    clock[0] += timedelta(seconds=31)
    again = mode.page(
        mode.post(
            admin_client,
            "/settings/2fa/recovery-codes",
            data={"password": TEST_PASSWORD, "code": totp.at(clock[0])},
        )
    )
    new_codes = re.findall(r"<li><code>([^<]+)</code></li>", again)
    assert len(new_codes) == 10
    assert set(new_codes).isdisjoint(old_codes)


def test_sessions_can_be_signed_out_except_this_one(
    app: FastAPI, admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    with context.database.session_scope() as session:
        mine = session.scalars(select(UserSession.id)).all()
    assert len(mine) == 1
    # The same admin signs in from a second browser.
    from vibe_quality_searcharr.users import sessions
    from vibe_quality_searcharr.users.resolver import session_policy

    with context.database.session_scope() as session:
        admin = session.get(User, admin_client.user_id)
        assert admin is not None
        _, other = sessions.start(
            session,
            admin,
            now=utcnow(),
            policy=session_policy(context.settings),
            user_agent="Phone browser",
        )
        other_id = other.id
    page = mode.page(mode.get(admin_client, "/settings/sessions"))
    assert "This browser" in page
    assert "Phone browser" in page
    own = mode.post(admin_client, f"/settings/sessions/{mine[0]}/revoke")
    mode.redirected_to(own)
    assert "use Sign out instead" in mode.page(mode.get(admin_client, "/settings/sessions"))
    gone = mode.post(admin_client, f"/settings/sessions/{other_id}/revoke")
    assert mode.redirected_to(gone) == "/settings/sessions"
    with context.database.session_scope() as session:
        assert session.scalars(select(UserSession.id)).all() == [mine[0]]


def test_a_new_token_is_shown_once_and_works(
    admin_client: SignedInClient, anon_client: object, context: AppContext, mode: Mode
) -> None:
    bad = mode.post(
        admin_client, "/settings/tokens", data={"name": "", "scope": "read", "expires_in_days": "x"}
    )
    text = mode.page(bad, 422)
    assert 'id="expires_in_days-error"' in text
    bad = mode.post(admin_client, "/settings/tokens", data={"name": "", "scope": "read"})
    assert 'id="name-error"' in mode.page(bad, 422)
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0

    created = mode.page(
        mode.post(
            admin_client,
            "/settings/tokens",
            data={"name": "Homepage", "scope": "read", "expires_in_days": "30"},
        ),
        201,
    )
    match = re.search(r'value="(vqs_[^"]+)"', created)
    assert match is not None
    token = match.group(1)
    listed = mode.page(mode.get(admin_client, "/settings/tokens"))
    assert "Homepage" in listed
    assert token not in listed
    assert (
        admin_client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )


def test_admins_manage_users_and_the_last_admin_stays(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    weak = mode.post(
        admin_client,
        "/settings/users",
        data={"username": "bob", "password": "short", "role": "viewer"},
    )
    assert 'id="password-error"' in mode.page(weak, 422)
    taken = mode.post(
        admin_client,
        "/settings/users",
        data={"username": "admin", "password": NEW_PASSWORD, "role": "viewer"},
    )
    assert 'id="username-error"' in mode.page(taken, 422)
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1

    added = mode.post(
        admin_client,
        "/settings/users",
        data={"username": "bob", "password": NEW_PASSWORD, "role": "viewer"},
    )
    assert mode.redirected_to(added) == "/settings/users"
    assert "Added bob (viewer)." in mode.page(mode.get(admin_client, "/settings/users"))
    bob = _user(context, "bob")
    changed = mode.post(
        admin_client, f"/settings/users/{bob.id}", data={"role": "admin", "status": "disabled"}
    )
    mode.redirected_to(changed)
    assert _user(context, "bob").role == "admin"
    assert _user(context, "bob").disabled

    last = mode.post(
        admin_client,
        f"/settings/users/{admin_client.user_id}",
        data={"role": "viewer", "status": "active"},
    )
    assert "last admin" in mode.page(last, 409)
    assert _user(context, "admin").role == "admin"


def test_viewers_manage_only_their_own_account(
    app: FastAPI, context: AppContext, viewer_client: SignedInClient, mode: Mode
) -> None:
    assert (
        mode.post(
            viewer_client, "/settings/users", data={"username": "x", "password": NEW_PASSWORD}
        ).status_code
        == 403
    )
    assert (
        "Users"
        not in mode.page(mode.get(viewer_client, "/settings/account"))
        .split("Settings sections")[1]
        .split("</nav>")[0]
    )
    page = mode.page(
        mode.post(viewer_client, "/settings/2fa/enroll", data={"password": TEST_PASSWORD})
    )
    assert "Scan this code" in page
    created = mode.post(viewer_client, "/settings/tokens", data={"name": "mine", "scope": "read"})
    assert created.status_code == 201
    response = mode.post(
        viewer_client,
        "/settings/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    mode.redirected_to(response)
    with sign_in_client(app, context, "admin", username="someone") as admin:
        assert admin.get("/settings/users").status_code == 200
