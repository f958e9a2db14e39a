"""Version detection from system/status: which family and dialect a URL serves."""

from __future__ import annotations

import pytest

from vibe_quality_searcharr.arr import ArrApp, ArrUnsupportedVersion, ArrWrongApp, detect_server
from vibe_quality_searcharr.arr.schemas import SystemStatus
from vibe_quality_searcharr.arr.versions import parse_version


def status(app: str, version: str) -> SystemStatus:
    return SystemStatus.model_validate({"appName": app, "version": version, "instanceName": "Home"})


@pytest.mark.parametrize(
    ("expected", "app", "version", "sonarr_v3", "wanted"),
    [
        (ArrApp.SONARR, "Sonarr", "3.0.10.1567", True, True),
        (ArrApp.SONARR, "Sonarr", "4.0.14.2939", False, True),
        (ArrApp.RADARR, "Radarr", "5.5.3.8819", False, False),
        (ArrApp.RADARR, "Radarr", "5.6.0.8846", False, True),
        (ArrApp.RADARR, "Radarr", "4.7.5.7809", False, False),
        (ArrApp.RADARR, "Radarr", "6.0.4.10291", False, True),
        (ArrApp.LIDARR, "Lidarr", "2.9.6.4552", False, True),
        (ArrApp.READARR, "Readarr", "0.4.18.2805", False, True),
        (ArrApp.WHISPARR, "Whisparr", "2.0.0.548", False, True),
        (ArrApp.WHISPARR_V3, "Whisparr", "3.0.0.1001", False, True),
        (ArrApp.PROWLARR, "Prowlarr", "1.30.2.4939", False, False),
    ],
)
def test_each_app_and_version_mode_is_recognised(
    expected: ArrApp, app: str, version: str, sonarr_v3: bool, wanted: bool
) -> None:
    info = detect_server(expected, status(app, version), url="http://x")
    assert info.app is expected
    assert info.is_sonarr_v3 is sonarr_v3
    assert info.has_wanted_endpoints is wanted
    assert info.instance_name == "Home"
    assert info.version == version


def test_whisparr_v3_configured_as_v2_names_the_right_choice() -> None:
    with pytest.raises(ArrWrongApp, match="'whisparr_v3'"):
        detect_server(ArrApp.WHISPARR, status("Whisparr", "3.0.1.1"), url="http://x")


def test_radarr_at_a_sonarr_instance_is_the_wrong_app() -> None:
    with pytest.raises(ArrWrongApp, match=r"Radarr 5\.2\.6\.8376, not Sonarr") as caught:
        detect_server(ArrApp.SONARR, status("Radarr", "5.2.6.8376"), url="http://x")
    assert isinstance(caught.value, ArrUnsupportedVersion)


def test_sonarr_2_is_too_old() -> None:
    with pytest.raises(ArrUnsupportedVersion, match="too old"):
        detect_server(ArrApp.SONARR, status("Sonarr", "2.0.0.5344"), url="http://x")


def test_an_unknown_app_is_unsupported() -> None:
    with pytest.raises(ArrUnsupportedVersion, match="Jellyfin"):
        detect_server(ArrApp.SONARR, status("Jellyfin", "10.9"), url="http://x")


def test_versions_parse_leniently() -> None:
    assert parse_version("4.0.14.2939") == (4, 0, 14, 2939)
    assert parse_version("5.6") == (5, 6, 0, 0)
    assert parse_version("nightly") == (0, 0, 0, 0)
