"""Builds the right client for an instance's app type."""

from __future__ import annotations

import httpx

from vibe_quality_searcharr.arr.clients import (
    ArrClient,
    LidarrClient,
    ProwlarrClient,
    RadarrClient,
    ReadarrClient,
    SonarrClient,
    WhisparrClient,
    WhisparrV3Client,
)
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.arr.versions import ArrApp

__all__ = ["CLIENT_CLASSES", "make_client"]

CLIENT_CLASSES: dict[ArrApp, type[ArrClient]] = {
    ArrApp.SONARR: SonarrClient,
    ArrApp.RADARR: RadarrClient,
    ArrApp.LIDARR: LidarrClient,
    ArrApp.READARR: ReadarrClient,
    ArrApp.WHISPARR: WhisparrClient,
    ArrApp.WHISPARR_V3: WhisparrV3Client,
    ArrApp.PROWLARR: ProwlarrClient,
}


def make_client(
    app: ArrApp | str,
    url: str,
    api_key: str,
    *,
    options: ClientOptions | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ArrClient:
    """A client for `app` ("sonarr", ArrApp.RADARR...). Narrow it with isinstance as needed."""
    return CLIENT_CLASSES[ArrApp(app)](url, api_key, options=options, transport=transport)
