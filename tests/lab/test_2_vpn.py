"""The teleworkers' VPN in the lab, with a real OpenVPN client in the outside namespace (the teleworker's home).

The client uses the profile ferme brought back to build/<site>/vpn/ (only its `remote` name is replaced by the
edge's public address: the lab has no DNS) and logs in as `agent.demo` with the PIN and the next code of the
software HOTP token; its traffic crosses the edge, which only lets through what the flows allow.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from ferme.roles.mfa import converger

from ferme.plan import build_plan
from ferme.site import load_site
from ferme.site.secrets import secret_value
from tests.lab.conftest import LAB_ID, ROOT, ferme, report, ssh
from tests.lab.radius_probe import hotp
from tests.lab.standin import Workstation, name_and_trust

NETCHECK = str(Path(__file__).with_name("netcheck.py"))
OUTSIDE = f"{LAB_ID}-outside"
MFA = "198.19.4.20"  # lab-mfa's management leg
VPN = "198.19.7.10"  # lab-vpn's management leg
PUBLIC = "198.19.0.2"  # the edge's outside address, where the VPN is published
COLLAB = "198.19.1.20"  # lab-collab: a flow lets VPN clients reach it on 443
LOCK_BODY = (
    '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
    "<D:locktype><D:write/></D:locktype><D:owner>agent.demo</D:owner></D:lockinfo>"
)
FORBIDDEN = "198.19.2.20"  # lab-mfa's console: administration only, never from the VPN


class Token:
    """agent.demo's software token: the next code is the one privacyIDEA expects (its counter, read there)."""

    def __init__(self, inventory: Path) -> None:
        self.pin = secret_value("pin_agent_demo", inventory)
        self.seed = secret_value("token_agent_demo", inventory)
        status = ssh(MFA, converger("status"))
        self.counter = json.loads(status.stdout)["tokens"]["LAB-DEMO-1"]["counter"]
        self.used: list[str] = []

    def next_password(self) -> str:
        password = self.pin + hotp(self.seed, self.counter)
        self.counter += 1
        self.used.append(password)
        return password


@pytest.fixture(scope="module")
def vpn_lab(inventory: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ferme("apply", str(inventory), "--limit", "lab-fw,lab-mfa,lab-vpn,lab-collab")
    plan = build_plan(load_site(inventory, with_secrets=False))
    profile = ROOT / "build" / plan["site"]["name"] / "vpn" / f"{plan['site']['name']}.ovpn"
    assert profile.exists(), f"ferme apply brought no profile back to {profile}"
    folder = tmp_path_factory.mktemp("vpn")
    local = folder / "client.ovpn"
    local.write_text(re.sub(r"^remote \S+ ", f"remote {PUBLIC} ", profile.read_text(), flags=re.M))
    # lab-collab's nginx answers on 443 (the collab role): the probes speak HTTP to it.
    yield {"plan": plan, "profile": profile, "client": local, "folder": folder}


@contextmanager
def tunnel(config: Path, user: str, password: str, device: str, wait: float = 25) -> Iterator[tuple[bool, str]]:
    """An OpenVPN client in the outside namespace: (connected, its log so far); stopped on exit."""
    secret = config.with_name(f"{device}.auth")
    secret.write_text(f"{user}\n{password}\n")
    secret.chmod(0o600)
    process = subprocess.Popen(
        ["ip", "netns", "exec", OUTSIDE, "openvpn", "--config", str(config), "--auth-user-pass", str(secret),
         "--dev", device, "--connect-retry-max", "1", "--verb", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    log: list[str] = []
    done = threading.Event()

    def read() -> None:  # a thread: select() on a buffered pipe misses lines already read into the buffer
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            if "Initialization Sequence Completed" in line or "AUTH_FAILED" in line:
                done.set()
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done.wait(wait)
        connected = any("Initialization Sequence Completed" in line for line in log)
        yield connected, "".join(log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        secret.unlink(missing_ok=True)


def _probe(address: str, port: int) -> bool:
    """An HTTP exchange (nginx answers even a plain request on its TLS port) through the path."""
    result = subprocess.run(["ip", "netns", "exec", OUTSIDE, sys.executable, NETCHECK, "probe", "tcp", address,
                             str(port), "--timeout", "3", "--http"], capture_output=True, text=True,
                            check=False)  # fmt: skip
    return result.returncode == 0


def test_pin_and_code_connect_and_the_edge_decides_what_is_reached(inventory: Path, vpn_lab: dict[str, Any]) -> None:
    token = Token(inventory)
    with tunnel(vpn_lab["client"], "agent.demo", token.next_password(), "tunf0") as (connected, log):
        assert connected, log
        pushed = re.search(r"PUSH_REPLY,([^']*)", log)
        assert pushed is not None, log
        routes = {r.split()[1] for r in pushed.group(1).split(",") if r.startswith("route ")}
        assert COLLAB in routes and FORBIDDEN not in routes, routes  # only what the flows allow is pushed
        address = re.search(r"ifconfig (198\.19\.5\.\d+) ", pushed.group(1))
        assert address is not None, "the client's address comes from the vpn zone's pool"
        assert _probe(COLLAB, 443), "an allowed service (collab/https/vpn) must answer through the tunnel"
        # A client that routes more into its tunnel than it was given meets the edge: MFA's console is refused.
        gateway = pushed.group(1).split("route-gateway ")[1].split(",")[0]
        subprocess.run(["ip", "-n", OUTSIDE, "route", "replace", f"{FORBIDDEN}/32", "via", gateway, "dev", "tunf0"],
                       check=True)  # fmt: skip
        assert not _probe(FORBIDDEN, 443), "a service no flow opens to the vpn zone must stay out of reach"
    assert not _probe(COLLAB, 443), "without the tunnel, the inside is out of reach"


def test_a_replayed_or_wrong_code_is_refused(inventory: Path, vpn_lab: dict[str, Any]) -> None:
    token = Token(inventory)
    used = token.next_password()
    with tunnel(vpn_lab["client"], "agent.demo", used, "tunf1") as (connected, log):
        assert connected, log
    with tunnel(vpn_lab["client"], "agent.demo", used, "tunf1") as (connected, log):
        assert not connected and "AUTH_FAILED" in log, "a code used once must be refused"
    with tunnel(vpn_lab["client"], "agent.demo", token.pin + "000000", "tunf1") as (connected, log):
        assert not connected and "AUTH_FAILED" in log, "a wrong code must be refused"
    # The next right code still passes (one wrong try does not lock the token).
    with tunnel(vpn_lab["client"], "agent.demo", token.next_password(), "tunf1") as (connected, log):
        assert connected, log


def test_the_cap_refuses_the_client_over_it(inventory: Path, vpn_lab: dict[str, Any]) -> None:
    """vpn.concurrent set to 1 in this copy of the lab: a second teleworker is refused while one is connected."""
    services = inventory / "services.yml"
    original = services.read_text()
    services.write_text(original.replace("  pool: 198.19.5.0/24\n", "  pool: 198.19.5.0/24\n  concurrent: 1\n"))
    try:
        ferme("apply", str(inventory), "--limit", "lab-vpn")
        config = ssh(VPN, "grep ^max-clients /etc/openvpn/ferme/ferme0.conf").stdout.strip()
        assert config == "max-clients 1", config
        token = Token(inventory)
        with tunnel(vpn_lab["client"], "agent.demo", token.next_password(), "tunf2") as (first, log):
            assert first, log
            with tunnel(vpn_lab["client"], "agent.demo", token.next_password(), "tunf3", wait=15) as (second, log2):
                assert not second, log2
            journal = ssh(VPN, "journalctl -u ferme-openvpn@ferme0 --no-pager --since '-2min'").stdout
            assert "would exceed maximum number of clients (1)" in journal, journal[-2000:]
    finally:
        services.write_text(original)
        ferme("apply", str(inventory), "--limit", "lab-vpn")


def test_second_apply_changes_nothing_and_no_secret_leaks(inventory: Path, vpn_lab: dict[str, Any],
                                                          tmp_path: Path) -> None:  # fmt: skip
    result = ferme("apply", str(inventory), "--limit", "lab-vpn", "--report", str(tmp_path / "apply.json"))
    assert report(tmp_path / "apply.json")["lab-vpn"]["changed"] == 0, result.stdout
    verified = ferme("verify", str(inventory), "--limit", "lab-vpn", "--junit", str(tmp_path / "verify.xml"))
    assert "verify passed" in verified.stdout, verified.stdout
    assert "test_each_process_runs_on_its_port_with_its_cap[lab-vpn]" in (tmp_path / "verify.xml").read_text()
    profile = vpn_lab["profile"].read_text()
    assert "BEGIN CERTIFICATE" in profile and "PRIVATE KEY" not in profile and "auth-user-pass\n" in profile
    values = [secret_value(name, inventory) for name in ("radius_vpn", "token_agent_demo", "mfa_admin")]
    journal = ssh(VPN, "journalctl --no-pager").stdout
    build = "".join(p.read_text(errors="replace") for p in vpn_lab["profile"].parent.rglob("*") if p.is_file())
    for value in values:
        assert value not in result.stdout + result.stderr and value not in journal and value not in build
    # The passwords the client sent (PIN + code) are not written down by the VPN server either.
    token = Token(inventory)
    with tunnel(vpn_lab["client"], "agent.demo", token.next_password(), "tunf4") as (connected, log):
        assert connected, log
    journal = ssh(VPN, "journalctl --no-pager").stdout
    assert not [p for p in token.used if p in journal]


def test_an_agents_day(inventory: Path, vpn_lab: dict[str, Any]) -> None:
    """Issue 14: a teleworker at home (the outside namespace) connects to the VPN with PIN+code, opens a document
    of its service over WebDAV, saves a new version, and is refused another service's library; without the
    VPN, the libraries are out of reach (the lab's collab is `access: vpn`)."""
    plan = vpn_lab["plan"]
    fqdn = plan["settings"]["collab"]["fqdn"]
    home = Workstation(OUTSIDE, inventory, f"https://{fqdn}")
    folder = name_and_trust(OUTSIDE, {fqdn: COLLAB}, inventory / "certificats" / "ferme-ca.crt")
    try:
        blocked = home.run("curl", "-s", "-o", "/dev/null", "--max-time", "5", f"https://{fqdn}/pilote/")
        assert blocked.returncode != 0, "without the VPN, the collaboration server is out of reach"
        token = Token(inventory)
        with tunnel(vpn_lab["client"], "agent.demo", token.next_password(), "tunf5") as (connected, log):
            assert connected, log
            assert home.curl("agent.demo", "PUT", "/pilote/journee.txt", data="matin")[0] in (201, 204)
            before = home.versions("agent.demo", "/pilote/journee.txt")
            assert home.curl("agent.demo", "GET", "/pilote/journee.txt") == (200, "matin")
            # As an office suite saves: lock, write with the lock's token, unlock.
            code, answer = home.curl("agent.demo", "LOCK", "/pilote/journee.txt", "-H", "Timeout: Second-600",
                                     "-H", "Content-Type: application/xml", data=LOCK_BODY)  # fmt: skip
            assert code == 200, answer[:500]
            lock = re.search(r"opaquelocktoken:[^<\s]+", answer)
            assert lock is not None, answer[:500]
            assert home.curl("agent.demo", "PUT", "/pilote/journee.txt", data="sans jeton")[0] == 423
            saved = home.curl("agent.demo", "PUT", "/pilote/journee.txt", "-H", f"If: (<{lock.group(0)}>)",
                              data="après-midi")  # fmt: skip
            assert saved[0] == 204, saved
            assert home.curl("agent.demo", "UNLOCK", "/pilote/journee.txt", "-H",
                             f"Lock-Token: <{lock.group(0)}>")[0] == 204  # fmt: skip
            assert home.curl("agent.demo", "GET", "/pilote/journee.txt") == (200, "après-midi")
            assert len(home.versions("agent.demo", "/pilote/journee.txt")) == len(before) + 1
            assert home.curl("agent.demo", "PUT", "/documents/journee.txt", data="x")[0] in (401, 403)
            assert home.curl("agent.demo", "PROPFIND", "/rh/", "-H", "Depth: 1")[0] in (401, 403)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
