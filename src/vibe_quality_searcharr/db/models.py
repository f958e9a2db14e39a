"""Imports every domain's tables so that `metadata` is complete for Alembic and the tests."""

from __future__ import annotations

from vibe_quality_searcharr.db.base import Base
from vibe_quality_searcharr.db.settings_store import AppSetting
from vibe_quality_searcharr.instances.models import Instance, InstanceHealth, InstanceHealthEvent
from vibe_quality_searcharr.library.models import (
    LibraryItem,
    LibraryParent,
    LibraryProfile,
    LibrarySeason,
    LibrarySyncState,
    LibraryTag,
)
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.scheduling.models import QueueSlotClaim
from vibe_quality_searcharr.search.budgets.models import InstanceBackoff, InstanceLimits
from vibe_quality_searcharr.search.models import (
    Exclusion,
    SearchCommand,
    SearchCommandItem,
    SearchCycleItem,
    SearchItemState,
    SearchQueue,
    SearchRun,
    SearchSeasonState,
)
from vibe_quality_searcharr.users.models import (
    ApiToken,
    AuditEvent,
    LoginThrottle,
    RecoveryCode,
    SetupMarker,
    User,
    UserSession,
)

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "AppSetting",
    "AuditEvent",
    "Exclusion",
    "Instance",
    "InstanceBackoff",
    "InstanceHealth",
    "InstanceHealthEvent",
    "InstanceLimits",
    "LibraryItem",
    "LibraryParent",
    "LibraryProfile",
    "LibrarySeason",
    "LibrarySyncState",
    "LibraryTag",
    "LoginThrottle",
    "NotificationTarget",
    "QueueSlotClaim",
    "RecoveryCode",
    "SearchCommand",
    "SearchCommandItem",
    "SearchCycleItem",
    "SearchItemState",
    "SearchQueue",
    "SearchRun",
    "SearchSeasonState",
    "SetupMarker",
    "User",
    "UserSession",
    "metadata",
]
