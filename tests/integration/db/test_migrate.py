"""Migrations: applied on both backends, reversible, and exactly once when processes race."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres, open_sqlcipher
from vibe_quality_searcharr.db.models import metadata
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings


def tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def test_the_schema_is_at_head_with_every_model_table(database: Database) -> None:
    assert migrate.current_revision(database) == migrate.head_revision()
    assert migrate.is_current(database)
    assert set(metadata.tables) | {"alembic_version"} == tables(database)


def test_upgrading_again_changes_nothing(database: Database) -> None:
    migrate.upgrade(database)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_migrations_go_down_and_up_again(database: Database) -> None:
    migrate.downgrade(database, "base")
    assert migrate.current_revision(database) is None
    assert tables(database) <= {"alembic_version"}
    migrate.upgrade(database)
    assert migrate.is_current(database)


def test_the_shipped_migrations_match_the_models(database: Database) -> None:
    """A model changed without a migration would make this autogenerate a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def run_upgrades_at_once(
    env: dict[str, str], racers: int = 2
) -> list[subprocess.CompletedProcess[str]]:
    vqs = str(Path(sys.executable).with_name("vqs"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("VQS_")}
    processes = [
        subprocess.Popen(
            [vqs, "db", "upgrade"],
            env={**base, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(racers)
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=90)
        results.append(
            subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        )
    return results


def test_two_processes_upgrade_a_fresh_sqlite_database_at_once(settings: Settings) -> None:
    results = run_upgrades_at_once({"VQS_DATA_DIR": str(settings.data_dir)})
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    head = migrate.head_revision()
    assert all(r.stdout.startswith(f"database at {head}") for r in results)
    assert sum("(was empty)" in r.stdout for r in results) == 1
    database = open_sqlcipher(settings.sqlite_path, ensure_secrets(settings).database_key)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head,)
        ]
    database.dispose()


def test_two_processes_upgrade_a_fresh_postgres_schema_at_once(
    postgres_schema: tuple[str, str],
) -> None:
    url, schema = postgres_schema
    results = run_upgrades_at_once(
        {
            "VQS_DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}",
            "VQS_DATA_DIR": "/nonexistent-unused",
        }
    )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert sum("(was empty)" in r.stdout for r in results) == 1
    database = open_postgres(url, schema=schema)
    assert migrate.is_current(database)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    database.dispose()


def test_the_head_read_from_source_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from vibe_quality_searcharr.db.migrate import _config

    assert migrate.head_revision() == ScriptDirectory.from_config(_config()).get_current_head()


def test_a_start_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    """Restarts stay lean: Alembic is imported only when something is pending."""
    script = (
        "import sys\n"
        "from vibe_quality_searcharr.db import migrate\n"
        "from vibe_quality_searcharr.db.engine import open_sqlcipher\n"
        f"database = open_sqlcipher(__import__('pathlib').Path({str(tmp_path / 'v.db')!r}), 'ab' * 32)\n"
        "first = migrate.upgrade(database)\n"
        "print(first, 'alembic' in sys.modules)\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("VQS_")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=base, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["None", "True"], [migrate.head_revision(), "False"]]
