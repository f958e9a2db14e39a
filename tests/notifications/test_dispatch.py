"""Bus events to a loopback receiver: content, one summary per run, subscriptions, the rate
limit with its digests (clock driven by hand), and failures kept on the target, never raised."""

from __future__ import annotations

from pathlib import Path

from tests.integration.observability.test_logging import log_dir  # noqa: F401 (fixture)
from tests.notifications.conftest import TOKEN, Clock, Receiver, make_target, target_row
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.notifications.dispatch import NotificationDispatcher
from vibe_quality_searcharr.notifications.service import url_box


def publish_run(context: AppContext, **data: object) -> None:
    values: dict[str, object] = {
        "run_id": 7,
        "queue_name": "TV backlog",
        "instance_name": "Sonarr",
        "status": "completed",
        "planned_items": 10,
        "searches": 10,
        "sent_commands": 4,
        "grabbed": 2,
        "grabbed_labels": ["Show A S01E02", "Show B S03E04"],
    }
    values.update(data)
    context.events.publish("run.started", run_id=7, queue_name="TV backlog")
    for item in range(10):
        context.events.publish("item.searched", run_id=7, item_id=item, label=f"item {item}")
        context.events.publish("command.finished", run_id=7, command_id=item)
    context.events.publish("run.finished", **values)


def test_a_run_gives_one_summary_with_its_grabs(
    context: AppContext, dispatcher: NotificationDispatcher, receiver: Receiver
) -> None:
    target = make_target(context, receiver.url())
    publish_run(context)
    assert dispatcher.process_pending() == 1
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert post.path == f"/hooks/{TOKEN}"
    assert post.body["title"] == "TV backlog: 2 grabs"
    assert post.body["type"] == "success"
    message = post.body["message"]
    assert (
        "Run 7 of queue TV backlog on Sonarr: 10 searches sent (planned 10), 2 items grabbed."
        in message
    )
    assert "- Show A S01E02" in message
    assert "- Show B S03E04" in message
    row = target_row(context, target)
    assert row["sent_count"] == 1
    assert row["failures"] == 0
    assert row["last_sent_at"] is not None


def test_a_run_without_grabs_says_nothing_and_a_failed_run_reports_its_queue(
    context: AppContext, dispatcher: NotificationDispatcher, receiver: Receiver
) -> None:
    make_target(context, receiver.url())
    publish_run(context, grabbed=0, grabbed_labels=[])
    publish_run(context, status="held", grabbed=0)
    dispatcher.process_pending()
    assert receiver.posts == []
    publish_run(context, status="failed", grabbed=0, error="Sonarr refused the API key")
    dispatcher.process_pending()
    assert receiver.titles == ["Queue TV backlog failed"]
    assert receiver.posts[0].body["type"] == "failure"
    assert "Sonarr refused the API key" in receiver.posts[0].body["message"]


def test_only_subscribed_enabled_targets_are_told(
    context: AppContext, dispatcher: NotificationDispatcher, receiver: Receiver
) -> None:
    make_target(context, receiver.url("/down-only"), name="down", events=["instance_down"])
    make_target(context, receiver.url("/syncs"), name="syncs", events=["sync_finished"])
    make_target(context, receiver.url("/off"), name="off", events=["instance_down"], enabled=False)
    context.events.publish(
        "instance.down", instance_id=1, name="Radarr", app="radarr", detail="3 failed checks"
    )
    context.events.publish(
        "library.sync.finished", instance_name="Radarr", item_count=1234, duration_ms=12300
    )
    context.events.publish("update.available", version="1.2.0")  # nobody subscribed
    dispatcher.process_pending()
    by_path = {post.path: post.body for post in receiver.posts}
    assert set(by_path) == {"/down-only", "/syncs"}
    assert by_path["/down-only"]["title"] == "Radarr is down"
    assert "3 failed checks" in by_path["/down-only"]["message"]
    assert by_path["/syncs"]["message"] == (
        "The library of Radarr was synced in 12.3 s: 1,234 wanted items."
    )


def test_one_message_per_kind_per_five_minutes_then_a_digest(
    context: AppContext, dispatcher: NotificationDispatcher, receiver: Receiver, clock: Clock
) -> None:
    target = make_target(context, receiver.url())
    for name in ("Sonarr", "Radarr", "Lidarr"):
        context.events.publish("instance.down", name=name, detail="no answer")
        dispatcher.process_pending()
        clock.advance(seconds=30)
    context.events.publish("instance.up", name="Sonarr")  # another kind: its own window
    dispatcher.process_pending()
    assert receiver.titles == ["Sonarr is down", "Sonarr is back"]

    clock.advance(minutes=3)  # 4.5 minutes after the first: the window is still open
    assert dispatcher.flush_due() == 0
    clock.advance(seconds=30)
    assert dispatcher.flush_due() == 1
    digest = receiver.posts[-1].body
    assert digest["title"] == "Instance down: 2 events"
    assert digest["message"].splitlines() == [
        "- Radarr stopped answering (no answer). Searching it is paused until it is back.",
        "- Lidarr stopped answering (no answer). Searching it is paused until it is back.",
    ]
    assert target_row(context, target)["sent_count"] == 3

    # The digest opened a new window: the next one is folded again, not sent at once.
    context.events.publish("instance.down", name="Whisparr")
    dispatcher.process_pending()
    assert len(receiver.posts) == 3
    clock.advance(minutes=5)
    context.events.publish("instance.down", name="Readarr")  # after the window: sent with it
    dispatcher.process_pending()
    assert receiver.posts[-1].body["title"] == "Instance down: 2 events"
    assert "Whisparr" in receiver.posts[-1].body["message"]
    assert "Readarr" in receiver.posts[-1].body["message"]
    assert dispatcher.flush_due() == 0


def test_a_flood_is_listed_up_to_a_limit_and_counted_beyond(
    context: AppContext, dispatcher: NotificationDispatcher, receiver: Receiver, clock: Clock
) -> None:
    make_target(context, receiver.url())
    for number in range(1, 32):
        context.events.publish("run.finished", queue_name=f"Q{number}", grabbed=1)
    dispatcher.process_pending()
    assert len(receiver.posts) == 1
    clock.advance(minutes=5)
    dispatcher.flush_due()
    lines = receiver.posts[-1].body["message"].splitlines()
    assert receiver.posts[-1].body["title"] == "Run finished with grabs: 30 events"
    assert len(lines) == 21
    assert lines[-1] == "... and 10 more"


def test_a_failed_delivery_is_kept_on_the_target_and_logged_without_the_url(
    context: AppContext,
    dispatcher: NotificationDispatcher,
    receiver: Receiver,
    clock: Clock,
    log_dir: Path,  # noqa: F811 (fixture)
) -> None:
    target = make_target(context, receiver.url())
    receiver.status = 500
    context.events.publish("instance.down", name="Sonarr")
    dispatcher.process_pending()
    row = target_row(context, target)
    assert row["failures"] == 1
    assert row["sent_count"] == 0
    assert row["last_error"]
    assert TOKEN not in row["last_error"]
    logged = (log_dir / "vqs.log").read_text()
    assert "notification_failed" in logged
    assert TOKEN not in logged

    receiver.status = 200
    clock.advance(minutes=5)
    context.events.publish("instance.down", name="Radarr")
    dispatcher.process_pending()
    row = target_row(context, target)
    assert row["failures"] == 1
    assert row["sent_count"] == 1
    assert row["last_error"] is None


def test_an_unreachable_service_never_raises_into_the_bus(
    context: AppContext, dispatcher: NotificationDispatcher, receiver: Receiver
) -> None:
    dead = make_target(context, "json://127.0.0.1:9/hooks/abcdefgh12345678", name="dead")
    alive = make_target(context, receiver.url(), name="alive")
    context.events.publish("instance.down", name="Sonarr")
    dispatcher.process_pending()
    assert target_row(context, dead)["failures"] == 1
    assert "abcdefgh12345678" not in (target_row(context, dead)["last_error"] or "")
    assert target_row(context, alive)["sent_count"] == 1


def test_a_full_queue_drops_with_a_count(context: AppContext, receiver: Receiver) -> None:
    make_target(context, receiver.url())
    small = NotificationDispatcher(
        context.database, url_box(context.secrets.master_secret), queue_size=2, threaded=False
    )
    context.events.add_listener(small.listen)
    for _ in range(5):
        context.events.publish("instance.down", name="Sonarr")
    assert small.dropped == 3
    assert small.process_pending() == 2
    small.close()


def test_the_worker_thread_delivers_and_then_goes_away(
    context: AppContext, receiver: Receiver
) -> None:
    make_target(context, receiver.url())
    threaded = NotificationDispatcher(context.database, url_box(context.secrets.master_secret))
    context.events.add_listener(threaded.listen)
    context.events.publish("instance.up", name="Sonarr")
    assert threaded.wait_idle(timeout=20)
    assert receiver.titles == ["Sonarr is back"]
    # The idle worker exits by itself (it once deadlocked on its own lock here, and the next
    # event then froze the event loop), and the next event starts a new one.
    worker = threaded._worker
    if worker is not None:
        worker.join(timeout=20)
        assert not worker.is_alive()
    context.events.publish("instance.down", name="Radarr")  # another kind: not rate limited
    assert threaded.wait_idle(timeout=20)
    assert len(receiver.titles) == 2
    assert "Radarr" in receiver.titles[1]
    threaded.close()
