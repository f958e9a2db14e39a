"""Prowlarr's API: indexers with their limit fields, statistics, status, applications, history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.routing import Route

from vibe_quality_searcharr.simulator.families import SortSpec
from vibe_quality_searcharr.simulator.http import NotFound, endpoint
from vibe_quality_searcharr.simulator.indexers import Indexer
from vibe_quality_searcharr.simulator.paging import (
    BadRequest,
    envelope,
    page_slice,
    parse_page,
    resolve,
)
from vibe_quality_searcharr.simulator.render_common import compact, iso
from vibe_quality_searcharr.simulator.routes_arr import common_routes, path_id

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import LinkedApp, SimState

__all__ = ["prowlarr_routes"]

_HISTORY_SORT = SortSpec({"date": "date"}, {"date": "date"}, "date", False)


def _field(order: int, name: str, value: Any, **extra: Any) -> dict[str, Any]:
    return compact({"order": order, "name": name, "value": value, "advanced": False, **extra})


def indexer_json(indexer: Indexer) -> dict[str, Any]:
    return compact(
        {
            "id": indexer.id,
            "name": indexer.name,
            "fields": [
                _field(
                    0, "baseUrl", f"https://{indexer.name.lower()}.example.invalid", type="textbox"
                ),
                _field(1, "apiKey", "********", type="textbox", privacy="apiKey"),
                _field(2, "baseSettings.queryLimit", indexer.query_limit, type="number"),
                _field(3, "baseSettings.grabLimit", indexer.grab_limit, type="number"),
                _field(4, "baseSettings.limitsUnit", indexer.limits_unit, type="select"),
            ],
            "implementationName": "Newznab" if indexer.protocol == "usenet" else "Cardigann",
            "implementation": "Newznab" if indexer.protocol == "usenet" else "Cardigann",
            "configContract": "NewznabSettings"
            if indexer.protocol == "usenet"
            else "CardigannSettings",
            "tags": indexer.tags,
            "enable": indexer.enable,
            "redirect": False,
            "supportsRss": True,
            "supportsSearch": True,
            "supportsRedirect": False,
            "supportsPagination": False,
            "appProfileId": 1,
            "protocol": indexer.protocol,
            "privacy": indexer.privacy,
            "priority": indexer.priority,
            "downloadClientId": 0,
            "added": iso(indexer.added),
            "sortName": indexer.name.lower(),
        }
    )


def application_json(app: LinkedApp) -> dict[str, Any]:
    implementation = {"whisparr-v3": "Whisparr"}.get(app.app, app.app.capitalize())
    return {
        "id": app.id,
        "name": app.name,
        "fields": [
            _field(0, "prowlarrUrl", "http://127.0.0.1:9696"),
            _field(1, "baseUrl", app.base_url),
            _field(2, "apiKey", "********", privacy="apiKey"),
            _field(3, "syncCategories", [5000, 5030, 5040]),
        ],
        "implementationName": implementation,
        "implementation": implementation,
        "configContract": f"{implementation}Settings",
        "tags": app.tags,
        "syncLevel": "fullSync",
    }


def _parse_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"The value '{raw}' is not valid.") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def prowlarr_routes(state: SimState) -> list[Route]:
    root = state.spec.api_root
    pool = state.pool

    def one_indexer(request: Request, _: Any) -> Any:
        indexer = pool.get(path_id(request))
        if indexer is None:
            raise NotFound("indexer")
        return indexer_json(indexer)

    def stats(request: Request, _: Any) -> Any:
        start = _parse_date(request.query_params.get("startDate"))
        end = _parse_date(request.query_params.get("endDate"))
        rows = []
        for indexer in pool.indexers:
            records = [
                r for r in pool.log
                if r.indexer_id == indexer.id and (start is None or r.date >= start)
                and (end is None or r.date <= end)
            ]  # fmt: skip
            queries = sum(1 for r in records if r.kind == "indexerQuery")
            rss = sum(1 for r in records if r.kind == "indexerRss")
            grabs = sum(1 for r in records if r.kind == "releaseGrabbed")
            rows.append({
                "indexerId": indexer.id, "indexerName": indexer.name, "averageResponseTime": 350,
                "averageGrabResponseTime": 200, "numberOfQueries": queries, "numberOfGrabs": grabs,
                "numberOfRssQueries": rss, "numberOfAuthQueries": 0,
                "numberOfFailedQueries": indexer.failed_queries, "numberOfFailedGrabs": 0,
                "numberOfFailedRssQueries": 0, "numberOfFailedAuthQueries": 0,
            })  # fmt: skip
        return {"id": 1, "indexers": rows, "userAgents": [], "hosts": []}

    def status(_: Request, __: Any) -> Any:
        return [
            compact(
                {
                    "id": indexer.id,
                    "indexerId": indexer.id,
                    "disabledTill": iso(indexer.disabled_till),
                    "mostRecentFailure": iso(indexer.most_recent_failure),
                    "initialFailure": iso(indexer.initial_failure),
                }
            )
            for indexer in pool.indexers
            if indexer.disabled_till is not None or indexer.most_recent_failure is not None
        ]

    def one_app(request: Request, _: Any) -> Any:
        app_id = path_id(request)
        for app in state.linked_apps:
            if app.id == app_id:
                return application_json(app)
        raise NotFound("application")

    def history(request: Request, _: Any) -> Any:
        page = parse_page(request.query_params)
        sort = resolve(_HISTORY_SORT, page)
        records = sorted(pool.log, key=lambda r: (r.date, r.id), reverse=not sort.ascending)
        rows = [
            {"id": r.id, "indexerId": r.indexer_id, "date": iso(r.date), "successful": r.successful,
             "eventType": r.kind, "data": {"source": r.app, "query": r.term}}
            for r in page_slice(page, records)
        ]  # fmt: skip
        return envelope(page, sort, len(records), rows)

    return [
        *common_routes(state),
        Route(f"{root}/indexer", endpoint(state, lambda r, b: [indexer_json(i) for i in pool.indexers])),
        Route(f"{root}/indexer/{{id}}", endpoint(state, one_indexer)),
        Route(f"{root}/indexerstats", endpoint(state, stats)),
        Route(f"{root}/indexerstatus", endpoint(state, status)),
        Route(f"{root}/applications", endpoint(state, lambda r, b: [application_json(a) for a in state.linked_apps])),
        Route(f"{root}/applications/{{id}}", endpoint(state, one_app)),
        Route(f"{root}/history", endpoint(state, history)),
    ]  # fmt: skip
