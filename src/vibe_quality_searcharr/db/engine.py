"""Opens the database: SQLCipher-encrypted SQLite by default, PostgreSQL when configured.

SQLCipher is given the raw 256-bit key (`x'<hex>'`), which skips its PBKDF2 run of 256,000
iterations on every connection open; the pool keeps connections open, so the key is applied once
per connection, never per query.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from vibe_quality_searcharr.db.errors import DatabaseKeyError, DatabaseUnavailable
from vibe_quality_searcharr.db.stamp import DataStamp
from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets
from vibe_quality_searcharr.settings import Settings

__all__ = ["Database", "open_configured", "open_postgres", "open_sqlcipher", "sqlcipher_connect"]

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY_OPTION = "vqs_read_only"


def sqlcipher_connect(path: Path, key_hex: str) -> Any:
    """Open one SQLCipher connection with the key applied first, then check that it decrypts."""
    try:
        connection = sqlcipher3.dbapi2.connect(
            str(path),
            check_same_thread=False,
            isolation_level=None,
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        )
    except sqlcipher3.dbapi2.OperationalError as exc:
        raise DatabaseUnavailable(f"cannot open {path}: {exc}; check the data directory") from None
    connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is reported below, once
    connection.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.dbapi2.DatabaseError:
        connection.close()
        raise DatabaseKeyError(
            f"cannot decrypt {path}: the database key does not match this file. Restore the key "
            "it was created with (VQS_DATABASE_KEY, VQS_DATABASE_KEY_FILE or secrets/database_key "
            "in the data directory), or restore a backup made with the current key."
        ) from None
    for pragma in (
        "PRAGMA journal_mode = WAL",
        f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    ):
        connection.execute(pragma)
    return connection


def _restrict_file_modes(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            candidate.chmod(0o600)


@dataclass
class Database:
    """One engine and its session factory; the application and the jobs share it."""

    engine: Engine
    sqlite_path: Path | None = None
    # SQLite only: what moves on every commit, for the caches (`db.stamp`).
    stamp: DataStamp | None = None
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return "sqlite" if self.sqlite_path is not None else "postgresql"

    @contextlib.contextmanager
    def session_scope(self, *, read_only: bool = False) -> Iterator[Session]:
        """The unit of work of a job: commit when the block ends well, roll back otherwise.
        `read_only` lets SQLite readers run beside a writer instead of queueing for its lock."""
        session = self.sessions()
        if read_only and self.sqlite_path is not None:
            session.connection(execution_options={READ_ONLY_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        if self.sqlite_path is not None and not self.sqlite_path.exists():
            raise DatabaseUnavailable(f"database file {self.sqlite_path} is missing")
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def data_stamp(self) -> int | None:
        """The commit counter (`db.stamp`); None on PostgreSQL: then nothing is cached."""
        return self.stamp.current() if self.stamp is not None else None

    def dispose(self) -> None:
        if self.stamp is not None:
            self.stamp.close()
        self.engine.dispose()


def open_sqlcipher(path: Path, key_hex: str, *, pool_size: int = 8) -> Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        creator=lambda: sqlcipher_connect(path, key_hex),
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

    database = Database(
        engine=engine,
        sqlite_path=path,
        stamp=DataStamp(lambda: sqlcipher_connect(path, key_hex)),
    )
    with engine.connect():  # creates the file, checks the key now rather than on first request
        pass
    _restrict_file_modes(path)
    return database


def open_postgres(url: str, *, pool_size: int = 8, schema: str | None = None) -> Database:
    connect_args: dict[str, Any] = {"connect_timeout": 5}
    if schema is not None:
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,
        pool_timeout=30,
        connect_args=connect_args,
    )
    return Database(engine=engine)


def open_configured(settings: Settings, secrets: RuntimeSecrets) -> Database:
    """The database the settings name: PostgreSQL when a URL is given, else the SQLCipher file."""
    if settings.database_url is None:
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
