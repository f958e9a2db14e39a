"""One line of `vqs doctor`: OK, WARN (worth a look, not a failure) or FAIL (exit status 1)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckResult"]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False

    @property
    def label(self) -> str:
        return "FAIL" if not self.ok else "WARN" if self.warning else " OK "
