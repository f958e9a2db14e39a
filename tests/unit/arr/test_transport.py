"""The HTTP layer: authentication header, timeouts, retries and their limits, error mapping."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.unit.arr.conftest import API_KEY, Sleeps, status
from vibe_quality_searcharr.arr import (
    USER_AGENT,
    ArrAuthFailed,
    ArrBadResponse,
    ArrNotFound,
    ArrRateLimited,
    ArrTimeout,
    ArrUnreachable,
    ClientOptions,
    SonarrClient,
)
from vibe_quality_searcharr.arr.retry import RetryPolicy, parse_retry_after

pytestmark = pytest.mark.anyio
BASE = "http://sonarr.lan:8989/tv"
API = f"{BASE}/api/v3"
COMMAND = {"id": 5, "name": "EpisodeSearch", "status": "queued"}


def sonarr(options: ClientOptions) -> SonarrClient:
    return SonarrClient(BASE, API_KEY, options=options)


async def test_key_travels_only_in_the_header_with_our_user_agent(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.get(f"{API}/system/status").respond(json=status("Sonarr", "4.0.14.2939"))
    async with sonarr(options) as client:
        await client.system_status()
    request = route.calls.last.request
    assert request.headers["X-Api-Key"] == API_KEY
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("VibeQualitySearcharr/")
    assert API_KEY not in str(request.url)
    assert "apikey" not in str(request.url).lower()


async def test_url_base_is_kept_in_every_request(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.get(f"{API}/tag").respond(json=[{"id": 1, "label": "anime"}])
    async with sonarr(options) as client:
        tags = await client.tags()
    assert route.called
    assert route.calls.last.request.url.path == "/tv/api/v3/tag"
    assert tags[0].label == "anime"


async def test_timeouts_and_limits_are_explicit_and_redirects_not_followed() -> None:
    options = ClientOptions(connect_timeout=2, read_timeout=9, write_timeout=3, pool_timeout=4)
    client = SonarrClient(BASE, API_KEY, options=options)
    inner = client.http._client
    assert inner.timeout == httpx.Timeout(connect=2, read=9, write=3, pool=4)
    assert inner.follow_redirects is False
    await client.aclose()


async def test_redirect_is_reported_not_followed(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{API}/tag").respond(301, headers={"Location": "https://sonarr.lan/tv/api/v3/tag"})
    target = router.get("https://sonarr.lan/tv/api/v3/tag").respond(json=[])
    async with sonarr(options) as client:
        with pytest.raises(ArrBadResponse, match="redirected") as caught:
            await client.tags()
    assert not target.called
    assert "https://sonarr.lan" in caught.value.detail


async def test_a_read_is_retried_on_5xx_with_growing_backoff_then_succeeds(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    route = router.get(f"{API}/tag").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json=[])]
    )
    async with sonarr(options) as client:
        assert await client.tags() == []
    assert route.call_count == 3
    # base 1 s doubling, half fixed and half jitter (jitter pinned at 0.5)
    assert sleeps.delays == [0.75, 1.5]


async def test_retries_stop_at_the_limit_and_raise(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    route = router.get(f"{API}/tag").respond(500, json={"message": "database is locked"})
    async with sonarr(options) as client:
        with pytest.raises(ArrBadResponse) as caught:
            await client.tags()
    assert route.call_count == 4  # first try + 3 retries
    assert len(sleeps.delays) == 3
    assert caught.value.status == 500
    assert "database is locked" in caught.value.detail
    assert "System > Logs" in caught.value.detail


async def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 4.0, 4.0]
    low = RetryPolicy(base_delay=1.0, max_delay=4.0, jitter=lambda: 0.0)
    assert low.backoff(3) == 2.0


async def test_connection_errors_are_retried_then_reported_as_unreachable(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    route = router.get(f"{API}/tag").mock(side_effect=httpx.ConnectError("Connection refused"))
    async with sonarr(options) as client:
        with pytest.raises(ArrUnreachable) as caught:
            await client.tags()
    assert route.call_count == 4
    assert caught.value.may_have_reached_server is False
    assert "sonarr.lan:8989" in caught.value.detail
    assert "Fix:" in caught.value.detail


async def test_read_timeout_is_retried_then_reported_as_timeout(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.get(f"{API}/tag").mock(side_effect=httpx.ReadTimeout("timed out"))
    async with sonarr(options) as client:
        with pytest.raises(ArrTimeout, match="did not answer"):
            await client.tags()
    assert route.call_count == 4


async def test_429_waits_for_retry_after(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    router.get(f"{API}/tag").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json=[]),
        ]
    )
    async with sonarr(options) as client:
        await client.tags()
    assert sleeps.delays == [7.0]


async def test_429_beyond_the_cap_is_raised_at_once_with_retry_after(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    route = router.get(f"{API}/tag").respond(429, headers={"Retry-After": "3600"})
    async with sonarr(options) as client:
        with pytest.raises(ArrRateLimited) as caught:
            await client.tags()
    assert route.call_count == 1
    assert sleeps.delays == []
    assert caught.value.retry_after == 3600


async def test_429_without_retry_after_backs_off_and_finally_raises(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    router.get(f"{API}/tag").respond(429)
    async with sonarr(options) as client:
        with pytest.raises(ArrRateLimited) as caught:
            await client.tags()
    assert caught.value.retry_after is None
    assert sleeps.delays == [0.75, 1.5, 3.0]


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_a_search_command_is_never_retried_after_a_5xx(
    router: respx.MockRouter, options: ClientOptions, sleeps: Sleeps
) -> None:
    route = router.post(f"{API}/command").respond(503)
    async with sonarr(options) as client:
        with pytest.raises(ArrBadResponse):
            await client.search_episodes([1, 2])
    assert route.call_count == 1
    assert sleeps.delays == []


async def test_a_search_command_is_never_retried_after_a_read_timeout(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.post(f"{API}/command").mock(side_effect=httpx.ReadTimeout("timed out"))
    async with sonarr(options) as client:
        with pytest.raises(ArrTimeout) as caught:
            await client.search_season(7, 2)
    assert route.call_count == 1
    assert caught.value.may_have_reached_server is True


async def test_a_search_command_is_never_retried_after_429(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.post(f"{API}/command").respond(429, headers={"Retry-After": "5"})
    async with sonarr(options) as client:
        with pytest.raises(ArrRateLimited) as caught:
            await client.search_series(7)
    assert route.call_count == 1
    assert caught.value.retry_after == 5


async def test_a_search_command_is_retried_when_the_connection_never_opened(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.post(f"{API}/command").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(201, json=COMMAND)]
    )
    async with sonarr(options) as client:
        command = await client.search_episodes([1])
    assert route.call_count == 2
    assert command.id == 5


async def test_401_is_auth_failed_with_where_to_find_the_key(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{API}/tag").respond(401)
    async with sonarr(options) as client:
        with pytest.raises(ArrAuthFailed) as caught:
            await client.tags()
    assert "Settings > General" in caught.value.detail
    assert caught.value.status_code == 502  # our API must not look signed out


async def test_404_is_not_found_and_mentions_the_url_base(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{API}/command/99").respond(404)
    async with sonarr(options) as client:
        with pytest.raises(ArrNotFound, match="URL Base"):
            await client.command(99)


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b'{"appName": "Sonarr", "vers', "application/json", "invalid JSON"),
        (b"", "application/json", "invalid JSON"),
        (b"<html><title>Login</title></html>", "text/html", "HTML instead of JSON"),
        (b'[{"label": "no id"}]', "application/json", "0.id: Field required"),
        (b'{"not": "a list"}', "application/json", "list"),
    ],
)
async def test_unusable_answers_are_bad_responses_saying_what_was_wrong(
    router: respx.MockRouter,
    options: ClientOptions,
    body: bytes,
    content_type: str,
    problem: str,
) -> None:
    router.get(f"{API}/tag").respond(200, content=body, headers={"Content-Type": content_type})
    async with sonarr(options) as client:
        with pytest.raises(ArrBadResponse) as caught:
            await client.tags()
    assert problem in caught.value.problem
    assert "Fix:" in caught.value.detail


async def test_a_body_cut_off_mid_way_is_a_bad_response(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{API}/tag").mock(
        side_effect=httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )
    )
    async with sonarr(options) as client:
        with pytest.raises(ArrBadResponse, match="before its answer"):
            await client.tags()


async def test_client_repr_never_shows_the_key(options: ClientOptions) -> None:
    client = sonarr(options)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(client.http)
    await client.aclose()
