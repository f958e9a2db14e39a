"""Resources every simulated app shares: system status, tags, disk space, commands."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vibe_quality_searcharr.simulator.model import Command
from vibe_quality_searcharr.simulator.render_common import compact, iso, timespan

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["command_json", "diskspace_json", "status_json", "tags_json"]


def status_json(state: SimState) -> dict[str, Any]:
    spec = state.spec
    data: dict[str, Any] = {
        "appName": spec.app_name,
        "instanceName": state.instance_name,
        "version": state.version,
        "buildTime": iso(state.started),
        "isDebug": False,
        "isProduction": True,
        "isAdmin": False,
        "isUserInteractive": False,
        "startupPath": f"/app/{spec.key}/bin",
        "appData": "/config",
        "osName": "ubuntu",
        "osVersion": "22.04",
        "isNetCore": True,
        "isLinux": True,
        "isOsx": False,
        "isWindows": False,
        "isDocker": True,
        "mode": "console",
        "branch": "main" if spec.key in ("sonarr", "whisparr") else "master",
        "authentication": "forms",
        "databaseType": "sqLite",
        "databaseVersion": "3.45.3",
        "migrationVersion": 200,
        "urlBase": "",
        "runtimeVersion": "8.0.8",
        "runtimeName": ".NET",
        "startTime": iso(state.started),
        "packageVersion": state.version,
        "packageAuthor": "[Team](https://example.invalid)",
        "packageUpdateMechanism": "docker",
    }
    if spec.key in ("sonarr", "whisparr"):
        data["sqliteVersion"] = "3.45.3"
    return data


def tags_json(state: SimState) -> list[dict[str, Any]]:
    tags = (
        state.library.tags if state.library else [(1, "anime"), (2, "usenet")]
    ) + state.tags_extra
    return [{"id": tag_id, "label": label} for tag_id, label in tags]


def diskspace_json(state: SimState) -> list[dict[str, Any]]:
    roots = {"tv": "/tv", "movie": "/movies", "album": "/music", "book": "/books"}
    path = roots.get(state.spec.family, "/data")
    return [
        {"path": "/", "label": "root", "freeSpace": 40_000_000_000, "totalSpace": 120_000_000_000},
        {
            "path": path,
            "label": "media",
            "freeSpace": 2_500_000_000_000,
            "totalSpace": 8_000_000_000_000,
        },
    ]


def _human(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def command_json(state: SimState, command: Command) -> dict[str, Any]:
    body: dict[str, Any] = {
        **command.body,
        "sendUpdatesToClient": bool(command.body.get("sendUpdatesToClient", True)),
        "updateScheduledTask": True,
        "completionMessage": "Completed",
        "requiresDiskAccess": False,
        "isExclusive": False,
        "isLongRunning": False,
        "name": command.name,
        "trigger": command.trigger if command.trigger in ("manual", "scheduled") else "manual",
        "suppressMessages": False,
        "lastStartTime": iso(command.started),
    }
    duration = None
    if command.started is not None and command.ended is not None:
        duration = timespan((command.ended - command.started).total_seconds())
    data = compact(
        {
            "id": command.id,
            "name": command.name,
            "commandName": _human(command.name),
            "message": command.message,
            "body": compact(body),
            "priority": "normal",
            "status": command.status,
            "result": command.result,
            "queued": iso(command.queued),
            "started": iso(command.started),
            "ended": iso(command.ended),
            "duration": duration,
            "exception": command.exception,
            "trigger": body["trigger"],
            "stateChangeTime": iso(command.state_change),
            "sendUpdatesToClient": body["sendUpdatesToClient"],
            "updateScheduledTask": True,
        }
    )
    if state.spec.key == "prowlarr":
        data.pop("result")
    return data
