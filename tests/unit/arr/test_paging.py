"""The paging walk: large pages, stop at totalRecords, never a silently partial list."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.unit.arr.conftest import API_KEY, episode, page, status
from vibe_quality_searcharr.arr import ArrBadResponse, ArrTimeout, ClientOptions, SonarrClient

pytestmark = pytest.mark.anyio
API = "http://sonarr.lan:8989/api/v3"


@pytest.fixture
def sonarr_v4(router: respx.MockRouter) -> None:
    router.get(f"{API}/system/status").respond(json=status("Sonarr", "4.0.14.2939"))


@pytest.mark.usefixtures("sonarr_v4")
async def test_default_page_size_is_1000_and_one_page_is_one_request(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.get(f"{API}/wanted/missing").respond(
        json=page([episode(1), episode(2)], page=1, total=2)
    )
    async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
        items = await client.wanted_missing()
    assert [item.id for item in items] == [1, 2]
    assert route.call_count == 1
    assert route.calls.last.request.url.params["pageSize"] == "1000"


@pytest.mark.usefixtures("sonarr_v4")
async def test_walks_every_page_until_total_records(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    pages = {
        "1": page([episode(1), episode(2)], page=1, total=5, size=2),
        "2": page([episode(3), episode(4)], page=2, total=5, size=2),
        "3": page([episode(5)], page=3, total=5, size=2),
    }
    route = router.get(f"{API}/wanted/cutoff").mock(
        side_effect=lambda request: httpx.Response(200, json=pages[request.url.params["page"]])
    )
    async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
        items = await client.wanted_cutoff(page_size=2)
    assert [item.id for item in items] == [1, 2, 3, 4, 5]
    assert route.call_count == 3


@pytest.mark.usefixtures("sonarr_v4")
async def test_a_failure_on_a_later_page_raises_instead_of_returning_part(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "1":
            return httpx.Response(200, json=page([episode(1), episode(2)], page=1, total=4, size=2))
        raise httpx.ReadTimeout("slow")

    router.get(f"{API}/wanted/missing").mock(side_effect=answer)
    async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
        with pytest.raises(ArrTimeout):
            await client.wanted_missing(page_size=2)


@pytest.mark.usefixtures("sonarr_v4")
async def test_a_list_that_runs_dry_before_its_total_is_an_error(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    router.get(f"{API}/wanted/missing").mock(
        side_effect=[
            httpx.Response(200, json=page([episode(1), episode(2)], page=1, total=5, size=2)),
            httpx.Response(200, json=page([], page=2, total=5, size=2)),
        ]
    )
    async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
        with pytest.raises(ArrBadResponse, match="2 of 5"):
            await client.wanted_missing(page_size=2)


@pytest.mark.usefixtures("sonarr_v4")
async def test_a_server_that_ignores_the_page_number_is_not_looped_on(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    route = router.get(f"{API}/wanted/missing").respond(
        json=page([episode(1), episode(2)], page=1, total=6, size=2)
    )
    async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
        with pytest.raises(ArrBadResponse, match="ignores paging"):
            await client.wanted_missing(page_size=2)
    assert route.call_count == 2


async def test_queue_and_history_are_paged_too(
    router: respx.MockRouter, options: ClientOptions
) -> None:
    queue = router.get(f"{API}/queue").mock(
        side_effect=[
            httpx.Response(200, json=page([{"id": 1, "episodeId": 3}], page=1, total=2, size=1)),
            httpx.Response(200, json=page([{"id": 2, "episodeId": 4}], page=2, total=2, size=1)),
        ]
    )
    history = router.get(f"{API}/history").respond(
        json=page([{"id": 9, "eventType": "grabbed", "episodeId": 3}], page=1, total=1)
    )
    async with SonarrClient("http://sonarr.lan:8989", API_KEY, options=options) as client:
        records = await client.queue(page_size=1)
        pages = [p async for p in client.iter_history(event_type=1)]
    assert [r.episode_id for r in records] == [3, 4]
    assert queue.call_count == 2
    assert pages[0].records[0].event_type == "grabbed"
    assert history.calls.last.request.url.params["eventType"] == "1"
    assert history.calls.last.request.url.params["pageSize"] == "1000"
