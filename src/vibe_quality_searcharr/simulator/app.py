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


def build_app(state: SimState) -> ASGIApp:
    routes = prowlarr_routes(state) if state.spec.family == "indexer" else arr_routes(state)
    app = Starlette(routes=[Route("/ping", _ping), *routes, *sim_routes(state)])
    app.state.sim = state
    return FaultMiddleware(AuthMiddleware(app, state), state)
