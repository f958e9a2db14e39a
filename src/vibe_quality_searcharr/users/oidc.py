"""OpenID Connect sign-in, authorization-code flow with PKCE: the protocol side.

The browser carries the flow's state, nonce and PKCE verifier in a short-lived cookie encrypted
under a key derived from the master secret, so nothing is stored server-side and nothing can be
forged or read by the browser. The callback checks the state, exchanges the code (with the
verifier) over a timed-out HTTP call, and verifies the ID token's signature (the provider's
JWKS), issuer, audience, expiry and nonce.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from vibe_quality_searcharr.errors import Unauthorized
from vibe_quality_searcharr.security.crypto import DecryptionError, SecretBox
from vibe_quality_searcharr.settings import Settings

__all__ = ["FLOW_COOKIE", "Flow", "OidcFailed", "OidcProvider"]

FLOW_COOKIE = "vqs_oidc"
FLOW_LIFETIME_SECONDS = 600
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class OidcFailed(Unauthorized):
    """Sign-in through the identity provider did not complete; the detail says why."""


@dataclass(frozen=True)
class Flow:
    state: str
    nonce: str
    verifier: str
    next: str
    started: int


class OidcProvider:
    def __init__(self, settings: Settings, master_secret: str) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
            raise ValueError("OIDC is not configured")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self._client_secret = settings.oidc_client_secret.get_secret_value()
        self._box = SecretBox([master_secret], "oidc-flow")
        self._metadata: dict[str, Any] | None = None
        self._fetched_at = 0.0

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False)

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._fetched_at > 3600:
            try:
                with self._http() as http:
                    response = http.get(f"{self.issuer}/.well-known/openid-configuration")
                    response.raise_for_status()
                    metadata = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise OidcFailed(
                    f"The identity provider cannot be reached ({type(exc).__name__})."
                ) from None
            if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
                raise OidcFailed("The identity provider's metadata names another issuer.")
            self._metadata, self._fetched_at = metadata, time.monotonic()
        return self._metadata

    def start(self, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """The provider URL to send the browser to, and the sealed flow cookie value."""
        # authlib is imported only when OIDC is used: most installs never load its ~20 MB.
        from authlib.common.security import generate_token
        from authlib.oauth2.rfc7636 import create_s256_code_challenge

        flow = Flow(
            state=generate_token(43),
            nonce=generate_token(43),
            verifier=generate_token(64),
            next=next_path,
            started=int(time.time()),
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid profile email",
                "state": flow.state,
                "nonce": flow.nonce,
                "code_challenge": create_s256_code_challenge(flow.verifier),
                "code_challenge_method": "S256",
            }
        )
        url = f"{self.metadata()['authorization_endpoint']}?{query}"
        return url, self._box.encrypt(json.dumps(flow.__dict__))

    def open_flow(self, sealed: str | None, state: str) -> Flow:
        if not sealed:
            raise OidcFailed("The sign-in took too long or started in another browser; try again.")
        try:
            flow = Flow(**json.loads(self._box.decrypt(sealed)))
        except (DecryptionError, ValueError, TypeError):
            raise OidcFailed("The sign-in state is not valid; try again.") from None
        if time.time() - flow.started > FLOW_LIFETIME_SECONDS:
            raise OidcFailed("The sign-in took too long; try again.")
        if not hmac.compare_digest(flow.state.encode(), state.encode()):
            raise OidcFailed("The sign-in state does not match; try again.")
        return flow

    def finish(self, flow: Flow, code: str, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code and return the verified ID-token claims."""
        metadata = self.metadata()
        try:
            with self._http() as http:
                response = http.post(
                    metadata["token_endpoint"],
                    data={
                        "grant_type": "authorization_code",
                        "code": code,
                        "redirect_uri": redirect_uri,
                        "code_verifier": flow.verifier,
                    },
                    auth=(self.client_id, self._client_secret),
                )
                if response.status_code != 200:
                    raise OidcFailed("The identity provider refused the sign-in code.")
                id_token = response.json().get("id_token")
                keys = http.get(metadata["jwks_uri"])
                keys.raise_for_status()
                key_set = KeySet.import_key_set(keys.json())
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise OidcFailed(
                f"The identity provider cannot be reached ({type(exc).__name__})."
            ) from None
        if not isinstance(id_token, str):
            raise OidcFailed("The identity provider sent no ID token.")
        try:
            token = jwt.decode(id_token, key_set, algorithms=_ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                exp={"essential": True},
                sub={"essential": True},
                nonce={"essential": True, "value": flow.nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcFailed(f"The ID token is not valid ({type(exc).__name__}).") from None
        return dict(token.claims)
