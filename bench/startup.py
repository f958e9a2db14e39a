"""Start-up cost of `vqs serve`: time to /health/ready == 200 and idle memory, over 5 runs.

Each run starts the real console script on a fresh data directory and a free port, so it pays
for everything a first start pays for: generating secrets, creating the encrypted database and
applying every migration. It then stops it and starts it again on the same directory, which is
what every later start costs (no migration, so Alembic is never imported).
Targets (first start): ready <= 1.5 s, idle RSS <= 80 MB.

    .venv/bin/python bench/startup.py [--runs 5] [--idle 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

READY_TARGET_S = 1.5
RSS_TARGET_MB = 80.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def vqs_executable() -> str:
    beside = Path(sys.executable).with_name("vqs")
    found = str(beside) if beside.exists() else shutil.which("vqs")
    if found is None:
        sys.exit("vqs is not installed: run `make test` or `pip install -e .` first")
    return found


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used: a figure a busy machine inflates far less."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def start_once(executable: str, data_dir: str, idle_s: float) -> tuple[float, float, float]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("VQS_")}
    env |= {"VQS_DATA_DIR": data_dir, "VQS_PORT": str(port)}
    url = f"http://127.0.0.1:{port}/health/ready"
    started = time.perf_counter()
    process = subprocess.Popen(
        [executable, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not is_ready(url):
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"vqs serve exited with {process.returncode}:\n{error}")
            if time.perf_counter() - started > 60:
                raise RuntimeError("not ready after 60 s")
            time.sleep(0.01)
        ready_s = time.perf_counter() - started
        cpu_s = cpu_seconds(process.pid)
        time.sleep(idle_s)
        memory = rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return ready_s, cpu_s, memory


def summary(label: str, readies: list[float], cpus: list[float], memories: list[float]) -> str:
    ready, memory = statistics.median(readies), statistics.median(memories)
    return (
        f"{label}: median ready {ready:.3f} s (target <= {READY_TARGET_S} s, "
        f"{'met' if ready <= READY_TARGET_S else 'MISSED'}; CPU {statistics.median(cpus):.2f} s); "
        f"median idle RSS {memory:.1f} MB (target <= {RSS_TARGET_MB:.0f} MB, "
        f"{'met' if memory <= RSS_TARGET_MB else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before RSS")
    args = parser.parse_args()
    executable = vqs_executable()
    figures: dict[str, tuple[list[float], list[float], list[float]]] = {
        "first start": ([], [], []),
        "restart": ([], [], []),
    }
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="vqs-bench-") as data_dir:
            for label, (readies, cpus, memories) in figures.items():
                ready_s, cpu_s, memory = start_once(executable, data_dir, args.idle)
                readies.append(ready_s)
                cpus.append(cpu_s)
                memories.append(memory)
                print(
                    f"run {run} {label}: ready in {ready_s:.3f} s ({cpu_s:.2f} s CPU), "
                    f"idle RSS {memory:.1f} MB",
                    flush=True,
                )
    for label, (readies, cpus, memories) in figures.items():
        print(summary(label, readies, cpus, memories))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
