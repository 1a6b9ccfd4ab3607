"""The OTP pre-authentication portal in the lab, from the teleworker's namespace (outside), through the edge.

Behind it, RD Web and the RD gateways are Windows hosts (not in the lab): a stand-in namespace holds each one's
addresses and answers HTTPS (a page under /RDWeb/, a websocket echo under /remoteDesktopGateway/), so the portal
and the edge are tested, not Windows. The agent is `agent.demo` with the PIN and next code of its software token.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferme.lab.topology import build_topology
from ferme.plan import build_plan
from ferme.site import load_site
from ferme.site.secrets import secret_value
from tests.lab.conftest import LAB_ID, ROOT, ferme, report, ssh
from tests.lab.standin import stand_in
from tests.lab.test_2_vpn import Token

WEBCHECK = str(Path(__file__).with_name("webcheck.py"))
BROWSER = str(Path(__file__).with_name("browser.py"))
OUTSIDE = f"{LAB_ID}-outside"
PUBLIC = "198.19.0.4"  # firewall.publish.portal
NAME = "acces.lab.ferme.test"
PORTAL = "198.19.7.30"  # lab-portail's management leg


def web(command: str, path: str, *args: str) -> dict[str, Any]:
    result = subprocess.run(["ip", "netns", "exec", OUTSIDE, sys.executable, WEBCHECK, command, PUBLIC, NAME, path,
                             *args], capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _cookie(reply: dict[str, Any]) -> str:
    cookie = next(c for c in reply["cookies"] if c.startswith("ferme_portail="))
    return cookie.split(";")[0]


@pytest.fixture(scope="module")
def portal_lab(inventory: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ferme("apply", str(inventory), "--limit", "lab-fw,lab-mfa,lab-portail")
    plan = build_plan(load_site(inventory, with_secrets=False))
    topology = build_topology(plan)
    folder = tmp_path_factory.mktemp("portal")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", "/CN=stand-in", "-keyout", str(folder / "key.pem"), "-out",
                    str(folder / "cert.pem")], check=True, capture_output=True)  # fmt: skip
    created: list[str] = []
    servers: list[subprocess.Popen[str]] = []
    try:
        for name in ("lab-rds01", "lab-rdgw02"):  # RD Web and the gateways: Windows, played by stand-ins
            host = plan["hosts"][name]
            netns = f"{LAB_ID}-wi-{name}"
            gateway = next(plan["zones"][z]["gateway"] for z in host["addresses"] if z != "mgmt")
            stand_in(plan, topology, netns, host["addresses"], gateway)
            created.append(netns)
            server = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, WEBCHECK, "serve",
                                       str(folder / "cert.pem"), str(folder / "key.pem"), "--name", name],
                                      stdout=subprocess.PIPE, text=True)  # fmt: skip
            assert server.stdout is not None and server.stdout.readline().startswith("ready")
            servers.append(server)
        yield {"plan": plan}
    finally:
        for server in servers:
            server.kill()
        for netns in created:
            subprocess.run(["ip", "netns", "delete", netns], check=False)


def test_without_a_cookie_everything_leads_to_the_french_login_page(portal_lab: dict[str, Any]) -> None:
    reply = web("fetch", "/RDWeb/webclient/")
    assert reply["status"] == 302 and reply["location"].endswith("/ferme-auth/login?rd=/RDWeb/webclient/"), reply
    page = web("fetch", "/ferme-auth/login?rd=/RDWeb/webclient/")
    assert page["status"] == 200 and '<html lang="fr">' in page["body"], page
    assert "Code PIN suivi du code du jeton" in page["body"] and "Se connecter" in page["body"]
    # The gateway's websocket (the web client's RDP) needs the cookie too.
    assert web("ws", "/remoteDesktopGateway/ws")["status"] == 302


def test_the_right_code_opens_rd_web_and_the_websocket_and_nothing_else_does(
    inventory: Path, portal_lab: dict[str, Any]
) -> None:
    token = Token(inventory)
    wrong = web("fetch", "/ferme-auth/login", "--form", "identifiant=agent.demo", "--form",
                f"code={token.pin}000000", "--form", "rd=/RDWeb/webclient/")  # fmt: skip
    assert wrong["status"] == 401 and "Identifiant ou code incorrect" in wrong["body"], wrong
    assert not [c for c in wrong["cookies"] if c.startswith("ferme_portail=")]
    password = token.next_password()
    right = web("fetch", "/ferme-auth/login", "--form", "identifiant=agent.demo", "--form", f"code={password}",
                "--form", "rd=/RDWeb/webclient/")  # fmt: skip
    assert right["status"] == 303 and right["location"] == "/RDWeb/webclient/", right
    cookie = _cookie(right)
    flags = next(c for c in right["cookies"] if c.startswith("ferme_portail="))
    assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags
    behind = web("fetch", "/RDWeb/webclient/", "--cookie", cookie)
    assert behind["status"] == 200 and "Accès Web RD" in behind["body"], behind  # the stand-in answered
    echo = web("ws", "/remoteDesktopGateway/ws", "--cookie", cookie)
    assert echo == {"status": 101, "echo": "bonjour"}, echo
    # Forged: a flipped signature, or another agent's name under the same signature.
    payload, signature = cookie.split("=", 1)[1].split(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    other = base64.urlsafe_b64encode(base64.urlsafe_b64decode(payload + "==").replace(b"agent.demo", b"agent.autre"))
    for forged in (f"ferme_portail={payload}.{flipped}", f"ferme_portail={other.decode().rstrip('=')}.{signature}"):
        assert web("fetch", "/RDWeb/webclient/", "--cookie", forged)["status"] == 302, forged
        assert web("ws", "/remoteDesktopGateway/ws", "--cookie", forged)["status"] == 302, forged
    # The same code again is refused (privacyIDEA's counter moved on).
    replay = web("fetch", "/ferme-auth/login", "--form", "identifiant=agent.demo", "--form", f"code={password}")
    assert replay["status"] == 401


def test_second_apply_changes_nothing_verify_passes_and_no_secret_leaks(
    inventory: Path, portal_lab: dict[str, Any], tmp_path: Path
) -> None:
    result = ferme("apply", str(inventory), "--limit", "lab-portail", "--report", str(tmp_path / "apply.json"))
    assert report(tmp_path / "apply.json")["lab-portail"]["changed"] == 0, result.stdout
    verified = ferme("verify", str(inventory), "--limit", "lab-portail", "--junit", str(tmp_path / "verify.xml"))
    assert "verify passed" in verified.stdout, verified.stdout
    assert "test_portal_answers[lab-portail]" in (tmp_path / "verify.xml").read_text()
    key = ssh(PORTAL, "cat /etc/ferme-portal/signing.key").stdout.strip()
    journal = ssh(PORTAL, "journalctl --no-pager").stdout
    assert len(key) == 64 and key not in result.stdout + result.stderr and key not in journal
    seed = secret_value("token_agent_demo", inventory)
    assert seed not in journal and secret_value("mfa_admin", inventory) not in journal
    token = Token(inventory)
    password = token.next_password()
    web("fetch", "/ferme-auth/login", "--form", "identifiant=agent.demo", "--form", f"code={password}")
    assert password not in ssh(PORTAL, "journalctl --no-pager").stdout, "the PIN and code are never logged"


def test_a_real_browser_gets_in_with_the_code_and_not_without(
    inventory: Path, portal_lab: dict[str, Any], tmp_path: Path
) -> None:
    """Headless Chromium in the teleworker's namespace: the French login page (its screenshot is the README's),
    a wrong code refused, the right one opening RD Web's stand-in and the gateway's websocket; a forged or cleared
    cookie leads back to the login page and the websocket is refused."""
    token = Token(inventory)
    right, wrong = token.next_password(), token.pin + "000000"
    screenshot = tmp_path / "portail-connexion.png"
    subprocess.run(["ip", "-n", OUTSIDE, "link", "set", "lo", "up"], check=True)  # Chromium's DevTools: loopback
    result = subprocess.run(["ip", "netns", "exec", OUTSIDE, sys.executable, BROWSER, PUBLIC, NAME, "agent.demo",
                             right, wrong, str(screenshot)], capture_output=True, text=True, timeout=180,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    assert "/ferme-auth/login" in seen["first"]["url"] and seen["first"]["lang"] == "fr", seen["first"]
    assert "Code PIN suivi du code du jeton" in seen["first"]["text"]
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 5000
    assert seen["socket_before"] == "refused"
    assert "Identifiant ou code incorrect" in seen["wrong"]["text"], seen["wrong"]
    assert seen["right"]["url"] == f"https://{NAME}/RDWeb/webclient/" and "Accès Web RD" in seen["right"]["text"]
    assert seen["socket_after"] == "echo:bonjour"
    assert {"name": "ferme_portail", "secure": True, "httpOnly": True, "sameSite": "Lax"} in seen["cookie"]
    for state in ("forged", "cleared"):
        assert "/ferme-auth/login" in seen[state]["url"], (state, seen[state])
    assert seen["socket_forged"] == "refused"
    shutil.copy(screenshot, ROOT / "build" / "portail-connexion.png")  # for the README (docs/), by hand
