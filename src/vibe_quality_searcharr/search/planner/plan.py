"""`plan()`: the pure search planner.

    plan(library, queue, now=..., seed=..., history=..., exclusions=..., activity=..., budget=...)
        -> Plan(commands, skipped, summary, cycle)

No I/O, no clock, no global randomness: the same arguments always give the same plan, which is
what makes a dry-run preview exact and the planner property-testable. The steps:

1. scope: the queue's strategy picks the wanted items it is about;
2. eligibility: each in-scope item is skipped with a reason or kept;
3. cycle mode: items already searched in the current cycle wait for the next one;
4. season packs: fully aired seasons with enough eligible episodes become one unit;
5. budget and back-pressure: how many searches (units) the run may spend, or why it holds;
6. order: rank the units and keep the best k;
7. commands: build the *arr commands with score and reason.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from vibe_quality_searcharr.search.planner.apps import family_of, traits
from vibe_quality_searcharr.search.planner.budget import (
    back_pressure,
    budget_effect,
    exhausted_hold,
)
from vibe_quality_searcharr.search.planner.commands import CommandContext, build_commands
from vibe_quality_searcharr.search.planner.cycles import advance, split_by_cycle
from vibe_quality_searcharr.search.planner.eligibility import classify
from vibe_quality_searcharr.search.planner.enums import Family, HoldCode, SkipCode, Strategy
from vibe_quality_searcharr.search.planner.inputs import (
    ArrActivity,
    Budget,
    Exclusions,
    History,
    Library,
)
from vibe_quality_searcharr.search.planner.ordering import rank
from vibe_quality_searcharr.search.planner.results import Hold, Plan, Summary
from vibe_quality_searcharr.search.planner.scope import select_in_scope
from vibe_quality_searcharr.search.planner.seasons import Grouping, group_seasons
from vibe_quality_searcharr.search.planner.settings import QueueSettings
from vibe_quality_searcharr.search.planner.texts import plural

__all__ = ["plan"]

_NO_HISTORY = History()
_NO_EXCLUSIONS = Exclusions()
_IDLE = ArrActivity()
_UNLIMITED = Budget()


def plan(
    library: Library,
    queue: QueueSettings,
    *,
    now: datetime,
    seed: int = 0,
    history: History = _NO_HISTORY,
    exclusions: Exclusions = _NO_EXCLUSIONS,
    activity: ArrActivity = _IDLE,
    budget: Budget = _UNLIMITED,
) -> Plan:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    family_traits = traits(family_of(library.app))
    in_scope = select_in_scope(library.items, queue, library.profiles, now, library.seasons)
    classified = classify(
        library, family_traits, queue, in_scope, history, exclusions, activity, now
    )
    skipped = classified.skipped
    eligible, searched = classified.eligible, classified.searched

    hold: Hold | None = None
    cycle_number: int | None = None
    current_cycle = None
    if queue.cycle.enabled:
        split = split_by_cycle(eligible, searched, history.cycle, queue.cycle, now)
        eligible, searched, current_cycle = split.eligible, split.searched, split.current
        skipped.extend(split.skipped)
        hold = split.hold
        cycle_number = current_cycle.number

    if family_traits.family is Family.EPISODE:
        grouping = group_seasons(
            eligible,
            library.seasons,
            history.season_states,
            classified.unaired_seasons,
            queue.season_packs,
            now,
        )
    else:
        grouping = Grouping(list(range(len(eligible))))
    units = len(grouping.singles) + len(grouping.packs)

    effect = budget_effect(queue, budget, units)
    hold = hold or back_pressure(queue, activity)
    if hold is None and units and effect.allowed == 0:
        hold = exhausted_hold(budget)
    ranked = rank(
        queue.order,
        0 if hold is not None else effect.allowed,
        eligible,
        searched,
        grouping.singles,
        grouping.packs,
        library.profiles,
        seed,
        now,
        missing_only=queue.strategy in (Strategy.MISSING, Strategy.RECENT),
    )
    context = CommandContext(
        family_traits,
        queue.order,
        seed,
        queue.ids_per_command,
        library.profiles,
        grouping.fallback,
        cycle_number,
        now,
    )
    commands = build_commands(ranked, eligible, searched, grouping.packs, context)

    skip_counts = Counter(skip.code for skip in skipped)
    if hold is None and not commands:
        hold = _empty_hold(classified.in_scope, skip_counts)
    planned_ids = frozenset(item_id for command in commands for item_id in command.ids)
    summary = Summary(
        considered=len(library.items),
        in_scope=classified.in_scope,
        eligible=len(eligible),
        planned_items=len(planned_ids),
        planned_commands=len(commands),
        searches=sum(command.cost for command in commands),
        batch_size=queue.batch_size,
        skipped=dict(skip_counts),
        budget=effect,
        hold=hold,
    )
    cycle = (
        advance(history.cycle, current_cycle, planned_ids) if current_cycle is not None else None
    )
    return Plan(
        app=library.app,
        strategy=queue.strategy,
        order=queue.order,
        now=now,
        seed=seed,
        commands=commands,
        skipped=tuple(skipped),
        summary=summary,
        cycle=cycle,
    )


def _empty_hold(in_scope: int, skip_counts: Counter[SkipCode]) -> Hold:
    if not in_scope:
        return Hold(HoldCode.NOTHING_WANTED, "nothing wanted by this queue")
    reasons = ", ".join(
        f"{count} {code.value.replace('_', ' ')}" for code, count in sorted(skip_counts.items())
    )
    return Hold(
        HoldCode.ALL_SKIPPED,
        f"all {plural(in_scope, 'wanted item')} skipped ({reasons})",
    )
