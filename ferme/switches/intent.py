"""A switch's intended configuration, vendor-neutral: what its VLANs, ports, management and services must be.

Built from the plan only (zones, the switch's ports, the flows that reach switches, `switching:`), so that
the three vendors' templates render the same intent and a test can state it once.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ferme.plan.types import Plan

PARKING_NAME = "parking"
LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "\u2019": "'", "«": '"', "»": '"'}
UNUSED_FR = "Port inutilise (parking)"
BANNER_FR = (
    "Acces reserve aux administrateurs de {label}.\n"
    "Toute connexion est journalisee. Tout acces non autorise est interdit\n"
    "et passible de poursuites (articles 323-1 et suivants du Code penal)."
)


def ascii_text(text: str, limit: int = 200) -> str:
    """Switch configurations hold ASCII: accents dropped, quotes and control characters out."""
    for letter, spelled in LIGATURES.items():
        text = text.replace(letter, spelled)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded if c.isprintable() and c != '"').strip()[:limit]


@dataclass(frozen=True)
class Vlan:
    number: int
    name: str


@dataclass(frozen=True)
class SwitchPortIntent:
    name: str
    mode: str  # access, trunk, unused
    description: str
    vlan: int | None = None  # access: its VLAN; unused: the parking VLAN
    allowed: tuple[int, ...] = ()  # trunk: the VLANs carried tagged
    native: int | None = None  # trunk: untagged VLAN (default: parking, which carries nothing)
    shutdown: bool = False
    edge: bool = False  # a host's, a desk's or a parked port: portfast/admin-edge, BPDU guard, storm control


@dataclass(frozen=True)
class Management:
    vlan: int
    vlan_name: str
    address: str
    netmask: str
    prefix: int
    gateway: str | None


@dataclass(frozen=True)
class Source:
    """A network allowed to manage the switch (from the flows that reach switches)."""

    network: str
    address: str
    wildcard: str
    netmask: str
    prefix: int


@dataclass(frozen=True)
class SwitchIntent:
    name: str
    vendor: str
    model: str
    domain: str
    banner: str
    vlans: tuple[Vlan, ...]
    ports: tuple[SwitchPortIntent, ...]
    management: Management
    ssh_sources: tuple[Source, ...]
    snmp_sources: tuple[Source, ...]
    ntp_servers: tuple[str, ...]
    syslog: dict[str, Any] | None
    admin_user: str
    snmp: dict[str, Any] | None
    aaa: dict[str, Any] | None
    storm_percent: float
    parking: int
    secrets: dict[str, str | None] = field(default_factory=dict)  # what `secret()` names, by use

    def secret(self, use: str) -> str:
        """A placeholder a template writes where a secret goes: `<secret NAME>` (the push fills the value)."""
        return f"<secret {self.secrets.get(use) or 'none'}>"

    @property
    def access_ports(self) -> tuple[SwitchPortIntent, ...]:
        return tuple(p for p in self.ports if p.mode == "access")

    @property
    def trunk_ports(self) -> tuple[SwitchPortIntent, ...]:
        return tuple(p for p in self.ports if p.mode == "trunk")

    @property
    def unused_ports(self) -> tuple[SwitchPortIntent, ...]:
        return tuple(p for p in self.ports if p.mode == "unused")


def _sources(plan: Plan, name: str, protocol: str, port: str) -> tuple[Source, ...]:
    networks: set[ipaddress.IPv4Network] = set()
    for flow in plan["flows"]:
        if flow["destination"]["kind"] != "switches" or name not in flow["destination"]["hosts"]:
            continue
        if any(r["protocol"] == protocol and str(r["ports"]) == port for r in flow["rules"]):
            networks.update(ipaddress.IPv4Network(a, strict=False) for a in flow["source"]["addresses"])
    return tuple(Source(str(n), str(n.network_address), str(n.hostmask), str(n.netmask), n.prefixlen)
                 for n in sorted(networks))  # fmt: skip


def _description(port: dict[str, Any], plan: Plan) -> str:
    """`host (roles) - description` for a host's port, the inventory's description otherwise."""
    text = port.get("description", "")
    if port.get("host"):
        host = plan["hosts"].get(port["host"])
        roles = ",".join(host["roles"]) if host else ""
        text = f"{port['host']}" + (f" ({roles})" if roles else "") + (f" - {text}" if text else "")
    elif port.get("uplink"):
        text = f"vers {port['uplink']}" + (f" - {text}" if text else "")
    return ascii_text(text)


def switch_intent(plan: Plan, name: str) -> SwitchIntent:
    """The intended configuration of switch `name`."""
    switch = plan["switches"][name]
    zones = plan["zones"]
    switching = plan["settings"]["switching"]
    parking = int(switching["parking_vlan"])
    vlan_of = {z: int(zone["vlan"]) for z, zone in zones.items() if zone["vlan"] is not None}
    ports: list[SwitchPortIntent] = []
    for port_name, port in switch["ports"].items():
        description = _description(port, plan)
        if port.get("trunk"):
            ports.append(SwitchPortIntent(port_name, "trunk", description,
                                          allowed=tuple(sorted(vlan_of[z] for z in port["trunk"])),
                                          native=vlan_of[port["native"]] if port.get("native") else parking,
                                          shutdown=bool(port.get("shutdown"))))  # fmt: skip
        elif port.get("zone"):
            edge = not port.get("uplink")  # a host or a desk: no switch behind it
            ports.append(SwitchPortIntent(port_name, "access", description, vlan=vlan_of[port["zone"]],
                                          shutdown=bool(port.get("shutdown")), edge=edge))  # fmt: skip
        else:
            ports.append(SwitchPortIntent(port_name, "unused", description or UNUSED_FR, vlan=parking, shutdown=True,
                                          edge=True))  # fmt: skip
    listed = {p.name for p in ports}
    # A parked port is an edge port too: whoever turns it on later gets BPDU guard with it.
    ports += [SwitchPortIntent(p, "unused", UNUSED_FR, vlan=parking, shutdown=True, edge=True)
              for p in switch.get("interfaces", []) if p not in listed]  # fmt: skip
    order = {p: i for i, p in enumerate(switch.get("interfaces", []))}
    ports.sort(key=lambda p: (order.get(p.name, len(order)), _natural(p.name)))

    mgmt_zone = zones[switch["management"]["zone"]]
    subnet = ipaddress.IPv4Network(mgmt_zone["subnet"])
    management = Management(vlan_of[switch["management"]["zone"]], switch["management"]["zone"],
                            switch["management"]["address"], str(subnet.netmask), subnet.prefixlen,
                            mgmt_zone["gateway"])  # fmt: skip
    used = {management.vlan, parking} | {p.vlan for p in ports if p.vlan} | {v for p in ports for v in p.allowed}
    used |= {p.native for p in ports if p.native}
    names = {vlan: zone for zone, vlan in sorted(vlan_of.items(), reverse=True)}
    vlans = tuple(Vlan(v, PARKING_NAME if v == parking else names[v]) for v in sorted(used))

    snmp, aaa = switching.get("snmp"), switching.get("aaa")
    secrets = {
        "admin": (switch["connection"].get("password_secret")),
        "snmp_auth": snmp["auth_password"]["secret"] if snmp else None,
        "snmp_priv": snmp["priv_password"]["secret"] if snmp else None,
        "aaa": aaa["secret"]["secret"] if aaa else None,
    }
    return SwitchIntent(
        name=name, vendor=switch["vendor"], model=switch["model"], domain=plan["site"]["domain"],
        banner=BANNER_FR.format(label=ascii_text(plan["site"]["label"])), vlans=vlans, ports=tuple(ports),
        management=management, ssh_sources=_sources(plan, name, "tcp", "22"),
        snmp_sources=_sources(plan, name, "udp", "161") if snmp else (), ntp_servers=tuple(switch["ntp_servers"]),
        syslog=switch["syslog"], admin_user=switch["connection"]["user"],
        snmp=snmp, aaa=aaa, storm_percent=float(switching["storm_control_percent"]), parking=parking,
        secrets=secrets,
    )  # fmt: skip


def _natural(name: str) -> tuple[Any, ...]:
    """Gi1/0/10 after Gi1/0/9."""
    parts: list[Any] = []
    number = ""
    for char in name + " ":
        if char.isdigit():
            number += char
            continue
        if number:
            parts.append(int(number))
            number = ""
        parts.append(char)
    return tuple(parts)
