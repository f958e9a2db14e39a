"""Budgets and back-pressure: how many searches this run may spend, or why it must hold.

Budgets are counted in indexer queries: every search the *arr runs is one query on each indexer
serving the instance, so a limit's `remaining` is directly the number of searches allowed (an
episode, a movie id in a batch, or a whole season pack each cost one). A short budget shrinks
the batch and says so; it never fails the plan.
"""

from __future__ import annotations

from vibe_quality_searcharr.search.planner.enums import HoldCode
from vibe_quality_searcharr.search.planner.inputs import ArrActivity, Budget
from vibe_quality_searcharr.search.planner.results import BudgetEffect, Hold
from vibe_quality_searcharr.search.planner.settings import QueueSettings
from vibe_quality_searcharr.search.planner.texts import at, plural

__all__ = ["back_pressure", "budget_effect", "exhausted_hold"]


def budget_effect(queue: QueueSettings, budget: Budget, units: int) -> BudgetEffect:
    """Searches to plan: the batch (or fewer units if fewer exist), shrunk to the tightest limit."""
    wanted = min(queue.batch_size, units)
    tightest = budget.tightest()
    if tightest is None or tightest.remaining >= wanted:
        return BudgetEffect(wanted, wanted)
    allowed = max(tightest.remaining, 0)
    return BudgetEffect(wanted, allowed, f"{tightest.name}: {plural(allowed, 'query')} left")


def exhausted_hold(budget: Budget) -> Hold:
    tightest = budget.tightest()
    assert tightest is not None
    resets = f"; resets at {at(tightest.resets_at)}" if tightest.resets_at else ""
    return Hold(
        HoldCode.BUDGET_EXHAUSTED,
        f"budget exhausted: {tightest.name} has no queries left{resets}",
        tightest.resets_at,
    )


def back_pressure(queue: QueueSettings, activity: ArrActivity) -> Hold | None:
    """Hold the whole run while the *arr is already busy: a long download queue or unfinished
    search commands mean more searches would only pile up."""
    limit, size = queue.max_download_queue, activity.download_queue_size
    if limit is not None and size is not None and size > limit:
        return Hold(
            HoldCode.DOWNLOAD_QUEUE_FULL,
            f"download queue holds {plural(size, 'item')} (more than {limit}); run held",
        )
    limit, pending = queue.max_unfinished_commands, activity.unfinished_commands
    if limit is not None and pending is not None and pending > limit:
        return Hold(
            HoldCode.COMMANDS_PENDING,
            f"{plural(pending, 'search command')} still unfinished (more than {limit}); run held",
        )
    return None
