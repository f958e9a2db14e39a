"""Simulator-only endpoints under /__sim (same key as the API): stats, clock, faults, tuning,
reset. They are never faulted, so a test can always inspect and undo what it set up."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.routing import Route

from vibe_quality_searcharr.simulator.faults import FaultRule
from vibe_quality_searcharr.simulator.http import NotFound, endpoint
from vibe_quality_searcharr.simulator.indexers import Indexer
from vibe_quality_searcharr.simulator.paging import BadRequest
from vibe_quality_searcharr.simulator.render_common import iso

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["sim_routes", "stats_json"]


def stats_json(state: SimState) -> dict[str, Any]:
    now = state.now()
    stats = state.stats
    indexers = [
        {
            "id": indexer.id,
            "name": indexer.name,
            "queryLimit": indexer.query_limit,
            "grabLimit": indexer.grab_limit,
            "limitsUnit": indexer.limits_unit,
            "queriesInWindow": indexer.in_window(now),
            "grabsInWindow": indexer.grabs_in_window(now),
            "totalQueries": indexer.total_queries,
            "totalGrabs": indexer.total_grabs,
            "rssQueries": indexer.rss_queries,
            "excessQueries": indexer.excess_queries,
            "excessGrabs": indexer.excess_grabs,
            "windows": state.pool.window_counts(indexer, now),
        }
        for indexer in state.pool.indexers
    ]
    return {
        "app": state.spec.key,
        "now": iso(now),
        "requests": stats.requests,
        "commandsReceived": stats.commands_received,
        "commandsPerType": dict(stats.commands_per_type),
        "commandPosts": stats.command_posts,
        "commandLog": [dict(entry) for entry in stats.command_log],
        "duplicates": stats.duplicates,
        "searchesPerItem": {str(k): v for k, v in stats.searches_per_item.items()},
        "grabs": stats.grabs,
        "imports": stats.imports,
        "queue": len(state.queue),
        "wantedMissing": _wanted_count(state, "missing"),
        "wantedCutoff": _wanted_count(state, "cutoff"),
        "indexers": indexers,
        "limitExcess": sum(i.excess_queries for i in state.pool.indexers),
    }


def _patch_indexer(indexer: Indexer, body: dict[str, Any], now: datetime) -> None:
    limits = {"queryLimit": "query_limit", "grabLimit": "grab_limit"}
    unknown = set(body) - {*limits, "limitsUnit", "enable", "tags", "disabledForSeconds"}
    if unknown:
        raise BadRequest(f"unknown indexer fields: {', '.join(sorted(unknown))}")
    for key, attribute in limits.items():
        if key in body:
            value = body[key]
            if value is not None and (not isinstance(value, int) or value < 0):
                raise BadRequest(f"{key} must be a non-negative integer or null")
            setattr(indexer, attribute, value)
    if "limitsUnit" in body:
        if body["limitsUnit"] not in (0, 1):
            raise BadRequest("limitsUnit must be 0 (day) or 1 (hour)")
        indexer.limits_unit = body["limitsUnit"]
    if "enable" in body:
        indexer.enable = bool(body["enable"])
    if "tags" in body:
        if not isinstance(body["tags"], list) or not all(isinstance(t, int) for t in body["tags"]):
            raise BadRequest("tags must be a list of integers")
        indexer.tags = list(body["tags"])
    if "disabledForSeconds" in body:
        seconds = body["disabledForSeconds"]
        if not isinstance(seconds, int | float) or seconds < 0:
            raise BadRequest("disabledForSeconds must be >= 0")
        indexer.disabled_till = now + timedelta(seconds=seconds) if seconds else None
        indexer.most_recent_failure = now if seconds else indexer.most_recent_failure
        indexer.initial_failure = indexer.initial_failure or (now if seconds else None)


def _wanted_count(state: SimState, kind: str) -> int | None:
    if state.wanted is None:
        return None
    return len(state.wanted.query(kind, True, "air", True, state.now()))


def sim_routes(state: SimState) -> list[Route]:
    def clock(request: Request, body: Any) -> Any:
        if request.method == "POST":
            if not isinstance(body, dict):
                raise BadRequest("body must be an object")
            try:
                if "speed" in body:
                    state.clock.set_speed(float(body["speed"]))
                if "advanceSeconds" in body:
                    state.clock.advance(float(body["advanceSeconds"]))
            except (TypeError, ValueError) as exc:
                raise BadRequest(str(exc)) from None
            state.advance()
        return {"now": iso(state.now()), "speed": state.clock.speed}

    def faults(request: Request, body: Any) -> Any:
        if request.method == "DELETE":
            state.faults.clear()
            state.key_refused = False
        elif request.method == "POST":
            items = body.get("faults") if isinstance(body, dict) and "faults" in body else [body]
            if not isinstance(items, list):
                raise BadRequest("faults must be a list")
            try:
                rules = [FaultRule.from_json(item) for item in items]
            except (TypeError, ValueError) as exc:
                raise BadRequest(str(exc)) from None
            for rule in rules:
                state.faults.add(rule)
        return {
            "faults": [rule.to_json() for rule in state.faults.rules()],
            "keyRefused": state.key_refused,
        }

    def tuning(request: Request, body: Any) -> Any:
        if request.method == "POST":
            if not isinstance(body, dict):
                raise BadRequest("body must be an object")
            names = {"findProbability": "find_probability", "importDelay": "import_delay",
                     "startDelay": "start_delay", "secondsPerQuery": "seconds_per_query",
                     "maxRunning": "max_running", "commandFailureRate": "command_failure_rate",
                     "rssInterval": "rss_interval"}  # fmt: skip
            unknown = set(body) - set(names)
            if unknown:
                raise BadRequest(f"unknown tuning fields: {', '.join(sorted(unknown))}")
            for key, value in body.items():
                if value is not None and not isinstance(value, int | float):
                    raise BadRequest(f"{key} must be a number")
                setattr(state.tuning, names[key], value)
        return asdict(state.tuning)

    def indexer(request: Request, body: Any) -> Any:
        """Change an indexer's limits, tags, enable flag or back-off (`disabledForSeconds`)."""
        try:
            found = state.pool.get(int(request.path_params["id"]))
        except ValueError:
            raise BadRequest("id must be an integer") from None
        if found is None:
            raise NotFound("indexer")
        if not isinstance(body, dict):
            raise BadRequest("body must be an object")
        _patch_indexer(found, body, state.now())
        return {"id": found.id, "name": found.name, "enable": found.enable, "tags": found.tags,
                "queryLimit": found.query_limit, "grabLimit": found.grab_limit,
                "limitsUnit": found.limits_unit, "disabledTill": iso(found.disabled_till)}  # fmt: skip

    def reset(_: Request, __: Any) -> Any:
        state.reset()
        return {"reset": True}

    return [
        Route("/__sim/stats", endpoint(state, lambda r, b: stats_json(state))),
        Route("/__sim/clock", endpoint(state, clock), methods=["GET", "POST"]),
        Route("/__sim/faults", endpoint(state, faults), methods=["GET", "POST", "DELETE"]),
        Route("/__sim/tuning", endpoint(state, tuning), methods=["GET", "POST"]),
        Route("/__sim/reset", endpoint(state, reset), methods=["POST"]),
        Route("/__sim/indexers/{id}", endpoint(state, indexer), methods=["POST"]),
    ]
