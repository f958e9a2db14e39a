from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from vibe_quality_searcharr.security import totp
from vibe_quality_searcharr.security.csrf import CsrfTokens, same_origin
from vibe_quality_searcharr.security.ratelimit import (
    ThrottlePolicy,
    next_state,
    retry_after_seconds,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_delays_grow_then_lock_and_are_forgotten_later() -> None:
    policy = ThrottlePolicy()
    state = None
    waits = []
    for _ in range(policy.lockout_after):
        state = next_state(state, NOW, policy)
        waits.append(retry_after_seconds(state, NOW))
    assert waits[: policy.free_failures] == [0] * policy.free_failures
    growing = waits[policy.free_failures : -1]
    assert growing == sorted(growing)
    assert growing[0] < growing[-1]
    assert waits[-1] == int(policy.lockout_for.total_seconds())
    assert next_state(state, NOW + policy.forget_after, policy).failures == 1


def test_totp_window_and_replay() -> None:
    secret = totp.new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    step = totp.matching_step(secret, code, NOW, None)
    assert step == int(NOW.timestamp()) // 30
    assert totp.matching_step(secret, code, NOW, step) is None  # replay
    assert totp.matching_step(secret, code, NOW + timedelta(seconds=30), None) == step
    assert totp.matching_step(secret, code, NOW + timedelta(seconds=61), None) is None
    assert totp.matching_step(secret, "12345", NOW, None) is None
    assert totp.matching_step(secret, "abcdef", NOW, None) is None


def test_csrf_tokens_are_bound_and_keyed() -> None:
    tokens = CsrfTokens("m" * 64)
    token = tokens.for_binding("session:a")
    assert tokens.valid("session:a", token)
    assert not tokens.valid("session:b", token)
    assert not tokens.valid("session:a", None)
    assert not CsrfTokens("n" * 64).valid("session:a", token)


def test_same_origin_rules() -> None:
    allowed = {"http://vqs.lan:7337"}
    assert same_origin("http://vqs.lan:7337", None, allowed)
    assert not same_origin("http://evil.lan", "http://vqs.lan:7337/x", allowed)
    assert not same_origin("null", None, allowed)
    assert same_origin(None, "http://vqs.lan:7337/queues", allowed)
    assert not same_origin(None, "http://vqs.lan.evil.com/", allowed)
    assert same_origin(None, None, allowed)  # then the token alone decides
