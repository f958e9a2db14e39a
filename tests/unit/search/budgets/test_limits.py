"""Budget arithmetic: instance caps over rolling windows and Prowlarr indexer limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vibe_quality_searcharr.search.budgets.limits import (
    IndexerView,
    Spend,
    cap_limits,
    indexer_limit,
    prowlarr_limits,
)
from vibe_quality_searcharr.search.planner import Budget

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def indexer(**overrides: object) -> IndexerView:
    values: dict[str, object] = {
        "id": 1,
        "name": "NZBgeek",
        "enabled": True,
        "tags": frozenset(),
        "query_limit": 100,
        "unit": "day",
        "used": 0,
    }
    values.update(overrides)
    return IndexerView(**values)  # type: ignore[arg-type]


def test_caps_count_only_the_rolling_window() -> None:
    spent = [
        Spend(NOW - timedelta(minutes=59), 3),
        Spend(NOW - timedelta(minutes=61), 4),
        Spend(NOW - timedelta(hours=23), 5),
        Spend(NOW - timedelta(hours=25), 50),
    ]
    hourly, daily = cap_limits(10, 100, spent, NOW)
    assert hourly.remaining == 7
    assert daily.remaining == 100 - 12
    # One more query frees up when the oldest spend in the window ages out.
    assert hourly.resets_at == NOW + timedelta(minutes=1)
    assert daily.resets_at == NOW + timedelta(hours=1)


def test_caps_never_go_negative_and_none_means_no_cap() -> None:
    (hourly,) = cap_limits(10, None, [Spend(NOW, 25)], NOW)
    assert hourly.remaining == 0
    assert cap_limits(None, None, [Spend(NOW, 25)], NOW) == ()


def test_unspent_cap_has_no_reset_time() -> None:
    (daily,) = cap_limits(None, 100, [], NOW)
    assert (daily.remaining, daily.resets_at) == (100, None)


def test_indexer_keeps_headroom_below_its_limit() -> None:
    limit = indexer_limit(indexer(query_limit=100, used=70), 0.2, NOW)
    assert limit is not None
    assert limit.remaining == 10  # 80 usable, 70 used
    assert "NZBgeek" in limit.name
    assert "20% headroom" in limit.name


def test_exhausted_indexer_says_when_it_can_resume() -> None:
    limit = indexer_limit(indexer(query_limit=10, unit="hour", used=9), 0.2, NOW)
    assert limit is not None
    assert limit.remaining == 0
    assert limit.resets_at == NOW + timedelta(hours=1)


def test_unlimited_indexer_is_no_limit() -> None:
    assert indexer_limit(indexer(query_limit=None), 0.2, NOW) is None


def test_only_enabled_serving_indexers_not_backing_off_count() -> None:
    indexers = [
        indexer(id=1, name="tight", query_limit=10, used=5),
        indexer(id=2, name="disabled", enabled=False, query_limit=1),
        indexer(id=3, name="other-app", tags=frozenset({7}), query_limit=1),
        indexer(id=4, name="backoff", query_limit=1, disabled_till=NOW + timedelta(hours=2)),
        indexer(id=5, name="tagged", tags=frozenset({3}), query_limit=50),
    ]
    limits = prowlarr_limits(indexers, frozenset({3}), 0.2, NOW)
    names = sorted(limit.name.split()[1] for limit in limits)
    assert names == ["tagged", "tight"]
    tightest = Budget(limits).tightest()
    assert tightest is not None
    assert tightest.remaining == 3


def test_backoff_that_has_ended_counts_again() -> None:
    past = indexer(query_limit=10, disabled_till=NOW - timedelta(seconds=1))
    assert len(prowlarr_limits([past], frozenset(), 0.2, NOW)) == 1


@given(
    limit=st.integers(min_value=1, max_value=10_000),
    used=st.integers(min_value=0, max_value=20_000),
    headroom=st.floats(min_value=0, max_value=0.9),
)
def test_spending_the_remaining_budget_never_exceeds_the_limit(
    limit: int, used: int, headroom: float
) -> None:
    result = indexer_limit(indexer(query_limit=limit, used=used), headroom, NOW)
    assert result is not None
    assert result.remaining >= 0
    if used <= limit:
        assert used + result.remaining <= limit


@given(
    spends=st.lists(
        st.tuples(st.integers(min_value=0, max_value=48 * 60), st.integers(1, 5)), max_size=40
    ),
    cap=st.integers(min_value=0, max_value=200),
)
def test_cap_remaining_plus_window_spend_is_the_cap(
    spends: list[tuple[int, int]], cap: int
) -> None:
    spent = [Spend(NOW - timedelta(minutes=minutes), queries) for minutes, queries in spends]
    (daily,) = cap_limits(None, cap, spent, NOW)
    in_window = sum(q for m, q in spends if m < 24 * 60)
    assert daily.remaining == max(cap - in_window, 0)


def test_snapshot_charges_this_runs_spend_on_caps_and_on_prowlarr_usage() -> None:
    from vibe_quality_searcharr.search.budgets.prowlarr import ProwlarrView
    from vibe_quality_searcharr.search.budgets.snapshot import BudgetSnapshot

    view = ProwlarrView((indexer(query_limit=20, unit="hour", used=10),), None, None)
    snapshot = BudgetSnapshot(10, 100, [Spend(NOW - timedelta(minutes=5), 2)], NOW, view, 0.2)
    before = snapshot.budget(NOW).tightest()
    assert before is not None
    assert before.remaining == 6  # indexer: 16 usable - 10 used; hourly cap: 10 - 2 = 8
    snapshot.spend(NOW, 4)
    after = snapshot.budget(NOW + timedelta(seconds=5)).tightest()
    assert after is not None
    assert after.remaining == 2
    assert "NZBgeek" in after.name


def test_season_search_costs_one_query_and_batches_cost_one_per_id() -> None:
    from vibe_quality_searcharr.search.budgets.snapshot import command_queries

    assert command_queries("SeasonSearch", [1, 2, 3, 4]) == 1
    assert command_queries("MoviesSearch", [1, 2, 3]) == 3
    assert command_queries("EpisodeSearch", [9]) == 1
