"""The shared page-test helper: run a page as a full navigation and as an htmx fragment.

Every view test takes the `mode` fixture (tests/web/conftest.py) and so runs twice: once as a
browser navigation (a whole document with the layout) and once as htmx asking for a fragment
(`HX-Request`: only what goes inside <main>, no <html>, no navigation bar). Redirects after a
post are a 303 in the first mode and an `HX-Redirect` header in the second; `redirected_to`
reads either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Mode", "assert_no_inline_code"]

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def assert_no_inline_code(html: str) -> None:
    """What the CSP would block: inline <script>, <style>, style= and on*= handlers."""
    assert not _INLINE_SCRIPT.search(html), _INLINE_SCRIPT.search(html)
    assert not _INLINE_STYLE.search(html), _INLINE_STYLE.search(html)


@dataclass(frozen=True)
class Mode:
    htmx: bool

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Accept": "text/html"}
        if self.htmx:
            headers["HX-Request"] = "true"
        return headers

    def get(self, client: Any, url: str, **kwargs: Any) -> httpx.Response:
        return client.get(url, headers=self.headers, follow_redirects=False, **kwargs)

    def post(self, client: Any, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return client.post(url, headers=headers, follow_redirects=False, **kwargs)

    def page(self, response: httpx.Response, status: int = 200) -> str:
        """The page's text, after checking it is the right shape for this mode."""
        assert response.status_code == status, (response.status_code, response.text[:2000])
        assert response.headers["content-type"].startswith("text/html")
        text = response.text
        assert_no_inline_code(text)
        if self.htmx:
            assert "<html" not in text
            assert 'aria-label="Main"' not in text
            assert "<main" not in text
        else:
            assert text.lstrip().startswith("<!doctype html>")
            assert '<a class="skip-link" href="#main">' in text
            assert '<main id="main"' in text
        return text

    def redirected_to(self, response: httpx.Response) -> str:
        if self.htmx:
            assert response.status_code == 200, (response.status_code, response.text[:2000])
            return response.headers["HX-Redirect"]
        assert response.status_code == 303, (response.status_code, response.text[:2000])
        return response.headers["location"]
