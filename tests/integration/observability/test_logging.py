"""Logging end to end: structlog and stdlib loggers, console and JSON file, all redacted."""

from __future__ import annotations

import io
import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from tests.conftest import sign_in_client
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.observability.logging import configure_logging, recent_logs

SECRET = "7c4a8d09ca3762af61e59520943dc26494f8941b"


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    """Configures logging as the service does, into tmp_path/logs, and restores it afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_uvicorn = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
        for name in ("uvicorn", "uvicorn.error")
    }
    saved_levels = {
        name: logging.getLogger(name).level for name in ("uvicorn.access", "httpx", "alembic")
    }
    configure_logging(level="INFO", fmt="json", log_dir=tmp_path / "logs", secrets=(SECRET,))
    try:
        yield tmp_path / "logs"
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            if handler is not recent_logs:
                handler.close()
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        for name, (handlers, propagate) in saved_uvicorn.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
        structlog.reset_defaults()


def file_lines(log_dir: Path) -> list[dict[str, Any]]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (log_dir / "vqs.log").read_text()
    assert SECRET not in text
    return [json.loads(line) for line in text.splitlines()]


def test_structlog_lines_are_json_and_redacted(log_dir: Path) -> None:
    structlog.get_logger("vqs.test").info(
        f"connecting with {SECRET}", instance="sonarr-1", api_key="plain-api-key", password="pw"
    )
    [line] = [entry for entry in file_lines(log_dir) if entry.get("logger") == "vqs.test"]
    assert line["event"] == "connecting with ***"
    assert line["instance"] == "sonarr-1"
    assert line["api_key"] == line["password"] == "***"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")


def test_exceptions_are_logged_with_their_traceback_redacted(log_dir: Path) -> None:
    try:
        raise PermissionError(f"sonarr refused key {SECRET}")
    except PermissionError:
        structlog.get_logger("vqs.test").exception("sync_failed")
    [line] = [entry for entry in file_lines(log_dir) if entry.get("event") == "sync_failed"]
    assert "Traceback" in line["exception"]
    assert "PermissionError: sonarr refused key ***" in line["exception"]


@pytest.mark.parametrize("name", ["uvicorn.error", "httpx", "apscheduler.scheduler", "some.lib"])
def test_standard_library_loggers_pass_the_same_redactor(log_dir: Path, name: str) -> None:
    logging.getLogger(name).warning("request with token %s", SECRET)
    [line] = [entry for entry in file_lines(log_dir) if entry.get("logger") == name]
    assert line["event"] == "request with token ***"
    assert line["level"] == "warning"


def test_standard_library_exceptions_are_redacted(log_dir: Path) -> None:
    try:
        raise ConnectionError(f"http://radarr/?apikey={SECRET}")
    except ConnectionError:
        logging.getLogger("httpx").exception("call failed")
    [line] = [entry for entry in file_lines(log_dir) if entry.get("event") == "call failed"]
    assert "ConnectionError: http://radarr/?apikey=***" in line["exception"]


def service_handlers() -> list[logging.Handler]:
    """The handlers configure_logging installed (pytest adds its own capturing handler)."""
    return [
        handler
        for handler in logging.getLogger().handlers
        if type(handler).__module__ == "vibe_quality_searcharr.observability.logging"
    ]


def test_the_console_gets_the_same_redacted_lines(log_dir: Path) -> None:
    [console] = [
        handler
        for handler in service_handlers()
        if isinstance(handler, logging.StreamHandler)
        and not isinstance(handler, logging.FileHandler)
    ]
    buffer = io.StringIO()
    console.setStream(buffer)
    logging.getLogger("uvicorn.error").error("bad secret %s", SECRET)
    assert json.loads(buffer.getvalue())["event"] == "bad secret ***"


def test_a_broken_log_call_does_not_print_its_arguments(
    log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The standard library would print a failed record's raw arguments to stderr."""
    record = logging.LogRecord(
        "some.lib", logging.ERROR, __file__, 1, "two fields %s %s", (SECRET,), None
    )
    for handler in service_handlers():
        handler.handle(record)
    captured = capsys.readouterr()
    assert SECRET not in captured.err + captured.out
    assert "logging error: cannot format 'two fields %s %s' from " in captured.err


def test_the_log_file_is_private(log_dir: Path) -> None:
    structlog.get_logger("vqs.test").info("hello")
    assert stat.S_IMODE((log_dir / "vqs.log").stat().st_mode) == 0o600


def test_the_in_memory_viewer_keeps_redacted_lines(log_dir: Path) -> None:
    structlog.get_logger("vqs.test").info("viewer line", token=SECRET)
    last = recent_logs.lines[-1]
    assert last["event"] == "viewer line"
    assert last["token"] == "***"


def test_each_request_logs_its_request_id(log_dir: Path, context: AppContext) -> None:
    app = create_app(context=context)

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError(f"leaked {SECRET}")

    with sign_in_client(app, context, "admin") as client:
        response = client.get("/test/crash", headers={"X-Request-ID": "req-abcdef12"})
    assert response.status_code == 500
    [line] = [entry for entry in file_lines(log_dir) if entry.get("event") == "unhandled_error"]
    assert line["request_id"] == "req-abcdef12"
    assert line["path"] == "/test/crash"
    assert "RuntimeError: leaked ***" in line["exception"]


def test_a_broken_structlog_record_does_not_print_its_fields(
    log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = logging.LogRecord(
        "vqs.test",
        logging.ERROR,
        __file__,
        1,
        {"event": "x", "password": "pw-in-clear"},
        (1,),
        None,
    )
    for handler in service_handlers():
        handler.handleError(record)
    captured = capsys.readouterr()
    assert "pw-in-clear" not in captured.err
    assert "logging error: cannot format 'dict' from " in captured.err
