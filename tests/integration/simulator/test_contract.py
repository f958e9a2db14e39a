"""Every endpoint of every simulated app, in every version mode, against the official documents.

The documents are the contract. Where they are wrong about runtime, the deviation is spelled out
below (`RUNTIME_DEVIATIONS`) and applied to an in-memory copy, never silently.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30ReadValidator

from vibe_quality_searcharr.simulator.state import LinkedApp
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator

OPENAPI_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "arr-api" / "openapi"
REQUIRE_CONTRACT = os.environ.get("VQS_REQUIRE_CONTRACT") == "1"

MODES = [
    ("sonarr", None, "sonarr.json"),
    ("sonarr", "3.0.10.1567", "sonarr.json"),
    ("radarr", None, "radarr.json"),
    ("radarr", "5.4.6.8723", "radarr.json"),
    ("lidarr", None, "lidarr.json"),
    ("readarr", None, "readarr.json"),
    ("whisparr", None, "whisparr.json"),
    ("whisparr-v3", None, "whisparr-eros.json"),
    ("prowlarr", None, "prowlarr.json"),
]

# Runtime facts the documents get wrong (see ../shared/arr-api/README.md):
RUNTIME_DEVIATIONS = {
    "command-201": "POST /command answers 201 Created; the documents say 200.",
    "command-body": "A command's `body` carries its own fields (episodeIds, movieIds...); the "
    "documents describe only the base Command class and forbid extra fields.",
    "timespan": "TimeSpan values (duration, timeleft) are serialized as 'hh:mm:ss.fffffff' "
    "strings; some documents describe the .NET struct as an object.",
    "dateonly": "Whisparr v2 DateOnly values (releaseDate) are serialized as 'yyyy-MM-dd' strings.",
    "version-string": "System.Version values (databaseVersion, runtimeVersion) are serialized as "
    "'3.45.3' strings; the Readarr document describes the .NET class as an object.",
    "whisparr-v3-wanted": "Whisparr v3 serves wanted/missing and wanted/cutoff at runtime; its "
    "document omits them, so they are checked against a paging envelope of its MovieResource.",
    "sonarr-v3": "Sonarr v3 shares the v4 document, but its paging envelope adds `filters` and its "
    "queue, history and episode files carry a single `language` instead of `languages`.",
}


def _load(name: str) -> dict[str, Any]:
    path = OPENAPI_DIR / name
    if not path.is_file():
        if REQUIRE_CONTRACT:
            pytest.fail(f"VQS_REQUIRE_CONTRACT=1 but {path} is missing")
        pytest.skip(f"official OpenAPI documents not found at {OPENAPI_DIR}")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _patched(document: dict[str, Any], app: str, legacy: bool) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    schemas = doc["components"]["schemas"]
    schemas["Command"]["additionalProperties"] = True  # command-body
    if "TimeSpan" in schemas:  # timespan
        schemas["TimeSpan"] = {"type": "string", "nullable": True}
    if "Version" in schemas:  # version-string
        schemas["Version"] = {"type": "string", "nullable": True}
    if "DateOnly" in schemas:  # dateonly
        schemas["DateOnly"] = {"type": "string", "nullable": True}
    if app == "whisparr-v3":  # whisparr-v3-wanted
        schemas["MovieResourcePagingResource"] = copy.deepcopy(
            schemas["QueueResourcePagingResource"]
        )
        schemas["MovieResourcePagingResource"]["properties"]["records"]["items"] = {
            "$ref": "#/components/schemas/MovieResource"
        }
        for kind in ("missing", "cutoff"):
            doc["paths"][f"/api/v3/wanted/{kind}"] = {"get": {"responses": {"200": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/MovieResourcePagingResource"}}
            }}}}}  # fmt: skip
    if legacy:  # sonarr-v3
        for name in schemas:
            if name.endswith("PagingResource"):
                schemas[name]["properties"]["filters"] = {"type": "array"}
        for name in ("QueueResource", "HistoryResource", "EpisodeFileResource"):
            schemas[name]["properties"]["language"] = {"$ref": "#/components/schemas/Language"}
    return doc


def _schema(doc: dict[str, Any], method: str, template: str, status: int) -> dict[str, Any]:
    operation = doc["paths"][template][method]
    documented = (
        "200" if status == 201 and template.endswith("/command") else str(status)
    )  # command-201
    content = operation["responses"][documented]["content"]
    media = content.get("application/json") or next(iter(content.values()))
    return {**media["schema"], "components": doc["components"]}


def _mismatches(
    doc: dict[str, Any], method: str, template: str, status: int, body: Any
) -> list[str]:
    validator = OAS30ReadValidator(
        _schema(doc, method, template, status), format_checker=OAS30ReadValidator.FORMAT_CHECKER
    )
    return [
        f"{method.upper()} {template}: at /{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in validator.iter_errors(body)
    ]


def _nulls(body: Any, where: str = "") -> list[str]:
    if isinstance(body, dict):
        return [f"{where}/{k} is null" for k, v in body.items() if v is None] + [
            problem for k, v in body.items() for problem in _nulls(v, f"{where}/{k}")
        ]
    if isinstance(body, list):
        return [problem for i, v in enumerate(body) for problem in _nulls(v, f"{where}/{i}")]
    return []


def _calls(sim: RunningSimulator) -> Iterator[tuple[str, str, str, Any]]:
    """(method, documented path, concrete path with query, json body) for every endpoint."""
    state = sim.state
    root = state.spec.api_root
    family = state.spec.family
    yield "get", "/ping", "/ping", None
    yield "get", f"{root}/system/status", f"{root}/system/status", None
    yield "get", f"{root}/tag", f"{root}/tag", None
    yield "get", f"{root}/tag/{{id}}", f"{root}/tag/1", None
    yield "get", f"{root}/command", f"{root}/command", None
    yield "get", f"{root}/command/{{id}}", f"{root}/command/1", None
    if family == "indexer":
        yield "get", f"{root}/indexer", f"{root}/indexer", None
        yield "get", f"{root}/indexer/{{id}}", f"{root}/indexer/1", None
        yield (
            "get",
            f"{root}/indexerstats",
            f"{root}/indexerstats?startDate=2000-01-01T00:00:00Z",
            None,
        )
        yield "get", f"{root}/indexerstatus", f"{root}/indexerstatus", None
        yield "get", f"{root}/applications", f"{root}/applications", None
        yield "get", f"{root}/applications/{{id}}", f"{root}/applications/1", None
        yield "get", f"{root}/history", f"{root}/history?pageSize=50", None
        return
    library = state.library
    assert library is not None
    item_with_file = next(item for item in library.items.values() if item.file_id)
    parent_id = item_with_file.parent_id
    yield "get", f"{root}/diskspace", f"{root}/diskspace", None
    yield "get", f"{root}/qualityprofile", f"{root}/qualityprofile", None
    yield "get", f"{root}/qualityprofile/{{id}}", f"{root}/qualityprofile/1", None
    yield (
        "get",
        f"{root}/queue",
        f"{root}/queue?pageSize=100&includeSeries=true&includeEpisode=true&includeMovie=true&includeArtist=true&includeAlbum=true&includeAuthor=true&includeBook=true",
        None,
    )
    yield "get", f"{root}/queue/status", f"{root}/queue/status", None
    yield (
        "get",
        f"{root}/history",
        f"{root}/history?pageSize=100&includeSeries=true&includeEpisode=true&includeMovie=true&includeArtist=true&includeAlbum=true",
        None,
    )
    yield "get", f"{root}/history/since", f"{root}/history/since?date=2000-01-01T00:00:00Z", None
    if state.has_wanted:
        yield (
            "get",
            f"{root}/wanted/missing",
            f"{root}/wanted/missing?pageSize=50&includeSeries=true&includeArtist=true&includeAuthor=true",
            None,
        )
        yield (
            "get",
            f"{root}/wanted/missing",
            f"{root}/wanted/missing?monitored=false&sortKey=episodes.lastSearchTime",
            None,
        )
        yield (
            "get",
            f"{root}/wanted/cutoff",
            f"{root}/wanted/cutoff?pageSize=50&includeSeries=true&includeEpisodeFile=true",
            None,
        )
    if family == "tv":
        yield "get", f"{root}/series", f"{root}/series", None
        yield "get", f"{root}/series/{{id}}", f"{root}/series/{parent_id}", None
        yield "get", f"{root}/episode", f"{root}/episode?seriesId={parent_id}", None
        yield "get", f"{root}/episode/{{id}}", f"{root}/episode/{item_with_file.id}", None
        yield "get", f"{root}/episodefile", f"{root}/episodefile?seriesId={parent_id}", None
        yield (
            "get",
            f"{root}/episodefile/{{id}}",
            f"{root}/episodefile/{item_with_file.file_id}",
            None,
        )
    elif family == "movie":
        yield "get", f"{root}/movie", f"{root}/movie", None
        yield "get", f"{root}/movie/{{id}}", f"{root}/movie/{item_with_file.id}", None
        yield "get", f"{root}/moviefile", f"{root}/moviefile?movieId={item_with_file.id}", None
        yield "get", f"{root}/moviefile/{{id}}", f"{root}/moviefile/{item_with_file.file_id}", None
    else:
        parent, child = ("artist", "album") if family == "album" else ("author", "book")
        yield "get", f"{root}/{parent}", f"{root}/{parent}", None
        yield "get", f"{root}/{parent}/{{id}}", f"{root}/{parent}/{parent_id}", None
        yield "get", f"{root}/{child}", f"{root}/{child}?{parent}Id={parent_id}", None
        yield "get", f"{root}/{child}/{{id}}", f"{root}/{child}/{item_with_file.id}", None


def _prepare(sim: RunningSimulator, client: httpx.Client) -> None:
    """Give every list something to show: a search with grabs in the queue and in history."""
    state = sim.state
    if state.spec.family == "indexer":
        state.linked_apps = [LinkedApp(1, "Sonarr", "sonarr", "http://127.0.0.1:8989", "key", [2])]
        state.pool.indexers[0].disabled_till = state.now()
        state.pool.query(state.pool.indexers[0], state.now(), "sonarr", "term")
        client.post(f"{state.spec.api_root}/command", json={"name": "CheckHealth"})
        return
    client.post("/__sim/tuning", json={"findProbability": 1.0, "importDelay": 600})
    response = client.post(
        f"{state.spec.api_root}/command", json={"name": state.spec.missing_search}
    )
    assert response.status_code == 201, response.text
    sim.advance(120)
    first = next(iter(state.queue.values()))
    state.queue[first.id].import_at = state.now()
    sim.advance(1)


@pytest.mark.parametrize(
    ("app", "version", "document"), MODES, ids=[f"{a}-{v or 'default'}" for a, v, _ in MODES]
)
def test_every_endpoint_matches_the_official_document(
    app: str, version: str | None, document: str
) -> None:
    raw = _load(document)
    sim = start_simulator(app, size=25, version=version, seed=3)
    try:
        doc = _patched(raw, app, sim.state.legacy)
        problems: list[str] = []
        with httpx.Client(base_url=sim.base_url, headers=sim.headers, timeout=10) as client:
            _prepare(sim, client)
            posted = client.post(f"{sim.state.spec.api_root}/command", json={"name": "RssSync"})
            assert posted.status_code == 201, "the apps answer 201 Created to POST /command"
            problems += _mismatches(
                doc, "post", f"{sim.state.spec.api_root}/command", 201, posted.json()
            )
            for method, template, url, body in _calls(sim):
                response = client.request(method, url, json=body)
                if response.status_code != 200:
                    problems.append(f"{method.upper()} {url}: status {response.status_code}")
                    continue
                payload = response.json()
                problems += _mismatches(doc, method, template, 200, payload)
                problems += [f"{url}: {null}" for null in _nulls(payload)]
            if not sim.state.has_wanted:
                for kind in ("missing", "cutoff"):
                    gone = client.get(f"{sim.state.spec.api_root}/wanted/{kind}")
                    assert gone.status_code == 404, "Radarr before 5.6 has no wanted endpoints"
        assert not problems, "\n".join(problems[:60])
    finally:
        sim.stop()


def test_deviations_are_all_spelled_out() -> None:
    """Every patch applied to the documents has a written reason above."""
    assert set(RUNTIME_DEVIATIONS) == {
        "command-201", "command-body", "timespan", "dateonly", "version-string", "whisparr-v3-wanted", "sonarr-v3",
    }  # fmt: skip
