"""POST /command: name matching, validation, and the collapse of equal pending commands.

The apps match names case-insensitively (an optional `Command` suffix is ignored), reject a
blank name with 400, fail an unknown name with 500, and return the existing command instead of
queueing an equal one that is still queued or started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vibe_quality_searcharr.simulator.model import Command
from vibe_quality_searcharr.simulator.paging import BadRequest

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["UnknownCommand", "command_key", "submit"]


class UnknownCommand(Exception):
    """The apps answer 500 for a command name they do not know."""


def _canonical(state: SimState, raw: str) -> str:
    wanted = raw.strip().lower().removesuffix("command")
    for name in state.spec.search_commands | state.spec.inert_commands:
        if name.lower() == wanted:
            return name
    raise UnknownCommand(raw)


def _ids(body: dict[str, Any], field: str) -> list[int]:
    raw = body.get(field) or []
    if not isinstance(raw, list) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in raw
    ):
        raise BadRequest(f"{field} must be a list of integers")
    return sorted(set(raw))


def _int_field(body: dict[str, Any], field: str) -> int:
    value = body.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest(f"{field} is required")
    return value


def command_key(state: SimState, name: str, body: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two commands equal: the name and the fields the search depends on."""
    spec = state.spec
    if name == spec.item_search:
        return (name, tuple(_ids(body, spec.item_ids_field)))
    if name == spec.parent_search:
        return (name, _int_field(body, spec.parent_id_field))
    if name == "SeasonSearch":
        return (name, _int_field(body, "seriesId"), _int_field(body, "seasonNumber"))
    return (name,)


def submit(state: SimState, body: dict[str, Any]) -> tuple[Command, bool]:
    """Queue a command, or return the equal pending one; the bool says whether it is new."""
    raw_name = body.get("name")
    if not isinstance(raw_name, str) or not raw_name.strip():
        raise BadRequest("'Name' must not be empty.")
    name = _canonical(state, raw_name)
    key = command_key(state, name, body)
    state.stats.commands_received += 1
    now = state.now()
    for existing in state.active.values():
        if existing.key == key:
            state.stats.duplicates += 1
            _log(state, existing, body, now, new=False)
            return existing, False
    clean = {k: v for k, v in body.items() if k != "name"}
    if name == state.spec.item_search:
        clean[state.spec.item_ids_field] = list(body.get(state.spec.item_ids_field) or [])
    command = Command(
        id=len(state.commands) + 1,
        name=name,
        body=clean,
        key=key,
        queued=now,
        trigger=str(body.get("trigger") or "manual"),
        state_change=now,
    )
    state.commands[command.id] = command
    state.active[command.id] = command
    state.stats.commands_per_type[name] += 1
    _log(state, command, body, now, new=True)
    return command, True


def _log(state: SimState, command: Command, body: dict[str, Any], now: Any, *, new: bool) -> None:
    state.stats.command_log.append(
        {"id": command.id, "name": command.name, "body": dict(body), "new": new,
         "received": now.isoformat().replace("+00:00", "Z")}
    )  # fmt: skip
