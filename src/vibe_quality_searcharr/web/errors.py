"""Errors met in a browser are shown in the browser: an HTML page, or a toast for htmx.

`error_handlers` renders every error as a JSON problem for the API; for anything a browser shows
(a page, a form post, an htmx request; never under /api/) it asks this module instead:

- a page or a plain form post gets the error page, in the layout, with a way back;
- an htmx request gets a toast: one short paragraph with the plain sentence, sent with
  `HX-Retarget`/`HX-Reswap` to the `#toasts` region every page has (base.html). htmx swaps error
  answers (`responseHandling` in base.html's htmx-config); without the retarget the sentence
  would land wherever the button aimed its answer, or nowhere at all.

Forms refused by their own view (status 422, the form again with a message next to each field)
do not come here: they swap into their form as they always did.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.web.templating import is_fragment, render, templates

__all__ = [
    "TOAST_REGION",
    "browser_error",
    "render_error_page",
    "toast_response",
    "wants_html",
    "wants_page",
]

TOAST_REGION = "#toasts"
_HEADINGS = {
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid request",
    429: "Too many attempts",
    500: "Something went wrong",
    502: "No usable answer",
    503: "Temporarily unavailable",
    504: "No answer in time",
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def wants_page(request: Request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith("/api/")
        and "text/html" in request.headers.get("accept", "")
    )


def wants_html(request: Request) -> bool:
    """A page, a form post or an htmx request: anything a browser shows, never under /api/.
    A browser posting a form sends the form's type and accepts HTML; either is enough."""
    if request.url.path.startswith("/api/"):
        return False
    headers = request.headers
    return (
        "text/html" in headers.get("accept", "")
        or headers.get("content-type", "").startswith(_FORM_TYPES)
        or "hx-request" in headers
    )


def heading_for(status_code: int) -> str:
    return _HEADINGS.get(status_code, "Something went wrong")


def render_error_page(
    request: Request,
    status_code: int,
    detail: str,
    *,
    heading: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response = render(
        request,
        "error.html",
        status_code,
        heading=heading or heading_for(status_code),
        detail=detail,
    )
    response.headers.update(headers or {})
    return response


def toast_response(
    status_code: int,
    detail: str,
    *,
    heading: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The error as a toast for htmx. Needs no request: it also serves when the request's own
    state (principal, session) is what failed."""
    body = templates.get_template("_toast.html").render(
        heading=heading or heading_for(status_code), detail=detail
    )
    htmx = {
        "HX-Retarget": TOAST_REGION,
        "HX-Reswap": "innerHTML",
        "HX-Reselect": "[data-toast]",  # over the button's own hx-select, which would drop it
        "HX-Push-Url": "false",  # a refused hx-push-url request is no place to go back to
    }
    return HTMLResponse(body, status_code=status_code, headers={**(headers or {}), **htmx})


def browser_error(
    request: Request,
    status_code: int,
    detail: str,
    *,
    heading: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response | None:
    """The toast (htmx) or the error page (a page or a form post) for this error, or None when
    the request is not a browser's (the API, a script): it gets the JSON problem."""
    if not wants_html(request):
        return None
    if is_fragment(request):
        return toast_response(status_code, detail, heading=heading, headers=headers)
    return render_error_page(request, status_code, detail, heading=heading, headers=headers)
