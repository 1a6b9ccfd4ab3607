"""The edge firewall with real packets (issue: flows derived from roles).

Every flow of the lab's matrix is tried from a host of its source zone to its destination; other
ports between every pair of zones must be refused; nmap from the teleworker's side must find the
published ports and no other; a ruleset that cuts the controller off must roll back by itself.

Windows hosts do not run here: for the network tests a *stand-in* namespace holds each Windows
host's addresses and answers on its ports, so the firewall is tested, not Windows. A probe
namespace per zone plays a workstation of that zone; a VPN client is played by the VPN server
sending from an address of the pool (as a tunnel would).
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ferme.lab import network
from ferme.lab.topology import Leg, build_topology, interface_name
from ferme.operations import nft_commit
from ferme.plan import build_plan
from ferme.site import load_site
from tests.lab.conftest import LAB_ID, RUN_DIR, SSH_KEY, ferme, report, ssh

NETCHECK = str(Path(__file__).with_name("netcheck.py"))
REFUSED_TCP = [23, 3306, 5900, 8080]
REFUSED_UDP = [69, 514]
VPN_CLIENT = "198.19.5.253"


@dataclass
class Lab:
    plan: dict[str, Any]
    where: dict[str, str] = field(default_factory=dict)  # address → namespace that answers for it
    zone_probe: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # zone → (netns, source)
    host_ns: dict[str, str] = field(default_factory=dict)  # host → namespace
    listeners: list[subprocess.Popen[str]] = field(default_factory=list)


def _netns_run(netns: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", netns, sys.executable, NETCHECK, *args], capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip


def _zone_net(plan: dict[str, Any], zone: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(plan["zones"][zone]["subnet"])


def _stand_in(plan: dict[str, Any], topology: Any, netns: str, legs: dict[str, str], gateway: str | None) -> None:
    network.add_netns(netns)
    for zone, address in legs.items():
        suffix = interface_name(topology.lab_id, netns, zone)
        leg = Leg(zone, zone[:15], suffix + "h", suffix + "b", f"{address}/{_zone_net(plan, zone).prefixlen}")
        network.add_leg(leg, netns, topology.core_netns, topology.bridges[zone])
    if gateway:
        subprocess.run(["ip", "-n", netns, "route", "replace", "default", "via", gateway], check=True)


@pytest.fixture(scope="module")
def lab(inventory: Path) -> Iterator[Lab]:
    ferme("apply", str(inventory))  # converged, whatever ran before
    plan = build_plan(load_site(inventory, with_secrets=False))
    topology = build_topology(plan)
    state = Lab(plan)
    created: list[str] = []
    vpn_ns = f"{LAB_ID}-lab-vpn"
    try:
        for name, host in plan["hosts"].items():
            if host["os"] == "debian":
                state.host_ns[name] = f"{LAB_ID}-{name}"
            else:
                netns = f"{LAB_ID}-si-{name}"
                gateway = next(plan["zones"][z]["gateway"] for z in host["addresses"] if z != "mgmt")
                _stand_in(plan, topology, netns, host["addresses"], gateway)
                created.append(netns)
                state.host_ns[name] = netns
            for address in host["addresses"].values():
                state.where[address] = state.host_ns[name]
        for switch in topology.switches:
            state.where[switch.address] = switch.netns
        for zone, info in plan["zones"].items():
            if info["kind"] == "outside":
                state.zone_probe[zone] = (topology.outside_netns, None)
                state.where[info["gateway"]] = topology.outside_netns
            elif info["kind"] == "vpn":
                # What the VPN role will do for its clients: their traffic leaves towards the edge, never
                # straight onto the VPN server's own zone (the replies come back through the edge).
                gateway = plan["zones"][next(r["zone"] for r in plan["edge"]["routes"])]["gateway"]
                subprocess.run(["ip", "-n", vpn_ns, "addr", "replace", f"{VPN_CLIENT}/32", "dev", "lo"], check=True)
                subprocess.run(["ip", "-n", vpn_ns, "rule", "add", "from", info["subnet"], "lookup", "100"], check=True)
                subprocess.run(["ip", "-n", vpn_ns, "route", "replace", "default", "via", gateway, "table", "100"],
                               check=True)  # fmt: skip
                state.zone_probe[zone] = (vpn_ns, VPN_CLIENT)
            else:
                netns = f"{LAB_ID}-pr-{zone}"
                address = str(_zone_net(plan, zone).broadcast_address - 2)
                _stand_in(plan, topology, netns, {zone: address}, info["gateway"])
                created.append(netns)
                state.zone_probe[zone] = (netns, None)
                state.where[address] = netns
        # FreeRADIUS holds 1812/udp on the MFA host: it steps aside while the probe listens there.
        ssh(plan["hosts"]["lab-mfa"]["connection"]["address"], "systemctl stop freeradius")
        yield state
    finally:
        for process in state.listeners:
            process.kill()
        ssh(plan["hosts"]["lab-mfa"]["connection"]["address"], "systemctl start freeradius")
        subprocess.run(["ip", "-n", vpn_ns, "addr", "del", f"{VPN_CLIENT}/32", "dev", "lo"], check=False)
        subprocess.run(["ip", "-n", vpn_ns, "rule", "del", "lookup", "100"], check=False)
        subprocess.run(["ip", "-n", vpn_ns, "route", "flush", "table", "100"], check=False)
        for netns in created:
            subprocess.run(["ip", "netns", "delete", netns], check=False)


def _first_port(ports: str) -> int:
    return int(ports.split("-")[0])


def _public(plan: dict[str, Any], flow_id: str) -> str | None:
    for publication in plan["edge"]["publications"]:
        if flow_id in publication["flows"] and not publication["local"]:
            return str(publication["public_address"])
    return None


def _checks(lab: Lab) -> list[tuple[str, str, str | None, str, str, int, str]]:
    """(flow id, source netns, source address, protocol, destination, port, listener netns) for each flow rule."""
    checks = []
    plan = lab.plan
    for flow in plan["flows"]:
        source = flow["source"]
        if source["kind"] == "zone":
            netns, address = lab.zone_probe[source["name"]]
        else:
            netns, address = lab.host_ns[source["hosts"][0]], None
        for destination in flow["destination"]["addresses"]:
            target = (_public(plan, flow["id"]) if flow["published"] else None) or destination
            for rule in flow["rules"]:
                checks.append((flow["id"], netns, address, rule["protocol"], target, _first_port(rule["ports"]),
                               lab.where[destination]))  # fmt: skip
    return checks


def _listen(lab: Lab, wanted: dict[str, dict[str, set[int]]]) -> None:
    for netns, ports in wanted.items():
        process = subprocess.Popen(
            ["ip", "netns", "exec", netns, sys.executable, NETCHECK, "serve", "--seconds", "600",
             "--tcp", ",".join(map(str, sorted(ports["tcp"]))), "--udp", ",".join(map(str, sorted(ports["udp"])))],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("ready"):
                break
        lab.listeners.append(process)


def _probe(netns: str, source: str | None, protocol: str, address: str, port: int, timeout: float = 1.5) -> bool:
    args = ["probe", protocol, address, str(port), "--timeout", str(timeout)]
    if source:
        args += ["--source", source]
    return _netns_run(netns, *args).returncode == 0


@pytest.fixture(scope="module")
def listening(lab: Lab) -> Lab:
    wanted: dict[str, dict[str, set[int]]] = {}
    for _, _, _, protocol, _, port, netns in _checks(lab):
        wanted.setdefault(netns, {"tcp": set(), "udp": set()})[protocol].add(port)
    for netns, _ in lab.zone_probe.values():
        ports = wanted.setdefault(netns, {"tcp": set(), "udp": set()})
        ports["tcp"].update(REFUSED_TCP)
        ports["udp"].update(REFUSED_UDP)
    _listen(lab, wanted)
    return lab


def test_every_flow_of_the_matrix_connects(listening: Lab) -> None:
    checks = _checks(listening)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda c: _probe(c[1], c[2], c[3], c[4], c[5], timeout=3), checks))
    failed = [f"{c[0]}: {c[3]}/{c[5]} from {c[1]} to {c[4]}" for c, ok in zip(checks, results, strict=True) if not ok]
    print(f"\n{len(checks)} connections tried for {len(listening.plan['flows'])} flows, {len(failed)} failed")
    assert not failed, "\n".join(failed)


def test_other_ports_between_zones_are_refused(listening: Lab) -> None:
    plan = listening.plan
    allowed = {(r["protocol"], _first_port(r["ports"])) for f in plan["flows"] for r in f["rules"] if r["ports"]}
    assert not allowed & ({("tcp", p) for p in REFUSED_TCP} | {("udp", p) for p in REFUSED_UDP})
    targets = {zone: address for address, netns in listening.where.items() for zone in plan["zones"]
               if netns == listening.zone_probe.get(zone, ("", None))[0]
               and ipaddress.IPv4Address(address) in _zone_net(plan, zone)}  # fmt: skip
    checks = []
    for source_zone, (netns, source) in listening.zone_probe.items():
        for target_zone, address in targets.items():
            if target_zone == source_zone:
                continue
            checks += [(source_zone, target_zone, netns, source, "tcp", address, p) for p in REFUSED_TCP]
            checks += [(source_zone, target_zone, netns, source, "udp", address, p) for p in REFUSED_UDP]
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda c: _probe(c[2], c[3], c[4], c[5], c[6], timeout=1.0), checks))
    leaks = [f"{c[0]} → {c[1]} {c[4]}/{c[6]}" for c, ok in zip(checks, results, strict=True) if ok]
    print(f"\n{len(checks)} refused connections tried between {len(listening.zone_probe)} zones")
    assert len(checks) > 50 and not leaks, leaks


def test_the_same_ports_within_a_zone_are_not_filtered(listening: Lab) -> None:
    """The refusals above come from the edge, not from the probes: inside one zone they connect."""
    netns, _ = listening.zone_probe["users"]
    target = str(_zone_net(listening.plan, "users").broadcast_address - 2)
    assert _probe(netns, None, "tcp", target, REFUSED_TCP[0])


def _nmap_open(arguments: list[str]) -> set[tuple[str, str, int]]:
    outside = f"{LAB_ID}-outside"
    command = ["ip", "netns", "exec", outside, "nmap", "-Pn", "-n", "-T4", "--max-retries", "1", "-oX", "-", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    found = set()
    for host in ET.fromstring(result.stdout).iter("host"):
        address = host.find("address").get("addr")  # type: ignore[union-attr]
        for port in host.iter("port"):
            if port.find("state").get("state") == "open":  # type: ignore[union-attr]
                found.add((str(address), port.get("protocol", ""), int(port.get("portid", "0"))))
    return found


def test_outside_scan_finds_exactly_the_published_ports(listening: Lab) -> None:
    plan = listening.plan
    publics = sorted({p["public_address"] for p in plan["edge"]["publications"]})
    expected = {(p["public_address"], r["protocol"], int(r["ports"])) for p in plan["edge"]["publications"]
                for r in p["rules"]}  # fmt: skip
    started = time.monotonic()
    found = _nmap_open(["-sT", "-p", "1-1024,1194,1812,3389,3391,5504,5986,8080,49152", *publics])
    found |= _nmap_open(["-sU", "-p", "53,69,123,161,514,1194,1812,3391", *publics])
    print(f"\nnmap from the outside namespace: {sorted(found)} in {time.monotonic() - started:.0f} s")
    assert found == expected


def test_a_ruleset_that_cuts_the_controller_off_rolls_back(inventory: Path, lab: Lab, tmp_path: Path) -> None:
    import paramiko

    firewall = lab.plan["hosts"]["lab-fw"]["connection"]["address"]
    target = nft_commit.SshTarget(firewall, "root", 22, str(SSH_KEY), str(RUN_DIR / "known_hosts"))
    before = ssh(firewall, "nft -s list ruleset | sha256sum").stdout
    cut = "\n".join([
        "flush ruleset", "table inet cut {", "\tchain input {",
        "\t\ttype filter hook input priority filter; policy drop;",
        "\t\tct state established,related accept", '\t\tiifname "lo" accept', "\t}", "}", "",
    ])  # fmt: skip
    seconds = 20
    session = paramiko.SSHClient()  # the existing connection, as pyinfra's during an apply
    session.load_host_keys(target.known_hosts or "")
    session.set_missing_host_key_policy(paramiko.RejectPolicy())
    session.connect(firewall, username="root", key_filename=target.key, timeout=10)
    try:
        stdin, stdout, _ = session.exec_command(f"cat > {nft_commit.CANDIDATE}")
        stdin.write(cut)
        stdin.channel.shutdown_write()
        assert stdout.channel.recv_exit_status() == 0
        _, stdout, stderr = session.exec_command(" && ".join(nft_commit.arm_and_apply_commands(seconds)))
        assert stdout.channel.recv_exit_status() == 0, stderr.read()
        applied = time.monotonic()
        _, stdout, _ = session.exec_command("nft list tables")
        assert "table inet cut" in stdout.read().decode(), "the established session still works"
        with pytest.raises(nft_commit.ConfirmFailed):
            nft_commit.confirm(target, attempts=1)
    finally:
        session.close()
    while True:
        try:
            nft_commit.run_on_new_connection(target, "true", timeout=2)
            break
        except Exception:  # still cut off
            assert time.monotonic() - applied < seconds + 30, "the previous ruleset did not come back"
            time.sleep(0.5)
    back_after = time.monotonic() - applied
    print(f"\nno confirmation: previous ruleset back {back_after:.1f} s after the cut (timer {seconds} s)")
    assert seconds - 1 <= back_after <= seconds + 15
    assert ssh(firewall, "nft -s list ruleset | sha256sum").stdout == before
    result = ferme("apply", str(inventory), "--limit", "lab-fw", "--report", str(tmp_path / "r.json"))
    changed = report(tmp_path / "r.json")["lab-fw"]["changed_operations"]
    # The test wrote its own candidate file: the role puts its own back, and nothing else changes.
    assert changed == ["Edge firewall (nftables) | nftables: candidate ruleset"], result.stdout
