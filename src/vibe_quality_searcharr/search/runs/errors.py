"""Errors of planning and running a queue, as the API shows them.

AppError
├── Conflict
│   └── RunInProgress        the queue is already running in this process (409)
└── ServiceUnavailable
    └── ArrUnavailable       the *arr could not be asked what it is busy with (503)
"""

from __future__ import annotations

from vibe_quality_searcharr.errors import Conflict, ServiceUnavailable

__all__ = ["ArrUnavailable", "RunInProgress"]


class RunInProgress(Conflict):
    kind = "run_in_progress"


class ArrUnavailable(ServiceUnavailable):
    kind = "arr_unavailable"
