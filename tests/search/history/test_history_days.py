"""The history's "from" and "to" days are days of the configured time zone, the same on the page,
the API and the CSV export, including the days on which the clocks change; the API also takes
exact instants with an offset; numbers and other loose forms are refused with a 422."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import SignedInClient
from tests.instances.conftest import make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.settings_store import write_setting
from vibe_quality_searcharr.search.history.bounds import (
    BoundError,
    day_start,
    parse_bound,
    parse_day,
    resolve,
)
from vibe_quality_searcharr.search.models import SearchCommand
from vibe_quality_searcharr.web.time_zone import TIME_ZONE_SETTING

BERLIN = ZoneInfo("Europe/Berlin")
SPRING = date(2026, 3, 29)  # clocks go forward at 02:00 CET: a 23-hour day
AUTUMN = date(2026, 10, 25)  # clocks go back at 03:00 CEST: a 25-hour day


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# label -> intent_at (UTC). "in-" rows are on the Berlin day, "out-" rows just outside it; the
# UTC day of the same date would take the wrong ones on both edges.
SPRING_ROWS = {
    "out-spring-before": _utc("2026-03-28T22:59:59"),  # 28 March 23:59:59 CET
    "in-spring-first": _utc("2026-03-28T23:00:00"),  # 29 March 00:00 CET
    "in-spring-last": _utc("2026-03-29T21:59:59"),  # 29 March 23:59:59 CEST
    "out-spring-after": _utc("2026-03-29T22:00:00"),  # 30 March 00:00 CEST
}
AUTUMN_ROWS = {
    "out-autumn-before": _utc("2026-10-24T21:59:59"),  # 24 October 23:59:59 CEST
    "in-autumn-first": _utc("2026-10-24T22:00:00"),  # 25 October 00:00 CEST
    "in-autumn-repeated": _utc("2026-10-25T01:30:00"),  # 02:30 CET, the second 02:30
    "in-autumn-last": _utc("2026-10-25T22:59:59"),  # 25 October 23:59:59 CET
    "out-autumn-after": _utc("2026-10-25T23:00:00"),  # 26 October 00:00 CET
}


def test_a_day_is_local_midnight_to_local_midnight_23_or_25_hours_across_dst() -> None:
    spring = resolve(SPRING, SPRING, BERLIN)
    assert (spring.since, spring.before) == (_utc("2026-03-28T23:00"), _utc("2026-03-29T22:00"))
    assert spring.before - spring.since == timedelta(hours=23)  # type: ignore[operator]
    autumn = resolve(AUTUMN, AUTUMN, BERLIN)
    assert autumn.before - autumn.since == timedelta(hours=25)  # type: ignore[operator]
    # A midnight the clocks skip (Santiago springs forward at 24:00): the day begins at 01:00.
    santiago = ZoneInfo("America/Santiago")
    start = day_start(date(2026, 9, 6), santiago)
    assert start.astimezone(santiago).hour == 1
    assert start == _utc("2026-09-06T04:00")


def test_only_a_plain_day_or_an_instant_with_an_offset_is_read() -> None:
    assert parse_bound("2026-03-29") == SPRING
    assert parse_bound("2026-03-29T01:30:00+01:00") == _utc("2026-03-29T00:30")
    assert parse_bound("2026-03-29T00:30Z") == _utc("2026-03-29T00:30")
    assert parse_bound("2026-03-29t00:30:00.25z") == _utc("2026-03-29T00:30:00.25")
    for loose in ("3.97e-271", "1774742400", "20260329", "2026-W13-7", "2026-03-29T00:30", "now"):
        with pytest.raises(BoundError):
            parse_bound(loose)
    with pytest.raises(BoundError, match="%2B"):
        parse_bound("2026-03-29T00:30:00 01:00")  # an unencoded + in a URL
    with pytest.raises(BoundError, match="offset"):
        parse_bound("2026-03-29T00:30:00")
    with pytest.raises(BoundError, match="real date"):
        parse_day("2026-02-30")
    with pytest.raises(BoundError):
        parse_day("٢٠٢٦-٠٣-٢٩")  # Arabic-Indic digits are digits to `\d`, not to a date field
    with pytest.raises(BoundError, match="after"):
        resolve(date(2026, 3, 30), SPRING, BERLIN)
    # "until" an instant includes that instant, nothing after it.
    one = _utc("2026-03-29T00:30")
    assert resolve(one, one, BERLIN).before == one + timedelta(microseconds=1)
    assert resolve(None, date.max, BERLIN).before is None
    with pytest.raises(BoundError, match="out of range"):
        resolve(date.min, None, BERLIN)


def _seed(context: AppContext) -> dict[int, str]:
    """The rows of both DST days in Berlin's zone; returns id -> label."""
    with context.database.session_scope() as session:
        write_setting(session, TIME_ZONE_SETTING, "Europe/Berlin")
        instance = make_instance(session, context)
        commands = [
            SearchCommand(
                instance_id=instance.id,
                instance_name=instance.name,
                strategy="missing",
                kind="EpisodeSearch",
                item_ids=[1],
                label=label,
                status="completed",
                intent_at=at,
            )
            for label, at in {**SPRING_ROWS, **AUTUMN_ROWS}.items()
        ]
        session.add_all(commands)
        session.flush()
        return {command.id: command.label for command in commands}


def _api(client: SignedInClient, labels: dict[int, str], query: str) -> set[str]:
    answer = client.get(f"/api/v1/history?{query}&page_size=200")
    assert answer.status_code == 200, answer.text
    return {labels[row["id"]] for row in answer.json()["items"]}


def _csv(client: SignedInClient, labels: dict[int, str], query: str) -> set[str]:
    answer = client.get(f"/api/v1/history/export.csv?{query}")
    assert answer.status_code == 200, answer.text
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    return {labels[int(row[0])] for row in table[1:]}


def _page(client: SignedInClient, mode: Mode, query: str) -> set[str]:
    text = mode.page(mode.get(client, f"/history?{query}"))
    return set(re.findall(r"<li>((?:in|out)-[a-z-]+)</li>", text))


@pytest.mark.parametrize("mode", [Mode(htmx=False), Mode(htmx=True)], ids=["page", "htmx"])
def test_page_api_and_csv_list_the_same_rows_of_a_dst_day(
    context: AppContext, viewer_client: SignedInClient, mode: Mode
) -> None:
    labels = _seed(context)
    for day, rows in ((SPRING, SPRING_ROWS), (AUTUMN, AUTUMN_ROWS)):
        query = f"since={day}&until={day}"
        expected = {label for label in rows if label.startswith("in-")}
        assert _api(viewer_client, labels, query) == expected
        assert _csv(viewer_client, labels, query) == expected
        assert _page(viewer_client, mode, query) == expected
    # The page's CSV link carries the same days, so it exports what the page lists.
    page = mode.page(mode.get(viewer_client, f"/history?since={SPRING}&until={SPRING}"))
    assert f"/api/v1/history/export.csv?since={SPRING}&amp;until={SPRING}" in page
    # Only a first day: from its local midnight on.
    later = {label for label in labels.values() if label.startswith("in-autumn")} | {
        "out-autumn-after"
    }
    assert _api(viewer_client, labels, f"since={AUTUMN}") == later
    assert _page(viewer_client, mode, f"since={AUTUMN}") == later


def test_the_page_names_the_zone_of_its_days(
    context: AppContext, viewer_client: SignedInClient
) -> None:
    _seed(context)
    page = Mode(htmx=False).page(viewer_client.get("/history", headers={"Accept": "text/html"}))
    assert "(UTC)" not in page
    assert "First day, in Europe/Berlin" in page
    assert "Last day, included, in Europe/Berlin" in page


def test_the_api_takes_exact_instants_with_an_offset(
    context: AppContext, viewer_client: SignedInClient
) -> None:
    labels = _seed(context)
    # 00:00 CET to 23:59:59 CEST written with their own offsets: exactly the two inner rows.
    since, until = "2026-03-29T00:00:00%2B01:00", "2026-03-29T23:59:59%2B02:00"
    assert _api(viewer_client, labels, f"since={since}&until={until}") == {
        "in-spring-first",
        "in-spring-last",
    }
    # An instant is exact in both directions: "until" that second includes it.
    at = "2026-03-28T22:59:59Z"
    assert _api(viewer_client, labels, f"since={at}&until={at}") == {"out-spring-before"}
    assert _csv(viewer_client, labels, f"since={at}&until={at}") == {"out-spring-before"}
    # A day and an instant together.
    assert _api(viewer_client, labels, f"since={AUTUMN}&until=2026-10-25T01:30:00Z") == {
        "in-autumn-first",
        "in-autumn-repeated",
    }


REFUSED = [
    ("since=3.97e-271", "since"),
    ("since=1774742400", "since"),
    ("until=1774742400.5", "until"),
    ("until=20260329", "until"),
    ("since=2026-03-29T00:30:00", "since"),
    ("since=2026-03-29T00:30:00+01:00", "since"),  # the + decoded as a space
    ("since=2026-02-30", "since"),
    ("since=2026-03-30&until=2026-03-29", "since"),
]


def test_numbers_and_loose_dates_are_refused_with_a_422(
    context: AppContext, viewer_client: SignedInClient
) -> None:
    _seed(context)
    with context.database.session_scope() as session:
        before = session.scalar(select(func.count(SearchCommand.id)))
    for query, field in REFUSED:
        for url in (f"/api/v1/history?{query}", f"/api/v1/history/export.csv?{query}"):
            answer = viewer_client.get(url)
            assert answer.status_code == 422, (url, answer.text)
            body = answer.json()
            assert body["error"] == "validation"
            assert field in body["fields"], body
            assert "items" not in body
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count(SearchCommand.id))) == before


def test_the_page_refuses_numbers_in_its_day_fields(
    context: AppContext, viewer_client: SignedInClient
) -> None:
    _seed(context)
    mode = Mode(htmx=False)
    for raw in ("1774742400", "3.97e-271", "20260329", "2026-W13-7"):
        page = mode.page(mode.get(viewer_client, f"/history?until={raw}"), 422)
        assert 'id="until-error"' in page
        assert "Enter a date as YYYY-MM-DD" in page
        assert "in-spring-first" not in page  # no rows listed for a filter it could not read


def test_openapi_says_which_zone_a_plain_day_means(viewer_client: SignedInClient) -> None:
    schema = viewer_client.get("/api/openapi.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/history"]["get"]["parameters"]}
    for name in ("since", "until"):
        text = parameters[name]["description"]
        assert "Settings > General" in text
        assert "offset" in text
        assert "Numbers" in text
    export = schema["paths"]["/api/v1/history/export.csv"]["get"]["parameters"]
    assert "Settings > General" in next(p for p in export if p["name"] == "since")["description"]
