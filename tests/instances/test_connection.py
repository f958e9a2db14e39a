"""Free space for the disk guard: root folders first, disks as the fallback."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from tests.instances.conftest import API_KEY
from vibe_quality_searcharr.arr import ClientOptions, RetryPolicy, SonarrClient
from vibe_quality_searcharr.instances.connection import root_folder_free_space

pytestmark = pytest.mark.anyio
API = "http://192.168.1.50:8989/api/v3"
DISKS = [
    {"path": "/", "freeSpace": 40, "totalSpace": 100},
    {"path": "/data", "freeSpace": 900, "totalSpace": 1000},
    {"path": "/data/anime", "freeSpace": 7, "totalSpace": 10},
]


@pytest.mark.parametrize(
    ("roots", "expected"),
    [
        (
            [
                {"id": 1, "path": "/data/tv", "freeSpace": 300},
                {"id": 2, "path": "/x", "freeSpace": 20},
            ],
            20,
        ),
        ([{"id": 1, "path": "/data/tv"}], 900),  # longest prefix: /data
        ([{"id": 1, "path": "/data/anime"}, {"id": 2, "path": "/data/tv"}], 7),
        ([], 7),  # no root folders known: judged by the disks
        (None, 7),  # rootfolder answers 404
    ],
)
async def test_free_space_of_root_folders(
    roots: list[dict[str, Any]] | None, expected: int
) -> None:
    with respx.mock:
        if roots is None:
            respx.get(f"{API}/rootfolder").respond(404)
        else:
            respx.get(f"{API}/rootfolder").respond(json=roots)
        respx.get(f"{API}/diskspace").respond(json=DISKS)
        options = ClientOptions(retry=RetryPolicy(retries=0))
        async with SonarrClient("http://192.168.1.50:8989", API_KEY, options=options) as client:
            assert await root_folder_free_space(client) == expected


async def test_connect_refuses_a_name_that_resolves_to_metadata() -> None:
    from tests.instances.conftest import offline_connector
    from vibe_quality_searcharr.arr import ArrApp
    from vibe_quality_searcharr.instances.connection import ConnectionTarget
    from vibe_quality_searcharr.instances.urls import BlockedAddress

    target = ConnectionTarget(app=ArrApp.SONARR, url="http://metadata-alias.lan", api_key=API_KEY)
    with pytest.raises(BlockedAddress):
        await offline_connector().connect(target)
    fine = ConnectionTarget(app=ArrApp.RADARR, url="http://radarr.lan:7878", api_key=API_KEY)
    client = await offline_connector().connect(fine)
    assert client.app is ArrApp.RADARR
    await client.aclose()
