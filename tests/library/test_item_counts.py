"""The library items page counts matching items without its outer joins unless a filter reads
them (search text: the parent's title; format upgrade: the profile). The total must still be
exactly the number of rows the page lists, for every filter, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent, LibraryProfile
from vibe_quality_searcharr.library.repository import ItemFilters, LibraryRepository
from vibe_quality_searcharr.search.models import Exclusion

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_totals_equal_the_rows_listed_for_every_filter(context: AppContext) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(session, context).id
        session.add_all(
            [
                LibraryProfile(instance_id=instance_id, arr_id=1, upgrade_allowed=True,
                               cutoff_format_score=100),
                LibraryProfile(instance_id=instance_id, arr_id=2, upgrade_allowed=False,
                               cutoff_format_score=100),
                *(LibraryParent(instance_id=instance_id, arr_id=p, kind="series",
                                title=f"Show {p}", sort_title=f"show {p}") for p in (1, 2, 3)),
            ]
        )  # fmt: skip
        for n in range(40):
            session.add(
                LibraryItem(
                    instance_id=instance_id, arr_id=n + 1,
                    parent_id=(n % 4) + 1,  # parent 4 is not mirrored: an outer join's NULL
                    title=f"Episode {n}", season_number=1, episode_number=n,
                    has_file=n % 3 == 0, missing=n % 3 != 0, cutoff_unmet=n % 6 == 0,
                    monitored=n % 5 != 0, parent_monitored=True,
                    quality_profile_id=(None, 1, 2, 9)[n % 4], format_score=n * 5,
                )
            )  # fmt: skip
        session.add(
            Exclusion(instance_id=instance_id, scope="parent", arr_id=2, title="", reason="",
                      created_at=NOW, created_by="admin")
        )  # fmt: skip
    filters = [
        ItemFilters(),
        ItemFilters(wanted="missing"),
        ItemFilters(wanted="cutoff_unmet"),
        ItemFilters(wanted="format_upgrade"),
        ItemFilters(parent_id=2),
        ItemFilters(q="show 3"),
        ItemFilters(q="episode 1"),
        ItemFilters(monitored=False),
        ItemFilters(excluded=True),
        ItemFilters(excluded=False, wanted="missing"),
    ]
    with context.database.session_scope() as session:
        repo = LibraryRepository(session)
        totals = []
        for where in filters:
            rows, total = repo.item_page(instance_id, where, NOW, 0, 10_000)
            assert total == len(rows), where
            _page, paged_total = repo.item_page(instance_id, where, NOW, 5, 5)
            assert paged_total == total
            totals.append(total)
    assert totals == [40, 26, 7, 1, 10, 10, 11, 8, 10, 19]
