"""Apprise URLs: validated by Apprise itself, named by their service, and kept out of logs.

A notification URL carries its credentials inline (a webhook token, a bot token, a password),
so before Apprise ever sees one, the URL and every token-like piece of it are registered with
the log redactor: Apprise rebuilds URLs in its own log lines (`https://discord.com/api/
webhooks/<id>/<token>`), and those pieces must be masked there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vibe_quality_searcharr.observability.redaction import registry

__all__ = [
    "MAX_URL_LENGTH",
    "AppriseTarget",
    "InvalidAppriseUrl",
    "inspect_url",
    "instantiate",
    "protect",
    "secret_parts",
]

MAX_URL_LENGTH = 2048
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,31})://")
_SEPARATORS = re.compile(r"[/?&=@:,#;+]")
_MIN_PART = 8
_NOT_SECRET = frozenset({"localhost", "webhooks", "webhook", "channel", "channels"})
_HELP = "see https://github.com/caronc/apprise/wiki for the URL format of each service"


class InvalidAppriseUrl(ValueError):
    """The text is not a URL Apprise can send to; the message says why, never the URL."""


@dataclass(frozen=True)
class AppriseTarget:
    scheme: str  # as typed, lower case: "discord", "tgram", "mailtos"
    service: str  # Apprise's name for it: "Discord", "Telegram", "E-Mail"


def secret_parts(url: str) -> list[str]:
    """The URL and every piece of it that may be a credential (long, not a host name)."""
    parts = [url]
    rest = url.split("://", 1)[-1]
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        parts.append(userinfo)
        if ":" in userinfo:
            parts.append(userinfo.split(":", 1)[1])
    for piece in _SEPARATORS.split(rest):
        if len(piece) >= _MIN_PART and "." not in piece and piece.lower() not in _NOT_SECRET:
            parts.append(piece)
    return parts


def protect(url: str) -> None:
    """Register the URL's secret pieces with the log redactor (before any use of it)."""
    for part in secret_parts(url):
        registry.add(part)


def _manager() -> Any:
    from apprise.manager_plugins import NotificationManager

    return NotificationManager()  # type: ignore[no-untyped-call]


def instantiate(url: str) -> Any:
    """Apprise's plugin object for the URL, or None; the URL is protected first."""
    import apprise

    protect(url)
    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def inspect_url(url: str) -> AppriseTarget:
    """Check the URL with Apprise; raise `InvalidAppriseUrl` with a reason a user can act on."""
    text = url.strip()
    if not text:
        raise InvalidAppriseUrl("enter an Apprise URL such as discord://webhook_id/webhook_token")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidAppriseUrl(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() for ch in text):
        raise InvalidAppriseUrl("the URL contains spaces; paste one URL per target")
    match = _SCHEME.match(text)
    if match is None:
        raise InvalidAppriseUrl(f"not a URL: it must start with a service, e.g. ntfy://; {_HELP}")
    scheme = match.group(1).lower()
    if scheme not in _manager():
        raise InvalidAppriseUrl(f"unknown service {scheme}://; {_HELP}")
    plugin = instantiate(text)
    if plugin is None:
        raise InvalidAppriseUrl(
            f"Apprise cannot use this {scheme}:// URL (a part is missing or malformed); {_HELP}"
        )
    return AppriseTarget(scheme=scheme, service=str(getattr(plugin, "service_name", scheme)))
