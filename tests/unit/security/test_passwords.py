from __future__ import annotations

import pytest

from vibe_quality_searcharr.errors import InvalidInput
from vibe_quality_searcharr.security import passwords
from vibe_quality_searcharr.security.passwords import (
    PRODUCTION_COST,
    Passwords,
    check_password_policy,
    is_common_password,
)

PEPPER = "p" * 64


def test_production_cost_is_argon2id_64_mib_3_passes() -> None:
    """The real parameters, not the cheap ones the other tests use (Huntarr finding 14)."""
    assert PRODUCTION_COST.memory_kib >= 64 * 1024
    assert PRODUCTION_COST.time_cost >= 3
    encoded = Passwords(PEPPER, PRODUCTION_COST).hash("a long enough password")
    assert encoded.startswith("$argon2id$")
    assert f"m={PRODUCTION_COST.memory_kib},t={PRODUCTION_COST.time_cost}," in encoded
    assert passwords.Passwords(PEPPER, PRODUCTION_COST).verify(encoded, "a long enough password")


def test_the_cheap_cost_is_only_a_test_fixture() -> None:
    assert passwords.active_cost != PRODUCTION_COST  # the autouse fixture is in force here
    assert passwords.HashCost(3, 65536, 4) == passwords.PRODUCTION_COST


def test_the_pepper_is_part_of_the_hash() -> None:
    hashed = Passwords(PEPPER).hash("a long enough password")
    assert Passwords(PEPPER).verify(hashed, "a long enough password")
    assert not Passwords("q" * 64).verify(hashed, "a long enough password")
    assert not Passwords(PEPPER).verify(hashed, "a long enough passwore")
    assert not Passwords(PEPPER).verify("not a hash", "anything")


def test_same_password_hashes_differently_each_time() -> None:
    hasher = Passwords(PEPPER)
    assert hasher.hash("a long enough password") != hasher.hash("a long enough password")


def test_needs_rehash_when_the_cost_changes() -> None:
    old = Passwords(PEPPER, passwords.HashCost(1, 16, 1)).hash("a long enough password")
    assert Passwords(PEPPER).needs_rehash(old)
    assert not Passwords(PEPPER).needs_rehash(Passwords(PEPPER).hash("a long enough password"))


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "Password1234",
        "qwertyuiop123",
        "letmein!!2024",
        "aaaaaaaaaaaaaa",
        "abcabcabcabc",
        "sonarr123456",
        "alice2024!!!!",
    ],
)
def test_policy_refuses_short_and_common_passwords(password: str) -> None:
    with pytest.raises(InvalidInput):
        check_password_policy(password, username="alice")


def test_policy_accepts_a_decent_passphrase() -> None:
    check_password_policy("correct horse battery staple", username="alice")
    assert not is_common_password("tr0ub4dor&3-horse")
