"""The security audit trail: who signed in, who failed, who changed what about an account.

Events never carry a secret: no password, code or token, only names, addresses and outcomes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from vibe_quality_searcharr.users import repository
from vibe_quality_searcharr.users.models import AuditEvent

__all__ = ["record"]

log = structlog.get_logger("vibe_quality_searcharr.audit")


def record(
    session: Session,
    kind: str,
    *,
    now: datetime,
    actor: str = "",
    subject: str = "",
    client_ip: str = "",
    **detail: Any,
) -> None:
    repository.add_audit_event(
        session,
        AuditEvent(
            at=now,
            kind=kind,
            actor=actor[:64],
            subject=subject[:64],
            client_ip=client_ip[:64],
            detail=detail,
        ),
    )
    log.info("audit", kind=kind, actor=actor, subject=subject, client_ip=client_ip, **detail)
