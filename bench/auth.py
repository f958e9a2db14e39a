"""Figures for the authentication layer: Argon2id cost and per-request overhead.

Prints medians; never asserts a time. Run: .venv/bin/python bench/auth.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.security.passwords import PRODUCTION_COST, Passwords
from vibe_quality_searcharr.settings import load_settings


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def _time(action, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    hasher = Passwords("p" * 64, PRODUCTION_COST)
    stored = hasher.hash("a long enough password")
    print(
        f"argon2id hash   (m={PRODUCTION_COST.memory_kib} KiB, t={PRODUCTION_COST.time_cost}, p={PRODUCTION_COST.parallelism}): {_median_ms(_time(lambda: hasher.hash('a long enough password'), 7))}"
    )
    print(
        f"argon2id verify: {_median_ms(_time(lambda: hasher.verify(stored, 'a long enough password'), 7))}"
    )

    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            data_dir=Path(directory), scheduler_enabled=False, log_level="WARNING"
        )
        app = create_app(settings)
        with TestClient(app) as client:
            client.post(
                "/api/v1/setup", json={"username": "bench", "password": "a long enough password"}
            )
            token = client.post(
                "/api/v1/tokens",
                json={"name": "bench", "scope": "read"},
                headers={"X-CSRF-Token": client.get("/api/v1/auth/csrf").json()["csrf_token"]},
            ).json()["token"]
            anonymous = TestClient(app)
            for _ in range(20):
                client.get("/api/v1/auth/me")
            print(
                f"GET /health/live, anonymous:       {_median_ms(_time(lambda: anonymous.get('/health/live'), 300))}"
            )
            print(
                f"GET /api/v1/auth/me, session:      {_median_ms(_time(lambda: client.get('/api/v1/auth/me'), 300))}"
            )
            print(
                f"GET /api/v1/auth/me, bearer token: {_median_ms(_time(lambda: anonymous.get('/api/v1/auth/me', headers={'Authorization': f'Bearer {token}'}), 300))}"
            )
            print(
                f"GET /api/v1/users (401), anonymous: {_median_ms(_time(lambda: anonymous.get('/api/v1/users'), 300))}"
            )


if __name__ == "__main__":
    main()
