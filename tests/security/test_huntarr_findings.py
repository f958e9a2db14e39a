"""One test per finding of the public Huntarr security review, and of the later audit of a fork.

Each test shows the attack failing here. Where the feature does not exist yet (backup upload,
backup ids, a container image), the test shows the attack surface is absent and keeps holding
as routes are added: it inspects every route the app registers, not a hand-written list.
"""

from __future__ import annotations

import ast
import re
import stat
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from tests.conftest import TEST_PASSWORD, SignedInClient, make_user
from tests.security.routes_under_test import UNSAFE, all_routes
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.security.allowlist import is_public
from vibe_quality_searcharr.security.passwords import Passwords
from vibe_quality_searcharr.security.tokens import new_recovery_code
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import User

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "vibe_quality_searcharr"
GOOD = "a long and unusual passphrase"


def _source_files(*suffixes: str) -> list[Path]:
    return [
        path
        for path in SRC.rglob("*")
        if path.suffix in suffixes and "vendor" not in path.parts and path.is_file()
    ]


def test_finding_01_unauthenticated_settings_write_is_refused(
    app: FastAPI, anon_client: TestClient
) -> None:
    writes = [(m, p) for m, p in all_routes(app) if m in UNSAFE and not is_public(p)]
    assert writes
    for method, path in writes:
        response = anon_client.request(method, path, json={"api_key": "x", "url": "http://x"})
        assert response.status_code == 401, (method, path)
        assert "api_key" not in response.text


def test_finding_02_a_client_sent_setup_flag_bypasses_nothing(
    client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    with context.database.session_scope() as session:
        make_user(session, role="admin", keys=auth_keys)
    flags = {"X-Setup-Mode": "true", "X-Setup": "1", "Cookie": "setup_mode=true"}
    for path in ("/api/v1/tokens?setup=1&setup_mode=true", "/api/v1/users?setup_mode=1"):
        assert (
            client.post(
                path, json={"name": "x", "scope": "full", "setup_mode": True}, headers=flags
            ).status_code
            == 401
        )
    linked = client.post(
        "/api/v1/setup", json={"username": "eve", "password": GOOD, "setup_mode": True}
    )
    assert linked.status_code == 422  # unknown fields are refused outright
    assert (
        client.post("/api/v1/setup", json={"username": "eve", "password": GOOD}).status_code == 404
    )


def test_finding_03_unauthenticated_account_unlink_is_refused(
    app: FastAPI, anon_client: TestClient
) -> None:
    deletions = [(m, p) for m, p in all_routes(app) if m == "DELETE"]
    assert deletions
    for method, path in deletions:
        assert anon_client.request(method, path).status_code == 401, path
    for path in ("/api/v1/auth/oidc/unlink", "/api/v1/users/1/unlink", "/auth/oidc/unlink"):
        assert anon_client.post(path).status_code == 401


def test_finding_04_2fa_enrolment_never_falls_back_to_another_user(
    anon_client: TestClient, context: AppContext, auth_keys: AuthKeys
) -> None:
    with context.database.session_scope() as session:
        make_user(session, role="admin", keys=auth_keys)
    for path in ("/api/v1/auth/2fa/enroll", "/api/v1/auth/2fa/confirm"):
        assert (
            anon_client.post(path, json={"password": TEST_PASSWORD, "code": "123456"}).status_code
            == 401
        )
    with context.database.session_scope() as session:
        assert session.scalars(select(User.totp_secret)).all() == [None]


def test_finding_05_recovery_codes_need_the_password(admin_client: SignedInClient) -> None:
    assert admin_client.post("/api/v1/auth/recovery-codes", json={}).status_code == 422
    wrong = admin_client.post(
        "/api/v1/auth/recovery-codes", json={"password": "guess guess guess", "code": "123456"}
    )
    assert wrong.status_code == 403
    assert (
        admin_client.post(
            "/api/v1/auth/2fa/enroll", json={"password": "guess guess guess"}
        ).status_code
        == 403
    )


def test_finding_06_no_route_accepts_an_uploaded_archive(admin_client: SignedInClient) -> None:
    """Zip slip needs an archive upload. None exists; a backup-upload route added later must
    come with its own extraction test, and this one will fail until it is reviewed."""
    spec = admin_client.get("/api/openapi.json").json()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            assert "multipart/form-data" not in content, path
            assert "application/zip" not in content, path
            assert "application/octet-stream" not in content, path


def test_finding_07_setup_cannot_be_reset(
    app: FastAPI, client: TestClient, context: AppContext
) -> None:
    assert (
        client.post("/api/v1/setup", json={"username": "alice", "password": GOOD}).status_code
        == 201
    )
    resets = [(m, p) for m, p in all_routes(app) if "setup" in p or "reset" in p]
    anonymous = TestClient(app)
    for method, path in resets:
        payload = {"username": "eve", "password": GOOD}
        if path.startswith("/api/"):
            response = anonymous.request(method, path, json=payload)
        else:
            response = anonymous.request(method, path, data=payload)
        assert response.status_code in (401, 404, 405), path
    # Even with every account gone from the table, the setup marker keeps setup closed.
    with context.database.session_scope() as session:
        session.execute(delete(User))
    assert (
        anonymous.post("/api/v1/setup", json={"username": "eve", "password": GOOD}).status_code
        == 404
    )


def test_finding_08_no_local_network_bypass_through_forwarded_headers(app: FastAPI) -> None:
    for peer in ("127.0.0.1", "192.168.1.10", "10.0.0.1"):
        with TestClient(app, client=(peer, 5000)) as local:
            response = local.get(
                "/api/v1/users", headers={"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"}
            )
            assert response.status_code == 401, peer


def test_finding_09_data_directory_and_secrets_are_private(context: AppContext) -> None:
    settings = context.settings
    for directory in (settings.data_dir, settings.secrets_dir):
        assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0, directory
    for secret in settings.secrets_dir.iterdir():
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret
    if context.database.sqlite_path is not None:
        assert stat.S_IMODE(context.database.sqlite_path.stat().st_mode) & 0o077 == 0


_CREDENTIAL_PATTERNS = [
    re.compile(
        r"""(?i)(api[_-]?key|apikey|client[_-]?secret|password|passwd|token)\s*[:=]\s*["'][A-Za-z0-9+/_\-]{16,}["']"""
    ),
    re.compile(r"\b[0-9a-f]{32}\b"),  # the shape of an *arr API key
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)https?://[^/\s:]+:[^@\s/]+@"),  # credentials in a URL
]


def test_finding_10_no_hard_coded_credentials_in_the_source() -> None:
    offenders = []
    for path in _source_files(
        ".py", ".html", ".js", ".css", ".txt", ".toml", ".yml", ".yaml", ".json"
    ):
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in _CREDENTIAL_PATTERNS:
            offenders += [
                f"{path.relative_to(ROOT)}: {match.group(0)[:40]}"
                for match in pattern.finditer(text)
            ]
    assert offenders == []


def test_finding_11_no_response_carries_a_credential(
    app: FastAPI, admin_client: SignedInClient, context: AppContext
) -> None:
    admin_client.post("/api/v1/tokens", json={"name": "t", "scope": "read"})
    with context.database.session_scope() as session:
        hashes = list(session.scalars(select(User.password_hash)).all())
    secrets = [*context.secrets.values(), *hashes]
    for method, path in all_routes(app):
        if method != "GET" or path.startswith("/static/"):
            continue
        response = admin_client.get(path)
        assert response.status_code < 500, path
        for secret in secrets:
            assert secret not in response.text, path
        assert "password_hash" not in response.text
        assert "token_hash" not in response.text


def test_finding_12_no_route_takes_a_path_or_a_free_form_id(app: FastAPI) -> None:
    """Path traversal through a backup id needs a free-form string path parameter: every one is
    an int, or a string held to an anchored pattern that no path (a slash, "..") can match."""
    for context in app.router.routes:
        for route in getattr(context, "routes", [context]):
            convertors = getattr(route, "param_convertors", {})
            for name, convertor in convertors.items():
                assert type(convertor).__name__ != "PathConvertor", (route.path, name)
    spec = app.openapi()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    _assert_not_free_form(path, parameter)


def _assert_not_free_form(path: str, parameter: dict[str, Any]) -> None:
    schema = parameter["schema"]
    if schema.get("type") == "integer":
        return
    pattern = schema.get("pattern", "")
    assert pattern.startswith("^"), (path, parameter["name"])
    assert pattern.endswith("$"), (path, parameter["name"])
    for probe in ("../secrets/master_secret", "a/b", "..", "%2e%2e", ""):
        assert re.fullmatch(pattern, probe) is None, (path, parameter["name"], probe)


def test_finding_13_allow_list_look_alikes_stay_protected(anon_client: TestClient) -> None:
    for path in (
        "/api/v1/users/login",
        "/api/v1/users?next=/login",
        "/api/v1/users#/login",
        "/api/v1/users;/login",
        "/login/../api/v1/users",
        "/static/../api/v1/users",
        "/api/v1/auth/login/../../users",
        "/health/live/../../api/v1/users",
        "/api/v1/users/health/live",
    ):
        response = anon_client.get(path, headers={"Accept": "application/json"})
        assert response.status_code in (401, 404), path
        assert "username" not in response.text


def test_finding_14_passwords_are_stored_with_argon2id_and_a_pepper(
    client: TestClient, context: AppContext
) -> None:
    client.post("/api/v1/setup", json={"username": "alice", "password": GOOD})
    with context.database.session_scope() as session:
        stored = session.scalar(select(User.password_hash))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert not Passwords("another pepper " * 4).verify(stored, GOOD)  # the pepper is needed


def test_finding_15_recovery_codes_are_unguessable_and_limits_use_the_real_address(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys
) -> None:
    codes = {new_recovery_code() for _ in range(2000)}
    assert len(codes) == 2000  # no repeats: 59 random bits each
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
    with context.database.session_scope() as session:
        name = make_user(session, keys=auth_keys).username
    client = TestClient(app, client=("198.51.100.20", 4000))
    statuses = [
        client.post(
            "/api/v1/auth/login",
            json={"username": name, "password": "wrong password x"},
            headers={"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"203.0.113.{i}"},
        ).status_code
        for i in range(6)
    ]
    assert 429 in statuses


_HTTP_CONSTRUCTORS = {
    "Client",
    "AsyncClient",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "request",
    "stream",
    "urlopen",
}


def test_finding_16_every_outbound_call_has_a_timeout() -> None:
    missing = []
    for path in _source_files(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            owner = node.func.value
            if (
                isinstance(owner, ast.Name)
                and owner.id in ("httpx", "requests", "urllib", "request")
                and node.func.attr in _HTTP_CONSTRUCTORS
            ) and not any(keyword.arg == "timeout" for keyword in node.keywords):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []
    for path in _source_files(".py"):
        assert "import requests" not in path.read_text(encoding="utf-8"), path


def test_finding_17_no_xml_parsing_of_untrusted_input() -> None:
    forbidden = re.compile(r"^\s*(from|import)\s+(xml\.|lxml|xmltodict|xml\b)", re.M)
    offenders = [
        str(path)
        for path in _source_files(".py")
        if forbidden.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_finding_18_dependencies_are_pinned_hashed_and_audited() -> None:
    for name in ("runtime.txt", "dev.txt"):
        lines = (ROOT / "requirements" / name).read_text().splitlines()
        pins = [line for line in lines if line and not line.startswith((" ", "#", "-"))]
        assert pins, name
        assert all("==" in pin for pin in pins), name
        assert sum("--hash=sha256:" in line for line in lines) >= len(pins)
    assert "pip-audit" in (ROOT / "scripts" / "audit.sh").read_text()
    assert "make audit" in (ROOT / ".ci" / "run").read_text()


def test_finding_19_security_policy_exists() -> None:
    policy = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert re.search(r"(?i)report", policy)
    assert re.search(r"(?i)supported versions", policy)
    assert (ROOT / "docs" / "security.md").is_file()


def test_finding_20_no_container_runs_as_root() -> None:
    dockerfiles = [p for p in ROOT.rglob("Dockerfile*") if ".venv" not in p.parts]
    for dockerfile in dockerfiles:
        users = re.findall(r"(?im)^\s*USER\s+(\S+)", dockerfile.read_text())
        assert users, dockerfile
        assert users[-1].split(":")[0] not in ("root", "0"), dockerfile


# --- The later audit of a Huntarr fork -------------------------------------------------------


def test_fork_no_csrf_is_fixed(admin_client: SignedInClient) -> None:
    admin_client.csrf_token = None
    assert (
        admin_client.post("/api/v1/tokens", json={"name": "x", "scope": "read"}).status_code == 403
    )


def test_fork_no_xss_through_inner_html_or_unescaped_templates(client: TestClient) -> None:
    for path in _source_files(".js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", text), path
    for path in _source_files(".html"):
        assert "|safe" not in path.read_text(encoding="utf-8").replace(" ", ""), path
    page = client.post("/setup", data={"username": "<script>alert(1)</script>", "password": "x"})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_fork_no_ssrf_through_test_connection(
    app: FastAPI, anon_client: TestClient, viewer_client: SignedInClient
) -> None:
    probes = [(m, p) for m, p in all_routes(app) if m in UNSAFE and "test" in p]
    probes.append(("POST", "/api/v1/instances/test"))
    for method, path in probes:
        body = {
            "url": "http://169.254.169.254/latest/meta-data/",
            "app": "sonarr",
            "api_key": "k" * 32,
        }
        assert anon_client.request(method, path, json=body).status_code == 401, path
        assert viewer_client.request(method, path, json=body).status_code in (403, 404, 405), path


def test_fork_no_wildcard_cors(anon_client: TestClient, admin_client: SignedInClient) -> None:
    preflight = anon_client.options(
        "/api/v1/auth/login",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    for response in (
        admin_client.get("/api/v1/auth/me", headers={"Origin": "https://evil.example"}),
        preflight,
    ):
        assert response.headers.get("access-control-allow-origin") in (None,)
        assert "access-control-allow-credentials" not in response.headers


def test_fork_security_headers_on_pages_errors_and_files(anon_client: TestClient) -> None:
    for response in (
        anon_client.get("/login"),
        anon_client.get("/api/v1/users"),
        anon_client.get("/static/css/base.css"),
        anon_client.post("/api/v1/auth/login", json={}),
    ):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] in ("same-origin", "no-referrer")


def test_fork_login_is_rate_limited(client: TestClient) -> None:
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": "guess number x"}
        ).status_code
        for _ in range(6)
    ]
    assert 429 in statuses


def test_fork_no_username_enumeration(
    app: FastAPI, context: AppContext, auth_keys: AuthKeys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with context.database.session_scope() as session:
        name = make_user(session, keys=auth_keys).username
    spent: list[str] = []
    original = Passwords.verify

    def counting_verify(self: Passwords, stored: str, password: str) -> bool:
        spent.append(password)
        return original(self, stored, password)

    monkeypatch.setattr(Passwords, "verify", counting_verify)
    known = TestClient(app).post(
        "/api/v1/auth/login", json={"username": name, "password": "wrong password 1"}
    )
    unknown = TestClient(app).post(
        "/api/v1/auth/login", json={"username": "nobody-here", "password": "wrong password 2"}
    )
    assert known.json() == unknown.json()
    assert known.status_code == unknown.status_code
    assert spent == ["wrong password 1", "wrong password 2"]  # the same Argon2 work for both
    assert (
        TestClient(app).post("/api/v1/users", json={"username": name, "password": GOOD}).status_code
        == 401
    )
