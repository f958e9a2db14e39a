"""The history API: one row per command, filters, CSV export (injection-safe), the per-item
record, manual search, validation and read-only access for viewers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import update

from tests.conftest import SignedInClient
from tests.search.harness import Setup, setup_search
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.history.export import safe_cell
from vibe_quality_searcharr.search.history.service import manual_search
from vibe_quality_searcharr.simulator.testing import RunningSimulator

EVIL = '=HYPERLINK("http://evil","x")'


def _searched(
    context: AppContext, sim: RunningSimulator, app: FastAPI
) -> tuple[Setup, int, list[int]]:
    setup = setup_search(
        context,
        sim,
        batch_size=3,
        options={"season_packs": {"enabled": False}, "ids_per_command": 1},
    )
    app.state.clock = sim.clock.now
    preview = setup.preview()
    first = preview.commands[0].ids[0]
    with context.database.session_scope() as session:
        session.execute(update(LibraryItem).where(LibraryItem.arr_id == first).values(title=EVIL))
    run_id, _ = setup.run()
    return setup, run_id, [c.ids[0] for c in preview.commands]


def test_history_rows_filters_and_item_record(
    app: FastAPI,
    context: AppContext,
    viewer_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("sonarr", size=40)
    setup, _run_id, ids = _searched(context, sim, app)
    page = viewer_client.get("/api/v1/history").json()
    assert page["total"] == 3
    rows = page["items"]
    assert [row["items"][0]["item_id"] for row in rows] == list(reversed(ids))  # newest first
    assert all(row["status"] == "completed" and row["arr_result"] for row in rows)
    assert rows[-1]["items"][0]["label"].endswith(EVIL)
    one = viewer_client.get(f"/api/v1/history?item_id={ids[1]}&instance_id={setup.instance_id}")
    assert [row["items"][0]["item_id"] for row in one.json()["items"]] == [ids[1]]
    assert (
        viewer_client.get(f"/api/v1/history?queue_id={setup.queue_id}&strategy=missing").json()[
            "total"
        ]
        == 3
    )
    assert viewer_client.get("/api/v1/history?strategy=recent").json()["total"] == 0
    assert viewer_client.get("/api/v1/history?status=failed").json()["total"] == 0
    today = sim.clock.now().date()
    assert viewer_client.get(f"/api/v1/history?since={today}&until={today}").json()["total"] == 3
    later = today + timedelta(days=1)
    assert viewer_client.get(f"/api/v1/history?since={later}").json()["total"] == 0
    assert viewer_client.get(f"/api/v1/history?since={later}&until={today}").status_code == 422
    assert viewer_client.get("/api/v1/history?status=nope").status_code == 422
    assert viewer_client.get("/api/v1/history?since=yesterday").status_code == 422

    item = viewer_client.get(f"/api/v1/history/items/{setup.instance_id}/{ids[1]}").json()
    assert item["attempts"] == 1
    assert item["last_searched_at"] is not None
    assert item["cooldown_until"] is not None
    assert [c["id"] for c in item["commands"]] == [rows[1]["id"]]
    assert viewer_client.get(f"/api/v1/history/items/{setup.instance_id}/424242").status_code == 404
    assert viewer_client.get("/api/v1/history/items/999/1").status_code == 404


def test_csv_export_is_injection_safe(
    app: FastAPI,
    context: AppContext,
    viewer_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    sim = simulator_factory("radarr", size=40)
    setup, _run, ids = _searched(context, sim, app)
    answer = viewer_client.get(f"/api/v1/history/export.csv?instance_id={setup.instance_id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    assert table[0][0] == "id"
    assert len(table) == 1 + 3
    labels = [row[table[0].index("items")] for row in table[1:]]
    assert f"'{EVIL} ({_year(context, ids[0])})" in labels or any(
        label.startswith("'=") for label in labels
    )
    for row in table[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def _year(context: AppContext, arr_id: int) -> int | None:
    with context.database.session_scope() as session:
        row = session.query(LibraryItem).filter(LibraryItem.arr_id == arr_id).first()
        return row.year if row else None


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-2") == "'-2"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("plain") == "plain"
    assert safe_cell(None) == ""


def test_manual_search_restarts_the_backoff(
    app: FastAPI, context: AppContext, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("sonarr", size=30)
    setup, _run, ids = _searched(context, sim, app)
    with context.database.session_scope() as session:
        from vibe_quality_searcharr.search.models import SearchItemState

        row = session.get(SearchItemState, (setup.instance_id, ids[0]))
        assert row is not None
        row.fruitless = 3
    with context.database.session_scope() as session:
        state = manual_search(session, setup.instance_id, ids[0], at=sim.clock.now())
    assert state.attempts == 2
    assert state.fruitless == 0


def test_history_is_read_only(viewer_client: SignedInClient) -> None:
    assert viewer_client.post("/api/v1/history").status_code in (403, 405)
    assert viewer_client.delete("/api/v1/history").status_code in (403, 405)
    assert viewer_client.get("/api/v1/history?page=0").status_code == 422
