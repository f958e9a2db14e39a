"""The failing examples the bad-input fuzzing found, kept as plain tests so they stay fixed.

Each names the request that used to fail and what it did before the fix.
"""

from __future__ import annotations

import pytest

from tests.conftest import SignedInClient


@pytest.mark.parametrize(
    "path", ["/api/v1/instances", "/api/v1/instances/1/health/events", "/api/v1/notifications"]
)
@pytest.mark.parametrize("page", [2**63 - 1, 10**18, 100_001])
def test_a_page_number_past_the_last_possible_page_is_a_422(
    admin_client: SignedInClient, path: str, page: int
) -> None:
    """Was a 500: the offset `(page - 1) * page_size` overflowed SQLite's 64-bit integer."""
    response = admin_client.get(path, params={"page": page})
    assert response.status_code == 422
    assert response.json()["fields"] == {"page": "Input should be less than or equal to 100000"}
