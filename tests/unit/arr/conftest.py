"""Unit-test helpers for the *arr clients: respx routes, a retry policy that never sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import respx

from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions

API_KEY = "0123456789abcdef0123456789abcdef"


@dataclass
class Sleeps:
    """Records every delay the client asked for instead of waiting."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def options(sleeps: Sleeps) -> ClientOptions:
    return ClientOptions(
        retry=RetryPolicy(
            retries=3, base_delay=1.0, max_delay=8.0, sleep=sleeps, jitter=lambda: 0.5
        )
    )


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


def status(app: str, version: str, **extra: Any) -> dict[str, Any]:
    return {"appName": app, "instanceName": f"{app} home", "version": version, **extra}


def page(
    records: list[dict[str, Any]], *, page: int, total: int, size: int = 1000
) -> dict[str, Any]:
    return {
        "page": page,
        "pageSize": size,
        "sortKey": "episodes.airDateUtc",
        "sortDirection": "ascending",
        "totalRecords": total,
        "records": records,
    }


def episode(episode_id: int, **extra: Any) -> dict[str, Any]:
    # Null fields are omitted by the apps; an unknown field must be ignored.
    return {
        "id": episode_id,
        "seriesId": 7,
        "seasonNumber": 1,
        "episodeNumber": episode_id,
        "hasFile": False,
        "monitored": True,
        "airDateUtc": "2024-03-01T20:00:00Z",
        "someFieldFromTheFuture": {"x": 1},
        **extra,
    }
