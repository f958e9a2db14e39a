"""One async client per *arr family, all built on `ArrHttp`."""

from vibe_quality_searcharr.arr.clients.base import ArrClient, MediaClient, WantedKind
from vibe_quality_searcharr.arr.clients.lidarr import LidarrClient
from vibe_quality_searcharr.arr.clients.prowlarr import ProwlarrClient
from vibe_quality_searcharr.arr.clients.radarr import RadarrClient, WhisparrV3Client
from vibe_quality_searcharr.arr.clients.readarr import ReadarrClient
from vibe_quality_searcharr.arr.clients.sonarr import SonarrClient, WhisparrClient

__all__ = [
    "ArrClient",
    "LidarrClient",
    "MediaClient",
    "ProwlarrClient",
    "RadarrClient",
    "ReadarrClient",
    "SonarrClient",
    "WantedKind",
    "WhisparrClient",
    "WhisparrV3Client",
]
