"""Fault rules: what can go wrong between a client and an *arr, chosen deterministically.

A rule has a `kind`, an optional `path` (a prefix such as `/api/v3/wanted`; none = every
endpoint), a `rate` (probability per matching request, drawn from a seeded RNG so tests are
repeatable) and kind-specific parameters. `/__sim/*` and `/ping` are never faulted, so a test can
always clear what it set.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["FAULT_KINDS", "FaultRule", "FaultSet", "parse_fault_flag"]

FAULT_KINDS = (
    "latency",
    "error",
    "rate_limit",
    "hang",
    "malformed",
    "truncated",
    "drop",
    "refuse_key",
)


@dataclass
class FaultRule:
    kind: str
    path: str | None = None
    rate: float = 1.0
    status: int = 500
    latency_ms: int = 0
    retry_after: int = 30
    hang_seconds: float = 30.0
    after_requests: int = 0
    seen: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; choose from {', '.join(FAULT_KINDS)}"
            )
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.kind == "error" and self.status not in (500, 502, 503):
            raise ValueError("error status must be 500, 502 or 503")
        if self.latency_ms < 0 or self.hang_seconds < 0 or self.after_requests < 0:
            raise ValueError("latency_ms, hang_seconds and after_requests must be >= 0")

    def matches(self, path: str) -> bool:
        return self.path is None or path.startswith(self.path)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            "kind": data["kind"],
            "path": data["path"],
            "rate": data["rate"],
            "status": data["status"],
            "latencyMs": data["latency_ms"],
            "retryAfter": data["retry_after"],
            "hangSeconds": data["hang_seconds"],
            "afterRequests": data["after_requests"],
            "seen": data["seen"],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        names = {
            "kind": "kind",
            "path": "path",
            "rate": "rate",
            "status": "status",
            "latencyMs": "latency_ms",
            "retryAfter": "retry_after",
            "hangSeconds": "hang_seconds",
            "afterRequests": "after_requests",
        }
        unknown = set(data) - set(names)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        kwargs: dict[str, Any] = {names[key]: value for key, value in data.items()}
        for name, kind in (
            ("rate", float),
            ("status", int),
            ("latency_ms", int),
            ("retry_after", int),
            ("hang_seconds", float),
            ("after_requests", int),
        ):
            if name in kwargs:
                try:
                    kwargs[name] = kind(kwargs[name])
                except (TypeError, ValueError):
                    raise ValueError(f"{name} must be a number") from None
        return cls(**kwargs)


def parse_fault_flag(flag: str) -> FaultRule:
    """`--fault error:rate=0.2,status=503,path=/api/v3/wanted` -> a rule."""
    kind, _, rest = flag.partition(":")
    fields: dict[str, Any] = {"kind": kind.strip()}
    for part in filter(None, rest.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"fault option {part!r} is not key=value")
        fields[key.strip()] = value.strip()
    return FaultRule.from_json(fields)


class FaultSet:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(self._seed)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, path: str) -> list[FaultRule]:
        """The rules that fire for this request, in the order they were added."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self._rules:
                if not rule.matches(path):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after_requests:
                    continue
                if rule.rate >= 1.0 or self._rng.random() < rule.rate:
                    fired.append(rule)
        return fired
