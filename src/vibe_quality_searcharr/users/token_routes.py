"""JSON API of API tokens: /api/v1/tokens. Each user manages only their own."""

from __future__ import annotations

from fastapi import APIRouter, status

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.users import api_tokens, repository
from vibe_quality_searcharr.users.deps import Account, ClientIp, Pages
from vibe_quality_searcharr.users.schemas import Page, TokenCreate, TokenCreated, TokenRead

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])

_PROBLEM = {"description": "Problem", "content": {"application/json": {}}}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def create_token(
    body: TokenCreate, db: DbSession, account: Account, now: Now, client_ip: ClientIp
) -> TokenCreated:
    """Create a token for `Authorization: Bearer`. The token is in this response only."""
    secret, row = api_tokens.create(
        db,
        account,
        name=body.name,
        scope=body.scope,
        expires_in_days=body.expires_in_days,
        now=now,
        client_ip=client_ip,
    )
    return TokenCreated.model_validate(
        {**TokenRead.model_validate(row).model_dump(), "token": secret}
    )


@router.get("", response_model=Page[TokenRead])
def list_tokens(db: DbSession, principal: CurrentUser, pages: Pages) -> Page[TokenRead]:
    """Your tokens (never the token values)."""
    rows, total = repository.list_tokens(
        db, principal.user_id, offset=pages.offset, limit=pages.page_size
    )
    return Page(
        items=[TokenRead.model_validate(row) for row in rows],
        total=total,
        page=pages.page,
        page_size=pages.page_size,
    )


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: _PROBLEM})
def revoke_token(
    token_id: ResourceId, db: DbSession, account: Account, now: Now, client_ip: ClientIp
) -> None:
    """Revoke one of your tokens; it stops working at once."""
    api_tokens.revoke(db, account, token_id, now=now, client_ip=client_ip)
