"""Property tests: invariants that hold for any library, history and settings.

The forbidden-item checks use the documented rules directly (base cooldown tiers, grace, ...)
rather than the planner's own helpers, so a bug in those helpers cannot hide itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vibe_quality_searcharr.search.planner import (
    App,
    ArrActivity,
    Budget,
    BudgetLimit,
    CommandKind,
    CooldownSettings,
    CycleSettings,
    Exclusion,
    Exclusions,
    History,
    Item,
    Library,
    Order,
    Plan,
    QualityProfile,
    QueueSettings,
    SearchState,
    SeasonInfo,
    SeasonKey,
    SeasonPackSettings,
    Strategy,
    apply_plan,
    plan,
)

from .factories import NOW

PROPERTY_SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
HOUR = timedelta(hours=1)
PROFILES = {
    1: QualityProfile(1, upgrade_allowed=True, cutoff_format_score=100),
    2: QualityProfile(2, upgrade_allowed=False, cutoff_format_score=100),
}
STRATEGIES = [Strategy.MISSING, Strategy.CUTOFF_UNMET, Strategy.FORMAT_UPGRADE, Strategy.RECENT]


def base_tier(age: timedelta) -> timedelta:
    """The documented table, written out again on purpose."""
    if age < timedelta(days=1):
        return timedelta(hours=6)
    if age < timedelta(days=7):
        return timedelta(hours=12)
    if age < timedelta(days=30):
        return timedelta(hours=24)
    if age < timedelta(days=365):
        return timedelta(hours=72)
    return timedelta(days=7)


@dataclass
class Scenario:
    library: Library
    queue: QueueSettings
    history: History
    exclusions: Exclusions
    activity: ArrActivity
    budget: Budget
    seed: int

    def plan(self, **changes: object) -> Plan:
        values = {
            "now": NOW,
            "seed": self.seed,
            "history": self.history,
            "exclusions": self.exclusions,
            "activity": self.activity,
            "budget": self.budget,
        }
        values.update(changes)
        return plan(self.library, self.queue, **values)  # type: ignore[arg-type]


# Half the moments fall within two days of now, where grace periods and cooldowns bite.
hours_ago = st.one_of(
    st.integers(min_value=-48, max_value=48),
    st.integers(min_value=-24 * 20, max_value=24 * 3000),
).map(lambda h: NOW - h * HOUR)


@st.composite
def items_strategy(draw: st.DrawFn, app: App, max_items: int = 30) -> list[Item]:
    count = draw(st.integers(min_value=0, max_value=max_items))
    episodes = app is App.SONARR
    items = []
    for item_id in range(1, count + 1):
        series = draw(st.integers(1, 4))
        items.append(
            Item(
                id=item_id,
                parent_id=series if episodes else draw(st.sampled_from([None, series])),
                season_number=draw(st.integers(0, 3)) if episodes else None,
                released_at=draw(st.one_of(st.none(), hours_ago, hours_ago, hours_ago)),
                monitored=draw(st.booleans()) or draw(st.booleans()),
                parent_monitored=draw(st.integers(0, 5)) > 0,
                has_file=draw(st.integers(0, 4)) == 0,
                cutoff_unmet=draw(st.booleans()),
                format_score=draw(st.sampled_from([None, 0, 50, 150])),
                quality_profile_id=draw(st.sampled_from([1, 2])),
                tags=frozenset(draw(st.sets(st.integers(1, 4), max_size=2))),
                arr_last_search=draw(st.one_of(st.none(), st.none(), hours_ago)),
            )
        )
    return items


@st.composite
def scenarios(draw: st.DrawFn, apps: tuple[App, ...] = (App.SONARR, App.RADARR)) -> Scenario:
    app = draw(st.sampled_from(apps))
    items = draw(items_strategy(app))
    ids = [item.id for item in items]
    season_keys = sorted(
        {
            SeasonKey(item.parent_id, item.season_number)
            for item in items
            if item.parent_id is not None and item.season_number is not None
        }
    )
    seasons = {
        key: SeasonInfo(
            monitored=draw(st.integers(0, 6)) > 0,
            next_airing=draw(st.one_of(st.none(), st.none(), hours_ago)),
            last_aired=draw(st.one_of(st.none(), hours_ago)),
        )
        for key in season_keys
    }
    item_states = (
        {
            item_id: SearchState(
                draw(hours_ago),
                draw(st.integers(1, 6)),
                draw(st.integers(0, 5)),
                None,
                draw(st.one_of(st.none(), hours_ago)),
                draw(st.sampled_from([None, 1, 2])),
            )
            for item_id in sorted(draw(st.sets(st.sampled_from(ids))))
        }
        if ids
        else {}
    )
    season_states = {
        key: SearchState(draw(hours_ago), 1, draw(st.integers(0, 3)))
        for key in (sorted(draw(st.sets(st.sampled_from(season_keys)))) if season_keys else [])
    }
    expiry = st.one_of(st.none(), hours_ago)
    exclusions = Exclusions(
        items={
            i: Exclusion(draw(expiry))
            for i in (sorted(draw(st.sets(st.sampled_from(ids)))) if ids else [])
        },
        parents={
            p: Exclusion(draw(expiry)) for p in sorted(draw(st.sets(st.integers(1, 4), max_size=2)))
        },
    )
    queue = QueueSettings(
        strategy=draw(st.sampled_from(STRATEGIES)),
        order=draw(st.sampled_from(list(Order))),
        batch_size=draw(st.integers(1, 15)),
        ids_per_command=draw(st.integers(1, 5)),
        grace=draw(st.integers(0, 12)) * HOUR,
        exclude_tags=frozenset(draw(st.sets(st.integers(1, 4), max_size=1))),
        season_packs=SeasonPackSettings(min_episodes=draw(st.integers(1, 4))),
        max_download_queue=None,
        max_unfinished_commands=None,
    )
    budget = Budget(
        tuple(
            BudgetLimit(f"limit {n}", draw(st.integers(0, 20)))
            for n in range(draw(st.integers(0, 2)))
        )
    )
    activity = ArrActivity(frozenset(draw(st.sets(st.sampled_from(ids)))) if ids else frozenset())
    return Scenario(
        Library(app, items, seasons=seasons, profiles=PROFILES),
        queue,
        History(item_states, season_states),
        exclusions,
        activity,
        budget,
        draw(st.integers(0, 2**32)),
    )


def forbidden_reason(scenario: Scenario, item: Item, now: datetime) -> str | None:
    """Why the rules forbid searching `item` now, or None."""
    library, queue, history = scenario.library, scenario.queue, scenario.history
    key = (item.parent_id, item.season_number)
    info = library.seasons.get(key)  # type: ignore[call-overload]
    if not item.monitored or not item.parent_monitored or (info is not None and not info.monitored):
        return "unmonitored"
    for exclusion in (
        scenario.exclusions.items.get(item.id),
        scenario.exclusions.parents.get(item.parent_id) if item.parent_id else None,
    ):
        if exclusion is not None and (exclusion.expires_at is None or exclusion.expires_at > now):
            return "excluded"
    if item.tags & queue.exclude_tags:
        return "excluded by tag"
    if item.released_at is None or item.released_at > now - queue.grace:
        return "future or in grace"
    if item.id in scenario.activity.queued_ids:
        return "queued"
    age = now - item.released_at
    state = history.item_states.get(item.id)
    fresh_record = state is not None and (
        state.released_at_seen in (None, item.released_at)
        and state.profile_id_seen in (None, item.quality_profile_id)
    )
    if fresh_record and state is not None and state.last_searched_at + base_tier(age) > now:
        return "cooldown"
    if item.arr_last_search is not None and item.arr_last_search + base_tier(age) > now:
        return "cooldown (arr search)"
    season_state = history.season_states.get(key)  # type: ignore[call-overload]
    if season_state is not None:
        newest = info.last_aired if info is not None else None
        season_age = now - newest if newest is not None else timedelta(days=9999)
        if season_state.last_searched_at + base_tier(season_age) > now:
            return "season cooldown"
    return None


def in_scope_missing(item: Item) -> bool:
    return not item.has_file


def in_scope(scenario: Scenario, item: Item) -> bool:
    """The strategies' definitions, written out again."""
    strategy = scenario.queue.strategy
    if strategy is Strategy.MISSING:
        return not item.has_file
    if strategy is Strategy.CUTOFF_UNMET:
        return item.has_file and item.cutoff_unmet
    if strategy is Strategy.RECENT:
        return (
            not item.has_file
            and item.released_at is not None
            and item.released_at >= NOW - timedelta(days=scenario.queue.recent_days)
        )
    assert strategy is Strategy.FORMAT_UPGRADE
    profile = PROFILES.get(item.quality_profile_id or 0)
    return (
        item.has_file
        and item.format_score is not None
        and profile is not None
        and profile.upgrade_allowed
        and profile.cutoff_format_score is not None
        and item.format_score < profile.cutoff_format_score
    )


@PROPERTY_SETTINGS
@given(scenarios())
def test_never_plans_a_forbidden_item(scenario: Scenario) -> None:
    result = scenario.plan()
    by_id = {item.id: item for item in scenario.library.items}
    for command in result.commands:
        for item_id in command.ids:
            item = by_id[item_id]
            assert in_scope(scenario, item)
            assert forbidden_reason(scenario, item, NOW) is None, (item, command)


@PROPERTY_SETTINGS
@given(scenarios())
def test_never_exceeds_the_batch_nor_the_budget(scenario: Scenario) -> None:
    result = scenario.plan()
    assert result.searches <= scenario.queue.batch_size
    tightest = scenario.budget.tightest()
    if tightest is not None:
        assert result.searches <= max(tightest.remaining, 0)
    ids = [item_id for command in result.commands for item_id in command.ids]
    assert len(ids) == len(set(ids))
    skipped = {skip.item_id for skip in result.skipped}
    assert skipped.isdisjoint(ids)
    assert result.summary.searches == result.searches
    for command in result.commands:
        assert 0 <= command.score <= 100
        assert command.reason
        if command.kind is not CommandKind.SEASON_SEARCH:
            assert len(command.ids) <= scenario.queue.ids_per_command


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_in_scope_item_is_planned_skipped_or_left_for_the_batch(scenario: Scenario) -> None:
    result = scenario.plan()
    scoped = {item.id for item in scenario.library.items if in_scope(scenario, item)}
    planned = result.planned_item_ids
    skipped = {skip.item_id for skip in result.skipped}
    assert planned | skipped <= scoped
    assert len(scoped - skipped) == result.summary.eligible
    assert result.summary.in_scope == len(scoped)
    for skip in result.skipped:
        assert skip.text


@PROPERTY_SETTINGS
@given(scenarios())
def test_same_inputs_and_seed_give_the_same_plan(scenario: Scenario) -> None:
    assert scenario.plan() == scenario.plan()


@PROPERTY_SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_plan_does_not_depend_on_row_order(scenario: Scenario, rng: random.Random) -> None:
    shuffled = list(scenario.library.items)
    rng.shuffle(shuffled)
    other = Scenario(
        replace(scenario.library, items=shuffled),
        scenario.queue,
        scenario.history,
        scenario.exclusions,
        scenario.activity,
        scenario.budget,
        scenario.seed,
    )
    assert scenario.plan().commands == other.plan().commands


def renumber(scenario: Scenario, shift: int) -> Scenario:
    """Every episode id moved (monotonically, so ties still break the same way)."""

    def new(item_id: int) -> int:
        return item_id * 3 + shift

    history = scenario.history
    return Scenario(
        replace(
            scenario.library,
            items=[item._replace(id=new(item.id)) for item in scenario.library.items],
        ),
        scenario.queue,
        History({new(i): state for i, state in history.item_states.items()}, history.season_states),
        Exclusions(
            {new(i): e for i, e in scenario.exclusions.items.items()}, scenario.exclusions.parents
        ),
        ArrActivity(frozenset(new(i) for i in scenario.activity.queued_ids)),
        scenario.budget,
        scenario.seed,
    )


@PROPERTY_SETTINGS
@given(scenarios(apps=(App.SONARR,)), st.integers(1, 1000))
def test_season_keys_are_stable_when_episode_ids_change(scenario: Scenario, shift: int) -> None:
    before = scenario.plan(seed=0)
    after = renumber(scenario, shift).plan(seed=0)
    if scenario.queue.order is Order.RANDOM:
        # Random ranks hash the episode id; with room for every unit the same seasons still come.
        wide = Scenario(
            scenario.library,
            QueueSettings(
                strategy=scenario.queue.strategy,
                batch_size=1000,
                max_download_queue=None,
                max_unfinished_commands=None,
                season_packs=scenario.queue.season_packs,
                grace=scenario.queue.grace,
                exclude_tags=scenario.queue.exclude_tags,
            ),
            scenario.history,
            scenario.exclusions,
            scenario.activity,
            Budget(),
            0,
        )
        before, after = wide.plan(), renumber(wide, shift).plan()
        assert sorted(c.season for c in before.commands if c.season) == sorted(
            c.season for c in after.commands if c.season
        )
        return
    assert [c.season for c in before.commands] == [c.season for c in after.commands]
    assert [tuple(i * 3 + shift for i in c.ids) for c in before.commands] == [
        c.ids for c in after.commands
    ]


@PROPERTY_SETTINGS
@given(
    st.lists(st.integers(1, 60), min_size=12, max_size=30, unique=True),
    st.integers(0, 2**32),
    st.integers(0, 2**32),
)
def test_random_order_differs_across_seeds(ids: list[int], seed: int, other: int) -> None:
    if seed == other:
        other += 1
    library = Library(App.RADARR, [Item(i, released_at=NOW - 40 * 24 * HOUR) for i in ids])
    queue = QueueSettings(order=Order.RANDOM, batch_size=100, ids_per_command=1)
    first = plan(library, queue, now=NOW, seed=seed)
    again = plan(library, queue, now=NOW, seed=seed)
    second = plan(library, queue, now=NOW, seed=other)
    order = [c.ids for c in first.commands]
    assert order == [c.ids for c in again.commands]
    assert order != [c.ids for c in second.commands]
    assert sorted(order) == sorted(c.ids for c in second.commands)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 3), st.integers(1, 4))
def test_cycle_mode_covers_every_eligible_item_exactly_once_per_cycle(
    scenario: Scenario, batch: int, step_hours: int
) -> None:
    # Time moves on, so only rules that do not depend on time are kept: everything released
    # long ago, no cooldowns, no *arr searches, exclusions permanent or none.
    items = [
        item._replace(released_at=NOW - 4000 * 24 * HOUR, arr_last_search=None)
        for item in scenario.library.items
    ]
    library = Library(scenario.library.app, items, seasons=scenario.library.seasons)
    exclusions = Exclusions(
        {i: Exclusion() for i, e in scenario.exclusions.items.items() if e.expires_at is None},
        {p: Exclusion() for p, e in scenario.exclusions.parents.items() if e.expires_at is None},
    )
    queue = QueueSettings(
        order=scenario.queue.order,
        batch_size=batch,
        exclude_tags=scenario.queue.exclude_tags,
        cooldown=CooldownSettings(flat=timedelta(0), doubling=False),
        cycle=CycleSettings(enabled=True, min_duration=timedelta(days=2)),
        season_packs=scenario.queue.season_packs,
        max_download_queue=None,
        max_unfinished_commands=None,
    )
    probe = Scenario(library, queue, History(), exclusions, ArrActivity(), Budget(), 0)
    eligible = {
        item.id
        for item in items
        if in_scope_missing(item) and forbidden_reason(probe, item, NOW) is None
    }
    history = History()
    now = NOW
    searched_in: dict[int, list[int]] = {}
    starts: dict[int, datetime] = {}
    for _ in range(len(eligible) + 60):
        result = plan(
            library, queue, now=now, seed=scenario.seed, history=history, exclusions=exclusions
        )
        if result.commands:
            assert result.cycle is not None
            starts.setdefault(result.cycle.number, result.cycle.started_at)
            searched_in.setdefault(result.cycle.number, []).extend(result.planned_item_ids)
        history = apply_plan(history, result, library, at=now)
        if len(searched_in) > 2:
            break
        now += step_hours * HOUR
    if not eligible:
        assert searched_in == {}
        return
    assert sorted(searched_in[1]) == sorted(eligible)
    assert sorted(searched_in[2]) == sorted(eligible) or len(searched_in) == 2
    assert starts[2] >= starts[1] + timedelta(days=2)
