"""Property tests: no open redirect through `next`, no look-alike path on the allow-list."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from vibe_quality_searcharr.security.allowlist import PUBLIC_PATHS, STATIC_PREFIX, is_public
from vibe_quality_searcharr.users.views import safe_next

_tricky = st.sampled_from(
    ["/", "//", "\\", "/\\", ":", "http:", "https://evil.example", "%2f", "\r\n", "@", "."]
)
_next_values = st.lists(st.one_of(_tricky, st.text(max_size=8)), max_size=6).map("".join)


@given(_next_values)
def test_safe_next_never_leaves_the_site(value: str) -> None:
    target = safe_next(value)
    assert target.startswith("/")
    assert not target.startswith(("//", "/\\"))
    parts = urlsplit(target)
    assert parts.scheme == ""
    assert parts.netloc == ""


@given(st.sampled_from(sorted(PUBLIC_PATHS)), st.text(min_size=1, max_size=10))
def test_anything_added_to_a_public_path_is_not_public(path: str, extra: str) -> None:
    for candidate in (path + extra, extra + path):
        if candidate in PUBLIC_PATHS or candidate.startswith(STATIC_PREFIX):
            continue
        assert not is_public(candidate)
