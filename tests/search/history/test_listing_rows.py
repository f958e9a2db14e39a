"""The history listing reads plain columns instead of whole ORM rows (`history_page_rows`): it
must give exactly the rows, values and order the full objects gave (`history_rows` over
`select(SearchCommand)`, newest first, id breaking ties), for every filter and page, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.history.listing import HistoryFilter
from vibe_quality_searcharr.search.history.schemas import HistoryPage
from vibe_quality_searcharr.search.history.views import history_page_rows, history_rows
from vibe_quality_searcharr.search.models import SearchCommand, SearchCommandItem, SearchQueue

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STATUSES = ("completed", "failed", "sent", "intent")


def _seed(context: AppContext) -> tuple[int, int]:
    """60 commands over two instances, with equal times (ties), none to three items each,
    messages and *arr fields on some; returns (instance id, queue id)."""
    with context.database.session_scope() as session:
        first = make_instance(session, context, name="Sonarr").id
        second = make_instance(session, context, name="Radarr", app="radarr").id
        queue = SearchQueue(
            name="Missing", instance_id=first, strategy="missing", order="oldest",
            schedule={"kind": "interval", "minutes": 60},
        )  # fmt: skip
        session.add(queue)
        session.flush()
        for n in range(60):
            instance = first if n % 3 else second
            command = SearchCommand(
                instance_id=instance,
                instance_name="Sonarr" if instance == first else "Radarr",
                queue_id=queue.id if n % 4 else None,
                queue_name="Missing",
                strategy="missing" if n % 5 else "cutoff_unmet",
                kind="EpisodeSearch",
                item_ids=[n, n + 1000],
                label=f"Command {n}",
                reason=f"reason {n % 7}",
                score=n * 3,
                status=STATUSES[n % 4],
                arr_command_id=n if n % 2 else None,
                arr_status="completed" if n % 2 else None,
                arr_result="successful" if n % 6 == 1 else None,
                message="a note <b>" if n % 9 == 0 else None,
                intent_at=NOW - timedelta(hours=n // 3),  # three commands share each time
                sent_at=NOW if n % 2 else None,
                finished_at=NOW if n % 4 == 1 else None,
                grabbed=n % 2,
            )
            session.add(command)
            session.flush()
            for k in range(n % 4):
                session.add(
                    SearchCommandItem(
                        command_id=command.id, instance_id=instance, item_id=100 + n * 10 + k,
                        label=f"Item {n}.{k}", score=k, reason="r", grabbed=k == 1,
                    )
                )  # fmt: skip
        return first, queue.id


def _reference(session: Session, where: HistoryFilter, offset: int, limit: int) -> list[Any]:
    """The listing as it was read before: whole ORM commands, then `history_rows`."""
    query = select(SearchCommand)
    if where.instance_id is not None:
        query = query.where(SearchCommand.instance_id == where.instance_id)
    if where.queue_id is not None:
        query = query.where(SearchCommand.queue_id == where.queue_id)
    if where.strategy is not None:
        query = query.where(SearchCommand.strategy == where.strategy)
    if where.status is not None:
        query = query.where(SearchCommand.status == where.status)
    if where.since is not None:
        query = query.where(SearchCommand.intent_at >= where.since)
    if where.item_id is not None:
        query = query.where(
            SearchCommand.id.in_(
                select(SearchCommandItem.command_id).where(
                    SearchCommandItem.item_id == where.item_id
                )
            )
        )
    commands = session.scalars(
        query.order_by(SearchCommand.intent_at.desc(), SearchCommand.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [row.model_dump() for row in history_rows(session, commands)]


def test_plain_rows_equal_the_full_rows_for_every_filter_and_page(context: AppContext) -> None:
    instance_id, queue_id = _seed(context)
    filters = [
        HistoryFilter(),
        HistoryFilter(instance_id=instance_id),
        HistoryFilter(queue_id=queue_id, strategy="missing"),
        HistoryFilter(status="failed"),
        HistoryFilter(item_id=100 + 7 * 10 + 1),
        HistoryFilter(since=datetime(2026, 3, 10, tzinfo=UTC)),
        HistoryFilter(instance_id=instance_id + 99),  # nothing matches
    ]
    with context.database.session_scope() as session:
        for where in filters:
            for offset, limit in ((0, 50), (0, 7), (7, 7), (45, 50), (200, 50)):
                rows, total = history_page_rows(session, where, offset, limit)
                expected = _reference(session, where, offset, limit)
                assert [row.model_dump() for row in rows] == expected, (where, offset)
                assert total == len(_reference(session, where, 0, 1000))
        everything, total = history_page_rows(session, HistoryFilter(), 0, 50)
    assert total == 60
    assert [row.label for row in everything[:3]] == ["Command 2", "Command 1", "Command 0"]
    assert [item.label for item in everything[0].items] == ["Item 2.0", "Item 2.1"]
    assert everything[0].intent_at == NOW  # an aware UTC time, as the full rows give
    assert everything[0].items[1].grabbed is True


def test_the_api_page_serialises_the_plain_rows_like_the_full_ones(
    context: AppContext,
) -> None:
    _seed(context)
    with context.database.session_scope() as session:
        rows, total = history_page_rows(session, HistoryFilter(), 0, 20)
        plain = HistoryPage.model_construct(items=rows, total=total, page=1, page_size=20)
        full = HistoryPage(
            items=history_rows(
                session,
                session.scalars(
                    select(SearchCommand)
                    .order_by(SearchCommand.intent_at.desc(), SearchCommand.id.desc())
                    .limit(20)
                ).all(),
            ),
            total=60,
            page=1,
            page_size=20,
        )
    assert plain.model_dump_json() == full.model_dump_json()
