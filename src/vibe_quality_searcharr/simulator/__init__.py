"""A faithful fake Sonarr, Radarr, Lidarr, Readarr, Whisparr and Prowlarr on loopback.

It powers the demo and every integration test. It imports nothing from the rest of the product,
so it can never bend to match the client's bugs; its contract is the apps' official OpenAPI
documents and the runtime notes in the shared *arr API reference.
"""

from __future__ import annotations

from vibe_quality_searcharr.simulator.app import build_app
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.families import APPS
from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["APPS", "SimClock", "SimState", "build_app"]
