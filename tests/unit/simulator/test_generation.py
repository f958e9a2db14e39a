"""Generated libraries: reproducible from a seed, exactly `size` wanted, and varied."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vibe_quality_searcharr.simulator.families import APPS
from vibe_quality_searcharr.simulator.state import generate_library
from vibe_quality_searcharr.simulator.wanted import WantedLists

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "app", ["sonarr", "whisparr", "radarr", "whisparr-v3", "lidarr", "readarr"]
)
@pytest.mark.parametrize("size", [0, 1, 137])
def test_size_is_the_number_of_wanted_items(app: str, size: int) -> None:
    library = generate_library(APPS[app], 5, size, NOW)
    assert library is not None
    assert len(WantedLists(library).query("missing", True, "air", True, NOW)) == size


def test_same_seed_same_library_other_seed_other_library() -> None:
    def fingerprint(seed: int) -> list[tuple[int, str, int]]:
        library = generate_library(APPS["sonarr"], seed, 200, NOW)
        assert library is not None
        return [(item.id, item.title, item.file_id) for item in library.items.values()]

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)


def test_tv_library_has_the_shapes_clients_must_handle() -> None:
    library = generate_library(APPS["sonarr"], 2, 3000, NOW)
    assert library is not None
    statuses = {parent.status for parent in library.parents.values()}
    assert statuses == {"continuing", "ended", "upcoming"}
    items = list(library.items.values())
    assert any(item.season == 0 for item in items), "specials"
    assert any(not item.monitored for item in items)
    assert any(not parent.monitored for parent in library.parents.values())
    assert any(item.air is not None and item.air > NOW for item in items), "not yet aired"
    assert any(
        not item.title.isascii() or not library.parents[item.parent_id].title.isascii()
        for item in items
    )
    assert any(library.is_cutoff_unmet(item) for item in items)
    assert any(parent.tags for parent in library.parents.values())
    years = {item.air.year for item in items if item.air}
    assert max(years) - min(years) >= 20, "decades"


def test_missing_excludes_specials_unaired_and_items_with_files() -> None:
    library = generate_library(APPS["sonarr"], 3, 500, NOW)
    assert library is not None
    for item in WantedLists(library).query("missing", True, "air", True, NOW):
        assert item.season >= 1
        assert item.file_id == 0
        assert item.air is not None
        assert item.air.timestamp() + item.runtime * 60 <= NOW.timestamp()
        assert item.monitored
        assert library.parents[item.parent_id].monitored


def test_cutoff_ignores_custom_format_scores() -> None:
    library = generate_library(APPS["sonarr"], 4, 50, NOW)
    assert library is not None
    item = next(i for i in library.items.values() if i.file_id and library.monitored(i))
    profile = library.profile_of(item)
    profile.upgrade_allowed = True
    media = library.files[item.file_id]
    media.quality_id = profile.cutoff
    media.cf_score = profile.cutoff_format_score - 100
    library.touch()
    cutoff = WantedLists(library).query("cutoff", True, "air", True, NOW)
    assert item not in cutoff, "at the quality cutoff but below the format-score cutoff: not listed"
    media.quality_id = profile.allowed[0]
    library.touch()
    if profile.rank(profile.allowed[0]) < profile.effective_cutoff_rank():
        assert item in WantedLists(library).query("cutoff", True, "air", True, NOW)


def test_profile_without_upgrades_cuts_off_at_its_first_allowed_quality() -> None:
    library = generate_library(APPS["sonarr"], 4, 10, NOW)
    assert library is not None
    profile = library.profile_by_id[3]
    assert profile.upgrade_allowed is False
    assert profile.effective_cutoff_rank() == 0


def test_unreleased_movies_are_not_missing_until_available() -> None:
    library = generate_library(APPS["radarr"], 9, 100, NOW)
    assert library is not None
    wanted = WantedLists(library)
    future = [
        i
        for i in library.items.values()
        if library.available[i.id] and library.available[i.id] > NOW
    ]  # type: ignore[operator]
    assert future
    missing = wanted.query("missing", True, "air", True, NOW)
    assert not {i.id for i in future} & {i.id for i in missing}


def test_fast_episode_bytes_equal_the_episode_resource() -> None:
    import json

    from vibe_quality_searcharr.simulator.render_tv import episode_fragment, episode_json
    from vibe_quality_searcharr.simulator.state import SimState

    for version in (None, "3.0.10.1567"):
        state = SimState("sonarr", size=40, version=version)
        assert state.library is not None
        items = list(state.library.items.values())
        items[0].last_search = NOW
        for item in items[:300]:
            for series in (False, True):
                fast = json.loads(episode_fragment(state, item, include_series=series))
                assert fast == episode_json(state, item, include_series=series)
