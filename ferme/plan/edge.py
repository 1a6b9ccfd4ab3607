"""The edge firewall's view of the flows: interfaces, anti-spoofing, input/forward rules, DNAT, routes."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Any

from ferme.plan.flows import Flow
from ferme.plan.types import EdgePolicy
from ferme.site.defaults import zone_interface
from ferme.site.model import Host, Site

VPN_TUNNEL = "tun0"


class PublicationError(ValueError):
    """Two published services need the same port on the same public address, and none is left."""


def edge_host(site: Site) -> Host | None:
    hosts = site.hosts_with("edge_firewall")
    return hosts[0] if hosts else None


def interfaces(site: Site, fw: Host) -> dict[str, str]:
    """Zone → interface on the edge (named after the zone unless `firewall.interfaces` says otherwise)."""
    names = {zone: site.firewall.interfaces.get(zone, zone_interface(zone)) for zone in fw.addresses}
    vpn_zones = [z.name for z in site.zones.values() if z.kind == "vpn"]
    if "vpn" in fw.roles and vpn_zones:
        names[vpn_zones[0]] = site.firewall.interfaces.get(vpn_zones[0], VPN_TUNNEL)
    return names


def _zone_of(site: Site, address: str) -> str | None:
    ip = ipaddress.IPv4Address(address.split("/")[0])
    for zone in site.zones.values():
        if ip in zone.subnet:
            return zone.name
    return None


def routes(site: Site, fw: Host) -> list[dict[str, str]]:
    """Networks behind another host: the VPN pool behind the VPN server."""
    result = []
    if site.vpn:
        for vpn in site.hosts_with("vpn"):
            if vpn.name == fw.name:
                continue
            shared = [z for z in vpn.addresses if z in fw.addresses and site.zones[z].kind != "mgmt"]
            if shared:
                result.append({"to": site.vpn.pool, "via": str(vpn.addresses[shared[0]]), "zone": shared[0]})
    return result


def publications(site: Site, flows: list[Flow], fw: Host | None) -> list[dict[str, Any]]:
    """Public address and port for every service published to the outside (DNAT on the edge).

    Groups of hosts behind one service share a public port; a port taken on one public address
    moves the next group to the next address of `firewall.public_addresses`.
    """
    public = [str(fw.addresses[z]) for z in fw.addresses if site.zones[z].kind == "outside"] if fw else []
    public += list(site.firewall.public_addresses)
    taken: dict[str, set[tuple[str, str]]] = {address: set() for address in public}
    fw_addresses = {str(a) for a in fw.addresses.values()} if fw else set()
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for flow in (f for f in flows if f.published):
        hosts = tuple(a for a in flow.destination.addresses)
        group = groups.setdefault(hosts, {"hosts": list(flow.destination.hosts), "addresses": list(hosts),
                                          "rules": set(), "flows": []})  # fmt: skip
        group["rules"].update(flow.rules)
        group["flows"].append(flow.id)
    result = []
    for hosts, group in groups.items():
        rules = sorted(group["rules"])
        local = set(hosts) <= fw_addresses
        candidates = public[:1] if local else public
        address = next((a for a in candidates if not (taken[a] & set(rules))), None)
        if address is None:
            ports = ", ".join(f"{p}/{proto}" for proto, p in rules)
            raise PublicationError(
                f"{', '.join(group['hosts'])}: no public address left for {ports} "
                f"(add one to firewall.public_addresses)"
            )
        taken[address].update(rules)
        result.append({"public_address": address, "rules": [{"protocol": p, "ports": ports} for p, ports in rules],
                       "hosts": group["hosts"], "addresses": group["addresses"], "local": local,
                       "flows": sorted(group["flows"])})  # fmt: skip
    return result


def _forward_groups(site: Site, flow: Flow, fw_addresses: set[str]) -> list[tuple[list[str], list[str]]]:
    """(sources, destinations) pairs that cross the edge: a destination is reached through the edge
    only from sources of another zone; the edge's own addresses are neither (input / output)."""
    sources = [a for a in flow.source.addresses if a.split("/")[0] not in fw_addresses]
    if flow.source.addresses and not sources:
        return []  # only the edge itself sends this: its output is not filtered
    groups: dict[tuple[str, ...], list[str]] = {}
    for destination in flow.destination.addresses:
        if destination in fw_addresses:
            continue
        zone = _zone_of(site, destination)
        crossing = tuple(a for a in sources if _zone_of(site, a) != zone)
        if crossing or not sources:
            groups.setdefault(crossing, []).append(destination)
    return [(list(src), dst) for src, dst in groups.items()]


def edge_policy(site: Site, flows: list[Flow]) -> EdgePolicy | None:
    """Everything the nftables template needs, or None when the site has no Linux edge firewall."""
    fw = edge_host(site)
    if fw is None:
        return None
    names = interfaces(site, fw)
    behind = routes(site, fw)
    fw_addresses = {str(a) for a in fw.addresses.values()}
    outside = [z.name for z in site.zones.values() if z.kind == "outside"]
    outside_if = [names[z] for z in outside if z in names]
    internal = sorted(str(z.subnet) for z in site.zones.values() if z.kind != "outside")
    antispoof = []
    for zone, interface in names.items():
        if site.zones[zone].kind == "outside":
            antispoof.append({"interface": interface, "deny": internal})
        else:
            allowed = [str(site.zones[zone].subnet)] + [r["to"] for r in behind if r["zone"] == zone]
            antispoof.append({"interface": interface, "allow": allowed})
    input_rules: list[dict[str, Any]] = []
    forward_rules: list[dict[str, Any]] = []
    fw_public = {str(fw.addresses[z]) for z in outside if z in fw.addresses} | set(site.firewall.public_addresses)
    for flow in flows:
        from_outside = flow.published  # from the Internet: DNAT to the hosts behind the edge
        # `internet` (or an outside zone) leaves by the outside interface; `any` is every zone, the
        # Internet included: no output interface and no destination to match.
        to_outside = flow.destination.kind in ("internet", "any") or (
            flow.destination.kind == "zone" and site.zones[flow.destination.name].kind == "outside"
        )
        local = [a for a in flow.destination.addresses if a in fw_addresses]
        if from_outside:
            local = [a for a in local if a in fw_public]  # the edge answers the outside on its public side only
        for protocol, ports in _by_protocol(flow.rules).items():
            rule = {"id": flow.id, "protocol": protocol, "ports": ports}
            if to_outside:
                sources = [a for a in flow.source.addresses if a.split("/")[0] not in fw_addresses]
                if sources or not flow.source.addresses:
                    out = [] if flow.destination.kind == "any" else outside_if
                    forward_rules.append({**rule, "addresses": sources, "destinations": [],
                                          "out_interfaces": out, "dnat": False})  # fmt: skip
                continue
            if local:
                source = {"interfaces": outside_if} if from_outside else {"addresses": list(flow.source.addresses)}
                input_rules.append({**rule, **source, "destinations": local})
            for sources, destinations in _forward_groups(site, flow, fw_addresses):
                source = {"interfaces": outside_if} if from_outside else {"addresses": sources}
                forward_rules.append({**rule, **source, "destinations": destinations, "dnat": from_outside})
    extra_addresses = []
    for address in site.firewall.public_addresses:
        zone = next(z for z in outside if ipaddress.IPv4Address(address) in site.zones[z].subnet)
        extra_addresses.append({"address": f"{address}/{site.zones[zone].subnet.prefixlen}", "interface": names[zone]})
    return {
        "host": fw.name,
        "public_addresses": extra_addresses,
        "interfaces": names,
        "routes": behind,
        "antispoof": antispoof,
        "input": input_rules,
        "forward": forward_rules,
        "publications": publications(site, flows, fw),
        "masquerade": outside_if,
        "log_drops": site.firewall.log_drops,
        "confirm_seconds": site.confirm_seconds,
    }


def _by_protocol(rules: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for protocol, ports in rules:
        grouped[protocol].append(ports)
    return dict(grouped)
