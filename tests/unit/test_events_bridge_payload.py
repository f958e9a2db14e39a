"""The NOTIFY payload: compact, under PostgreSQL's 8000-byte limit whatever the event carries,
never a secret-looking field, and read back as the same event (or ignored when it is not ours)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from vibe_quality_searcharr.events import Event, EventBus
from vibe_quality_searcharr.events_postgres import (
    MAX_PAYLOAD_BYTES,
    channel_for,
    decode_payload,
    encode_event,
)

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_round_trip_keeps_kind_data_time_and_origin() -> None:
    event = Event("run.finished", {"run_id": 7, "status": "completed", "grabbed": [1, 2]}, at=AT)
    remote = decode_payload(encode_event(event, "replica-a"))
    assert remote is not None
    assert (remote.origin, remote.kind, remote.at) == ("replica-a", "run.finished", AT)
    assert remote.data == {"run_id": 7, "status": "completed", "grabbed": [1, 2]}


def test_secret_looking_fields_never_leave_the_process() -> None:
    event = Event(
        "instance.created",
        {"instance_id": 3, "api_key": "k" * 32, "url": "http://sonarr:8989", "token": "t"},
        at=AT,
    )
    payload = encode_event(event, "r")
    assert "k" * 32 not in payload
    assert "sonarr:8989" not in payload
    remote = decode_payload(payload)
    assert remote is not None
    assert remote.data == {"instance_id": 3}


def test_huge_events_are_shortened_below_the_limit_keeping_what_identifies_them() -> None:
    event = Event(
        "command.finished",
        {"run_id": 1, "command_id": 9, "status": "completed", "grabbed": list(range(5000)),
         "message": "x" * 20000},
        at=AT,
    )  # fmt: skip
    payload = encode_event(event, "r")
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    remote = decode_payload(payload)
    assert remote is not None
    assert remote.data["run_id"] == 1
    assert remote.data["command_id"] == 9
    assert len(remote.data["grabbed"]) <= 50


def test_even_a_huge_essential_field_cannot_break_the_limit() -> None:
    event = Event("run.finished", {"queue": "q" * 100_000, **{f"f{i}": i for i in range(2000)}})
    assert len(encode_event(event, "r").encode()) <= MAX_PAYLOAD_BYTES


def test_values_json_cannot_encode_are_sent_as_text() -> None:
    event = Event("budget.low", {"until": AT, "instance_id": 1}, at=AT)
    remote = decode_payload(encode_event(event, "r"))
    assert remote is not None
    assert remote.data["until"] == AT.isoformat()


def test_foreign_or_broken_payloads_are_ignored() -> None:
    for payload in ("", "not json", "[]", json.dumps({"o": 1, "k": "x", "t": "", "d": {}}),
                    json.dumps({"o": "a", "k": "x", "t": "yesterday", "d": {}})):  # fmt: skip
        assert decode_payload(payload) is None


def test_channel_depends_on_the_schema_and_is_a_short_identifier() -> None:
    assert channel_for("public") != channel_for("t_abc")
    assert channel_for("x" * 200) == channel_for("x" * 200)
    assert len(channel_for("x" * 200)) < 63
    assert channel_for("Weird Schema").isidentifier()


def test_remote_events_reach_subscribers_and_opted_in_listeners_only() -> None:
    bus = EventBus()
    local_only: list[Event] = []
    views: list[Event] = []
    forwarded: list[Event] = []
    bus.add_listener(local_only.append)
    bus.add_listener(views.append, remote=True)
    bus.add_forwarder(forwarded.append)
    bus.publish("run.started", run_id=1)
    bus.publish_remote("run.started", {"run_id": 2}, at=AT, origin="other")
    assert [e.data["run_id"] for e in local_only] == [1]
    assert [(e.data["run_id"], e.origin) for e in views] == [(1, None), (2, "other")]
    assert [e.data["run_id"] for e in forwarded] == [1], "a remote event is never sent back"
