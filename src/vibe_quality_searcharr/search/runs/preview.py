"""The plan as the API shows it: commands with labels, the hold, the budget effect and the
skipped items (counted by reason; only the first `skipped_limit` listed, in a stable order, as
a large library skips tens of thousands of items per plan)."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from datetime import datetime

from vibe_quality_searcharr.search.planner import Command, CommandKind, Plan, Skip, SkipCode
from vibe_quality_searcharr.search.runs.inputs import PauseHold
from vibe_quality_searcharr.search.runs.schemas import (
    BudgetRead,
    HoldRead,
    PlannedCommandRead,
    PlannedItemRead,
    PreviewRead,
    SkippedRead,
)

__all__ = ["command_label", "effective_hold", "label_ids", "preview_read", "skipped_page"]

_ORDER = {code: index for index, code in enumerate(SkipCode)}


def label_ids(plan: Plan, skipped_limit: int) -> set[int]:
    """The ids whose labels a preview shows: planned items and the listed skips."""
    ids = set(plan.planned_item_ids)
    ids.update(skip.item_id for skip in skipped_page(plan, skipped_limit))
    return ids


def skipped_page(plan: Plan, limit: int) -> list[Skip]:
    """The first `limit` skips by (reason order, item id): the same list for the same plan."""
    return heapq.nsmallest(limit, plan.skipped, key=lambda skip: (_ORDER[skip.code], skip.item_id))


def command_label(command: Command, labels: Mapping[int, str]) -> str:
    """One line naming what a command searches ("Show S02 (5 episodes)", "Film (2020) and 3
    more")."""
    if command.kind is CommandKind.SEASON_SEARCH and command.season is not None:
        first = labels.get(command.ids[0], "") if command.ids else ""
        series = first.split(" S", 1)[0] if first else f"series {command.season.series_id}"
        return f"{series} S{command.season.season_number:02d} ({len(command.ids)} episodes)"
    names = [labels.get(item_id, f"#{item_id}") for item_id in command.ids]
    if len(names) == 1:
        return names[0]
    return f"{names[0]} and {len(names) - 1} more"


def effective_hold(plan: Plan, pause: PauseHold | None) -> HoldRead | None:
    if pause is not None:
        return HoldRead(code=pause.code, text=pause.text)
    hold = plan.summary.hold
    if hold is None:
        return None
    return HoldRead(code=hold.code.value, text=hold.text, until=hold.until)


def preview_read(
    plan: Plan,
    *,
    queue_id: int,
    instance_id: int,
    labels: Mapping[int, str],
    pause: PauseHold | None,
    skipped_limit: int,
    now: datetime,
) -> PreviewRead:
    summary = plan.summary
    hold = effective_hold(plan, pause)
    commands = [
        PlannedCommandRead(
            position=position,
            kind=command.kind.value,
            payload=command.payload(),
            ids=list(command.ids),
            season=command.season._asdict() if command.season is not None else None,
            score=command.score,
            reason=command.reason,
            label=command_label(command, labels),
            cost=command.cost,
            items=[
                PlannedItemRead(
                    item_id=item.item_id,
                    label=labels.get(item.item_id, f"#{item.item_id}"),
                    score=item.score,
                    reason=item.reason,
                )
                for item in command.items
            ],
        )
        for position, command in enumerate(plan.commands)
    ]
    text = summary.text if pause is None else f"{summary.text}; {pause.text}"
    return PreviewRead(
        queue_id=queue_id,
        instance_id=instance_id,
        seed=plan.seed,
        now=now,
        strategy=plan.strategy.value,
        order=plan.order.value,
        summary=text,
        counts={
            "considered": summary.considered,
            "in_scope": summary.in_scope,
            "eligible": summary.eligible,
            "planned_items": summary.planned_items,
            "planned_commands": summary.planned_commands,
            "searches": summary.searches,
            "batch_size": summary.batch_size,
        },
        hold=hold,
        budget=BudgetRead(
            wanted=summary.budget.wanted,
            allowed=summary.budget.allowed,
            dropped=summary.budget.dropped,
            limited_by=summary.budget.limited_by,
            text=summary.budget.text,
        ),
        commands=commands,
        skipped_counts={code.value: count for code, count in summary.skipped.items()},
        skipped_total=len(plan.skipped),
        skipped=[
            SkippedRead(
                item_id=skip.item_id,
                code=skip.code.value,
                text=skip.text,
                label=labels.get(skip.item_id, f"#{skip.item_id}"),
                until=skip.until,
            )
            for skip in skipped_page(plan, skipped_limit)
        ],
        skipped_limit=skipped_limit,
    )
