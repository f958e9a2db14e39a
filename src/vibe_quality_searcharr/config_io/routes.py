"""Configuration export/import under /api/v1/config (thin: parse, authorize, call).

The import body is read here, not by FastAPI: it must be JSON (415 otherwise) and at most
`MAX_DOCUMENT_BYTES` (413 above, checked on the declared length and again while reading, so a
lying or chunked upload cannot make the server buffer more).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from vibe_quality_searcharr.config_io.export import export_config
from vibe_quality_searcharr.config_io.schemas import (
    MAX_DOCUMENT_BYTES,
    ConfigDocument,
    ImportResult,
)
from vibe_quality_searcharr.config_io.service import ConfigImporter
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.errors import AppError, InvalidInput
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.notifications.service import url_box
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser

__all__ = ["TooLarge", "UnsupportedMediaType", "parse_document", "router"]

router = APIRouter(prefix="/api/v1/config", tags=["config"])


class TooLarge(AppError):
    status_code = 413
    kind = "too_large"


class UnsupportedMediaType(AppError):
    status_code = 415
    kind = "unsupported_media_type"


def parse_document(body: bytes) -> ConfigDocument:
    """The document, or `InvalidInput` saying what is wrong with it (JSON and shape)."""
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The file is not valid JSON.", fields={"body": "not JSON"}) from None
    if not isinstance(raw, dict):
        raise InvalidInput(
            "A configuration document is a JSON object, as `vqs config export` writes it.",
            fields={"body": "not an object"},
        )
    try:
        return ConfigDocument.model_validate(raw)
    except ValidationError as exc:
        fields = {
            ".".join(str(part) for part in error["loc"]) or "body": error["msg"]
            for error in exc.errors()[:20]
        }
        raise InvalidInput("The configuration document is not valid.", fields=fields) from None


async def _read_body(incoming: Request) -> bytes:
    content_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("Send the configuration as application/json.")
    limit_text = f"{MAX_DOCUMENT_BYTES // 1024} KiB"
    declared = incoming.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
        raise TooLarge(f"A configuration document is at most {limit_text}.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in incoming.stream():
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise TooLarge(f"A configuration document is at most {limit_text}.")
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/export")
def export(_user: AdminUser, session: DbSession) -> dict[str, Any]:
    """Instances, limits, queues, exclusions, notification targets and settings; every
    secret (API keys, notification URLs) replaced by a marker."""
    return export_config(session, utcnow())


@router.post("/import", response_model=ImportResult)
async def import_config(
    _user: WriteUser,
    request: Request,
    session: DbSession,
    context: Context,
    dry_run: Annotated[bool, Query(description="preview only (the default)")] = True,
) -> ImportResult:
    """Preview (`dry_run=true`) or apply a configuration document, atomically: with any
    entry in error nothing is applied (the answer lists each entry and what it would do)."""
    document = parse_document(await _read_body(request))
    importer = ConfigImporter(
        session,
        api_key_box(context.secrets.master_secret),
        url_box(context.secrets.master_secret),
        utcnow(),
    )
    # Database work off the event loop, like every sync route.
    result = await run_in_threadpool(importer.run, document, dry_run=dry_run)
    if not dry_run and result.errors:
        failed = [action for action in result.actions if action.action == "error"]
        raise InvalidInput(
            f"Nothing was imported: {len(failed)} entr{'y' if len(failed) == 1 else 'ies'} "
            "failed; fix them and import again (a dry run lists every problem).",
            fields={f"{action.kind}:{action.name}": action.detail for action in failed[:50]},
        )
    return result
