"""Strategies pick which wanted items a queue is about; missing and cutoff never mix."""

from __future__ import annotations

import pytest

from vibe_quality_searcharr.search.planner import (
    App,
    CustomFilter,
    QualityProfile,
    QueueSettings,
    Source,
    Strategy,
)

from .factories import ago, make_item, make_library, planned_ids, run

PROFILES = {
    1: QualityProfile(1, upgrade_allowed=True, cutoff_format_score=100),
    2: QualityProfile(2, upgrade_allowed=False, cutoff_format_score=100),
}


def queue(strategy: Strategy, **overrides: object) -> QueueSettings:
    return QueueSettings(strategy=strategy, batch_size=100, ids_per_command=1, **overrides)


def library_of_wants() -> list:
    return [
        make_item(1),  # missing
        make_item(2, has_file=True, cutoff_unmet=True),  # below the quality cutoff
        make_item(3, has_file=True, format_score=40, quality_profile_id=1),  # CF upgrade
        make_item(4, has_file=True, format_score=40, quality_profile_id=2),  # upgrades off
        make_item(5, has_file=True, format_score=150, quality_profile_id=1),  # at CF cutoff
        make_item(6, has_file=True),  # satisfied
    ]


def plan_for(strategy: Strategy, **overrides: object) -> list[int]:
    items = library_of_wants()
    library = make_library(items, App.RADARR, profiles=PROFILES)
    return sorted(planned_ids(run(items, library=library, queue=queue(strategy, **overrides))))


def test_missing_plans_only_items_without_a_file() -> None:
    assert plan_for(Strategy.MISSING) == [1]


def test_cutoff_unmet_plans_only_files_below_the_cutoff() -> None:
    assert plan_for(Strategy.CUTOFF_UNMET) == [2]


def test_format_upgrade_needs_a_score_below_the_profile_cutoff_and_upgrades_allowed() -> None:
    assert plan_for(Strategy.FORMAT_UPGRADE) == [3]


def test_format_upgrade_reason_names_both_scores() -> None:
    items = library_of_wants()
    library = make_library(items, App.RADARR, profiles=PROFILES)
    result = run(items, library=library, queue=queue(Strategy.FORMAT_UPGRADE))
    assert "custom format score 40 below cutoff 100" in result.commands[0].reason


def test_recent_plans_missing_items_released_within_the_window() -> None:
    items = [
        make_item(1, released_at=ago(days=2)),
        make_item(2, released_at=ago(days=13)),
        make_item(3, released_at=ago(days=15)),
        make_item(4, released_at=ago(days=2), has_file=True, cutoff_unmet=True),
    ]
    assert sorted(planned_ids(run(items, queue=queue(Strategy.RECENT)))) == [1, 2]
    assert sorted(planned_ids(run(items, queue=queue(Strategy.RECENT, recent_days=30)))) == [
        1,
        2,
        3,
    ]


def test_recent_keeps_future_items_in_scope_to_explain_them() -> None:
    items = [make_item(1, released_at=ago(days=-3))]
    result = run(items, queue=queue(Strategy.RECENT))
    assert result.summary.in_scope == 1
    assert result.skipped[0].code == "not_released"


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ({Source.MISSING}, [1]),
        ({Source.CUTOFF_UNMET}, [2]),
        ({Source.MISSING, Source.CUTOFF_UNMET}, [1, 2]),
        ({Source.MISSING, Source.CUTOFF_UNMET, Source.FORMAT_UPGRADE}, [1, 2, 3]),
    ],
)
def test_custom_mixes_only_the_sources_it_names(sources: set[Source], expected: list[int]) -> None:
    custom = CustomFilter(sources=frozenset(sources))
    assert plan_for(Strategy.CUSTOM, custom=custom) == expected


def test_custom_filters_by_year_profile_status_and_tags() -> None:
    items = [
        make_item(1, year=1999, quality_profile_id=1, status="ended", tags=frozenset({7})),
        make_item(2, year=2010, quality_profile_id=1, status="ended", tags=frozenset({7})),
        make_item(3, year=2012, quality_profile_id=2, status="ended", tags=frozenset({7})),
        make_item(4, year=2012, quality_profile_id=1, status="continuing", tags=frozenset({7})),
        make_item(5, year=2012, quality_profile_id=1, status="ended", tags=frozenset({8})),
        make_item(6, year=None, quality_profile_id=1, status="ended", tags=frozenset({7})),
        make_item(7, year=2020, quality_profile_id=1, status="ended", tags=frozenset({7, 9})),
    ]
    custom = CustomFilter(
        year_min=2005,
        year_max=2020,
        quality_profile_ids=frozenset({1}),
        statuses=frozenset({"ended"}),
        include_tags=frozenset({7}),
    )
    assert sorted(planned_ids(run(items, queue=queue(Strategy.CUSTOM, custom=custom)))) == [2, 7]


def test_custom_with_no_filters_takes_every_source_item() -> None:
    assert plan_for(Strategy.CUSTOM) == [1]


def test_out_of_scope_items_are_not_reported_as_skipped() -> None:
    items = library_of_wants()
    library = make_library(items, App.RADARR, profiles=PROFILES)
    result = run(items, library=library, queue=queue(Strategy.MISSING))
    assert result.skipped == ()
    assert result.summary.considered == 6
    assert result.summary.in_scope == 1


def test_custom_filter_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="source"):
        CustomFilter(sources=frozenset())
    with pytest.raises(ValueError, match="year"):
        CustomFilter(year_min=2020, year_max=2000)
