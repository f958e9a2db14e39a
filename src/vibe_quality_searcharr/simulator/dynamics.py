"""What happens after a search command: indexer queries, grabs, the queue, imports.

Events are processed in simulated-time order whenever the state is read or the clock moves:
a queued command starts after `start_delay` (at most `max_running` at once), runs for
`seconds_per_query` per indexer query, and at its end asks each enabled indexer synced to the
app once per search unit (an episode, a movie, a season pack). A found release is grabbed
(history + queue) and imported `import_delay` later: the file appears at the profile's cutoff
quality and the item leaves the wanted lists.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from vibe_quality_searcharr.simulator.model import Command, HistoryEvent, Item, QueueEntry

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.indexers import Indexer
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = ["catch_up", "find_probability", "plan"]


@dataclass
class Unit:
    """One indexer query's worth of search: a single item or a pack of items."""

    items: list[Item]
    pack: bool
    term: str


def find_probability(age: timedelta, pack: bool) -> float:
    """Fresh releases are easy to find, old ones less so; packs are seeded longer."""
    days = age.total_seconds() / 86400
    base = 0.9 if days < 7 else 0.75 if days < 90 else 0.6 if days < 365 else 0.45
    if days > 5 * 365:
        base = 0.3
    return min(0.95, base + 0.15) if pack else base


def _wanted(state: SimState, item: Item, now: datetime) -> bool:
    library = state.library
    assert library is not None
    if item.grabbed or not library.monitored(item):
        return False
    return library.is_missing(item, now) or library.is_cutoff_unmet(item)


def _grouped(state: SimState, items: list[Item]) -> list[Unit]:
    """Sonarr searches a season with several wanted episodes as one season search."""
    if state.spec.family != "tv":
        return [Unit([item], False, item.title) for item in items]
    seasons: dict[tuple[int, int], list[Item]] = {}
    for item in items:
        seasons.setdefault((item.parent_id, item.season), []).append(item)
    return [
        Unit(group, len(group) > 1, f"series {key[0]} season {key[1]}")
        for key, group in seasons.items()
    ]


def plan(state: SimState, command: Command, now: datetime) -> list[Unit]:
    spec, library, body = state.spec, state.library, command.body
    if library is None or command.name not in spec.search_commands:
        return []
    if command.name == spec.item_search:
        ids = body.get(spec.item_ids_field) or []
        return [
            Unit([library.items[i]], False, library.items[i].title)
            for i in ids
            if i in library.items
        ]
    if command.name == "SeasonSearch":
        episodes = [
            item
            for item in library.children.get(int(body["seriesId"]), [])
            if item.season == int(body["seasonNumber"]) and item.monitored
        ]
        return [Unit(episodes, True, "season")] if episodes else []
    if command.name == spec.parent_search:
        children = [
            item
            for item in library.children.get(int(body[spec.parent_id_field]), [])
            if item.monitored
        ]
        if spec.family == "tv":
            return [Unit(unit.items, True, unit.term) for unit in _grouped(state, children)]
        return [Unit(children, True, "discography")] if children else []
    assert state.wanted is not None
    kind = "missing" if command.name == spec.missing_search else "cutoff"
    return _grouped(state, state.wanted.query(kind, True, "air", True, now))


def _start_due(state: SimState, now: datetime) -> datetime | None:
    """Start what may start; return when the next pending event is due, if any."""
    tuning = state.tuning
    running = [c for c in state.active.values() if c.status == "started"]
    next_due: datetime | None = None
    for command in state.active.values():
        if command.status != "queued":
            continue
        start_at = command.queued + timedelta(seconds=tuning.start_delay)
        if start_at <= now and len(running) < tuning.max_running:
            command.status, command.started, command.state_change = "started", start_at, start_at
            command.ends_at = _ends_at(state, command, start_at)
            running.append(command)
        elif start_at > now:
            next_due = start_at if next_due is None else min(next_due, start_at)
    return next_due


def _ends_at(state: SimState, command: Command, now: datetime) -> datetime:
    assert command.started is not None
    units = len(plan(state, command, now)) if command.name in state.spec.search_commands else 0
    indexers = max(1, len(state.pool.for_app(state.app_tags)))
    seconds = 1.0 + state.tuning.seconds_per_query * units * indexers
    return command.started + timedelta(seconds=min(seconds, 3600.0))


def _rss_due(state: SimState, now: datetime) -> datetime | None:
    interval = state.tuning.rss_interval
    if interval <= 0 or state.library is None:
        return None
    due = state.last_rss + timedelta(seconds=interval)
    return due if due <= now else None


def _rss(state: SimState, when: datetime) -> None:
    """The app's periodic RSS sync: one RSS query on every indexer that serves it."""
    state.last_rss = when
    for indexer in state.pool.for_app(state.app_tags):
        state.pool.rss(indexer, when, state.spec.key)


def catch_up(state: SimState, now: datetime) -> None:
    """Replay every event due up to `now`, earliest first, across all apps of the world."""
    world = state.world
    for _ in range(100_000):
        for member in world:
            _start_due(member, now)
        events: list[tuple[datetime, int, SimState, object]] = []
        for member in world:
            for command in member.active.values():
                if command.status == "started":
                    events.append((command.ends_at or now, 0, member, command))
            for entry in member.queue.values():
                events.append((entry.import_at, 1, member, entry))
            rss_at = _rss_due(member, now)
            if rss_at is not None:
                events.append((rss_at, 2, member, None))
        due = [event for event in events if event[0] <= now]
        if not due:
            return
        when, _, member, subject = min(due, key=lambda event: (event[0], event[1]))
        if isinstance(subject, Command):
            _finish(member, subject, when)
        elif isinstance(subject, QueueEntry):
            _import(member, subject, when)
        else:
            _rss(member, when)


def _finish(state: SimState, command: Command, when: datetime) -> None:
    spec = state.spec
    command.ended = command.state_change = when
    state.active.pop(command.id, None)
    if state.tuning.command_failure_rate and state.rng.random() < state.tuning.command_failure_rate:
        command.status, command.result = "failed", "unsuccessful"
        command.message = "Search failed"
        command.exception = "NzbDrone.Core.Indexers.Exceptions.IndexerException: Search failed"
        return
    units = plan(state, command, when)
    grabbed = sum(_search_unit(state, unit, when) for unit in units)
    searched = sum(len(unit.items) for unit in units)
    if state.library is not None and units:
        state.library.touch()
    command.status, command.result = "completed", "successful"
    if command.name == spec.item_search and spec.family == "tv":
        command.message = f"Episode search completed. {grabbed} reports downloaded."
    elif command.name == "SeasonSearch":
        command.message = f"Season search completed. {grabbed} reports downloaded."
    elif command.name == spec.parent_search and spec.family == "tv":
        command.message = f"Series search completed. {grabbed} reports downloaded."
    elif command.name in spec.search_commands:
        command.message = (
            f"Completed search for {searched} {spec.noun}. {grabbed} reports downloaded."
        )
    else:
        command.message = "Completed"


def _search_unit(state: SimState, unit: Unit, when: datetime) -> int:
    """One query on each indexer serving the app; the first that finds gets the grab."""
    targets = [item for item in unit.items if _wanted(state, item, when)]
    library = state.library
    assert library is not None
    for item in unit.items:
        item.last_search = when
        library.forget(item.id)
        state.stats.searches_per_item[item.id] += 1
    for indexer in state.pool.for_app(state.app_tags):
        if not state.pool.query(indexer, when, state.spec.key, unit.term):
            continue
        if not targets:
            continue
        oldest = min((item.air or when) for item in targets)
        chance = state.tuning.find_probability
        if chance is None:
            chance = find_probability(when - oldest, unit.pack)
        if state.rng.random() < chance and state.pool.grab(indexer, when):
            _grab(state, targets, indexer, when, unit.pack)
            return 1
    return 0


def _grab(state: SimState, items: list[Item], indexer: Indexer, when: datetime, pack: bool) -> None:
    library = state.library
    assert library is not None
    download_id = secrets.token_hex(20).upper()
    for item in items:
        profile = library.profile_of(item)
        quality = profile.cutoff if profile.upgrade_allowed else profile.allowed[-1]
        parent = library.parents.get(item.parent_id)
        base = parent.title if parent else item.title
        title = f"{base}.S{item.season:02d}{'' if pack else f'E{item.number:02d}'}.1080p-SIM"
        item.grabbed = True
        library.forget(item.id)
        state.history.append(
            HistoryEvent(
                id=len(state.history) + 1, item_id=item.id, parent_id=item.parent_id,
                event="grabbed", date=when, download_id=download_id, source_title=title,
                quality_id=quality,
                data={"indexer": indexer.name, "releaseGroup": "SIM", "downloadClient": "SABnzbd",
                      "protocol": "2" if indexer.protocol == "torrent" else "1"},
            )
        )  # fmt: skip
        entry = QueueEntry(
            id=state.next_queue_id, item_id=item.id, parent_id=item.parent_id, season=item.season,
            download_id=download_id, title=title, quality_id=quality, size=1_500_000_000,
            added=when, import_at=when + timedelta(seconds=state.tuning.import_delay),
            indexer=indexer.name, protocol=indexer.protocol,
        )  # fmt: skip
        state.next_queue_id += 1
        state.queue[entry.id] = entry
        state.stats.grabs += 1


def _import(state: SimState, entry: QueueEntry, when: datetime) -> None:
    library = state.library
    assert library is not None
    del state.queue[entry.id]
    item = library.items[entry.item_id]
    item.grabbed = False
    library.files.pop(item.file_id, None)
    profile = library.profile_of(item)
    library.add_file(item, entry.quality_id, profile.cutoff_format_score, when, "SIM")
    state.history.append(
        HistoryEvent(
            id=len(state.history) + 1, item_id=item.id, parent_id=item.parent_id,
            event=state.spec.imported_event, date=when, download_id=entry.download_id,
            source_title=entry.title, quality_id=entry.quality_id,
            data={"droppedPath": f"/downloads/{entry.title}", "importedPath": f"/media/{entry.title}"},
        )
    )  # fmt: skip
    state.stats.imports += 1
