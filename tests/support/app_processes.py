"""The real app as separate processes, for the crash rounds (one process on an encrypted SQLite
data directory) and the replica tests (several on one PostgreSQL schema): `create()` is the
uvicorn factory the child runs (the product's `create_app`, its clock following the
simulator's so simulated hours pass in seconds), and `AppProcess` starts one, waits until it is
ready, kills it with SIGKILL, restarts it on its port and stops it. Test-side only: the product
itself reads real time.

    python -m uvicorn tests.support.app_processes:create --factory   (env: see `child_env`)

Output goes to a log file per process (a restart appends to it), shown when a test fails. No
sleeps for timing: readiness is polled against a deadline.
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from vibe_quality_searcharr.app import create_app

__all__ = ["AppProcess", "FollowedClock", "child_env", "create"]

SIM_URL_ENV = "VQS_TEST_SIM_URL"
SIM_KEY_ENV = "VQS_TEST_SIM_KEY"
CLOCK_EVERY_ENV = "VQS_TEST_SIM_CLOCK_EVERY"
ROOT = Path(__file__).resolve().parents[2]
FACTORY = "tests.support.app_processes:create"


class FollowedClock:
    """The simulator's clock, read over HTTP by a background thread every `every` seconds and
    extrapolated with its speed in between: reading it never blocks the event loop, and it
    never goes back (a late reading does not undo an extrapolated moment)."""

    def __init__(self, base_url: str, api_key: str, *, every: float = 0.02) -> None:
        self._client = httpx.Client(base_url=base_url, headers={"X-Api-Key": api_key}, timeout=2.0)
        self._every = every
        self._lock = threading.Lock()
        self._base, self._speed, self._at = self._read()  # fails the start without a simulator
        self._last = self._base
        threading.Thread(target=self._follow, daemon=True, name="sim-clock").start()

    def _read(self) -> tuple[datetime, float, float]:
        response = self._client.get("/__sim/clock")
        response.raise_for_status()
        body = response.json()
        now = datetime.fromisoformat(str(body["now"]).replace("Z", "+00:00"))
        return now, float(body["speed"]), time.monotonic()

    def _follow(self) -> None:
        stop = threading.Event()
        while not stop.wait(self._every):
            try:
                reading = self._read()
            except httpx.HTTPError:
                continue  # the simulator is busy or gone: keep extrapolating
            with self._lock:
                self._base, self._speed, self._at = reading

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        with self._lock:
            moment = self._base + timedelta(seconds=self._speed * (time.monotonic() - self._at))
            self._last = max(self._last, moment)
            return self._last

    async def sleep(self, seconds: float) -> None:
        """A wait of `seconds` simulated seconds (a short real one while the clock is frozen,
        so a loop that polls keeps polling)."""
        speed = self._speed
        real = seconds / speed if speed > 0 else 0.05
        await asyncio.sleep(min(max(real, 0.005), 1.0))


def _dump_tasks(_signum: int, _frame: object) -> None:
    try:
        tasks = asyncio.all_tasks()
    except RuntimeError:
        return
    for task in tasks:
        task.print_stack(file=sys.stderr)


def create() -> FastAPI:
    """The uvicorn factory of the child process (SIGUSR1 dumps its threads to the log)."""
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    signal.signal(signal.SIGUSR2, _dump_tasks)
    clock = FollowedClock(
        os.environ[SIM_URL_ENV],
        os.environ[SIM_KEY_ENV],
        every=float(os.environ.get(CLOCK_EVERY_ENV, "0.02")),
    )
    app = create_app()
    app.state.clock = clock.now
    app.state.search_sleep = clock.sleep
    return app


def child_env(
    data_dir: Path, sim_url: str, sim_key: str, *, clock_every: float = 0.02, **settings: str
) -> dict[str, str]:
    """The child's environment: this interpreter's, minus any VQS_* setting of the developer,
    plus the data directory, the simulator to follow (read every `clock_every` seconds) and
    `settings` (as VQS_<NAME>)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VQS_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["VQS_DATA_DIR"] = str(data_dir)
    env[SIM_URL_ENV] = sim_url
    env[SIM_KEY_ENV] = sim_key
    env[CLOCK_EVERY_ENV] = str(clock_every)
    env.update({f"VQS_{name.upper()}": value for name, value in settings.items()})
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class AppProcess:
    """One app process with `env` (see `child_env`); its output goes to `log_path`. `killed`
    says the test killed it on purpose (an exit it did not cause is a failure)."""

    def __init__(self, env: dict[str, str], log_path: Path, name: str = "app") -> None:
        self.name = name
        self.env = env
        self.log_path = log_path
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.killed = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} never started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, port: int | None = None) -> None:
        """Start the process, on `port` or a free one."""
        assert not self.running(), f"{self.name} is already running"
        self.port = port or _free_port()
        command = [
            sys.executable, "-m", "uvicorn", FACTORY,
            "--factory", "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning", "--no-access-log", "--timeout-graceful-shutdown", "10",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.starts += 1
        self.killed = False

    def restart(self) -> None:
        """A new process after this one exited: same port (its clients come back to it),
        settings, data and log."""
        self.start(self.port)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until GET /health/ready answers 200 (reconciliation done, scheduler started)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited ({self.process.returncode}):\n{self.tail()}"
                    )
                try:
                    if client.get("/health/ready").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} was not ready in {timeout} s:\n{self.tail()}")
                time.sleep(0.05)  # the polling interval, not a wait for something to happen

    def kill9(self) -> None:
        """Kill without any chance to clean up, as a crash or the OOM killer does."""
        assert self.process is not None
        self.killed = True
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM (the lifespan closes runs in progress), SIGKILL if it does not end."""
        if not self.running():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()

    def dump_threads(self) -> None:
        """Every thread's stack into the log (see `create`), for a failure message."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGUSR1)
            self.process.send_signal(signal.SIGUSR2)
            time.sleep(0.5)  # lets the child write the dump before the log is read

    def tail(self, lines: int = 120) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
