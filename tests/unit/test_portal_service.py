"""The portal's cookie checker (roles/portal/files/ferme_portal.py), as nginx's auth_request uses it: a cookie is
good only if its signature is the portal's, its session not older than the lifetime and not idle too long;
privacyIDEA's HTTP 200 with a rejecting body is a refusal; after login, only a path of the site is followed."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
from types import ModuleType

import pytest

from tests.conftest import ROOT


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ferme_portal", ROOT / "roles" / "portal" / "files" / "ferme_portal.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


portal = _module()
KEY = bytes.fromhex("11" * 32)


def _sessions(lifetime: int = 3600, idle: int = 600):  # type: ignore[no-untyped-def]
    return portal.Sessions(KEY, lifetime, idle)


def test_a_fresh_cookie_passes_and_is_renewed_only_after_a_minute() -> None:
    sessions = _sessions()
    cookie = sessions.make("agent.demo", 1000, 1000)
    assert sessions.check(cookie, 1030) == ("agent.demo", None)
    login, renewed = sessions.check(cookie, 1100)
    assert login == "agent.demo" and renewed is not None
    assert sessions.check(renewed, 1650) == ("agent.demo", sessions.make("agent.demo", 1000, 1650))


@pytest.mark.parametrize(("now", "why"), [(1000 + 3601, "expired"), (1000 + 601, "idle")])
def test_an_old_or_idle_session_is_refused(now: int, why: str) -> None:
    sessions = _sessions()
    assert sessions.check(sessions.make("agent.demo", 1000, 1000), now) == (None, why)
    # Kept alive by requests, a session still ends at its lifetime.
    if why == "expired":
        assert sessions.check(sessions.make("agent.demo", 1000, now - 10), now) == (None, "expired")


def test_forged_cookies_are_refused() -> None:
    sessions = _sessions()
    cookie = sessions.make("agent.demo", 1000, 1000)
    payload, signature = cookie.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    other = base64.urlsafe_b64encode(json.dumps({**body, "u": "admin"}).encode()).decode().rstrip("=")
    for forged in (f"{payload}.{signature[::-1]}", f"{other}.{signature}", "", "garbage", f"{payload}."):
        assert sessions.check(forged, 1001)[0] is None, forged
    # Another portal's key does not open this one.
    assert portal.Sessions(bytes.fromhex("22" * 32), 3600, 600).check(cookie, 1001) == (None, "forged")
    signed_junk = "bm90LWpzb24"  # base64 of "not-json", signed with the right key: still refused
    assert sessions.check(f"{signed_junk}.{sessions._sign(signed_junk.encode())}", 1001) == (None, "malformed")


@pytest.mark.parametrize(("body", "ok"), [
    ({"result": {"status": True, "value": True, "authentication": "ACCEPT"}}, True),
    ({"result": {"status": True, "value": True}}, True),
    ({"result": {"status": True, "value": False, "authentication": "REJECT"}}, False),
    ({"result": {"status": True, "value": True, "authentication": "CHALLENGE"}}, False),
    ({"result": {"status": False, "error": {"message": "ERR"}}}, False),
    ("not json", False),
])  # fmt: skip
def test_only_a_body_that_says_accept_lets_in(body: object, ok: bool) -> None:
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    assert portal.accepted(raw) is ok


@pytest.mark.parametrize(("target", "safe"), [
    ("/RDWeb/webclient/", "/RDWeb/webclient/"), ("//evil.example/", "/"), ("https://evil.example/", "/"),
    ("/\\\\evil", "/"), ("/a\r\nSet-Cookie: x=1", "/"), ("", "/"),
])  # fmt: skip
def test_after_login_only_a_path_of_the_site_is_followed(target: str, safe: str) -> None:
    assert portal.safe_target(target) == safe


def test_the_page_is_french_and_escapes_what_it_repeats() -> None:
    handler = object.__new__(portal.Portal)
    handler.config = {"title": "Bureau <à distance>", "cookie": "ferme_portail"}
    sent: list[tuple[str, str]] = []
    handler.send_response = lambda status: sent.append(("status", str(status)))
    handler.send_header = lambda name, value: sent.append((name, value))
    handler.end_headers = lambda: None
    handler.wfile = io.BytesIO()
    handler._page(401, '/x"><script>alert(1)</script>', "Identifiant ou code incorrect.")
    page = handler.wfile.getvalue().decode()
    assert '<html lang="fr">' in page and "Code PIN suivi du code du jeton" in page and "Se connecter" in page
    assert "<script>" not in page and "Bureau &lt;à distance&gt;" in page and 'role="alert"' in page
    assert ("status", "401") in sent and ("Cache-Control", "no-store") in sent and ("X-Frame-Options", "DENY") in sent
