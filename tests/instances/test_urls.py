"""Instance URL rules: http(s) only, no credentials, no link-local or metadata addresses."""

from __future__ import annotations

import pytest

from vibe_quality_searcharr.instances.urls import BlockedAddress, check_resolved, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://192.168.1.10:8989", "http://192.168.1.10:8989"),
        ("HTTP://Sonarr.LAN:8989/sonarr/", "http://sonarr.lan:8989/sonarr"),
        ("https://10.0.0.5/radarr", "https://10.0.0.5/radarr"),
        ("  http://127.0.0.1:7878  ", "http://127.0.0.1:7878"),
        ("http://[fd12:3456::10]:8989", "http://[fd12:3456::10]:8989"),
        ("http://172.16.0.2:8686/music/lidarr", "http://172.16.0.2:8686/music/lidarr"),
        ("http://10.0.0.5:8989/sonarr/api/v3/", "http://10.0.0.5:8989/sonarr"),
        ("http://10.0.0.5:9696/api/v1", "http://10.0.0.5:9696"),
    ],
)
def test_lan_addresses_are_allowed_and_the_url_base_is_kept(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("ftp://192.168.1.10", "http"),
        ("file:///etc/passwd", "http"),
        ("192.168.1.10:8989", "http"),
        ("http://admin:secret@192.168.1.10:8989", "user name and password"),
        ("http://admin@192.168.1.10:8989", "user name and password"),
        ("http://169.254.169.254/latest/meta-data", "link-local or metadata"),
        ("http://169.254.10.1:8989", "link-local or metadata"),
        ("http://[fe80::1]:8989", "link-local or metadata"),
        ("http://[fd00:ec2::254]/", "link-local or metadata"),
        ("http://[::ffff:169.254.169.254]/", "link-local or metadata"),
        ("http://2852039166/", "link-local or metadata"),
        ("http://0xA9FEA9FE/", "link-local or metadata"),
        ("http://metadata.google.internal/", "metadata"),
        ("http://0.0.0.0:8989", "link-local or metadata"),
        ("http://192.168.1.10:8989/?apikey=x", "query"),
        ("http://:8989", "no host"),
        ("http://host:99999", "valid URL"),
        ("", "address of the app"),
    ],
)
def test_dangerous_or_broken_urls_are_refused_with_a_reason(raw: str, says: str) -> None:
    with pytest.raises(BlockedAddress, match=says):
        normalize_url(raw)


def test_a_host_name_resolving_to_metadata_is_refused_at_connect_time() -> None:
    with pytest.raises(BlockedAddress, match=r"resolves to 169\.254\.169\.254"):
        check_resolved("http://sneaky.lan:8989", lambda host: ["192.168.1.2", "169.254.169.254"])
    with pytest.raises(BlockedAddress, match="fe80::1"):
        check_resolved("http://sneaky.lan:8989", lambda host: ["fe80::1%eth0"])


def test_a_host_name_resolving_to_the_lan_passes() -> None:
    check_resolved("http://sonarr.lan:8989", lambda host: ["192.168.1.2"])


def test_an_unresolvable_name_is_left_to_the_connection_error() -> None:
    def fail(host: str) -> list[str]:
        raise OSError("Name or service not known")

    check_resolved("http://nowhere.lan", fail)
