"""Fixtures of the page tests: `mode` runs each test as a full page and as an htmx fragment."""

from __future__ import annotations

import pytest

from tests.web.pages import Mode


@pytest.fixture(params=[False, True], ids=["page", "htmx"])
def mode(request: pytest.FixtureRequest) -> Mode:
    return Mode(htmx=request.param)
