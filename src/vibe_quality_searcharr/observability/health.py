"""Liveness and readiness probes for Docker, Kubernetes and uptime monitors.

Readiness is 200 only when the database answers, its schema is at the shipped head and the
scheduler runs; the body lists each check so an operator sees which one failed. No secrets.
After a database failure (disk full, locked, file missing or damaged: `db.failures`) it stays
503 until a write, or the probe for that failure (`db.probes`), shows the cause is gone.

Replicas on PostgreSQL also report their event bridge (`events_postgres`) as the `events` check.
While it is disconnected readiness stays 200, with `"status": "degraded"` and the check's
`ok: false, required: false` and a reason: such a replica still answers every request correctly
(pages and the API read the database), only its live pages lag behind what other replicas do,
and they catch up on the next page load. A 503 would take a working replica out of the load
balancer for a cosmetic fault, and since the bridge's cause is usually shared (PostgreSQL
refusing new connections, a network blip), it would take every replica out at once. Monitors
that want to alert on it look at `status`; the status code is for routing traffic.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from vibe_quality_searcharr import __version__
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.failures import classify
from vibe_quality_searcharr.db.probes import check_recovered
from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.events_postgres import BridgeStatus, bridge_of

__all__ = ["readiness", "router"]

router = APIRouter(prefix="/health", tags=["health"])


def _database_checks(context: AppContext) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    database = context.database
    try:
        database.ping()
        failure = check_recovered(database)
    except Exception as exc:
        failure = classify(exc)
        detail = failure.message if failure is not None else _plain(exc)
        checks["database"] = {"ok": False, "detail": detail}
        if failure is not None:
            checks["database"]["kind"] = failure.kind.value
        checks["migrations"] = {"ok": False, "detail": "database unavailable"}
        return checks
    if failure is not None:
        # Reads may still work (a full disk, another process's lock): the write that failed
        # decides until a write, or the probe for that failure, succeeds.
        checks["database"] = {"ok": False, "kind": failure.kind.value, "detail": failure.message}
    else:
        checks["database"] = {"ok": True, "backend": database.backend}
    try:
        current = migrate.current_revision(database)
        head = migrate.head_revision()
        checks["migrations"] = {"ok": current == head, "current": current, "head": head}
    except Exception as exc:
        checks["migrations"] = {"ok": False, "detail": _plain(exc)}
    return checks


def _plain(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _events_check(status: BridgeStatus) -> dict[str, Any]:
    """The event bridge: never required (see the module doc), so it can degrade, not fail."""
    check: dict[str, Any] = {"ok": status.state != "disconnected", "required": False}
    check["state"] = status.state
    if status.state == "disconnected" and status.since is not None:
        check["since"] = status.since.isoformat(timespec="seconds")
        check["error"] = status.error
        missing = [
            *([] if status.listening else ["does not hear other replicas' events"]),
            *([] if status.sending else ["cannot send its own events to them"]),
        ]
        check["detail"] = (
            f"Live updates between replicas are interrupted: this replica {' and '.join(missing)}"
            " (PostgreSQL LISTEN/NOTIFY). It serves requests normally; live pages lag until it "
            "reconnects, which it does by itself."
        )
    return check


def readiness(context: AppContext) -> tuple[bool, dict[str, Any]]:
    checks = _database_checks(context)
    checks["scheduler"] = {
        "ok": context.scheduler.running or not context.settings.scheduler_enabled
    }
    bridge = bridge_of(context.events)
    if bridge is not None:
        checks["events"] = _events_check(bridge.status())
    ready = all(check["ok"] for check in checks.values() if check.get("required", True))
    degraded = ready and not all(check["ok"] for check in checks.values())
    return ready, {
        "status": "degraded" if degraded else "ready" if ready else "not_ready",
        "version": __version__,
        "checks": checks,
    }


@router.get("/live")
async def live() -> dict[str, str]:
    return {"status": "alive", "version": __version__}


@router.get("/ready")
async def ready(context: Context) -> JSONResponse:
    is_ready, body = await run_in_threadpool(readiness, context)
    return JSONResponse(body, status_code=200 if is_ready else 503)
