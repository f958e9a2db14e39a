"""One small ASGI app per simulated instance: routes, then the key check, then faults outermost."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from vibe_quality_searcharr.simulator.fault_middleware import FaultMiddleware
from vibe_quality_searcharr.simulator.http import AuthMiddleware
from vibe_quality_searcharr.simulator.prowlarr import prowlarr_routes
from vibe_quality_searcharr.simulator.routes_arr import arr_routes
from vibe_quality_searcharr.simulator.sim_routes import sim_routes
from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["build_app"]


async def _ping(_: Request) -> Response:
    return JSONResponse({"status": "OK"})


# A 1x1 PNG: what /MediaCover answers for any poster (the key is checked like every path).
_POSTER = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


async def _poster(_: Request) -> Response:
    return Response(_POSTER, media_type="image/png")


def build_app(state: SimState) -> ASGIApp:
    routes = prowlarr_routes(state) if state.spec.family == "indexer" else arr_routes(state)
    covers = (
        [] if state.spec.family == "indexer" else [Route("/MediaCover/{id:int}/{name}", _poster)]
    )
    app = Starlette(routes=[Route("/ping", _ping), *covers, *routes, *sim_routes(state)])
    app.state.sim = state
    return FaultMiddleware(AuthMiddleware(app, state), state)
