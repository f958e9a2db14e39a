"""Event -> message mapping (defensive about fields) and the rate limiter's rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.notifications.apprise_urls import secret_parts
from vibe_quality_searcharr.notifications.kinds import Subscription
from vibe_quality_searcharr.notifications.messages import Message, message_for
from vibe_quality_searcharr.notifications.ratelimit import RateLimiter

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def msg(kind: str, **data: object) -> Message | None:
    return message_for(Event(kind=kind, data=dict(data)))


def test_every_notified_event_has_a_message_and_per_item_events_have_none() -> None:
    cases = {
        "grab.confirmed": (
            {"label": "Movie (2020)", "queue": "Films", "instance": "Radarr"},
            Subscription.GRAB_CONFIRMED,
            "Grabbed: Movie (2020)",
        ),
        "budget.low": (
            {"name": "NZBgeek queries/day", "used": 85, "limit": 100},
            Subscription.BUDGET_LOW,
            "NZBgeek queries/day: budget nearly spent",
        ),
        "update.available": (
            {"version": "1.4.0", "current_version": "1.3.2"},
            Subscription.UPDATE_AVAILABLE,
            "Update available: 1.4.0",
        ),
        "library.sync.failed": (
            {"instance_name": "Sonarr", "error": "HTTP 500"},
            Subscription.SYNC_FAILED,
            "Library sync of Sonarr failed",
        ),
        "instance.disk_low": (
            {"name": "Sonarr", "detail": "2.0 GiB free"},
            Subscription.INSTANCE_DOWN,
            "Sonarr: disk space low",
        ),
        "instance.disk_ok": ({"name": "Sonarr"}, Subscription.INSTANCE_UP, "Sonarr: disk space OK"),
    }
    for kind, (data, subscription, title) in cases.items():
        message = msg(kind, **data)
        assert message is not None, kind
        assert (message.subscription, message.title) == (subscription, title)
    budget = msg("budget.low", name="NZBgeek", used=85, limit=100)
    assert budget is not None
    assert "85 of 100 used (85 %)" in budget.body
    for kind in ("run.started", "run.planned", "item.searched", "command.finished", "other"):
        assert msg(kind, label="x") is None


def test_odd_or_missing_fields_give_plainer_messages_not_errors() -> None:
    assert msg("run.finished", grabbed="lots") is None
    odd = msg("run.finished", grabbed=3, queue_name=None, searches=True, grabbed_labels="x")
    assert odd is not None
    assert odd.title == "a queue: 3 grabs"
    assert msg("instance.down") is not None
    assert msg("budget.low", used="x") is not None
    long = msg("instance.down", name="n" * 5000)
    assert long is not None
    assert len(long.title) < 400


def test_secret_parts_cover_tokens_but_not_host_names() -> None:
    parts = secret_parts("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654321")
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" in parts
    mail = secret_parts("mailtos://user:hunter2pass@smtp.example.com?to=me@example.com")
    assert "hunter2pass" in mail
    assert "smtp.example.com" not in mail
    assert "localhost" not in secret_parts("json://localhost/x")


def test_the_limiter_keys_on_target_and_subscription() -> None:
    limiter = RateLimiter(window=timedelta(minutes=5))
    down = Message(Subscription.INSTANCE_DOWN, "down", "A is down")
    assert limiter.offer((1, Subscription.INSTANCE_DOWN), down, T0) is down
    assert limiter.offer((2, Subscription.INSTANCE_DOWN), down, T0) is down  # another target
    assert limiter.offer((1, Subscription.INSTANCE_DOWN), down, T0 + timedelta(minutes=1)) is None
    assert limiter.next_due() == T0 + timedelta(minutes=5)
    test = Message(Subscription.TEST, "t", "t")
    assert limiter.offer((1, Subscription.TEST), test, T0) is test  # tests are never limited
    assert limiter.offer((1, Subscription.TEST), test, T0) is test
    limiter.forget(1)
    assert limiter.next_due() is None
    assert limiter.offer((1, Subscription.INSTANCE_DOWN), down, T0 + timedelta(minutes=2)) is down
