"""The request's unit of work (`deps.DbSession`) is committed before its response leaves: a
browser following the redirect after a post must read what the post wrote."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.users.models import User


def test_a_post_is_committed_before_its_redirect_is_sent(app: FastAPI, context: AppContext) -> None:
    """It was not (FastAPI ends a `yield` dependency after the response by default): under
    load, the sign-in's 303 reached the browser before the half-signed-in session was stored,
    and the code page sent it back to the password."""
    users_at_response: list[int] = []

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def watched_send(message: Any) -> None:
            if message["type"] == "http.response.start" and scope.get("method") == "POST":
                with context.database.session_scope(read_only=True) as session:  # another one
                    count = session.scalar(select(func.count()).select_from(User)) or 0
                users_at_response.append(count)
            await send(message)

        await app(scope, receive, watched_send)

    with TestClient(watching) as client:
        created = client.post(
            "/setup",
            data={"username": "admin", "password": "a unit of work passphrase"},
            follow_redirects=False,
        )
    assert created.status_code == 303, created.text
    assert users_at_response == [1]
