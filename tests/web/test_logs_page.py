"""The log viewer: newest first, filtered by level, escaped, and reading only the file's tail."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SignedInClient
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.web.logs import read_tail, tail_lines


def _write(path: Path, records: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_logs_page_shows_the_newest_lines_first_escaped_and_filtered(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    _write(
        context.settings.logs_dir / "vqs.log",
        [
            {
                "timestamp": "2026-05-01T10:00:00Z",
                "level": "info",
                "logger": "app",
                "event": "first line",
            },
            {
                "timestamp": "2026-05-01T10:01:00Z",
                "level": "warning",
                "logger": "app",
                "event": "<script>alert(1)</script>",
            },
            {
                "timestamp": "2026-05-01T10:02:00Z",
                "level": "error",
                "logger": "arr",
                "event": "newest line",
                "instance": "Sonarr",
            },
        ],
    )
    page = mode.page(mode.get(admin_client, "/logs"))
    assert page.index("newest line") < page.index("first line")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "Sonarr" in page
    only_errors = mode.page(mode.get(admin_client, "/logs?level=error"))
    assert "newest line" in only_errors
    assert "first line" not in only_errors
    assert mode.get(admin_client, "/logs?level=loud").status_code == 422


def test_only_the_tail_of_a_big_log_is_read(tmp_path: Path) -> None:
    path = tmp_path / "vqs.log"
    line = json.dumps({"level": "info", "event": "x" * 200}) + "\n"
    path.write_text(line * 50_000 + json.dumps({"level": "info", "event": "last"}) + "\n")
    assert path.stat().st_size > 10_000_000
    lines = read_tail(path, max_bytes=4096)
    assert sum(len(raw) + 1 for raw in lines) <= 4096
    assert all(raw.startswith("{") for raw in lines)  # the cut first line is dropped
    assert json.loads(lines[-1])["event"] == "last"


def test_tail_lines_limits_and_ranks_levels() -> None:
    records = [
        {"level": level, "event": str(n)}
        for n, level in enumerate(["debug", "info", "warning", "error", "critical"] * 300)
    ]
    newest = tail_lines(records, None, limit=10)
    assert len(newest) == 10
    assert newest[0].event == "1499"
    assert {line.level for line in tail_lines(records, "warning")} == {
        "warning",
        "error",
        "critical",
    }


def test_a_secret_logged_by_the_app_never_reaches_the_page(
    admin_client: SignedInClient, context: AppContext
) -> None:
    """The real pipeline: structlog -> redactor -> JSON file -> this page."""
    import logging

    import structlog

    from vibe_quality_searcharr.observability.logging import configure_logging, recent_logs

    secret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging(
        level="INFO", fmt="json", log_dir=context.settings.logs_dir, secrets=(secret,)
    )
    try:
        structlog.get_logger("test").warning(
            "connecting", api_key=secret, url=f"http://x/?apikey={secret}"
        )
        for handler in root.handlers:
            handler.flush()
        page = admin_client.get("/logs", headers={"Accept": "text/html"}).text
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            if handler is not recent_logs:
                handler.close()
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        structlog.reset_defaults()
    assert "connecting" in page
    assert secret not in page
