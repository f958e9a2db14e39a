"""The API routes every *arr family shares: status, tags, profiles, commands, queue, history,
wanted lists. Family resources (series, movies, albums, books) are in `routes_library`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vibe_quality_searcharr.simulator import commands
from vibe_quality_searcharr.simulator.activity import history_json, queue_json, queue_status_json
from vibe_quality_searcharr.simulator.families import SortSpec, wanted_sort_spec
from vibe_quality_searcharr.simulator.http import NotFound, endpoint, json_bytes
from vibe_quality_searcharr.simulator.paging import (
    BadRequest,
    envelope,
    page_slice,
    parse_bool,
    parse_page,
    resolve,
)
from vibe_quality_searcharr.simulator.render_common import profile_json
from vibe_quality_searcharr.simulator.render_movies import movie_fragment
from vibe_quality_searcharr.simulator.render_tv import episode_fragment
from vibe_quality_searcharr.simulator.resources import (
    command_json,
    diskspace_json,
    status_json,
    tags_json,
)
from vibe_quality_searcharr.simulator.routes_library import (
    Include,
    include_for,
    item_json,
    library_routes,
)

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["arr_routes", "common_routes", "path_id"]

_QUEUE_SORT = SortSpec(
    {
        "timeleft": "timeleft",
        "estimatedCompletionTime": "timeleft",
        "added": "added",
        "title": "title",
    },
    {"timeleft": "timeleft", "added": "added", "title": "title"},
    "timeleft",
    True,
)
_HISTORY_SORT = SortSpec({"date": "date", "id": "id"}, {"date": "date", "id": "id"}, "date", False)


def path_id(request: Request) -> int:
    raw = request.path_params["id"]
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"The value '{raw}' is not valid.") from None


def _ids_param(request: Request, name: str) -> list[int]:
    values: list[int] = []
    for raw in request.query_params.getlist(name):
        for piece in raw.split(","):
            if piece.strip():
                try:
                    values.append(int(piece))
                except ValueError:
                    raise BadRequest(f"The value '{piece}' is not valid for {name}.") from None
    return values


def common_routes(state: SimState) -> list[Route]:
    """Status, tags and commands: what Prowlarr shares with the *arr apps."""
    root = state.spec.api_root

    def get_tag(request: Request, _: Any) -> Any:
        tag_id = path_id(request)
        for tag in tags_json(state):
            if tag["id"] == tag_id:
                return tag
        raise NotFound(f"tag {tag_id}")

    def post_command(_: Request, body: Any) -> Any:
        if not isinstance(body, dict):
            raise BadRequest("command body must be an object")
        command, _new = commands.submit(state, body)
        state.advance()
        return command_json(state, command)

    def get_command(request: Request, _: Any) -> Any:
        command = state.commands.get(path_id(request))
        if command is None:
            raise NotFound("command")
        return command_json(state, command)

    return [
        Route(f"{root}/system/status", endpoint(state, lambda r, b: status_json(state))),
        Route(f"{root}/tag", endpoint(state, lambda r, b: tags_json(state))),
        Route(f"{root}/tag/{{id}}", endpoint(state, get_tag)),
        # The documents say 200; the apps answer 201 Created.
        Route(f"{root}/command", endpoint(state, post_command, status=201), methods=["POST"]),
        Route(
            f"{root}/command",
            endpoint(state, lambda r, b: [command_json(state, c) for c in state.commands.values()]),
            methods=["GET"],
        ),
        Route(f"{root}/command/{{id}}", endpoint(state, get_command)),
    ]


def arr_routes(state: SimState) -> list[Route]:
    root = state.spec.api_root
    spec = state.spec
    family = spec.family
    library = state.library
    assert library is not None
    qualities = library.quality_by_id

    def profiles(_: Request, __: Any) -> Any:
        rendered = [profile_json(p, qualities, family, spec.key) for p in library.profiles]
        if state.legacy:
            for profile in rendered:
                for key in (
                    "minFormatScore",
                    "cutoffFormatScore",
                    "minUpgradeFormatScore",
                    "formatItems",
                ):
                    profile.pop(key, None)
        return rendered

    def profile(request: Request, _: Any) -> Any:
        profile_id = path_id(request)
        for rendered in profiles(request, None):
            if rendered["id"] == profile_id:
                return rendered
        raise NotFound(f"quality profile {profile_id}")

    def wanted(kind: str) -> Any:
        def handler(request: Request, _: Any) -> Any:
            params = request.query_params
            page = parse_page(params)
            sort = resolve(wanted_sort_spec(spec, state.version_tuple), page, legacy=state.legacy)
            monitored = parse_bool(params, "monitored", True)
            assert state.wanted is not None
            rows = state.wanted.query(kind, monitored, sort.field, sort.ascending, state.now())
            options = include_for(state, params, include_file=kind == "cutoff")
            head = envelope(page, sort, len(rows), [], legacy=state.legacy)
            records = _fragments(state, page_slice(page, rows), options)
            body = json_bytes(head).replace(b'"records":[]', b'"records":[' + records + b"]", 1)
            return Response(body, media_type="application/json")

        return handler

    def queue(request: Request, _: Any) -> Any:
        params = request.query_params
        page = parse_page(params)
        sort = resolve(_QUEUE_SORT, page, legacy=state.legacy)
        entries = list(state.queue.values())
        parent_filter = set(_ids_param(request, "seriesIds") + _ids_param(request, "artistIds"))
        item_filter = set(_ids_param(request, "movieIds"))
        if parent_filter:
            entries = [e for e in entries if e.parent_id in parent_filter]
        if item_filter:
            entries = [e for e in entries if e.item_id in item_filter]
        keys = {"timeleft": lambda e: (e.import_at, e.id), "added": lambda e: (e.added, e.id),
                "title": lambda e: (e.title, e.id)}  # fmt: skip
        entries.sort(key=keys[sort.field], reverse=not sort.ascending)
        records = [
            queue_json(
                state, entry, _activity_includes(state, params, entry.parent_id, entry.item_id)
            )
            for entry in page_slice(page, entries)
        ]
        return envelope(page, sort, len(entries), records, legacy=state.legacy)

    def history(request: Request, _: Any) -> Any:
        params = request.query_params
        page = parse_page(params)
        sort = resolve(_HISTORY_SORT, page, legacy=state.legacy)
        events = _filter_history(state, request)
        events.sort(
            key=lambda e: (e.date, e.id) if sort.field == "date" else (e.id,),
            reverse=not sort.ascending,
        )
        records = [
            history_json(
                state, event, _activity_includes(state, params, event.parent_id, event.item_id)
            )
            for event in page_slice(page, events)
        ]
        return envelope(page, sort, len(events), records, legacy=state.legacy)

    def history_since(request: Request, _: Any) -> Any:
        raw = request.query_params.get("date")
        if not raw:
            raise BadRequest("date is required")
        try:
            since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest(f"The value '{raw}' is not valid for date.") from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        events = [e for e in _filter_history(state, request) if e.date >= since]
        events.sort(key=lambda e: (e.date, e.id))
        return [
            history_json(
                state, e, _activity_includes(state, request.query_params, e.parent_id, e.item_id)
            )
            for e in events
        ]

    routes = [
        *common_routes(state),
        Route(f"{root}/diskspace", endpoint(state, lambda r, b: diskspace_json(state))),
        Route(f"{root}/qualityprofile", endpoint(state, profiles)),
        Route(f"{root}/qualityprofile/{{id}}", endpoint(state, profile)),
        Route(f"{root}/queue", endpoint(state, queue)),
        Route(f"{root}/queue/status", endpoint(state, lambda r, b: queue_status_json(state))),
        Route(f"{root}/history", endpoint(state, history)),
        Route(f"{root}/history/since", endpoint(state, history_since)),
        *library_routes(state),
    ]
    if state.has_wanted:
        routes.append(Route(f"{root}/wanted/missing", endpoint(state, wanted("missing"))))
        routes.append(Route(f"{root}/wanted/cutoff", endpoint(state, wanted("cutoff"))))
    return routes


def _fragments(state: SimState, items: list[Any], options: Include) -> bytes:
    """Rendered records joined. TV records are cached per item (they do not depend on the
    clock); movies cache their static part and add status and availability for `now`."""
    library = state.library
    assert library is not None
    cache: dict[int, dict[str, Any]] = {}
    if state.spec.family == "movie":
        now = state.now()
        return b",".join(movie_fragment(state, item, now) for item in items)
    if state.spec.family != "tv":
        return b",".join(json_bytes(item_json(state, item, options, cache)) for item in items)
    flags = (options.parent, options.file)
    fast = state.spec.key == "sonarr" and not options.file
    parts = []
    fragments = library.fragments
    for item in items:
        per_item = fragments.get(item.id)
        if per_item is None:
            per_item = fragments[item.id] = {}
        part = per_item.get(flags)
        if part is None:
            if fast:
                part = episode_fragment(state, item, include_series=options.parent)
            else:
                part = json_bytes(item_json(state, item, options, cache))
            per_item[flags] = part
        parts.append(part)
    return b",".join(parts)


def _event_filter(state: SimState, raw: str | None) -> str | None:
    """History takes the event type as an integer (names are accepted too) and answers names."""
    if raw is None or raw == "":
        return None
    events = state.spec.history_events
    if raw.lstrip("-").isdigit():
        for name, number in events.items():
            if number == int(raw):
                return name
        raise BadRequest(f"The value '{raw}' is not valid for eventType.")
    for name in events:
        if name.lower() == raw.lower():
            return name
    raise BadRequest(f"The value '{raw}' is not valid for eventType.")


def _filter_history(state: SimState, request: Request) -> list[Any]:
    params = request.query_params
    wanted_event = _event_filter(state, params.get("eventType"))
    item_ids = set(_ids_param(request, "episodeId") + _ids_param(request, "movieIds")
                   + _ids_param(request, "albumId") + _ids_param(request, "bookId"))  # fmt: skip
    parent_ids = set(_ids_param(request, "seriesIds") + _ids_param(request, "seriesId")
                     + _ids_param(request, "artistIds") + _ids_param(request, "authorIds"))  # fmt: skip
    download_id = params.get("downloadId")
    return [
        event
        for event in state.history
        if (wanted_event is None or event.event == wanted_event)
        and (not item_ids or event.item_id in item_ids)
        and (not parent_ids or event.parent_id in parent_ids)
        and (download_id is None or event.download_id == download_id)
    ]


def _activity_includes(
    state: SimState, params: Any, parent_id: int, item_id: int
) -> dict[str, Any]:
    """includeSeries/includeEpisode (and the movie, artist/album, author/book equivalents)."""
    library = state.library
    assert library is not None
    names = {"tv": ("series", "episode"), "movie": (None, "movie"),
             "album": ("artist", "album"), "book": ("author", "book")}[state.spec.family]  # fmt: skip
    parent_name, item_name = names
    extra: dict[str, Any] = {}
    if parent_name and parse_bool(params, f"include{parent_name.title()}", False):
        from vibe_quality_searcharr.simulator.routes_library import parent_json_for

        extra[parent_name] = parent_json_for(state, library.parents[parent_id])
    if parse_bool(params, f"include{item_name.title()}", False) and item_id in library.items:
        extra[item_name] = item_json(state, library.items[item_id], include_for(state, {}), {})
    return extra
