"""The transport's observer hears every attempt (metrics hook in there) and can break nothing."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
import respx

from tests.unit.arr.conftest import API_KEY, status
from vibe_quality_searcharr.arr import ArrAuthFailed, ArrUnreachable, ClientOptions, SonarrClient
from vibe_quality_searcharr.arr.transport import RequestSample

pytestmark = pytest.mark.anyio
BASE = "http://sonarr.lan:8989"
API = f"{BASE}/api/v3"


def observed(options: ClientOptions) -> tuple[ClientOptions, list[RequestSample]]:
    seen: list[RequestSample] = []
    return replace(options, observer=seen.append), seen


async def test_every_attempt_is_observed_with_its_outcome(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    options, seen = observed(options)
    router.get(f"{API}/system/status").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=status("Sonarr", "4.0.14"))]
    )
    router.get(f"{API}/tag").respond(401)
    async with SonarrClient(BASE, API_KEY, options=options) as client:
        await client.system_status()
        with pytest.raises(ArrAuthFailed):
            await client.tags()
    assert [(s.method, s.status, s.error) for s in seen] == [
        ("GET", 503, "arr_bad_response"),
        ("GET", 200, None),
        ("GET", 401, "arr_auth_failed"),
    ]
    assert all(s.app == "Sonarr" and s.seconds >= 0 for s in seen)
    assert all(API_KEY not in repr(s) and "sonarr.lan" not in repr(s) for s in seen)


async def test_a_connection_error_is_observed_without_a_status(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    options, seen = observed(replace(options, retry=replace(options.retry, retries=0)))
    router.get(f"{API}/system/status").mock(side_effect=httpx.ConnectError("refused"))
    async with SonarrClient(BASE, API_KEY, options=options) as client:
        with pytest.raises(ArrUnreachable):
            await client.system_status()
    assert [(s.status, s.error) for s in seen] == [(None, "arr_unreachable")]


async def test_a_broken_observer_breaks_nothing(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    def explode(_sample: RequestSample) -> None:
        raise RuntimeError("metrics bug")

    router.get(f"{API}/system/status").respond(json=status("Sonarr", "4.0.14"))
    async with SonarrClient(BASE, API_KEY, options=replace(options, observer=explode)) as client:
        assert (await client.system_status()).version == "4.0.14"
