"""The instance form shared by the instances pages and the setup wizard.

Saving always runs the connection test first: an instance that answers is saved, one that does
not is shown again with the reason next to the field to fix (the URL or the key), unless the
user ticks "save anyway" (an instance that is down for maintenance is still worth adding). The
API key is write-only: the form never carries it back, and leaving it blank when editing keeps
the stored one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio.from_thread
from pydantic import ValidationError

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.schemas import (
    ConnectionTestResult,
    InstanceCreate,
    InstanceUpdate,
)
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.web.forms import app_error_fields, validation_fields

__all__ = [
    "APP_CHOICES",
    "InstanceForm",
    "SaveOutcome",
    "check_connection",
    "create_from_form",
    "result_fields",
    "update_from_form",
]

APP_CHOICES: tuple[tuple[str, str], ...] = (
    (ArrApp.SONARR.value, "Sonarr"),
    (ArrApp.RADARR.value, "Radarr"),
    (ArrApp.LIDARR.value, "Lidarr"),
    (ArrApp.READARR.value, "Readarr"),
    (ArrApp.WHISPARR.value, "Whisparr (v2)"),
    (ArrApp.WHISPARR_V3.value, "Whisparr (v3)"),
    (ArrApp.PROWLARR.value, "Prowlarr"),
)

# Which field a failed connection test points at.
_KEY_ERRORS = frozenset({"arr_auth_failed"})


@dataclass
class InstanceForm:
    """What the user typed, minus the key: this is what a re-rendered form shows."""

    name: str = ""
    app: str = ArrApp.SONARR.value
    url: str = ""
    api_key: str = field(default="", repr=False)
    enabled: bool = True
    save_anyway: bool = False
    key_set: bool = False

    @classmethod
    def of(cls, instance: Instance) -> InstanceForm:
        return cls(
            name=instance.name,
            app=instance.app,
            url=instance.url,
            enabled=instance.enabled,
            key_set=bool(instance.api_key_encrypted),
        )


@dataclass
class SaveOutcome:
    instance: Instance | None
    errors: dict[str, str]
    result: ConnectionTestResult | None


def result_fields(result: ConnectionTestResult) -> dict[str, str]:
    if result.ok:
        return {}
    message = result.detail or "The connection test failed."
    return {"api_key" if result.error in _KEY_ERRORS else "url": message}


def _run(connector: Connector, target: ConnectionTarget) -> ConnectionTestResult:
    return anyio.from_thread.run(connector.test, target)


def _create_data(form: InstanceForm) -> InstanceCreate:
    return InstanceCreate.model_validate(
        {
            "name": form.name,
            "app": form.app,
            "url": form.url,
            "api_key": form.api_key,
            "enabled": form.enabled,
        }
    )


def _update_data(form: InstanceForm) -> InstanceUpdate:
    values: dict[str, object] = {
        "name": form.name,
        "app": form.app,
        "url": form.url,
        "enabled": form.enabled,
    }
    if form.api_key.strip():
        values["api_key"] = form.api_key
    return InstanceUpdate.model_validate(values)


def _target(
    service: InstanceService, form: InstanceForm, instance: Instance | None
) -> ConnectionTarget:
    """The address and key to test: the typed key, else (when editing) the stored one."""
    key = form.api_key.strip()
    if not key and instance is not None:
        key = service.api_key(instance)
    return ConnectionTarget(app=ArrApp(form.app), url=form.url, api_key=key, name=form.name)


def check_connection(
    service: InstanceService,
    connector: Connector,
    form: InstanceForm,
    instance: Instance | None = None,
) -> tuple[ConnectionTestResult | None, dict[str, str]]:
    """Only the test, nothing stored: the result, or the field errors that stopped it."""
    try:
        data = _update_data(form) if instance is not None else _create_data(form)
    except ValidationError as exc:
        errors = validation_fields(exc)
        # The name does not matter for a test; everything else does.
        errors.pop("name", None)
        if errors:
            return None, errors
        data = None
    url = getattr(data, "url", None) or form.url
    checked = InstanceForm(
        name=form.name, app=form.app, url=url, api_key=form.api_key, enabled=form.enabled
    )
    result = _run(connector, _target(service, checked, instance))
    return result, result_fields(result)


def create_from_form(
    service: InstanceService, connector: Connector, form: InstanceForm
) -> SaveOutcome:
    try:
        data = _create_data(form)
    except ValidationError as exc:
        return SaveOutcome(None, validation_fields(exc), None)
    if service.repo.get_by_name(data.name) is not None:
        return SaveOutcome(None, {"name": "An instance with this name exists already."}, None)
    result = _run(
        connector,
        ConnectionTarget(
            app=data.app, url=data.url, api_key=data.api_key.get_secret_value(), name=data.name
        ),
    )
    if not result.ok and not form.save_anyway:
        return SaveOutcome(None, result_fields(result), result)
    try:
        return SaveOutcome(service.create(data), {}, result)
    except AppError as exc:
        return SaveOutcome(None, app_error_fields(exc, "name"), result)


def update_from_form(
    service: InstanceService, connector: Connector, instance: Instance, form: InstanceForm
) -> SaveOutcome:
    try:
        data = _update_data(form)
    except ValidationError as exc:
        return SaveOutcome(None, validation_fields(exc), None)
    key = data.api_key.get_secret_value() if data.api_key else service.api_key(instance)
    result = _run(
        connector,
        ConnectionTarget(
            app=data.app or ArrApp(instance.app),
            url=data.url or instance.url,
            api_key=key,
            name=data.name,
        ),
    )
    if not result.ok and not form.save_anyway:
        return SaveOutcome(None, result_fields(result), result)
    try:
        return SaveOutcome(service.update(instance.id, data), {}, result)
    except AppError as exc:
        return SaveOutcome(None, app_error_fields(exc, "name"), result)
