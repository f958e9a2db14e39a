from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.demo import configure_demo_instances
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box


@dataclass(frozen=True)
class Target:
    name: str
    app: str
    url: str
    api_key: str


def test_demo_instances_are_created_then_refreshed_not_duplicated(
    session: Session, context: AppContext
) -> None:
    secret = context.secrets.master_secret
    first = [Target("Demo Sonarr", "sonarr", "http://127.0.0.1:8989", "a" * 32)]
    [created] = configure_demo_instances(session, secret, first)
    second = [Target("Demo Sonarr", "sonarr", "http://127.0.0.1:8990", "b" * 32)]
    [refreshed] = configure_demo_instances(session, secret, second)

    assert refreshed == created
    _, total = InstanceRepository(session).page(0, 10)
    assert total == 1
    instance = InstanceRepository(session).get(created)
    assert instance is not None
    assert instance.url == "http://127.0.0.1:8990"
    assert InstanceService(session, api_key_box(secret)).api_key(instance) == "b" * 32
