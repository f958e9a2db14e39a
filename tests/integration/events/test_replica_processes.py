"""Two real `vqs serve` processes on one PostgreSQL schema, as docker-compose.scale.yml runs
them: they start together (one migrates, the other waits), both become ready, a browser signed
in through one is signed in on the other, what an admin does on one appears once on the live
stream of the other without its API key, a replica killed with SIGKILL and started again is
heard again, and SIGTERM stops each promptly (bridge included) and gracefully."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import create_engine

from tests.conftest import TEST_PASSWORD
from tests.integration.events.replicas import SseReader, listeners_on, poll, wait_for
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(300)]
ROOT = Path(__file__).resolve().parents[3]
SECRET = "0123456789abcdef0123456789abcdef"
START = 90.0  # two cold starts with a migration on a busy CI machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    name: str
    env: dict[str, str]
    log: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> None:
        code = "from vibe_quality_searcharr.cli import main; main()"
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, "serve", "--port", str(self.port)],
                env=self.env, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip

    def wait_ready(self) -> None:
        wait_for(self._ready, f"replica {self.name} to be ready ({self.log})", timeout=START)

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"replica {self.name} exited: {self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/health/ready", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def terminate(self) -> int:
        """SIGTERM, then the exit code; a replica that does not stop within 60 s fails."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"replica {self.name} ignored SIGTERM: {self.log.read_text()[-3000:]}")


@pytest.fixture
def replicas(tmp_path: Path, postgres_schema: tuple[str, str]) -> Iterator[list[Replica]]:
    url, schema = postgres_schema
    shared = {
        "VQS_DATABASE_URL": f"{url}?options={quote(f'-csearch_path={schema}')}",
        "VQS_MASTER_SECRET": "m" * 40,
        "VQS_PEPPER": "p" * 40,
        "VQS_LOG_FORMAT": "json",
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith("VQS_")}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    made = [
        Replica(
            name,
            {**base, **shared, "VQS_DATA_DIR": str(tmp_path / name)},
            tmp_path / f"{name}.log",
            _free_port(),
        )
        for name in ("a", "b")
    ]
    try:
        yield made
    finally:
        for replica in made:
            if replica.process is not None and replica.process.poll() is None:
                replica.process.kill()
                replica.process.wait(timeout=30)


def _listeners(postgres_schema: tuple[str, str], expected: int) -> None:
    engine = create_engine(postgres_schema[0])
    try:
        wait_for(lambda: listeners_on(engine, postgres_schema[1]) == expected, "the bridges")
    finally:
        engine.dispose()


def _create_instance(client: httpx.Client, csrf: str, name: str) -> None:
    body = {"name": name, "app": "radarr", "url": "http://127.0.0.1:9", "api_key": SECRET}
    response = client.post("/api/v1/instances", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201, response.text


def _activity_until(stream: SseReader, name: str) -> list[str]:
    """The instance activity lines on the stream up to and including the one naming `name`."""
    seen: list[str] = []
    while True:
        kind, data = stream.next(timeout=30)
        assert SECRET not in data
        if kind == "activity" and "instance" in data.lower():
            seen.append(data)
            if name in data:
                return seen


def test_two_processes_share_sessions_and_live_events(
    replicas: list[Replica], postgres_schema: tuple[str, str]
) -> None:
    first, second = replicas
    for replica in replicas:  # started together: the migration lock makes one wait
        replica.launch()
    for replica in replicas:
        replica.wait_ready()
    _listeners(postgres_schema, 2)

    setup = httpx.post(
        f"{first.url}/api/v1/setup",
        json={"username": "admin", "password": TEST_PASSWORD},
        timeout=60,
    )
    assert setup.status_code == 201, setup.text
    token, csrf = setup.cookies[SESSION_COOKIE], setup.json()["csrf_token"]
    cookies = {SESSION_COOKIE: token}
    stream = SseReader(f"{second.url}/events/stream", cookies).start()
    assert stream.status == 200  # A's session cookie is valid on B

    with httpx.Client(base_url=first.url, cookies=cookies, timeout=30) as on_a:
        # B's stream subscribes just after sending its headers: probe until it hears one.
        for probe in range(1, 11):
            _create_instance(on_a, csrf, f"Probe {probe}")
            if poll(lambda: not stream.empty(), timeout=3):
                break
        _create_instance(on_a, csrf, "Radarr on A")
        lines = _activity_until(stream, "Radarr on A")
        assert sum("Radarr on A" in line for line in lines) == 1
        assert len(lines) == len(set(lines))  # nothing arrived twice

    # A is killed outright; B keeps serving; A comes back and is heard again.
    first.kill()
    assert httpx.get(f"{second.url}/health/ready", timeout=10).status_code == 200
    first.launch()
    first.wait_ready()
    _listeners(postgres_schema, 2)
    with httpx.Client(base_url=first.url, cookies=cookies, timeout=30) as on_a:
        _create_instance(on_a, csrf, "Sonarr after restart")
        assert len(_activity_until(stream, "Sonarr after restart")) >= 1

    for replica in (second, first):
        # uvicorn re-raises SIGTERM once its graceful shutdown is done.
        assert replica.terminate() in (0, -signal.SIGTERM)
        log = replica.log.read_text()
        assert '"event_bridge_stopped"' in log.rsplit('"Shutting down"', 1)[-1]
        assert '"event": "stopped"' in log.rsplit('"Shutting down"', 1)[-1]
        assert SECRET not in log
