"""What a notification target can subscribe to, and which bus events feed each choice.

The bus event names are the contract with the rest of the service (docs/notifications.md):

    instance.down, instance.up, instance.disk_low, instance.disk_ok    health monitor
    run.started, run.planned, item.searched, command.finished           executor (never notified)
    run.finished                                                        executor: one per run
    library.sync.finished, library.sync.failed                          library sync
    grab.confirmed                                                      search feedback
    budget.low                                                          budgets (>= 80 % used)
    update.available                                                    update check

Only `run.finished` reaches notifications from a run: one summary per run, never one message
per item. Subscription names are what users pick; several bus events may feed one of them.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BUS_EVENTS",
    "DEFAULT_SUBSCRIPTIONS",
    "SUBSCRIPTION_TITLES",
    "BusEvent",
    "Subscription",
]


class BusEvent(StrEnum):
    INSTANCE_DOWN = "instance.down"
    INSTANCE_UP = "instance.up"
    INSTANCE_DISK_LOW = "instance.disk_low"
    INSTANCE_DISK_OK = "instance.disk_ok"
    RUN_STARTED = "run.started"
    RUN_PLANNED = "run.planned"
    ITEM_SEARCHED = "item.searched"
    COMMAND_FINISHED = "command.finished"
    RUN_FINISHED = "run.finished"
    SYNC_FINISHED = "library.sync.finished"
    SYNC_FAILED = "library.sync.failed"
    GRAB_CONFIRMED = "grab.confirmed"
    BUDGET_LOW = "budget.low"
    UPDATE_AVAILABLE = "update.available"


BUS_EVENTS = frozenset(BusEvent)


class Subscription(StrEnum):
    """What a target can ask to be told about."""

    RUN_GRABS = "run_grabs"  # run.finished with at least one grab
    GRAB_CONFIRMED = "grab_confirmed"
    QUEUE_FAILED = "queue_failed"  # run.finished with status "failed"
    INSTANCE_DOWN = "instance_down"  # instance.down, instance.disk_low
    INSTANCE_UP = "instance_up"  # instance.up, instance.disk_ok
    BUDGET_LOW = "budget_low"
    SYNC_FINISHED = "sync_finished"
    SYNC_FAILED = "sync_failed"
    UPDATE_AVAILABLE = "update_available"
    TEST = "test"  # the "send test" action; never subscribed, never rate limited


SUBSCRIPTION_TITLES: dict[Subscription, str] = {
    Subscription.RUN_GRABS: "Run finished with grabs",
    Subscription.GRAB_CONFIRMED: "Grab confirmed",
    Subscription.QUEUE_FAILED: "Queue failed",
    Subscription.INSTANCE_DOWN: "Instance down",
    Subscription.INSTANCE_UP: "Instance up",
    Subscription.BUDGET_LOW: "Budget nearly spent",
    Subscription.SYNC_FINISHED: "Library sync finished",
    Subscription.SYNC_FAILED: "Library sync failed",
    Subscription.UPDATE_AVAILABLE: "Update available",
    Subscription.TEST: "Test",
}

# A new target gets every choice except the update check, which is off by default.
DEFAULT_SUBSCRIPTIONS: tuple[Subscription, ...] = tuple(
    s for s in Subscription if s not in (Subscription.UPDATE_AVAILABLE, Subscription.TEST)
)
