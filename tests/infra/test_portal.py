"""Role portal: nginx and the cookie checker run; the login page answers in French over TLS; RD Web is not
reachable without the portal's cookie; the signing key, the TLS key and the MFA servers' pins are in place."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

pytestmark = pytest.mark.role("portal")
HOME = "/etc/ferme-portal"


def _portal(planned: dict[str, Any]) -> dict[str, Any]:
    portal: dict[str, Any] | None = planned["state"].get("portal")
    if portal is None:
        pytest.skip("the site does not choose the portal (rds.gateway.mfa)")
    return portal


def _get(linux_host: Any, fqdn: str, path: str) -> str:
    """Status and Location of one request to the portal on this host (TLS, its name as SNI and Host)."""
    script = (
        "import http.client, ssl; c = ssl.create_default_context(); c.check_hostname = False; "
        "c.verify_mode = ssl.CERT_NONE; h = http.client.HTTPSConnection('127.0.0.1', 443, context=c); "
        f"h.request('GET', '{path}', headers={{'Host': '{fqdn}'}}); r = h.getresponse(); "
        "b = r.read().decode(); print(r.status, r.getheader('Location') or '', '<html lang=' in b)"
    )
    return str(linux_host.check_output(f"python3 -c {shlex.quote(script)}"))


def test_portal_answers(linux_host: Any, planned: dict[str, Any]) -> None:
    portal = _portal(planned)
    for name in ("ferme-portal", "nginx"):
        service = linux_host.service(name)
        assert service.is_running and service.is_enabled, name
    assert linux_host.socket("tcp://0.0.0.0:443").is_listening
    assert linux_host.socket(f"tcp://127.0.0.1:{portal['port']}").is_listening
    assert not linux_host.socket(f"tcp://0.0.0.0:{portal['port']}").is_listening
    assert _get(linux_host, portal["fqdn"], "/ferme-auth/login") == "200  True"


def test_nothing_behind_it_without_the_cookie(linux_host: Any, planned: dict[str, Any]) -> None:
    portal = _portal(planned)
    for path in ("/RDWeb/webclient/", "/remoteDesktopGateway/"):
        status, location, _ = _get(linux_host, portal["fqdn"], path).split(" ")
        assert status == "302" and "/ferme-auth/login" in location, path


def test_keys_are_private_and_pins_are_the_portals(linux_host: Any, planned: dict[str, Any]) -> None:
    _portal(planned)
    for path in (f"{HOME}/signing.key", f"{HOME}/tls/server.key"):
        file = linux_host.file(path)
        assert file.exists and file.mode & 0o077 == 0, path
    pins = linux_host.file("/var/lib/ferme-portal/pins")
    assert pins.is_directory and pins.user == "ferme-portal" and pins.mode & 0o077 == 0
