"""Settings > Configuration (admins): download the configuration, and upload one to preview
(a dry run listing what would be created, updated, skipped or refused) or import it.

The same functions as `/api/v1/config`: `export_config` (every secret replaced by a marker)
and `ConfigImporter` (atomic: with any entry in error nothing is applied). The uploaded file is
never kept or echoed back (its `secrets` section may hold API keys), so importing after a
preview means choosing the file again.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.config_io.export import export_config
from vibe_quality_searcharr.config_io.routes import parse_document
from vibe_quality_searcharr.config_io.schemas import MAX_DOCUMENT_BYTES
from vibe_quality_searcharr.config_io.service import ConfigImporter
from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.notifications.service import url_box
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser
from vibe_quality_searcharr.users.settings_views import render_settings

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = "/settings/configuration"


def _page(request: Request, status_code: int = 200, **values: Any) -> HTMLResponse:
    return render_settings(
        request,
        "settings/configuration.html",
        status_code,
        limit_kib=MAX_DOCUMENT_BYTES // 1024,
        **values,
    )


@router.get(_PAGE, response_class=HTMLResponse)
def configuration_page(request: Request, _admin: AdminUser) -> HTMLResponse:
    return _page(request)


@router.get(_PAGE + "/export")
def download_export(_admin: AdminUser, session: DbSession, now: Now) -> Response:
    body = json.dumps(export_config(session, now), indent=2, sort_keys=False)
    name = f"vqs-config-{now:%Y%m%dT%H%M%SZ}.json"
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post(_PAGE + "/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    _admin: WriteUser,
    session: DbSession,
    context: Context,
    now: Now,
    file: Annotated[UploadFile | None, File()] = None,
    action: Annotated[Literal["preview", "import"], Form()] = "preview",
) -> HTMLResponse:
    dry_run = action != "import"
    body = file.file.read(MAX_DOCUMENT_BYTES + 1) if file is not None else b""
    if not body:
        return _page(request, 422, errors={"file": "Choose a file exported by this app."})
    if len(body) > MAX_DOCUMENT_BYTES:
        message = f"The file is larger than {MAX_DOCUMENT_BYTES // 1024} KiB."
        return _page(request, 413, errors={"file": message})
    try:
        document = parse_document(body)
    except AppError as exc:
        problems = [f"{where}: {message}" for where, message in (exc.fields or {}).items()]
        return _page(request, 422, errors={"file": exc.detail}, problems=problems)
    importer = ConfigImporter(
        session,
        api_key_box(context.secrets.master_secret),
        url_box(context.secrets.master_secret),
        now,
    )
    result = importer.run(document, dry_run=dry_run)
    filename = (file.filename or "the file") if file is not None else "the file"
    return _page(request, 422 if result.errors else 200, result=result, filename=filename[:200])
