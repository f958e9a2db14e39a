"""Opens the database: SQLCipher-encrypted SQLite by default, PostgreSQL when configured.

SQLCipher is given the raw 256-bit key (`x'<hex>'`), which skips its PBKDF2 run of 256,000
iterations on every connection open; the pool keeps connections open, so the key is applied once
per connection, never per query.

PostgreSQL waits for a lock without end by default: one session left in a transaction (a psql
prompt, a stuck maintenance job) would hold every request that needs its rows. So each pooled
connection starts with `lock_timeout` (`POSTGRES_LOCK_TIMEOUT_MS`, the SQLite busy timeout's
counterpart: the same 10 s, then the same 503 "database busy") and a generous `statement_timeout`
(`POSTGRES_STATEMENT_TIMEOUT_MS`: a runaway query, never a normal one). Work that may rightly
wait or run long lifts them for its own transaction (`SET LOCAL`): migrations do. Options in the
URL's own `options` parameter come after these, so an operator's values win.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from vibe_quality_searcharr.db.engine_events import (
    install_failure_hooks,
    install_file_guard,
    transaction_wrote,
)
from vibe_quality_searcharr.db.errors import DatabaseCorrupt, DatabaseMissing, DatabaseUnavailable
from vibe_quality_searcharr.db.failure_memory import FailureMemory
from vibe_quality_searcharr.db.failures import (
    DatabaseFailure,
    FailureKind,
    classify,
    technical_detail,
)
from vibe_quality_searcharr.db.file_guard import (
    missing_error,
    refuse_missing_database,
    runtime_uri,
    unreadable_file_error,
)
from vibe_quality_searcharr.db.stamp import DataStamp
from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets
from vibe_quality_searcharr.settings import Settings

__all__ = [
    "POSTGRES_LOCK_TIMEOUT_MS",
    "POSTGRES_STATEMENT_TIMEOUT_MS",
    "Database",
    "open_configured",
    "open_postgres",
    "open_sqlcipher",
    "postgres_options",
    "sqlcipher_connect",
]

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_LOCK_TIMEOUT_MS = SQLITE_BUSY_TIMEOUT_MS
POSTGRES_STATEMENT_TIMEOUT_MS = 5 * 60 * 1000
READ_ONLY_OPTION = "vqs_read_only"
_CONNECTION_KEY = "vqs_connection"


def sqlcipher_connect(
    path: Path,
    key_hex: str,
    *,
    create: bool = True,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> Any:
    """Open one SQLCipher connection with the key applied first, then check that it decrypts.
    Without `create`, a missing file is `DatabaseMissing` instead of a new empty database."""
    try:
        connection = sqlcipher3.dbapi2.connect(
            str(path) if create else runtime_uri(path),
            check_same_thread=False,
            isolation_level=None,
            timeout=busy_timeout_ms / 1000,
            uri=not create,
        )
    except sqlcipher3.dbapi2.OperationalError as exc:
        if not create and not path.exists():
            raise missing_error() from None
        raise DatabaseUnavailable(f"cannot open {path}: {exc}; check the data directory") from None
    connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is reported below, once
    connection.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.dbapi2.DatabaseError:
        error = unreadable_file_error(path, connection)
        connection.close()
        raise error from None
    for pragma in (
        "PRAGMA journal_mode = WAL",
        f"PRAGMA busy_timeout = {busy_timeout_ms}",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    ):
        connection.execute(pragma)
    return connection


def _keep_connection(session: Session, _transaction: Any, connection: Any) -> None:
    session.info[_CONNECTION_KEY] = connection


def _restrict_file_modes(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            candidate.chmod(0o600)


@dataclass
class Database:
    """One engine and its session factory; the application and the jobs share it."""

    engine: Engine
    sqlite_path: Path | None = None
    # The last availability failure met on this engine, for readiness (`failure_memory`).
    failures: FailureMemory = field(default_factory=FailureMemory)
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
    # SQLite: a connection of its own, outside the pool and its page caches (integrity checks).
    fresh_connection: Callable[[], Any] | None = None
    # SQLite only: what moves on every commit, for the caches (`db.stamp`).
    stamp: DataStamp | None = None
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "after_begin", _keep_connection)

    @property
    def backend(self) -> str:
        return "sqlite" if self.sqlite_path is not None else "postgresql"

    @contextlib.contextmanager
    def session_scope(self, *, read_only: bool = False) -> Iterator[Session]:
        """The unit of work of a job: commit when the block ends well, roll back otherwise.
        `read_only` lets SQLite readers run beside a writer instead of queueing for its lock.
        A commit that wrote something proves the database writable again: it clears a
        remembered disk-full or busy failure."""
        session = self.sessions()
        if read_only and self.sqlite_path is not None:
            session.connection(execution_options={READ_ONLY_OPTION: True})
        try:
            yield session
            session.flush()
            connection = session.info.get(_CONNECTION_KEY)  # gone if the block rolled back
            wrote = (
                connection is not None and not connection.closed and transaction_wrote(connection)
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if wrote:
            self.failures.clear_after_write()

    def ping(self) -> None:
        if self.sqlite_path is not None and not self.sqlite_path.exists():
            self.failures.record(
                DatabaseFailure.of(FailureKind.MISSING), f"{self.sqlite_path} does not exist"
            )
            raise missing_error()
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def data_stamp(self) -> int | None:
        """The commit counter (`db.stamp`); None on PostgreSQL: then nothing is cached."""
        return self.stamp.current() if self.stamp is not None else None

    def dispose(self) -> None:
        if self.stamp is not None:
            self.stamp.close()
        self.engine.dispose()


def open_sqlcipher(
    path: Path,
    key_hex: str,
    *,
    pool_size: int = 8,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> Database:
    """Open (creating it if there is none yet) the SQLCipher file; connections opened later
    never create it (see `file_guard`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        sqlcipher_connect(path, key_hex, busy_timeout_ms=busy_timeout_ms).close()
    memory = FailureMemory()

    def connect() -> Any:
        try:
            return sqlcipher_connect(path, key_hex, create=False, busy_timeout_ms=busy_timeout_ms)
        except (DatabaseMissing, DatabaseCorrupt) as exc:  # a wrong key is no runtime failure
            failure = classify(exc)
            if failure is not None:
                memory.record(failure, technical_detail(exc))
            raise

    engine = create_engine(
        f"sqlite:///{path}",
        creator=connect,
        # The DB-API module whose exceptions SQLAlchemy wraps: without it a sqlcipher3
        # IntegrityError escapes as a raw driver error instead of sqlalchemy.exc.IntegrityError.
        module=sqlcipher3.dbapi2,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=30,
    )

    # pysqlite's implicit transactions skip DDL and SAVEPOINT; begin explicitly instead. A unit
    # of work that may write begins IMMEDIATE: it takes the write lock up front and waits for it
    # (busy_timeout), where a deferred transaction that reads first and writes later fails at
    # once with "database is locked" when another writer got in between.
    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    install_failure_hooks(engine, memory)
    install_file_guard(engine, path, memory)
    database = Database(
        engine=engine,
        sqlite_path=path,
        failures=memory,
        busy_timeout_ms=busy_timeout_ms,
        fresh_connection=lambda: sqlcipher_connect(
            path, key_hex, create=False, busy_timeout_ms=busy_timeout_ms
        ),
        stamp=DataStamp(
            lambda: sqlcipher_connect(path, key_hex, create=False, busy_timeout_ms=busy_timeout_ms)
        ),
    )
    with engine.connect():  # checks the key now rather than on first request
        pass
    _restrict_file_modes(path)
    return database


def postgres_options(
    url: str,
    *,
    schema: str | None = None,
    lock_timeout_ms: int = POSTGRES_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int = POSTGRES_STATEMENT_TIMEOUT_MS,
) -> str:
    """The libpq `options` of every pooled connection (see the module doc); the URL's own
    `options` come last, so they override these."""
    parts = [f"-c lock_timeout={lock_timeout_ms}", f"-c statement_timeout={statement_timeout_ms}"]
    if schema is not None:
        parts.append(f"-csearch_path={schema}")
    own = make_url(url).query.get("options")
    parts.extend([own] if isinstance(own, str) else list(own or ()))
    return " ".join(parts)


def open_postgres(
    url: str,
    *,
    pool_size: int = 8,
    schema: str | None = None,
    lock_timeout_ms: int = POSTGRES_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int = POSTGRES_STATEMENT_TIMEOUT_MS,
) -> Database:
    connect_args: dict[str, Any] = {
        "connect_timeout": 5,
        "options": postgres_options(
            url,
            schema=schema,
            lock_timeout_ms=lock_timeout_ms,
            statement_timeout_ms=statement_timeout_ms,
        ),
    }
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,
        pool_timeout=30,
        connect_args=connect_args,
    )
    memory = FailureMemory()
    install_failure_hooks(engine, memory)
    return Database(engine=engine, failures=memory)


def open_configured(settings: Settings, secrets: RuntimeSecrets) -> Database:
    """The database the settings name: PostgreSQL when a URL is given, else the SQLCipher file."""
    if settings.database_url is None:
        from vibe_quality_searcharr.backups.service import list_backups

        backups = [path for _, path in list_backups(settings.backups_dir)]
        refuse_missing_database(settings.sqlite_path, backups)
        return open_sqlcipher(settings.sqlite_path, secrets.database_key)
    database = open_postgres(settings.database_url.get_secret_value())
    try:
        database.ping()
    except SQLAlchemyError as exc:
        database.dispose()
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"PostgreSQL does not answer ({reason}); check VQS_DATABASE_URL and that the server "
            "accepts connections"
        ) from None
    return database
