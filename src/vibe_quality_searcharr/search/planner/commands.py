"""Turn ranked units into *arr commands, each with its items, score and reason.

Episode apps get one EpisodeSearch per episode (so each command's result message speaks of one
episode) and one SeasonSearch per pack. Movie, album and book apps get their ranked ids batched
into commands of up to `ids_per_command` ids, in rank order; such a command's score is its best
item's, and its reason names how many items it carries and why the first one leads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from vibe_quality_searcharr.search.planner.apps import FamilyTraits
from vibe_quality_searcharr.search.planner.cooldowns import Searched
from vibe_quality_searcharr.search.planner.enums import CommandKind, Order
from vibe_quality_searcharr.search.planner.inputs import (
    Item,
    QualityProfile,
    SearchState,
)
from vibe_quality_searcharr.search.planner.ordering import (
    PACK,
    Ranked,
    pack_raw_score,
)
from vibe_quality_searcharr.search.planner.reasons import item_reason, order_prefix, pack_reason
from vibe_quality_searcharr.search.planner.results import Command, PlannedItem
from vibe_quality_searcharr.search.planner.scoring import display_score, score_items
from vibe_quality_searcharr.search.planner.seasons import Pack
from vibe_quality_searcharr.search.planner.texts import plural

__all__ = ["CommandContext", "build_commands"]


@dataclass(frozen=True, slots=True)
class CommandContext:
    traits: FamilyTraits
    order: Order
    seed: int
    ids_per_command: int
    profiles: Mapping[int, QualityProfile]
    fallback: Mapping[tuple[int, int], SearchState]
    cycle_number: int | None
    now: datetime


def build_commands(
    ranked: Sequence[Ranked],
    items: Sequence[Item],
    searched: Sequence[Searched],
    packs: Sequence[Pack],
    context: CommandContext,
) -> tuple[Command, ...]:
    prefix = order_prefix(context.order, context.seed)
    suffix = f" (cycle {context.cycle_number})" if context.cycle_number is not None else ""
    traits = context.traits
    commands: list[Command] = []
    pending: list[PlannedItem] = []

    for unit in ranked:
        if unit.kind == PACK:
            commands.append(
                _pack_command(packs[unit.position], unit, items, context, prefix, suffix)
            )
            continue
        item = items[unit.position]
        raw = unit.raw_score
        if raw is None:
            raw = score_items(items, searched, (unit.position,), context.profiles, context.now)[0]
        fallback = None
        if item.parent_id is not None and item.season_number is not None:
            fallback = context.fallback.get((item.parent_id, item.season_number))
        reason = item_reason(
            item, searched[unit.position], traits, context.profiles, context.now, fallback
        )
        planned = PlannedItem(item.id, display_score(raw), f"{prefix}{reason}{suffix}")
        if traits.batches_ids:
            pending.append(planned)
            if len(pending) == context.ids_per_command:
                commands.append(_batch_command(pending, traits))
                pending = []
        else:
            commands.append(
                Command(
                    traits.command,
                    (planned.item_id,),
                    (planned,),
                    planned.score,
                    planned.reason,
                    traits.ids_field,
                )
            )
    if pending:
        commands.append(_batch_command(pending, traits))
    return tuple(commands)


def _pack_command(
    pack: Pack,
    unit: Ranked,
    items: Sequence[Item],
    context: CommandContext,
    prefix: str,
    suffix: str,
) -> Command:
    raw = unit.raw_score
    if raw is None:
        raw = pack_raw_score(pack, items, context.profiles, context.now)
    score = display_score(raw)
    reason = (
        f"{prefix}{pack_reason(pack, items, context.traits, context.profiles, context.now)}{suffix}"
    )
    covered = tuple(sorted(items[index].id for index in pack.indexes))
    return Command(
        CommandKind.SEASON_SEARCH,
        covered,
        tuple(PlannedItem(item_id, score, reason) for item_id in covered),
        score,
        reason,
        season=pack.key,
    )


def _batch_command(planned: list[PlannedItem], traits: FamilyTraits) -> Command:
    lead = planned[0]
    reason = (
        lead.reason
        if len(planned) == 1
        else f"{plural(len(planned), traits.item_noun)}, led by: {lead.reason}"
    )
    return Command(
        traits.command,
        tuple(entry.item_id for entry in planned),
        tuple(planned),
        max(entry.score for entry in planned),
        reason,
        traits.ids_field,
    )
