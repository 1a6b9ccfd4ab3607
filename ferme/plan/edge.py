"""The edge firewall's view of the flows: interfaces, anti-spoofing, input/forward rules, DNAT, routes."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Any

from ferme.plan.flows import Flow
from ferme.plan.routing import answering_leg, default_leg, policy_routed
from ferme.plan.types import EdgePolicy
from ferme.site.defaults import zone_interface
from ferme.site.errors import FieldPath
from ferme.site.model import Host, Site

Problem = tuple[FieldPath, str]

VPN_TUNNEL = "tun0"
# Sources that never come from the Internet (RFC 6890 special-purpose, private and documentation ranges,
# multicast and reserved), dropped on the outside interface; the outside zone's own subnet is spared
# (the ISP's link, and the lab's simulated Internet).
BOGONS = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
          "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
          "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"]  # fmt: skip


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
    for zone in site.zones.values():  # the sites behind the WAN, through its router
        if zone.kind == "remote" and zone.via is not None:
            leg = next((z for z in fw.addresses if zone.via in site.zones[z].subnet), None)
            if leg:
                result.append({"to": str(zone.subnet), "via": str(zone.via), "zone": leg})
    if site.vpn:
        for vpn in site.hosts_with("vpn"):
            leg = default_leg(vpn, site)  # the VPN server sends its pool's traffic by its default leg
            if vpn.name != fw.name and leg in fw.addresses:
                result.append({"to": site.vpn.pool, "via": str(vpn.addresses[leg]), "zone": leg})
    return result


def published_name(flow: Flow) -> str:
    """What `firewall.publish` pins: the role that offers the service, or the extra flow's name."""
    kind, _, rest = flow.id.partition("/")
    return rest if kind == "extra" else kind


def published_fqdn(site: Site, name: str) -> str | None:
    """The DNS name clients use for a published role (RD Web is reached at the gateway's name)."""
    if name == "rds_web" and site.rds and site.rds.web_fqdn:
        return str(site.rds.web_fqdn)
    if name == "portal" and site.rds and site.rds.portal.fqdn:
        return str(site.rds.portal.fqdn)
    if name in ("rds_gateway", "rds_web", "portal") and site.rds:  # the portal answers at the gateway's name
        return str(site.rds.gateway.external_fqdn)
    if name == "collab" and site.collab:
        return str(site.collab.fqdn)
    if name == "vpn" and site.vpn:
        return str(site.vpn.fqdn)
    return None


def assign_publications(site: Site, flows: list[Flow], fw: Host | None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Public address and ports of every service published to the outside (DNAT on the edge).

    Each published service has its address pinned in `firewall.publish` (a site with a single public
    address may leave it implicit): adding a service never moves another one. Returns the publications
    and the problems (path in the inventory, message).
    """
    public = [str(fw.addresses[z]) for z in fw.addresses if site.zones[z].kind == "outside"] if fw else []
    public += [str(a) for a in site.firewall.public_addresses]
    fw_addresses = {str(a) for a in fw.addresses.values()} if fw else set()
    pins = {name: str(address) for name, address in site.firewall.publish.items()}
    problems: list[Problem] = []
    groups: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    unpinned: dict[str, set[tuple[str, str]]] = {}
    for flow in (f for f in flows if f.published):
        name = published_name(flow)
        address = pins.get(name) or (public[0] if len(public) == 1 else None)
        if address is None:
            unpinned.setdefault(name, set()).update(flow.rules)
            continue
        hosts = tuple(flow.destination.addresses)
        names = list(flow.destination.hosts) or [flow.destination.name]
        group = groups.setdefault((address, hosts), {"public_address": address, "hosts": names,
                                                     "addresses": list(hosts), "rules": set(), "flows": [],
                                                     "services": set(), "fqdns": set()})  # fmt: skip
        group["rules"].update(flow.rules)
        group["flows"].append(flow.id)
        group["services"].add(name)
        fqdn = published_fqdn(site, name)
        if fqdn:
            group["fqdns"].add(fqdn)
    for name, rules in sorted(unpinned.items()):
        ports = ", ".join(f"{p}/{proto}" for proto, p in sorted(rules))
        problems.append(
            (
                ("firewall",),
                f"{name} is published ({ports}) but has no pinned public address: add "
                f"`publish: {{{name}: ADDRESS}}` under firewall (one of {', '.join(public) or 'none'})",
            )
        )
    for name, address in pins.items():
        if address not in public:
            problems.append((("firewall", "publish", name), f"{address} is not a public address of the edge "
                             f"({', '.join(public) or 'none'}): add it to firewall.public_addresses"))  # fmt: skip
        if name not in {s for g in groups.values() for s in g["services"]}:
            problems.append((("firewall", "publish", name), f"nothing named {name!r} is published to the outside"))
    taken: dict[tuple[str, str, str], dict[str, Any]] = {}
    addresses_of: dict[str, dict[str, str]] = {}
    for group in groups.values():
        local = set(group["addresses"]) <= fw_addresses
        for rule in sorted(group["rules"]):
            other = taken.setdefault((group["public_address"], *rule), group)
            if other is not group:
                first = sorted(other["services"])[0]
                problems.append(
                    (
                        ("firewall", "publish", sorted(group["services"])[0]),
                        f"{group['public_address']} {rule[1]}/{rule[0]} is already published for {first} "
                        f"({', '.join(other['hosts'])}): pin one of them to another public address",
                    )
                )
        for fqdn in group["fqdns"]:
            for service in sorted(group["services"]):
                seen = addresses_of.setdefault(fqdn, {})
                seen.setdefault(group["public_address"], service)
        group["local"] = local
    for fqdn, seen in addresses_of.items():
        if len(seen) > 1:
            pairs = ", ".join(f"{a} ({s})" for a, s in sorted(seen.items()))
            problems.append(
                (
                    ("firewall", "publish", sorted(seen.values())[-1]),
                    f"{fqdn} is published on {len(seen)} addresses: {pairs}; one name has one address",
                )
            )
    result = [{"public_address": g["public_address"], "fqdns": sorted(g["fqdns"]), "services": sorted(g["services"]),
               "rules": [{"protocol": p, "ports": ports} for p, ports in sorted(g["rules"])], "hosts": g["hosts"],
               "addresses": g["addresses"], "local": g["local"], "flows": sorted(g["flows"])}
              for g in groups.values()]  # fmt: skip
    return result, problems


def publications(site: Site, flows: list[Flow], fw: Host | None) -> list[dict[str, Any]]:
    result, problems = assign_publications(site, flows, fw)
    if problems:
        raise PublicationError(problems[0][1])
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


def asymmetric_paths(site: Site, flows: list[Flow]) -> list[tuple[Host, str]]:
    """Flows that reach a host through the edge on a leg its replies would not leave by.

    Managed Debian hosts answer by the leg of the address asked (policy routing); the others (Windows,
    unmanaged hosts) answer by their default leg, around the edge, which then drops the session.
    """
    fw = edge_host(site)
    if fw is None:
        return []
    fw_addresses = {str(a) for a in fw.addresses.values()}
    owners = {str(a): (h, z) for h in site.hosts.values() for z, a in h.addresses.items() if h.name != fw.name}
    found: list[tuple[Host, str]] = []
    for flow in flows:
        if flow.destination.kind in ("internet", "any"):
            continue
        for sources, destinations in _forward_groups(site, flow, fw_addresses):
            for address in destinations:
                host, zone = owners.get(address, (None, None))
                if host is None or policy_routed(host):
                    continue
                for source in sources or ["0.0.0.0/0"]:
                    default = answering_leg(host, site, source)
                    if default is not None and zone != default:
                        break
                else:
                    continue
                if default is not None and zone != default:
                    found.append((host, f"flow {flow.id} reaches {host.name} on its {zone} leg ({address}) "
                                        f"through the edge, but {host.name} answers by its {default} leg (no policy "
                                        "routing): the edge drops the session (asymmetric path)"))  # fmt: skip
    return found


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
            subnet = str(site.zones[zone].subnet)
            antispoof.append({"interface": interface, "deny": internal,
                              "bogons": {"networks": BOGONS, "except": subnet}})  # fmt: skip
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
                    # Named servers on the Internet (DNS forwarders, time sources): those only.
                    beyond = list(flow.destination.addresses) if flow.destination.kind == "internet" else []
                    forward_rules.append({**rule, "addresses": sources, "destinations": beyond,
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
