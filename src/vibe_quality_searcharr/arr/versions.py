"""Which app and which API dialect a URL serves, decided from its `system/status`.

The dialect changes what a client sends: Sonarr v3 wants unprefixed sort keys, Radarr before
5.6 has no wanted endpoints (the movie list is filtered instead), Whisparr v2 speaks Sonarr and
Whisparr v3 speaks Radarr. Detection is done once per client and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from vibe_quality_searcharr.arr.errors import ArrUnsupportedVersion, ArrWrongApp
from vibe_quality_searcharr.arr.schemas.common import SystemStatus

__all__ = ["API_ROOTS", "DISPLAY_NAMES", "ArrApp", "ServerInfo", "detect_server", "parse_version"]


class ArrApp(StrEnum):
    """The kinds of instance a user can add; the values are what the API and database store."""

    SONARR = "sonarr"
    RADARR = "radarr"
    LIDARR = "lidarr"
    READARR = "readarr"
    WHISPARR = "whisparr"
    WHISPARR_V3 = "whisparr_v3"
    PROWLARR = "prowlarr"


API_ROOTS: dict[ArrApp, str] = {
    ArrApp.SONARR: "/api/v3",
    ArrApp.RADARR: "/api/v3",
    ArrApp.LIDARR: "/api/v1",
    ArrApp.READARR: "/api/v1",
    ArrApp.WHISPARR: "/api/v3",
    ArrApp.WHISPARR_V3: "/api/v3",
    ArrApp.PROWLARR: "/api/v1",
}

DISPLAY_NAMES: dict[ArrApp, str] = {
    ArrApp.SONARR: "Sonarr",
    ArrApp.RADARR: "Radarr",
    ArrApp.LIDARR: "Lidarr",
    ArrApp.READARR: "Readarr",
    ArrApp.WHISPARR: "Whisparr v2",
    ArrApp.WHISPARR_V3: "Whisparr v3",
    ArrApp.PROWLARR: "Prowlarr",
}

# Oldest major version each client can drive (the first with the API root above).
_MINIMUM_MAJOR: dict[ArrApp, int] = {
    ArrApp.SONARR: 3,
    ArrApp.RADARR: 3,
    ArrApp.LIDARR: 1,
    ArrApp.READARR: 0,
    ArrApp.WHISPARR: 2,
    ArrApp.WHISPARR_V3: 3,
    ArrApp.PROWLARR: 1,
}

_RADARR_WANTED_SINCE = (5, 6)
_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int, int]:
    """'4.0.14.2939' -> (4, 0, 14, 2939); missing parts are 0; garbage is (0, 0, 0, 0)."""
    match = _VERSION.match(text or "")
    if match is None:
        return (0, 0, 0, 0)
    major, minor, patch, build = (int(part) if part else 0 for part in match.groups())
    return (major, minor, patch, build)


@dataclass(frozen=True)
class ServerInfo:
    """What a URL turned out to be. `app` is the client family; the flags pick the dialect."""

    app: ArrApp
    app_name: str
    version: str
    instance_name: str
    url_base: str

    @property
    def version_tuple(self) -> tuple[int, int, int, int]:
        return parse_version(self.version)

    @property
    def major(self) -> int:
        return self.version_tuple[0]

    @property
    def is_sonarr_v3(self) -> bool:
        """Sonarr 3 pages with unprefixed sort keys and a single `language` per record."""
        return self.app is ArrApp.SONARR and self.major == 3

    @property
    def has_wanted_endpoints(self) -> bool:
        """Radarr grew wanted/missing and wanted/cutoff in 5.6; the other apps always had them."""
        if self.app is ArrApp.RADARR:
            return self.version_tuple[:2] >= _RADARR_WANTED_SINCE
        return self.app is not ArrApp.PROWLARR


def _family_of(app_name: str, major: int) -> ArrApp | None:
    name = app_name.strip().lower()
    if name == "whisparr":
        return ArrApp.WHISPARR_V3 if major >= 3 else ArrApp.WHISPARR
    try:
        return ArrApp(name)
    except ValueError:
        return None


def detect_server(expected: ArrApp, status: SystemStatus, *, url: str = "") -> ServerInfo:
    """Check that `status` is the app the user configured, in a version we can drive."""
    expected_name = DISPLAY_NAMES[expected]
    major = parse_version(status.version)[0]
    actual = _family_of(status.app_name or "", major)
    if actual is None:
        raise ArrUnsupportedVersion(
            f"{url} answered as {status.app_name or 'an unknown app'!r}, not {expected_name}. "
            "Fix: point the URL at the app itself (with its URL base, if it has one).",
            app=expected_name,
            url=url,
        )
    if actual is not expected:
        raise ArrWrongApp(
            f"{url} is {DISPLAY_NAMES[actual]} {status.version}, not {expected_name}. "
            f"Fix: choose the app type '{actual.value}' for this instance, or correct the URL.",
            app=expected_name,
            url=url,
        )
    if major < _MINIMUM_MAJOR[expected]:
        raise ArrUnsupportedVersion(
            f"{expected_name} {status.version} at {url} is too old; version "
            f"{_MINIMUM_MAJOR[expected]} or newer is needed. Fix: update {expected_name}.",
            app=expected_name,
            url=url,
        )
    return ServerInfo(
        app=actual,
        app_name=status.app_name or expected_name,
        version=status.version,
        instance_name=status.instance_name or status.app_name or expected_name,
        url_base=status.url_base or "",
    )
