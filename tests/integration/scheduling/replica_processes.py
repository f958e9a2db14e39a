"""App replicas as real processes (uvicorn, one port each) for the multi-replica tests:
`start`, `wait_ready`, `kill9`, `restart`, `stop`. Output goes to a log file per replica (a
restart appends to it), shown when a test fails. No sleeps for timing: readiness is polled against a deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Replica", "kill9", "restart", "start", "stop", "wait_ready"]

ROOT = Path(__file__).resolve().parents[3]
FACTORY = "tests.integration.scheduling.replica_app:create"


@dataclass
class Replica:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str]
    log_dir: Path
    killed: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(name: str, env: dict[str, str], log_dir: Path, port: int | None = None) -> Replica:
    """Start one app process with `env` (VQS_* settings and the factory's VQS_TEST_SIM_*); its
    data directory is its own under `log_dir` unless `env` names one."""
    port = port or _free_port()
    log_path = log_dir / f"{name}.log"
    base = {k: v for k, v in os.environ.items() if not k.startswith("VQS_")}
    full_env = {
        **base,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "VQS_DATA_DIR": str(log_dir / f"{name}-data"),
        **env,
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", FACTORY, "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return Replica(name, port, process, log_path, env, log_dir)


def restart(replica: Replica) -> Replica:
    """A new process for a replica that has exited: same name, port, settings, data and log."""
    assert replica.process.poll() is not None, f"{replica.name} is still running"
    return start(replica.name, replica.env, replica.log_dir, port=replica.port)


def wait_ready(replica: Replica, timeout: float = 60.0) -> None:
    """Until /health/live answers; fails with the replica's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replica.process.poll() is not None:
            raise AssertionError(f"{replica.name} exited:\n{replica.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{replica.base_url}/health/live", timeout=1).status_code == 200:
                return
        time.sleep(0.05)  # a poll interval, not a timing assumption
    raise AssertionError(f"{replica.name} not ready in {timeout} s:\n{replica.log_tail()}")


def kill9(replica: Replica) -> None:
    """Kill without any chance to clean up, as a crash or the OOM killer does."""
    replica.killed = True
    replica.process.send_signal(signal.SIGKILL)
    replica.process.wait(timeout=10)


def stop(replica: Replica, timeout: float = 20.0) -> None:
    """A clean shutdown (SIGTERM: the lifespan interrupts runs, releases locks); kill if stuck."""
    if replica.process.poll() is not None:
        return
    replica.process.send_signal(signal.SIGTERM)
    try:
        replica.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill9(replica)
