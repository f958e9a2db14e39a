"""Huntarr finding 8: forwarded headers are believed only from configured proxies."""

from __future__ import annotations

from vibe_quality_searcharr.security.client_address import TrustedProxies


def test_untrusted_peer_headers_are_ignored() -> None:
    resolved = TrustedProxies(["10.0.0.0/8"]).resolve("203.0.113.5", "http", "127.0.0.1", "https")
    assert resolved.ip == "203.0.113.5"
    assert resolved.scheme == "http"
    assert not resolved.via_trusted_proxy


def test_no_proxies_configured_means_nobody_is_trusted() -> None:
    resolved = TrustedProxies([]).resolve("127.0.0.1", "http", "10.9.9.9", "https")
    assert resolved.ip == "127.0.0.1"
    assert not resolved.via_trusted_proxy


def test_trusted_proxy_chain_yields_the_rightmost_untrusted_address() -> None:
    proxies = TrustedProxies(["10.0.0.0/8", "fd00::/8"])
    resolved = proxies.resolve("10.0.0.2", "http", "127.0.0.1, 198.51.100.4, 10.0.0.3", "https")
    assert resolved.ip == "198.51.100.4"  # the client-written 127.0.0.1 on the left is ignored
    assert resolved.scheme == "https"
    assert resolved.via_trusted_proxy


def test_garbage_in_forwarded_headers_is_harmless() -> None:
    proxies = TrustedProxies(["10.0.0.0/8"])
    resolved = proxies.resolve("10.0.0.2", "http", "not-an-ip, <script>", "gopher")
    assert resolved.ip == "10.0.0.2"
    assert resolved.scheme == "http"
