"""JSON API of exclusions under /api/v1/exclusions (thin: parse, authorize, call).

The request's clock (`Now`, replaceable in tests) computes expiry presets and `active`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.search.exclusions.repository import ExclusionFilters
from vibe_quality_searcharr.search.exclusions.schemas import (
    ExclusionCreate,
    ExclusionPage,
    ExclusionRead,
    ExclusionUpdate,
    Scope,
)
from vibe_quality_searcharr.search.exclusions.service import ExclusionService, to_read
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/exclusions", tags=["exclusions"])

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]


def _service(session: DbSession) -> ExclusionService:
    return ExclusionService(session)


Service = Annotated[ExclusionService, Depends(_service)]


@router.get("", response_model=ExclusionPage)
def list_exclusions(
    _user: CurrentUser,
    service: Service,
    now: Now,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    instance_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    scope: Scope | None = None,
    active: Annotated[bool | None, Query(description="true: in force; false: expired")] = None,
) -> ExclusionPage:
    filters = ExclusionFilters(instance_id=instance_id, scope=scope, active=active)
    return service.list_page(filters, now, page, page_size)


@router.post("", response_model=ExclusionRead, status_code=201)
def create_exclusion(
    user: WriteUser, service: Service, now: Now, data: ExclusionCreate, response: Response
) -> ExclusionRead:
    exclusion = service.create(data, now, user.username)
    response.headers["Location"] = f"/api/v1/exclusions/{exclusion.id}"
    return to_read(exclusion, now)


@router.get("/{exclusion_id}", response_model=ExclusionRead)
def read_exclusion(
    _user: CurrentUser, service: Service, now: Now, exclusion_id: ResourceId
) -> ExclusionRead:
    return to_read(service.get(exclusion_id), now)


@router.patch("/{exclusion_id}", response_model=ExclusionRead)
def update_exclusion(
    _user: WriteUser, service: Service, now: Now, exclusion_id: ResourceId, data: ExclusionUpdate
) -> ExclusionRead:
    """Change the reason or the expiry (`null` for either expiry field: permanent)."""
    return to_read(service.update(exclusion_id, data, now), now)


@router.delete("/{exclusion_id}", status_code=204)
def delete_exclusion(_user: WriteUser, service: Service, exclusion_id: ResourceId) -> Response:
    service.delete(exclusion_id)
    return Response(status_code=204)
