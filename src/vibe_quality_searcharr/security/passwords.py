"""Password hashing (Argon2id with a pepper) and the rules a new password must pass.

The password is first HMAC-ed with the pepper, a secret kept outside the database, so a stolen
database alone cannot be attacked offline. The Argon2id cost is fixed here; tests lower it only
through the `cheap_password_hashing` fixture, and one test asserts these production values.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vibe_quality_searcharr.errors import InvalidInput

__all__ = [
    "MIN_LENGTH",
    "PRODUCTION_COST",
    "HashCost",
    "Passwords",
    "check_password_policy",
    "is_common_password",
]

MIN_LENGTH = 12
MAX_LENGTH = 1024


@dataclass(frozen=True)
class HashCost:
    time_cost: int
    memory_kib: int
    parallelism: int


PRODUCTION_COST = HashCost(time_cost=3, memory_kib=64 * 1024, parallelism=4)
# Replaced only by the test fixture `cheap_password_hashing`.
active_cost: HashCost = PRODUCTION_COST


@cache
def _hasher(cost: HashCost) -> PasswordHasher:
    return PasswordHasher(
        time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
    )


class Passwords:
    """Hashes and verifies passwords for one pepper."""

    def __init__(self, pepper: str, cost: HashCost | None = None) -> None:
        self._pepper = pepper.encode()
        self._cost = cost

    @property
    def _argon(self) -> PasswordHasher:
        return _hasher(self._cost or active_cost)

    def _peppered(self, password: str) -> bytes:
        return hmac.new(self._pepper, password.encode(), hashlib.sha256).digest()

    def hash(self, password: str) -> str:
        return self._argon.hash(self._peppered(password))

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._argon.verify(stored_hash, self._peppered(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._argon.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def burn_time(self, password: str) -> None:
        """Spend what a real verification costs, so an unknown user answers as slowly."""
        self.verify(_dummy_hash(self._argon), password)


@cache
def _dummy_hash(argon: PasswordHasher) -> str:
    return argon.hash(b"no such user, but the same work")


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def is_common_password(password: str, *, extra_words: tuple[str, ...] = ()) -> bool:
    """True for a listed password, or one that is a listed word or the username padded out."""
    lowered = password.lower()
    common = _common_passwords()
    if lowered in common:
        return True
    core = lowered.strip("0123456789!@#$%^&*.?_- ")
    if core in common or core in {word.lower() for word in extra_words if word}:
        return True
    # "aaaaaaaaaaaa", "abcabcabcabc": too few distinct characters to be worth anything.
    return len(set(lowered)) <= 3


def check_password_policy(password: str, *, username: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"The password must be at least {MIN_LENGTH} characters.",
            fields={"password": f"at least {MIN_LENGTH} characters"},
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            "The password is too long.", fields={"password": f"at most {MAX_LENGTH} characters"}
        )
    if is_common_password(password, extra_words=(username,)):
        raise InvalidInput(
            "That password is too common or too easy to guess; choose another.",
            fields={"password": "too common"},
        )
