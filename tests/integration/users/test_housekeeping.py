"""The hourly prune removes what has expired and keeps what is live."""

from __future__ import annotations

from datetime import timedelta

import anyio
from sqlalchemy import func, select

from tests.conftest import make_user
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.users import audit, sessions
from vibe_quality_searcharr.users.jobs import prune_once, schedule_housekeeping
from vibe_quality_searcharr.users.models import AuditEvent, LoginThrottle, UserSession
from vibe_quality_searcharr.users.resolver import session_policy


def _count(context: AppContext, model: type) -> int:
    with context.database.session_scope() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_prune_removes_only_stale_rows(context: AppContext) -> None:
    now = utcnow()
    long_ago = now - timedelta(days=400)
    policy = session_policy(context.settings)
    with context.database.session_scope() as session:
        user = make_user(session)
        sessions.start(session, user, now=long_ago, policy=policy)
        sessions.start(session, user, now=now, policy=policy)
        session.add(
            LoginThrottle(
                key="ip:1.2.3.4", failures=3, last_failure_at=long_ago, blocked_until=long_ago
            )
        )
        session.add(
            LoginThrottle(key="ip:5.6.7.8", failures=3, last_failure_at=now, blocked_until=now)
        )
        audit.record(session, "login_ok", now=long_ago)
        audit.record(session, "login_ok", now=now)
    assert prune_once(context, now) == {"sessions": 1, "throttle": 1, "audit": 1}
    assert (
        _count(context, UserSession),
        _count(context, LoginThrottle),
        _count(context, AuditEvent),
    ) == (1, 1, 1)
    assert prune_once(context, now) == {"sessions": 0, "throttle": 0, "audit": 0}


def test_housekeeping_is_registered_with_the_scheduler(context: AppContext) -> None:
    schedule_housekeeping(context)

    async def started() -> bool:
        context.scheduler.start()
        try:
            return context.scheduler.aps.get_job("accounts-housekeeping") is not None
        finally:
            context.scheduler.shutdown()

    assert anyio.run(started)
