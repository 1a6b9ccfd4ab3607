"""Routing on the hosts: which leg carries the default route, and source-based policy routing.

A host with legs in two zones answers from the leg its routing table picks. When a request came
through the edge to the host's other leg, the reply then goes around the edge, whose conntrack drops
the rest of the session (`ct state invalid`). ferme's model:
- a flow whose two ends share a segment never crosses the edge (see `flows`);
- a dual-homed Debian host gets one routing table per leg (`ip rule from <address> lookup <table>`):
  what leaves from an address leaves by that address's leg and gateway;
- a VPN server sends its pool's traffic to the edge (`ip rule from <pool>`), never straight onto its
  own segment, so the edge filters the teleworkers and sees both directions;
- a host that gets no policy routing (Windows, unmanaged) must be reached through the edge only on
  its default leg: `ferme check` refuses other layouts (`asymmetric_paths`).
"""

from __future__ import annotations

import ipaddress

from ferme.plan.types import PolicyTable, Routing, StaticRoute
from ferme.site.model import Host, Site

TABLE_BASE = 100  # table 100 + the zone's index in the inventory
POOL_TABLE = 200  # the VPN pool's table
PRIORITY_OFFSET = 1000  # rule priority = table + 1000, so that ferme finds and replaces its own rules


def default_leg(host: Host, site: Site) -> str | None:
    """The zone of the host's default route: outside first, then a service zone, management last."""
    kinds = {name: zone.kind for name, zone in site.zones.items()}
    ordered = sorted(host.addresses, key=lambda z: (kinds[z] != "outside", kinds[z] == "mgmt"))
    for zone in ordered:
        gateway = site.zones[zone].gateway
        if gateway and gateway != host.addresses[zone]:
            return zone
    return None


def policy_routed(host: Host) -> bool:
    """ferme applies source-based policy routing on managed Debian hosts (not on the edge: it routes)."""
    return host.os == "debian" and host.managed and "edge_firewall" not in host.roles


def admin_routes(host: Host, site: Site) -> list[StaticRoute]:
    """Routes to the admin zones by the host's management leg: administration reaches a host on that leg
    through the edge, and the replies go back the same way. They are a bootstrap prerequisite (ferme itself
    comes from the admin zone): the base role keeps them on Debian hosts; on Windows hosts the README gives
    the `New-NetRoute` line."""
    admin = [z for z in site.zones.values() if z.kind == "admin"]
    if not admin or "edge_firewall" in host.roles or any(z.name in host.addresses for z in admin):
        return []
    legs = [z for z in host.addresses if site.zones[z].kind == "mgmt" and site.zones[z].gateway
            and site.zones[z].gateway != host.addresses[z]]  # fmt: skip
    if not legs:
        return []
    leg = legs[0]
    return [{"to": str(zone.subnet), "via": str(site.zones[leg].gateway), "zone": leg,
             "leg_address": str(host.addresses[leg])} for zone in admin]  # fmt: skip


def answering_leg(host: Host, site: Site, source: str) -> str | None:
    """The leg by which a host that has no policy routing answers `source` (an address or a network)."""
    network = ipaddress.IPv4Network(source, strict=False)
    for route in admin_routes(host, site):
        if network.subnet_of(ipaddress.IPv4Network(route["to"])):
            return route["zone"]
    for zone, address in host.addresses.items():
        if network.subnet_of(site.zones[zone].subnet) and address:
            return zone  # on the same segment
    return default_leg(host, site)


def host_routing(host: Host, site: Site) -> Routing:
    default = default_leg(host, site)
    gateway = site.zones[default].gateway if default else None
    tables: list[PolicyTable] = []
    if policy_routed(host) and len(host.addresses) > 1:
        for index, (name, zone) in enumerate(site.zones.items()):
            address = host.addresses.get(name)
            if address is None or zone.gateway is None or zone.gateway == address:
                continue
            table = TABLE_BASE + index
            tables.append({"table": table, "priority": table + PRIORITY_OFFSET, "zone": name,
                           "source": str(address), "leg_address": str(address), "subnet": str(zone.subnet),
                           "gateway": str(zone.gateway)})  # fmt: skip
    if policy_routed(host) and site.vpn and "vpn" in host.roles and default and gateway:
        tables.append({"table": POOL_TABLE, "priority": POOL_TABLE + PRIORITY_OFFSET, "zone": default,
                       "source": site.vpn.pool, "leg_address": str(host.addresses[default]), "subnet": None,
                       "gateway": str(gateway)})  # fmt: skip
    return {"default_zone": default, "default_gateway": str(gateway) if gateway else None, "tables": tables,
            "routes": admin_routes(host, site)}  # fmt: skip
