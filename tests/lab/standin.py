"""Namespaces the lab tests add beside the lab's hosts: a workstation of a zone, a Windows host's stand-in.

`client()` gives a workstation that resolves the inventory's names (its own /etc/hosts) and trusts the site
CA (its own /etc/ssl), through `ip netns exec`'s /etc/netns/<name>/ overlay: real clients (curl, litmus,
testssl.sh) then check names and certificates as on a site.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ferme.lab import network
from ferme.lab.topology import Leg, build_topology, interface_name
from ferme.site.secrets import secret_value


def zone_net(plan: dict[str, Any], zone: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(plan["zones"][zone]["subnet"])


def stand_in(
    plan: dict[str, Any],
    topology: Any,
    netns: str,
    legs: dict[str, str],
    gateway: str | None,
    routes: tuple[tuple[str, str], ...] = (),
) -> None:
    network.add_netns(netns)
    for zone, address in legs.items():
        suffix = interface_name(topology.lab_id, netns, zone)
        leg = Leg(zone, zone[:15], suffix + "h", suffix + "b", f"{address}/{zone_net(plan, zone).prefixlen}")
        network.add_leg(leg, netns, topology.core_netns, topology.bridges[zone])
    if gateway:
        subprocess.run(["ip", "-n", netns, "route", "replace", "default", "via", gateway], check=True)
    for to, via in routes:  # a Windows host's bootstrap route to the admin zone (README)
        subprocess.run(["ip", "-n", netns, "route", "replace", to, "via", via], check=True)
    for zone, address in legs.items():
        announce(netns, address, plan["zones"][zone].get("gateway"))


def announce(netns: str, address: str, gateway: str | None) -> None:
    """Make the zone's gateway learn this leg's MAC address now, as a host coming up does (its ARP request).

    A stand-in that takes an address another one held before (the directory's slapd, then the firewall test's
    listener) has a new MAC: the edge would keep sending to the old one until its neighbour entry times out
    (about 8 s), and every connection tried meanwhile fails."""
    if not gateway:
        return
    send = (f"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('{address}', 0)); "
            f"s.sendto(b'', ('{gateway}', 9))")  # fmt: skip
    subprocess.run(["ip", "netns", "exec", netns, "python3", "-c", send], check=False, capture_output=True)


def name_and_trust(netns: str, names: dict[str, str], ca: Path | None) -> Path:
    """/etc/netns/<netns>/: hosts (names → addresses) and an /etc/ssl whose bundle also holds the site CA."""
    folder = Path("/etc/netns") / netns
    folder.mkdir(parents=True, exist_ok=True)
    hosts = "127.0.0.1 localhost\n" + "".join(f"{address} {name}\n" for name, address in names.items())
    (folder / "hosts").write_text(hosts)
    # No DNS in the lab: a lookup fails at once on the loopback instead of waiting for the controller's servers.
    (folder / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    if ca is not None:
        shutil.copytree("/etc/ssl", folder / "ssl", symlinks=True, ignore=shutil.ignore_patterns("private"),
                        dirs_exist_ok=True)  # fmt: skip
        bundle = folder / "ssl" / "certs" / "ca-certificates.crt"
        if bundle.is_symlink():
            bundle.unlink()
        bundle.write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text() + ca.read_text())
    return folder


@contextmanager
def client(plan: dict[str, Any], zone: str, netns: str, names: dict[str, str], ca: Path | None) -> Iterator[str]:
    """A workstation of `zone` (an address near the top of its subnet), removed on exit; yields its address."""
    topology = build_topology(plan)
    address = str(zone_net(plan, zone).broadcast_address - 3)
    folder = Path("/etc/netns") / netns
    try:
        stand_in(plan, topology, netns, {zone: address}, plan["zones"][zone]["gateway"])
        name_and_trust(netns, names, ca)
        yield address
    finally:
        subprocess.run(["ip", "netns", "delete", netns], check=False)
        shutil.rmtree(folder, ignore_errors=True)


class Workstation:
    """Real clients on a namespace as one of the lab's accounts (collab_<login> secrets)."""

    def __init__(self, netns: str, inventory: Path, base: str) -> None:
        self.netns, self.base = netns, base
        self.passwords = {login: secret_value(f"collab_{login.replace('.', '_')}", inventory)
                          for login in ("agent.demo", "agent.tous")}  # fmt: skip

    def run(self, *args: str, timeout: float = 120, data: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.netns, *args], capture_output=True, text=True,
                              timeout=timeout, input=data, check=False)  # fmt: skip

    def curl(self, login: str, method: str, path: str, *extra: str, data: str | None = None) -> tuple[int, str]:
        """(HTTP status, body) of one request as `login`; the password goes through curl's stdin config."""
        config = f'user = "{login}:{self.passwords[login]}"\n'
        args = [
            "curl",
            "-sS",
            "--config",
            "-",
            "-X",
            method,
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
            *extra,
            self.base + path,
        ]
        if data is not None:
            Path(f"/tmp/{self.netns}-body").write_text(data)
            args[1:1] = ["--data-binary", f"@/tmp/{self.netns}-body"]
        result = self.run(*args, data=config)
        body, _, code = result.stdout.rpartition("\n")
        return int(code or 0), body

    def versions(self, login: str, path: str) -> list[int]:
        code, body = self.curl(login, "GET", f"{path}/@history", "-H", "Accept: application/json")
        assert code == 200, (code, body[:300])
        return sorted(e["version"] for e in json.loads(body) if e.get("type") == "versioning")
