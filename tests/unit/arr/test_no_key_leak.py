"""The API key never appears in an error message, a repr or a log line, whatever fails."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
import structlog

from tests.unit.arr.conftest import API_KEY
from vibe_quality_searcharr.arr import ArrError, ClientOptions, SonarrClient

pytestmark = pytest.mark.anyio
API = "http://sonarr.lan:8989/api/v3"

FAILURES = [
    httpx.Response(401),
    httpx.Response(403),
    httpx.Response(404),
    httpx.Response(429, headers={"Retry-After": "1"}),
    httpx.Response(500, json={"message": f"echoing your key {API_KEY}"}),
    httpx.Response(400, text=f"bad request for apikey={API_KEY}"),
    httpx.Response(302, headers={"Location": "http://login.lan/"}),
    httpx.Response(200, text="{truncated"),
    httpx.Response(200, json={"unexpected": True}),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
    httpx.RemoteProtocolError("cut off"),
]


@pytest.mark.parametrize(
    "failure", FAILURES, ids=lambda f: getattr(f, "status_code", type(f).__name__)
)
async def test_no_failure_leaks_the_key(
    router: respx.MockRouter,
    options: ClientOptions,
    failure: httpx.Response | Exception,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    router.get(f"{API}/tag").mock(side_effect=[failure] * 5)
    with structlog.testing.capture_logs() as logs:
        async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
            with pytest.raises(ArrError) as caught:
                await client.tags()
            shown = [str(caught.value), repr(caught.value), caught.value.detail, repr(client)]
    shown.append(getattr(caught.value, "problem", ""))
    assert all(API_KEY not in text for text in shown)
    assert API_KEY not in str(logs)
    assert API_KEY not in caplog.text
