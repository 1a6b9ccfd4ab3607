"""What every vendor edge's configuration is made of: the plan's edge policy seen as an appliance's objects.

Address objects named after the host or zone they are (`ferme-h-<host>-<zone>`, `ferme-n-<zone>`), the
interface an address is reached by (its zone's, the leg a route goes by, else the outside: the Internet),
the services by protocol and port, and the privacyIDEA servers the appliance asks by RADIUS.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ferme.plan.types import Plan

SSL_VPN_INTERFACE = "ssl.root"  # FortiOS's SSL-VPN tunnel interface


class EdgeConfig:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        edge = plan["edge"]
        assert edge is not None, "a vendor configuration needs the edge host (os: appliance, edge_firewall)"
        self.edge = edge
        self.fw = plan["hosts"][edge["host"]]
        self.names: dict[str, str] = {}  # address or network → object name
        self.objects: list[tuple[str, str, str]] = []  # (name, network, comment)
        self.services: dict[tuple[str, str], str] = {}
        vpn = plan["settings"].get("vpn") or {}
        self.vpn_on_edge = "vpn" in self.fw["roles"] and bool(vpn)
        self.pool = str(vpn.get("pool", "")) if vpn else ""
        self.interfaces = dict(edge["interfaces"])
        if self.vpn_on_edge:
            for zone, info in plan["zones"].items():
                if info["kind"] == "vpn":
                    self.interfaces[zone] = SSL_VPN_INTERFACE

    def zone_of(self, address: str) -> str | None:
        network = ipaddress.IPv4Network(address, strict=False)
        for name, zone in self.plan["zones"].items():
            if network.subnet_of(ipaddress.IPv4Network(zone["subnet"])):
                return str(name)
        return None

    def interface_of(self, address: str) -> str:
        zone = self.zone_of(address)
        if zone in self.interfaces:
            return self.interfaces[zone]
        behind = next((r for r in self.edge["routes"] if ipaddress.IPv4Network(address, strict=False)
                       .subnet_of(ipaddress.IPv4Network(r["to"]))), None)  # fmt: skip
        if behind:
            return self.interfaces[behind["zone"]]
        # An address in no zone and behind no route is on the Internet (a DNS forwarder, a time source).
        return self.edge["masquerade"][0] if zone is None and self.edge["masquerade"] else "any"

    def address(self, value: str) -> str:
        """The object for an address or network, named after the host or zone it is."""
        network = ipaddress.IPv4Network(value, strict=False)
        value = str(network.network_address) if network.prefixlen == 32 else str(network)  # one key per object
        if value in self.names:
            return self.names[value]
        name, comment = f"ferme-a-{network.network_address}", ""
        if network.prefixlen == 32:
            host = next((h for h, info in self.plan["hosts"].items() if value in info["addresses"].values()), None)
            if host:
                name, comment = f"ferme-h-{host}-{self.zone_of(value)}", f"hôte {host}"
        else:
            zone = next((z for z, info in self.plan["zones"].items() if info["subnet"] == str(network)), None)
            if zone:
                name, comment = f"ferme-n-{zone}", f"zone {zone}"
        self.names[value] = name
        self.objects.append((name, str(network), comment))
        return name

    def service(self, protocol: str, ports: str) -> str:
        if protocol == "icmp":
            return "PING" if ports == "echo-request" else "ALL_ICMP"
        key = (protocol, ports)
        if key not in self.services:
            self.services[key] = f"ferme-{protocol}-{ports}"
        return self.services[key]

    def mfa_servers(self) -> list[str]:
        """The privacyIDEA (RADIUS) servers' service addresses, in the inventory's order."""
        kinds = {z: info["kind"] for z, info in self.plan["zones"].items()}
        return [a for info in self.plan["hosts"].values() if "mfa" in info["roles"]
                for z, a in info["addresses"].items() if kinds[z] not in ("mgmt", "outside")]  # fmt: skip

    def radius_secret(self) -> str:
        """The placeholder for the appliance's RADIUS secret (its name, never its value)."""
        mfa = self.plan["settings"].get("mfa") or {}
        client = next((c for c in mfa.get("radius_clients", []) if c["host"] == self.edge["host"]), None)
        name = client["secret"]["secret"] if client and isinstance(client.get("secret"), dict) else "radius"
        return f"FERME_SECRET_{name}"

    def zone_interfaces(self) -> dict[str, str]:
        """Zone → interface for the appliance's own legs (not the SSL-VPN tunnel)."""
        return {z: i for z, i in self.interfaces.items() if i != SSL_VPN_INTERFACE}

    def cidr(self, address: str) -> str:
        return str(ipaddress.IPv4Network(address, strict=False))

    def zone_by_interface(self) -> dict[str, str]:
        return {i: z for z, i in self.interfaces.items()}

    def zone_for(self, address: str) -> str:
        """The appliance zone (the inventory's zone of the interface) an address is reached by."""
        interface = self.interface_of(address)
        return self.zone_by_interface().get(interface, interface)

    def pairs(self, rule: dict[str, Any]) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
        """A forward rule as (from zone, to zone) → (sources, destinations), networks as CIDR, `any` for all."""
        zones = self.zone_by_interface()
        if rule.get("interfaces"):  # published: from the Internet
            sources = [(zones.get(i, i), "any") for i in rule["interfaces"]]
        elif rule.get("addresses"):
            sources = [(self.zone_for(a), self.cidr(a)) for a in rule["addresses"]]
        else:
            sources = [(z, "any") for z in self.zone_interfaces()]
        if rule.get("destinations"):
            targets = [(self.zone_for(d), self.cidr(d)) for d in rule["destinations"]]
        elif rule.get("out_interfaces"):
            targets = [(zones.get(i, i), "any") for i in rule["out_interfaces"]]
        else:  # `any`: every zone
            targets = [(z, "any") for z in self.zone_interfaces()]
        result: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
        for source_zone, source in sources:
            for target_zone, target in targets:
                if source_zone == target_zone:
                    continue
                src, dst = result.setdefault((source_zone, target_zone), ([], []))
                if source not in src:
                    src.append(source)
                if target not in dst:
                    dst.append(target)
        return result

    def public_of(self, flow_id: str, real: str) -> str | None:
        """The public address a published flow reaches `real` by (pre-NAT), or None."""
        for publication in self.edge["publications"]:
            if flow_id in publication["flows"] and real.split("/")[0] in publication["addresses"]:
                return str(publication["public_address"])
        return None

    def outside_zones(self) -> list[str]:
        return [z for z, info in self.plan["zones"].items() if info["kind"] == "outside" and z in self.interfaces]

    def inside_zones(self) -> list[str]:
        return [z for z in self.zone_interfaces() if z not in self.outside_zones()]


def flow_labels(plan: Plan) -> dict[str, str]:
    """Flow id → `asked_by: why`, for the comments of each vendor's policies."""
    return {f["id"]: f"{f['asked_by']}: {f['why_fr']}" for f in plan["flows"]}
