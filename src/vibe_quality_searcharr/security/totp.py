"""TOTP codes (RFC 6238): one step of clock drift either way, each step usable once.

Codes are compared in constant time, and the caller stores the step of the accepted code so the
same code (or an older one) is refused afterwards: a code read over a shoulder or from a log is
worthless once used.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

__all__ = ["STEP_SECONDS", "matching_step", "new_secret", "provisioning_uri", "qr_svg"]

STEP_SECONDS = 30
ISSUER = "Vibe-Quality-Searcharr"


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, username: str) -> str:
    uri: str = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return uri


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (no image request, no script)."""
    import segno  # only when enrolling: keeps ~10 MB of QR code out of every process

    svg: str = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return svg


def matching_step(secret: str, code: str, now: datetime, last_used_step: int | None) -> int | None:
    """The time step a valid, unused code belongs to, or None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    found: int | None = None
    for step in (current - 1, current, current + 1):
        # Every candidate is compared, matched or not, so timing says nothing about which.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code) and found is None:
            found = step
    if found is None or (last_used_step is not None and found <= last_used_step):
        return None
    return found
