"""The payload one replica sends another: never a secret, always under PostgreSQL's 8000-byte
NOTIFY limit, and what a trimmed event keeps is enough to move the right live region."""

from __future__ import annotations

import json
from enum import Enum

from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.events_wire import MAX_PAYLOAD_BYTES, decode_payload, encode_event

SECRET = "0123456789abcdef0123456789abcdef"


class App(Enum):
    SONARR = "sonarr"


def test_an_event_travels_whole_with_its_origin_kind_and_time() -> None:
    event = Event("item.searched", {"run_id": 3, "label": "Show S01E02", "grabbed": [1, 2]})
    remote = decode_payload(encode_event(event, "replica-a"))
    assert remote is not None
    assert (remote.origin, remote.kind, remote.at) == ("replica-a", "item.searched", event.at)
    assert remote.data == {"run_id": 3, "label": "Show S01E02", "grabbed": [1, 2]}


def test_fields_named_like_secrets_are_stripped_at_every_depth() -> None:
    event = Event(
        "instance.created",
        {
            "instance_id": 1,
            "api_key": SECRET,
            "base_url": f"http://user:{SECRET}@nas:8989",
            "nested": {"token": SECRET, "keep": 1, "deeper": [{"password": SECRET, "n": 2}]},
            "session_id": SECRET,
            "Authorization": f"Bearer {SECRET}",
        },
    )
    payload = encode_event(event, "a")
    assert SECRET not in payload
    remote = decode_payload(payload)
    assert remote is not None
    assert remote.data == {"instance_id": 1, "nested": {"keep": 1, "deeper": [{"n": 2}]}}


def test_objects_travel_as_their_value_never_as_their_repr() -> None:
    class Holder:
        def __repr__(self) -> str:
            return f"Holder(api_key={SECRET})"

    remote = decode_payload(encode_event(Event("x", {"app": App.SONARR, "obj": Holder()}), "a"))
    assert remote is not None
    assert remote.data == {"app": "sonarr", "obj": None}


def test_a_big_event_is_shortened_below_the_limit() -> None:
    event = Event("library.sync.progress", {"instance_id": 4, "titles": ["t" * 500] * 20})
    payload = encode_event(event, "a")
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    remote = decode_payload(payload)
    assert remote is not None
    assert remote.data["instance_id"] == 4
    assert len(remote.data["titles"]) == 20
    assert all(len(title) == 300 for title in remote.data["titles"])


def test_an_event_too_big_even_shortened_keeps_what_identifies_it() -> None:
    many = {f"field{n}": "é" * 300 for n in range(200)}  # multi-byte: the limit is in bytes
    event = Event("run.finished", {"run_id": 9, "queue": "Missing", "status": "completed", **many})
    payload = encode_event(event, "a")
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    remote = decode_payload(payload)
    assert remote is not None
    assert remote.data == {"run_id": 9, "queue": "Missing", "status": "completed", "trimmed": True}


def test_a_huge_kind_still_fits() -> None:
    payload = encode_event(Event("k" * 10_000, {"label": "x" * 10_000}), "a")
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES


def test_payloads_that_are_not_ours_are_ignored() -> None:
    good = json.loads(encode_event(Event("run.started", {"run_id": 1}), "a"))
    assert decode_payload("not json") is None
    assert decode_payload("[]") is None
    assert decode_payload(json.dumps({**good, "d": [1]})) is None
    assert decode_payload(json.dumps({**good, "t": "yesterday"})) is None
    assert decode_payload(json.dumps({key: good[key] for key in ("o", "k", "t")})) is None
