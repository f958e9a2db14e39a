"""Records every response of a run so a test can prove no secret was ever sent back or logged.

Wrap the clients of an end-to-end run in `Recorder`, mark the few responses that are meant to
show a secret once (token creation, recovery codes) with `expect_secret=True`, then call
`assert_absent(secrets, logs)`. Later issues add their secrets (*arr API keys) to the same scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

__all__ = ["Recorder"]


@dataclass
class Recorder:
    seen: list[tuple[str, str]] = field(default_factory=list)

    def call(
        self,
        client: TestClient,
        method: str,
        url: str,
        *,
        expect_secret: bool = False,
        **kwargs: Any,
    ) -> Response:
        response = client.request(method, url, **kwargs)
        if not expect_secret:
            headers = "\n".join(
                f"{name}: {value}"
                for name, value in response.headers.items()
                if name != "set-cookie"
            )
            self.seen.append((f"{method} {url}", headers + "\n" + response.text))
        return response

    def assert_absent(self, secrets: list[str], logs: str) -> None:
        assert all(len(secret) >= 6 for secret in secrets)
        for where, text in self.seen:
            for secret in secrets:
                assert secret not in text, f"a secret leaked into the response of {where}"
        for secret in secrets:
            assert secret not in logs, "a secret leaked into the logs"
