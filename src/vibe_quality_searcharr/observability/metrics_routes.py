"""`GET /metrics` in the Prometheus text format.

Not public: the authentication layer lets through a signed-in principal (any role, any token
scope: the numbers hold names, never secrets, and viewers see the same on the dashboard) or
the separate `VQS_METRICS_TOKEN`, which opens this path and no other.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.deps import Context
from vibe_quality_searcharr.errors import Unauthorized
from vibe_quality_searcharr.observability.metrics import CONTENT_TYPE
from vibe_quality_searcharr.observability.redaction import registry

__all__ = ["install_metrics", "router"]

router = APIRouter(tags=["metrics"], include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, context: Context) -> Response:
    if getattr(request.state, "principal", None) is None and not getattr(
        request.state, "metrics_token", False
    ):
        raise Unauthorized("Send an API token or the metrics token as a Bearer token.")
    return Response(context.metrics.render(), media_type=CONTENT_TYPE)


def install_metrics(app: FastAPI, context: AppContext) -> None:
    """Serve /metrics and feed the registry from the bus; the metrics token is a secret too."""
    if context.settings.metrics_token is not None:
        registry.add(context.settings.metrics_token.get_secret_value())
    context.events.add_listener(context.metrics.listen)
    app.include_router(router)
