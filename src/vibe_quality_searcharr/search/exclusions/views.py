"""The exclusions page: list (active and expired), add (from history, the preview or by id),
change the expiry, remove. Calls `ExclusionService`, never the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.search.exclusions.repository import ExclusionFilters
from vibe_quality_searcharr.search.exclusions.schemas import ExclusionCreate, ExclusionUpdate
from vibe_quality_searcharr.search.exclusions.service import ExclusionService
from vibe_quality_searcharr.search.queues.pagedata import instance_choices
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.forms import app_error_fields, validation_fields
from vibe_quality_searcharr.web.templating import redirect, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 100
EXPIRY_CHOICES = (("30", "30 days"), ("7", "7 days"), ("90", "90 days"), ("never", "Permanent"))
SCOPE_CHOICES = (("item", "This item only"), ("parent", "The whole series, artist or author"))
Short = Annotated[str, Form(max_length=20)]


def _service(session: DbSession) -> ExclusionService:
    return ExclusionService(session)


Service = Annotated[ExclusionService, Depends(_service)]


def _expiry(raw: str) -> dict[str, Any]:
    """7, 30, 90 or "never"; anything else is left for the schema to refuse."""
    if raw == "never":
        return {"expires_in_days": None}
    return {"expires_in_days": int(raw) if raw.isdigit() else raw}


def _page(
    request: Request,
    service: ExclusionService,
    now: datetime,
    *,
    show: str,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    active = {"active": True, "expired": False}.get(show)
    page = service.list_page(ExclusionFilters(active=active), now, 1, _PAGE_SIZE)
    instances = instance_choices(service.repo.session)
    return render(
        request,
        "exclusions/list.html",
        status_code,
        exclusions=page.items,
        total=page.total,
        show=show,
        names=dict(instances),
        instances=instances,
        values=values,
        errors=errors or {},
        expiries=EXPIRY_CHOICES,
        scopes=SCOPE_CHOICES,
    )


def _blank(instance_id: str = "", arr_id: str = "", title: str = "") -> dict[str, str]:
    return {"instance_id": instance_id, "scope": "item", "arr_id": arr_id, "title": title,
            "reason": "", "expiry": "30"}  # fmt: skip


@router.get("/exclusions", response_class=HTMLResponse)
def list_page(
    request: Request,
    _user: CurrentUser,
    service: Service,
    now: Now,
    show: Annotated[str, Query(max_length=10)] = "all",
) -> HTMLResponse:
    return _page(request, service, now, show=show, values=_blank())


@router.get("/exclusions/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    instance_id: Annotated[str, Query(max_length=12)] = "",
    arr_id: Annotated[str, Query(max_length=12)] = "",
    title: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """The list with the add form filled in from a link (history, preview, item pages)."""
    return _page(request, service, now, show="all", values=_blank(instance_id, arr_id, title))


@router.post("/exclusions", response_class=HTMLResponse)
def create_submit(
    request: Request,
    user: WriteUser,
    service: Service,
    now: Now,
    instance_id: Short = "",
    scope: Short = "item",
    arr_id: Short = "",
    title: Annotated[str, Form(max_length=500)] = "",
    reason: Annotated[str, Form(max_length=600)] = "",
    expiry: Short = "30",
) -> Response:
    values = {"instance_id": instance_id, "scope": scope, "arr_id": arr_id, "title": title,
              "reason": reason, "expiry": expiry}  # fmt: skip
    try:
        data = ExclusionCreate.model_validate(
            {
                "instance_id": instance_id,
                "scope": scope,
                "arr_id": arr_id,
                "title": title or None,
                "reason": reason,
                **_expiry(expiry),
            }
        )
        exclusion = service.create(data, now, user.username)
    except ValidationError as exc:
        errors = {
            ("expiry" if k == "expires_in_days" else k): v
            for k, v in validation_fields(exc).items()
        }
        return _page(
            request, service, now, show="all", values=values, errors=errors, status_code=422
        )
    except AppError as exc:
        service.repo.session.rollback()
        return _page(
            request, service, now, show="all", values=values,
            errors=app_error_fields(exc), status_code=422,
        )  # fmt: skip
    what = exclusion.title or f"item {exclusion.arr_id}"
    flash(request, f"Excluded {what}; no queue searches it now.")
    return redirect(request, "/exclusions")


@router.post("/exclusions/{exclusion_id}/expiry", response_class=HTMLResponse)
def expiry_submit(
    request: Request,
    _user: WriteUser,
    service: Service,
    now: Now,
    exclusion_id: ResourceId,
    expiry: Short = "30",
) -> Response:
    try:
        data = ExclusionUpdate.model_validate(_expiry(expiry))
    except ValidationError:
        flash(request, "Choose 7, 30 or 90 days or permanent; nothing was changed.", "error")
        return redirect(request, "/exclusions")
    exclusion = service.update(exclusion_id, data, now)
    until = "for good" if exclusion.expires_at is None else f"until {exclusion.expires_at:%Y-%m-%d}"
    flash(request, f"{exclusion.title or 'The item'} stays excluded {until}.")
    return redirect(request, "/exclusions")


@router.post("/exclusions/{exclusion_id}/delete", response_class=HTMLResponse)
def delete_submit(
    request: Request, _user: WriteUser, service: Service, exclusion_id: ResourceId
) -> Response:
    exclusion = service.get(exclusion_id)
    title = exclusion.title or f"item {exclusion.arr_id}"
    service.delete(exclusion_id)
    flash(request, f"Removed the exclusion of {title}; queues may search it again.")
    return redirect(request, "/exclusions")
