"""The dry run: the plan the next run of a queue would execute, built exactly as the run builds
it (same inputs, same seed `run_seed(queue, run_count + 1)`, same clock), sending nothing and
storing nothing."""

from __future__ import annotations

from vibe_quality_searcharr.arr.clients import MediaClient
from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.instances.urls import BlockedAddress
from vibe_quality_searcharr.library.repository import item_labels
from vibe_quality_searcharr.search.planner import ArrActivity
from vibe_quality_searcharr.search.runs.errors import ArrUnavailable
from vibe_quality_searcharr.search.runs.executor import Executor
from vibe_quality_searcharr.search.runs.inputs import (
    budget_for,
    fetch_activity,
    load_inputs,
    make_plan,
    pause_hold,
    read_budget,
)
from vibe_quality_searcharr.search.runs.preview import label_ids, preview_read
from vibe_quality_searcharr.search.runs.schemas import PreviewRead

__all__ = ["DEFAULT_SKIPPED_LIMIT", "MAX_SKIPPED_LIMIT", "preview_queue"]

DEFAULT_SKIPPED_LIMIT = 200
MAX_SKIPPED_LIMIT = 1000


async def preview_queue(
    executor: Executor, queue_id: int, *, skipped_limit: int = DEFAULT_SKIPPED_LIMIT
) -> PreviewRead:
    """Raises NotFound for an unknown queue and ArrUnavailable (503, the client's message)
    when the *arr cannot say what it is busy with. A paused instance is not contacted, as a
    run would not contact it either."""
    now = executor.clock()
    inputs = await executor.db(load_inputs, queue_id, now, executor.box)
    pause = pause_hold(inputs)
    activity = ArrActivity()
    if pause is None:
        try:
            client = await executor.connect(inputs.target)
            async with client:
                assert isinstance(client, MediaClient)
                activity = await fetch_activity(client, inputs.family)
            await read_budget(inputs, executor.connect, now, executor.prowlarr_views)
        except ArrError as exc:
            raise ArrUnavailable(exc.detail) from None
        except BlockedAddress as exc:
            raise ArrUnavailable(str(exc)) from None
    plan = make_plan(inputs, activity, budget_for(inputs, now), now=now, seed=inputs.next_seed)
    labels = await executor.db(item_labels, inputs.instance_id, label_ids(plan, skipped_limit))
    return preview_read(
        plan,
        queue_id=inputs.queue_id,
        instance_id=inputs.instance_id,
        labels=labels,
        pause=pause,
        skipped_limit=skipped_limit,
        now=now,
    )
