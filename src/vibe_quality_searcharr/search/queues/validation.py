"""Checks a queue's whole configuration against its instance before anything is stored.

The schemas check each field on its own; these rules need the instance, its detected version or
its mirror, or several fields together. Every broken rule is reported at once, one message per
field, as a 422 (`InvalidInput`), so a form can show them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from vibe_quality_searcharr.arr.versions import DISPLAY_NAMES, ArrApp, parse_version
from vibe_quality_searcharr.errors import InvalidInput
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.planner import Order, Source, Strategy
from vibe_quality_searcharr.search.queues.options import CustomOptions, QueueOptions
from vibe_quality_searcharr.search.queues.repository import QueueRepository

__all__ = ["QueueConfig", "check_config", "invalid"]

_MEDIA_APPS = ", ".join(DISPLAY_NAMES[app] for app in ArrApp if app is not ArrApp.PROWLARR)


@dataclass(frozen=True)
class QueueConfig:
    """A queue as it would be stored: the request merged onto a preset or the stored queue."""

    name: str
    instance_id: int
    strategy: Strategy
    batch_size: int
    order: Order
    enabled: bool
    options: QueueOptions


def invalid(fields: dict[str, str]) -> InvalidInput:
    summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
    return InvalidInput(f"Invalid input. {summary}", fields=fields)


def _listing(known: dict[int, str]) -> str:
    shown = ", ".join(
        f"{key} ({label})" if label else str(key) for key, label in sorted(known.items())[:20]
    )
    return shown + (", ..." if len(known) > 20 else "")


def check_config(config: QueueConfig, repo: QueueRepository) -> Instance:
    """The queue's instance, when every rule holds; else `InvalidInput` naming each field."""
    fields: dict[str, str] = {}
    instance = repo.instance(config.instance_id)
    if instance is None:
        raise invalid(
            {
                "instance_id": f"no instance has id {config.instance_id}; add it under Instances first"
            }
        )
    app = ArrApp(instance.app)
    if app is ArrApp.PROWLARR:
        raise invalid(
            {
                "instance_id": f"{instance.name} is Prowlarr, which manages indexers and has no "
                f"library to search; choose a {_MEDIA_APPS} instance"
            }
        )
    options = config.options
    custom = options.custom
    if config.strategy is not Strategy.CUSTOM and custom != CustomOptions():
        fields["options.custom"] = (
            "these filters (sources, years, profiles, statuses, tags, monitored) apply to the "
            f"custom strategy only: set strategy to custom or leave them out ({config.strategy} "
            "never mixes missing and cutoff-unmet items)"
        )
    _check_custom_formats(config, instance, repo, fields)
    if config.strategy is Strategy.CUSTOM:
        _check_mirror_ids(config, repo, fields)
        both = sorted(set(custom.include_tags) & set(options.exclude_tags))
        if both:
            fields["options.exclude_tags"] = (
                f"tag {', '.join(map(str, both))} is also in options.custom.include_tags; "
                "a tag cannot be both included and excluded"
            )
    elif options.exclude_tags:
        _check_tags(options.exclude_tags, "options.exclude_tags", repo.tag_ids(instance.id), fields)
    if fields:
        raise invalid(fields)
    return instance


def _check_custom_formats(
    config: QueueConfig, instance: Instance, repo: QueueRepository, fields: dict[str, str]
) -> None:
    """Sonarr v3 has no custom formats, so a format-score upgrade can never find anything.
    The version is the one the health check last detected; unknown passes."""
    wants_formats = config.strategy is Strategy.FORMAT_UPGRADE or (
        config.strategy is Strategy.CUSTOM
        and Source.FORMAT_UPGRADE in config.options.custom.sources
    )
    if not wants_formats or instance.app != ArrApp.SONARR.value:
        return
    version = repo.instance_version(instance.id)
    if version is None or parse_version(version)[0] != 3:
        return
    field = "strategy" if config.strategy is Strategy.FORMAT_UPGRADE else "options.custom.sources"
    fields[field] = (
        f"{instance.name} runs Sonarr {version}, which has no custom formats, so format_upgrade "
        "never finds anything; upgrade Sonarr to v4 or use cutoff_unmet"
    )


def _check_mirror_ids(config: QueueConfig, repo: QueueRepository, fields: dict[str, str]) -> None:
    """Quality profiles and tags must exist on the instance, once its mirror knows them (before
    the first sync nothing is known and anything passes)."""
    custom, instance_id = config.options.custom, config.instance_id
    if custom.quality_profile_ids:
        known = repo.profile_ids(instance_id)
        unknown = sorted(set(custom.quality_profile_ids) - set(known))
        if known and unknown:
            fields["options.custom.quality_profile_ids"] = (
                f"no quality profile {', '.join(map(str, unknown))} on this instance; "
                f"known: {_listing(known)}"
            )
    if custom.include_tags or config.options.exclude_tags:
        tags = repo.tag_ids(instance_id)
        _check_tags(custom.include_tags, "options.custom.include_tags", tags, fields)
        _check_tags(config.options.exclude_tags, "options.exclude_tags", tags, fields)


def _check_tags(
    wanted: list[int], field: str, known: dict[int, str], fields: dict[str, str]
) -> None:
    unknown = sorted(set(wanted) - set(known))
    if known and unknown:
        fields[field] = (
            f"no tag {', '.join(map(str, unknown))} on this instance; known: {_listing(known)}"
        )
