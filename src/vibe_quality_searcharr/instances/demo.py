"""Configures the demo's simulated apps as instances, so `make demo` works with no setup.

The simulators get fresh API keys on every run, so an instance left from an earlier run is
updated in place (same name) rather than duplicated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pydantic import SecretStr
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.schemas import InstanceCreate, InstanceUpdate
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box

__all__ = ["DemoTarget", "configure_demo_instances"]


class DemoTarget(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def app(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def api_key(self) -> str: ...


def configure_demo_instances(
    session: Session, master_secret: str, targets: Iterable[DemoTarget]
) -> list[int]:
    """Create or refresh one instance per simulated app; returns their ids."""
    service = InstanceService(session, api_key_box(master_secret))
    repository = InstanceRepository(session)
    ids = []
    for target in targets:
        existing = repository.get_by_name(target.name)
        key = SecretStr(target.api_key)
        if existing is None:
            created = service.create(
                InstanceCreate(
                    name=target.name, app=ArrApp(target.app), url=target.url, api_key=key
                )
            )
            ids.append(created.id)
        else:
            service.update(existing.id, InstanceUpdate(url=target.url, api_key=key, enabled=True))
            ids.append(existing.id)
    return ids
