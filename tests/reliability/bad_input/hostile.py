"""The hostile material and the page-side judge shared by the form, page and CSRF tests.

`refusal` decides whether the app turned a page request down (a 4xx, a form shown again with
its errors, or a redirect to a page flashing an error) and whether it said so clearly.
"""

from __future__ import annotations

import re

import httpx
from hypothesis import strategies as st

from tests.reliability.bad_input.conftest import World
from tests.reliability.bad_input.forms import FormRoute, concrete
from tests.reliability.bad_input.seed import Seeded
from tests.reliability.bad_input.verdict import problem_fault

__all__ = [
    "BOGUS_IDS",
    "ERROR_MARKERS",
    "HOSTILE",
    "page_shows_error",
    "path_strategy",
    "refusal",
    "targets",
]


BOGUS_IDS = ["999999", "0", "-1", "abc", "1.5", "99999999999999999999999", "%00", "1%20OR%201"]


HOSTILE = [
    "",
    " ",
    "\x00",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "[]",
    '{"a": 1}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "2025-13-45T25:61",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "Ā\u202e\ufeff",
]


ERROR_MARKERS = ('class="field-error"', 'class="form-error"', "flash-error", 'role="alert"')


def targets(seeded: Seeded) -> dict[str, int | str]:
    """A real row (or file) for each path parameter name the routes use."""
    return {
        "instance_id": seeded.instances[0],
        "queue_id": seeded.queues[0],
        "exclusion_id": seeded.exclusions[0],
        "user_id": seeded.users[0],
        "token_id": seeded.tokens[0],
        "session_id": seeded.sessions[0],
        "run_id": seeded.runs[0],
        "item_id": seeded.items[2][1],  # not excluded: its page shows the exclude form
        "parent_id": seeded.parents[0][1],
        "target_id": seeded.notifications[0],
        "name": seeded.backup,
    }


def path_strategy(form: FormRoute, real: dict[str, int | str]) -> st.SearchStrategy[str]:
    def build(ids: list[str]) -> str:
        return concrete(form.path, dict(zip(form.parameters, ids, strict=True)))  # type: ignore[arg-type]

    one = [
        st.one_of(st.just(str(real[name])), st.sampled_from(BOGUS_IDS)) for name in form.parameters
    ]
    return st.tuples(*one).map(lambda ids: build(list(ids)))


def page_shows_error(text: str) -> bool:
    return any(marker in text for marker in ERROR_MARKERS)


def refusal(world: World, response: httpx.Response) -> tuple[bool, str | None]:
    """(refused, fault): whether the app turned the submission down, and what is wrong with how
    it answered, if anything."""
    status = response.status_code
    location = response.headers.get("HX-Redirect") or response.headers.get("location")
    if location is not None:
        if not location.startswith("/") or location.startswith("//"):
            return False, f"redirects off the site to {location!r}"
        page = world.admin.get(location, headers={"Accept": "text/html"}, follow_redirects=True)
        return "flash-error" in page.text, None
    if 400 <= status < 500:
        if not response.headers.get("content-type", "").startswith("text/html"):
            if not response.request.url.path.startswith("/api/"):
                return True, "a page answered with JSON, which a browser shows raw"
            return True, problem_fault(response)
        return True, _html_refusal_fault(response)
    return status == 200 and page_shows_error(response.text), None


def _html_refusal_fault(response: httpx.Response) -> str | None:
    """A page shows its error; an htmx answer shows it too, where htmx will put it: the toast
    region (retargeted), or the fragment the button asked for, never a whole page."""
    text = response.text
    if "hx-request" in response.request.headers:
        if "<html" in text:
            return "htmx got a whole page, which it would swap into a corner of this one"
        retarget = response.headers.get("HX-Retarget")
        if retarget is not None and (retarget != "#toasts" or 'data-toast="error"' not in text):
            return f"retargeted to {retarget!r} without a toast"
    shown = page_shows_error(text) or re.search(r"<h1[ >]", text)
    return None if shown else "a refusal without an error message"
