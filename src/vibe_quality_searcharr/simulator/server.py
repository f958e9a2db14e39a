"""Serving simulated apps with uvicorn, each in its own thread and event loop.

Threads keep the apps independent (a hung request on one never slows another) and let the
caller's thread stay free: the CLI waits for Ctrl+C, tests drive HTTP clients. Stopping sets
the state's shutdown event first, so hung-by-fault requests end at once instead of holding
uvicorn's graceful shutdown.
"""

from __future__ import annotations

import signal
import socket
import threading
import time

import uvicorn

from vibe_quality_searcharr.simulator.app import build_app
from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["ServerThread", "bind_near", "bind_socket", "serve_until_interrupted"]


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind before serving, so port 0 gives a free port with no race."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class ServerThread:
    def __init__(self, state: SimState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self.socket = bind_socket(host, port)
        self.host = host
        self.port: int = self.socket.getsockname()[1]
        config = uvicorn.Config(
            build_app(state),
            log_level="warning",
            lifespan="off",
            proxy_headers=False,
            server_header=False,
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True,
            name=f"sim-{state.spec.key}-{self.port}",
        )  # fmt: skip

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"simulated {self.state.spec.key} did not start on {self.base_url}"
                )
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        self.state.shutdown_event.set()
        self.server.should_exit = True
        self.thread.join(timeout)
        self.socket.close()


def bind_near(host: str, preferred: int, attempts: int = 20) -> int:
    """The preferred port if it is free, else the next free one after it, else any free port."""
    for port in range(preferred, preferred + attempts):
        try:
            probe = bind_socket(host, port)
        except OSError:
            continue
        probe.close()
        return port
    probe = bind_socket(host, 0)
    port = int(probe.getsockname()[1])
    probe.close()
    return port


def serve_until_interrupted(servers: list[ServerThread]) -> None:
    """Start every server, block until Ctrl+C or SIGTERM, then stop them all."""
    started: list[ServerThread] = []

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)
    try:
        for server in servers:
            server.start()
            started.append(server)
        while all(server.thread.is_alive() for server in started):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for server in started:
            server.stop()
