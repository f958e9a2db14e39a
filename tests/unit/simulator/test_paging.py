"""Sort resolution: whitelist, silent fallback, prefixed echo, v3 rules."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from vibe_quality_searcharr.simulator.families import APPS, wanted_sort_spec
from vibe_quality_searcharr.simulator.paging import BadRequest, PageRequest, parse_page, resolve

V4 = wanted_sort_spec(APPS["sonarr"], (4, 0))
V3 = wanted_sort_spec(APPS["sonarr"], (3, 0, 10))
RADARR = wanted_sort_spec(APPS["radarr"], (5, 26))


def request(key: str | None = None, direction: str | None = None) -> PageRequest:
    return PageRequest(1, 10, key, direction)


@pytest.mark.parametrize(
    ("key", "direction", "expected"),
    [
        (None, None, ("air", False, "episodes.airDateUtc")),
        (None, "default", ("air", True, "episodes.airDateUtc")),
        ("series.sortTitle", "ascending", ("title", True, "series.sortTitle")),
        ("lastSearchTime", None, ("last_search", False, "episodes.lastSearchTime")),
        ("bogus", "ascending", ("air", True, "episodes.airDateUtc")),
    ],
)
def test_sonarr_v4(key: str | None, direction: str | None, expected: tuple[str, bool, str]) -> None:
    sort = resolve(V4, request(key, direction))
    assert (sort.field, sort.ascending, sort.echo_key) == expected


def test_sonarr_v3_reads_direction_only_with_a_key() -> None:
    assert resolve(V3, request(None, "ascending"), legacy=True).ascending is False
    sort = resolve(V3, request("airDateUtc", "ascending"), legacy=True)
    assert (sort.field, sort.ascending, sort.echo_key) == ("air", True, "airDateUtc")


def test_radarr_default_key() -> None:
    sort = resolve(RADARR, request())
    assert sort.echo_key == "movieMetadata.sortTitle"
    assert resolve(RADARR, request("inCinemas", "ascending")).field == "cinemas"


def test_parse_page_defaults_and_validation() -> None:
    page = parse_page(QueryParams(""))
    assert (page.page, page.page_size, page.sort_key, page.direction) == (1, 10, None, None)
    assert parse_page(QueryParams("sortDirection=2")).direction == "descending"
    with pytest.raises(BadRequest):
        parse_page(QueryParams("pageSize=ten"))
    with pytest.raises(BadRequest):
        parse_page(QueryParams("sortDirection=sideways"))
