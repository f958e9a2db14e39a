"""The library pages: per instance a poster grid of series/artists/authors (movies: the item
list), the wanted items with filters, an item's detail with its search history, exclude/include
buttons, and the poster proxy that keeps the *arr's address and key on the server.
"""

from __future__ import annotations

from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.errors import AppError, NotFound
from vibe_quality_searcharr.inputs import refuse_nul
from vibe_quality_searcharr.instances.connection import ConnectionTarget, Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import InstanceService, api_key_box
from vibe_quality_searcharr.library.models import LibraryParent
from vibe_quality_searcharr.library.posters import PosterCache, PosterUnavailable, fetch_poster
from vibe_quality_searcharr.library.repository import ItemFilters, LibraryRepository
from vibe_quality_searcharr.library.service import LibraryService
from vibe_quality_searcharr.search.exclusions.loading import ITEM_SCOPE, PARENT_SCOPE
from vibe_quality_searcharr.search.exclusions.repository import ExclusionRepository
from vibe_quality_searcharr.search.exclusions.schemas import ExclusionCreate
from vibe_quality_searcharr.search.exclusions.service import ExclusionService
from vibe_quality_searcharr.search.history.repository import library_item
from vibe_quality_searcharr.search.history.views import item_history
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser, WriteUser
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.forms import app_error_fields, validation_fields
from vibe_quality_searcharr.web.templating import redirect, render

__all__ = ["GRID_PAGE_SIZE", "ITEM_PAGE_SIZE", "poster_cache", "router"]

router = APIRouter(include_in_schema=False)

GRID_PAGE_SIZE = 48
ITEM_PAGE_SIZE = 50
_MOVIE_APPS = frozenset({ArrApp.RADARR.value, ArrApp.WHISPARR_V3.value})
_PARENT_NOUN = {"sonarr": "series", "whisparr": "site", "lidarr": "artist", "readarr": "author"}
_HISTORY_LIMIT = 50

PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
Text = Annotated[str, Query(max_length=200), AfterValidator(refuse_nul)]
Wanted = Annotated[Literal["", "missing", "cutoff_unmet", "format_upgrade"], Query()]
Choice = Annotated[Literal["", "yes", "no"], Query()]
ParentFilter = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _media_instance(session: Session, instance_id: int) -> Instance:
    instance = LibraryService(session).instance(instance_id)
    if instance.app == ArrApp.PROWLARR.value:
        raise NotFound("Prowlarr has no library.")
    return instance


@router.get("/library", response_class=HTMLResponse)
def library_index(request: Request, _user: CurrentUser, session: DbSession) -> HTMLResponse:
    instances = session.scalars(
        select(Instance).where(Instance.app != ArrApp.PROWLARR.value).order_by(Instance.name)
    ).all()
    repo = LibraryRepository(session)
    states = {instance.id: repo.sync_state(instance.id) for instance in instances}
    return render(request, "library/index.html", instances=instances, states=states)


@router.get("/library/{instance_id}", response_class=HTMLResponse)
def library_instance(
    request: Request,
    _user: CurrentUser,
    session: DbSession,
    now: Now,
    instance_id: ResourceId,
    q: Text = "",
    page: PageNumber = 1,
) -> Response:
    instance = _media_instance(session, instance_id)
    if instance.app in _MOVIE_APPS:
        return library_items(request, _user, session, now, instance_id, q=q, page=page)
    parents = LibraryService(session).parents(instance_id, q or None, now, page, GRID_PAGE_SIZE)
    return render(
        request,
        "library/grid.html",
        instance=instance,
        parents=parents,
        q=q,
        noun=_PARENT_NOUN.get(instance.app, "parent"),
        pages=max(1, -(-parents.total // GRID_PAGE_SIZE)),
    )


@router.get("/library/{instance_id}/items", response_class=HTMLResponse)
def library_items(
    request: Request,
    _user: CurrentUser,
    session: DbSession,
    now: Now,
    instance_id: ResourceId,
    wanted: Wanted = "",
    q: Text = "",
    monitored: Choice = "",
    excluded: Choice = "",
    parent: ParentFilter = None,
    page: PageNumber = 1,
) -> HTMLResponse:
    instance = _media_instance(session, instance_id)
    filters = ItemFilters(
        wanted=wanted or None,
        parent_id=parent,
        q=q or None,
        monitored=_flag(monitored),
        excluded=_flag(excluded),
    )
    items = LibraryService(session).items(instance_id, filters, now, page, ITEM_PAGE_SIZE)
    parent_row = None
    if parent is not None:
        parent_row = session.scalar(
            select(LibraryParent).where(
                LibraryParent.instance_id == instance_id, LibraryParent.arr_id == parent
            )
        )
    query = {
        "wanted": wanted,
        "q": q,
        "monitored": monitored,
        "excluded": excluded,
        "parent": parent or "",
    }
    return render(
        request,
        "library/items.html",
        instance=instance,
        items=items,
        filters=query,
        parent=parent_row,
        movies=instance.app in _MOVIE_APPS,
        pages=max(1, -(-items.total // ITEM_PAGE_SIZE)),
    )


def _item_page(
    request: Request,
    session: Session,
    now: Now,
    instance_id: int,
    item_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    instance = _media_instance(session, instance_id)
    item = library_item(session, instance_id, item_id)
    history = item_history(session, instance_id, item_id, now=now, limit=_HISTORY_LIMIT)
    if item is None and not history.commands:
        raise NotFound(f"Item {item_id} is not in the library of {instance.name}.")
    repo = LibraryRepository(session)
    item_badge = repo.badges(instance_id, ITEM_SCOPE, [item_id], now).get(item_id)
    parent_badge = None
    parent = None
    if item is not None and item.parent_id is not None:
        parent_badge = repo.badges(instance_id, PARENT_SCOPE, [item.parent_id], now).get(
            item.parent_id
        )
        parent = session.scalar(
            select(LibraryParent).where(
                LibraryParent.instance_id == instance_id, LibraryParent.arr_id == item.parent_id
            )
        )
    return render(
        request,
        "library/item.html",
        status_code=status_code,
        instance=instance,
        item=item,
        item_id=item_id,
        history=history,
        item_badge=item_badge,
        parent_badge=parent_badge,
        parent=parent,
        noun=_PARENT_NOUN.get(instance.app, "parent"),
        errors=errors or {},
    )


@router.get("/library/{instance_id}/items/{item_id}", response_class=HTMLResponse)
def library_item_page(
    request: Request,
    _user: CurrentUser,
    session: DbSession,
    now: Now,
    instance_id: ResourceId,
    item_id: ResourceId,
) -> HTMLResponse:
    return _item_page(request, session, now, instance_id, item_id)


@router.post("/library/{instance_id}/items/{item_id}/exclude", response_model=None)
def exclude_item(
    request: Request,
    user: WriteUser,
    session: DbSession,
    now: Now,
    instance_id: ResourceId,
    item_id: ResourceId,
    scope: Annotated[str, Form(max_length=10)] = ITEM_SCOPE,
    reason: Annotated[str, Form(max_length=1000)] = "",
    expires_in_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Exclude the item (or its whole parent) from every queue of the instance."""
    instance = _media_instance(session, instance_id)
    item = library_item(session, instance_id, item_id)
    arr_id = item_id
    if scope == PARENT_SCOPE:
        if item is None or item.parent_id is None:
            return _item_page(
                request,
                session,
                now,
                instance_id,
                item_id,
                status_code=422,
                errors={"scope": "This item has no series, artist or author to exclude."},
            )
        arr_id = item.parent_id
    try:
        data = ExclusionCreate.model_validate(
            {
                "instance_id": instance_id,
                "scope": scope,
                "arr_id": arr_id,
                "reason": reason,
                "expires_in_days": _days(expires_in_days),
            }
        )
        ExclusionService(session).create(data, now, user.username)
    except ValidationError as exc:
        session.rollback()
        errors = validation_fields(exc)
        if "expires_in_days" in errors:
            errors["expires_in_days"] = "Choose 7, 30 or 90 days, or no expiry."
        return _item_page(
            request, session, now, instance_id, item_id, errors=errors, status_code=422
        )
    except AppError as exc:
        session.rollback()
        return _item_page(
            request,
            session,
            now,
            instance_id,
            item_id,
            errors=app_error_fields(exc),
            status_code=exc.status_code,
        )
    noun = _PARENT_NOUN.get(instance.app, "parent")
    what = f"Its {noun}" if scope == PARENT_SCOPE else "It"
    flash(request, f"{what} is excluded from searches.", kind="success")
    return redirect(request, f"/library/{instance_id}/items/{item_id}")


def _days(value: str) -> int | str | None:
    """The expiry choice: blank is for ever; anything but a number fails validation."""
    if not value:
        return None
    return int(value) if value.isdigit() else value


@router.post("/library/{instance_id}/items/{item_id}/include", response_model=None)
def include_item(
    request: Request,
    _user: WriteUser,
    session: DbSession,
    now: Now,
    instance_id: ResourceId,
    item_id: ResourceId,
    scope: Annotated[Literal["item", "parent"], Form()] = "item",
) -> Response:
    """Take the item's (or its parent's) exclusion away: searches may pick it again."""
    _media_instance(session, instance_id)
    arr_id: int | None = item_id
    if scope == PARENT_SCOPE:
        item = library_item(session, instance_id, item_id)
        arr_id = item.parent_id if item is not None else None
    exclusion = ExclusionRepository(session).find(instance_id, scope, arr_id) if arr_id else None
    if exclusion is None:
        flash(request, "It was not excluded.", kind="warning")
    else:
        ExclusionService(session).delete(exclusion.id)
        flash(request, "It is searched again.", kind="success")
    return redirect(request, f"/library/{instance_id}/items/{item_id}")


def poster_cache(request: Request, context: Context) -> PosterCache:
    cache: PosterCache | None = getattr(request.app.state, "poster_cache", None)
    if cache is None:
        cache = PosterCache(context.settings.data_dir / "cache" / "posters")
        request.app.state.poster_cache = cache
    return cache


def _poster_source(
    context: Context, instance_id: int, parent_id: int
) -> tuple[str, ConnectionTarget]:
    with context.database.session_scope() as session:
        instance = _media_instance(session, instance_id)
        poster_path = session.scalar(
            select(LibraryParent.poster_path).where(
                LibraryParent.instance_id == instance_id, LibraryParent.arr_id == parent_id
            )
        )
        if not poster_path:
            raise NotFound("This item has no poster.")
        box = api_key_box(context.secrets.master_secret)
        return poster_path, InstanceService(session, box).target(instance)


@router.get("/library/{instance_id}/posters/{parent_id}", response_model=None)
async def poster(
    request: Request,
    _user: CurrentUser,
    context: Context,
    instance_id: ResourceId,
    parent_id: ResourceId,
) -> Response:
    """The poster bytes (from the cache, else from the *arr): the browser never learns where
    they came from."""
    path, target = await anyio.to_thread.run_sync(_poster_source, context, instance_id, parent_id)
    cache = poster_cache(request, context)
    found = await anyio.to_thread.run_sync(cache.get, instance_id, parent_id, path)
    if found is None:
        connector: Connector = getattr(request.app.state, "arr_connector", None) or Connector()
        try:
            await connector.check_address(target)
        except Exception:
            raise PosterUnavailable("The instance's address is not allowed.") from None
        found = await fetch_poster(target, path, transport=connector.transport)
        await anyio.to_thread.run_sync(cache.put, instance_id, parent_id, path, found)
    return Response(
        found.content,
        media_type=found.content_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
