"""Simulator speed: library generation and wanted/missing pages of 1000 over loopback HTTP.

Targets (issue #4): 50,000 episodes generated in <= 3 s; a wanted/missing page of 1000 answered
in <= 50 ms (median). Prints figures; never asserts on time.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import httpx

from vibe_quality_searcharr.simulator.families import APPS
from vibe_quality_searcharr.simulator.generate_tv import generate_tv
from vibe_quality_searcharr.simulator.testing import start_simulator


def main() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        library = generate_tv(APPS["sonarr"], 1, 17_500, now)
        timings.append(time.perf_counter() - started)
    print(
        f"generate {len(library.items):,} episodes ({17_500:,} wanted): median {statistics.median(timings):.2f} s"
    )

    started = time.perf_counter()
    big = generate_tv(APPS["sonarr"], 1, 50_000, now)
    print(
        f"generate {len(big.items):,} episodes ({50_000:,} wanted): {time.perf_counter() - started:.2f} s"
    )

    sim = start_simulator("sonarr", size=50_000, seed=1)
    try:
        with httpx.Client(base_url=sim.base_url, headers=sim.headers, timeout=30) as client:
            client.get("/api/v3/wanted/missing", params={"pageSize": 1000})
            latencies = []
            for page in range(1, 51):
                started = time.perf_counter()
                response = client.get(
                    "/api/v3/wanted/missing", params={"page": page, "pageSize": 1000}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            with_series = []
            for page in range(1, 21):
                started = time.perf_counter()
                client.get(
                    "/api/v3/wanted/missing",
                    params={"page": page, "pageSize": 1000, "includeSeries": "true"},
                )
                with_series.append((time.perf_counter() - started) * 1000)
        print(
            f"wanted/missing pageSize=1000 over HTTP: median {statistics.median(latencies):.1f} ms "
            f"(p90 {sorted(latencies)[44]:.1f} ms, 50 pages of 50,000)"
        )
        print(f"  with includeSeries=true: median {statistics.median(with_series):.1f} ms")
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
