"""Family resources: series/episodes/episode files, movies/movie files, artists/albums,
authors/books, and how a wanted record is rendered for each family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.routing import Route

from vibe_quality_searcharr.simulator.http import NotFound, endpoint
from vibe_quality_searcharr.simulator.model import Item, Parent
from vibe_quality_searcharr.simulator.paging import BadRequest, parse_bool
from vibe_quality_searcharr.simulator.render_media import child_json, parent_json
from vibe_quality_searcharr.simulator.render_movies import movie_file_json, movie_json
from vibe_quality_searcharr.simulator.render_tv import episode_file_json, episode_json, series_json

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["Include", "include_for", "item_json", "library_routes", "parent_json_for"]


@dataclass(frozen=True)
class Include:
    parent: bool = False
    file: bool = False


def include_for(state: SimState, params: Any, *, include_file: bool = False) -> Include:
    def flag(name: str) -> bool:
        if isinstance(params, dict):
            return bool(params.get(name, False))
        return parse_bool(params, name, False)

    parent_flag = {"tv": "includeSeries", "album": "includeArtist", "book": "includeAuthor"}
    name = parent_flag.get(state.spec.family)
    return Include(
        parent=bool(name) and flag(name or ""),
        file=include_file and flag("includeEpisodeFile"),
    )


def item_json(
    state: SimState, item: Item, options: Include, cache: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    family = state.spec.family
    if family == "tv":
        return episode_json(
            state,
            item,
            include_series=options.parent,
            include_file=options.file,
            series_cache=cache,
        )
    if family == "movie":
        return movie_json(state, item)
    return child_json(state, item, include_parent=options.parent, parent_cache=cache)


def parent_json_for(state: SimState, parent: Parent) -> dict[str, Any]:
    if state.spec.family == "tv":
        return series_json(state, parent, statistics=False)
    return parent_json(state, parent)


def _int_list(request: Request, name: str) -> list[int]:
    values: list[int] = []
    for raw in request.query_params.getlist(name):
        for piece in raw.split(","):
            piece = piece.strip()
            if not piece:
                continue
            try:
                values.append(int(piece))
            except ValueError:
                raise BadRequest(f"The value '{piece}' is not valid for {name}.") from None
    return values


def _one_int(request: Request, name: str) -> int | None:
    values = _int_list(request, name)
    return values[0] if values else None


def library_routes(state: SimState) -> list[Route]:
    library = state.library
    assert library is not None
    root = state.spec.api_root
    family = state.spec.family

    def by_id(request: Request) -> int:
        try:
            return int(request.path_params["id"])
        except ValueError:
            raise BadRequest("id must be an integer") from None

    def item_or_404(request: Request) -> Item:
        item = library.items.get(by_id(request))
        if item is None:
            raise NotFound("item")
        return item

    def parent_or_404(request: Request) -> Parent:
        parent = library.parents.get(by_id(request))
        if parent is None:
            raise NotFound("parent")
        return parent

    if family == "tv":

        def series_list(request: Request, _: Any) -> Any:
            tvdb = _one_int(request, "tvdbId")
            return [
                series_json(state, p)
                for p in library.parents.values()
                if tvdb is None or p.foreign_id == tvdb
            ]

        def episodes(request: Request, _: Any) -> Any:
            series_id = _one_int(request, "seriesId")
            ids = _int_list(request, "episodeIds")
            season = _one_int(request, "seasonNumber")
            if series_id is None and not ids:
                raise BadRequest("seriesId or episodeIds must be provided")
            if ids:
                items = [library.items[i] for i in ids if i in library.items]
            else:
                items = [
                    i
                    for i in library.children.get(series_id or 0, [])
                    if season is None or i.season == season
                ]
            options = include_for(state, request.query_params, include_file=True)
            cache: dict[int, dict[str, Any]] = {}
            return [item_json(state, item, options, cache) for item in items]

        def episode_files(request: Request, _: Any) -> Any:
            series_id = _one_int(request, "seriesId")
            ids = _int_list(request, "episodeFileIds")
            if series_id is None and not ids:
                raise BadRequest("seriesId or episodeFileIds must be provided")
            files = (
                [library.files[i] for i in ids if i in library.files]
                if ids
                else [f for f in library.files.values() if f.parent_id == series_id]
            )
            return [episode_file_json(state, media) for media in files]

        def episode_file(request: Request, _: Any) -> Any:
            media = library.files.get(by_id(request))
            if media is None:
                raise NotFound("episode file")
            return episode_file_json(state, media)

        return [
            Route(f"{root}/series", endpoint(state, series_list)),
            Route(f"{root}/series/{{id}}", endpoint(state, lambda r, b: series_json(state, parent_or_404(r)))),
            Route(f"{root}/episode", endpoint(state, episodes)),
            Route(f"{root}/episode/{{id}}", endpoint(state, lambda r, b: episode_json(state, item_or_404(r), include_file=True))),
            Route(f"{root}/episodefile", endpoint(state, episode_files)),
            Route(f"{root}/episodefile/{{id}}", endpoint(state, episode_file)),
        ]  # fmt: skip

    if family == "movie":

        def movies(request: Request, _: Any) -> Any:
            tmdb = _one_int(request, "tmdbId")
            return [
                movie_json(state, m)
                for m in library.items.values()
                if tmdb is None or m.foreign_id == tmdb
            ]

        def movie_files(request: Request, _: Any) -> Any:
            movie_ids = set(_int_list(request, "movieId"))
            ids = _int_list(request, "movieFileIds")
            if not movie_ids and not ids:
                raise BadRequest("movieId or movieFileIds must be provided")
            files = (
                [library.files[i] for i in ids if i in library.files]
                if ids
                else [f for f in library.files.values() if f.item_id in movie_ids]
            )
            return [movie_file_json(state, media) for media in files]

        def movie_file(request: Request, _: Any) -> Any:
            media = library.files.get(by_id(request))
            if media is None:
                raise NotFound("movie file")
            return movie_file_json(state, media)

        return [
            Route(f"{root}/movie", endpoint(state, movies)),
            Route(f"{root}/movie/{{id}}", endpoint(state, lambda r, b: movie_json(state, item_or_404(r)))),
            Route(f"{root}/moviefile", endpoint(state, movie_files)),
            Route(f"{root}/moviefile/{{id}}", endpoint(state, movie_file)),
        ]  # fmt: skip

    parent_name, child_name = ("artist", "album") if family == "album" else ("author", "book")

    def children(request: Request, _: Any) -> Any:
        parent_id = _one_int(request, f"{parent_name}Id")
        ids = _int_list(request, f"{child_name}Ids")
        if ids:
            items = [library.items[i] for i in ids if i in library.items]
        elif parent_id is not None:
            items = library.children.get(parent_id, [])
        else:
            items = list(library.items.values())
        return [child_json(state, item) for item in items]

    return [
        Route(f"{root}/{parent_name}", endpoint(state, lambda r, b: [parent_json(state, p) for p in library.parents.values()])),
        Route(f"{root}/{parent_name}/{{id}}", endpoint(state, lambda r, b: parent_json(state, parent_or_404(r)))),
        Route(f"{root}/{child_name}", endpoint(state, children)),
        Route(f"{root}/{child_name}/{{id}}", endpoint(state, lambda r, b: child_json(state, item_or_404(r)))),
    ]  # fmt: skip
