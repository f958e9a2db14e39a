"""Every fault a client must survive, triggered through /__sim/faults or the CLI flag syntax."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from vibe_quality_searcharr.simulator.faults import FaultRule, parse_fault_flag
from vibe_quality_searcharr.simulator.testing import RunningSimulator

Factory = Callable[..., RunningSimulator]


def client_for(sim: RunningSimulator, timeout: float = 5) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers=sim.headers, timeout=timeout)


def set_fault(client: httpx.Client, **rule: object) -> None:
    response = client.post("/__sim/faults", json=rule)
    assert response.status_code == 200, response.text


def test_added_latency_delays_the_answer(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="latency", latencyMs=150)
        started = time.monotonic()
        response = client.get("/api/v3/tag")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 0.15


@pytest.mark.parametrize("status", [500, 502, 503])
def test_error_status_is_returned(sonarr_simulator: RunningSimulator, status: int) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="error", status=status)
        assert client.get("/api/v3/system/status").status_code == status
        client.delete("/__sim/faults")
        assert client.get("/api/v3/system/status").status_code == 200


def test_error_rate_is_deterministic_for_a_seed(simulator_factory: Factory) -> None:
    outcomes = []
    for _ in range(2):
        sim = simulator_factory("sonarr", size=3, seed=11)
        with client_for(sim) as client:
            set_fault(client, kind="error", rate=0.3, status=503)
            outcomes.append([client.get("/api/v3/tag").status_code for _ in range(40)])
    assert outcomes[0] == outcomes[1]
    failures = outcomes[0].count(503)
    assert 0 < failures < 40
    assert set(outcomes[0]) == {200, 503}


def test_rate_limit_is_429_with_retry_after(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="rate_limit", retryAfter=42)
        response = client.get("/api/v3/wanted/missing")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"


def test_fault_can_target_one_endpoint(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="error", path="/api/v3/wanted", status=502)
        assert client.get("/api/v3/wanted/cutoff").status_code == 502
        assert client.get("/api/v3/tag").status_code == 200
        assert client.get("/__sim/faults").status_code == 200, "/__sim is never faulted"


def test_hang_outlasts_the_client_timeout_and_does_not_block_shutdown(
    simulator_factory: Factory,
) -> None:
    sim = simulator_factory("sonarr", size=3)
    with client_for(sim, timeout=0.3) as client:
        set_fault(client, kind="hang", hangSeconds=60)
        with pytest.raises(httpx.ReadTimeout):
            client.get("/api/v3/queue")
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 10, "a hung request must not hold the server open"


def test_malformed_json(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="malformed")
        response = client.get("/api/v3/wanted/missing")
    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated|delimiter"):
        response.json()


def test_truncated_body(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="truncated")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/api/v3/wanted/missing")


def test_dropped_connection(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="drop")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/api/v3/wanted/missing")


def test_key_starts_being_refused(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        set_fault(client, kind="refuse_key", afterRequests=2)
        codes = [client.get("/api/v3/tag").status_code for _ in range(4)]
        assert codes == [200, 200, 401, 401]
        assert client.get("/api/v3/tag").content == b""
        client.delete("/__sim/faults")
        assert client.get("/api/v3/tag").status_code == 200


def test_bad_fault_is_rejected_and_changes_nothing(sonarr_simulator: RunningSimulator) -> None:
    with client_for(sonarr_simulator) as client:
        assert client.post("/__sim/faults", json={"kind": "explode"}).status_code == 400
        assert (
            client.post("/__sim/faults", json={"kind": "error", "status": 404}).status_code == 400
        )
        assert client.get("/__sim/faults").json()["faults"] == []


def test_cli_fault_flag_syntax() -> None:
    rule = parse_fault_flag("error:rate=0.25,status=503,path=/api/v3/wanted")
    assert rule == FaultRule(kind="error", rate=0.25, status=503, path="/api/v3/wanted")
    with pytest.raises(ValueError, match="key=value"):
        parse_fault_flag("latency:slow")
