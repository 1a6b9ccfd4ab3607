"""The VPN server's planned state (OpenVPN): instances and their pools, the cap, routes pushed, RADIUS.

One OpenVPN process is single-threaded (its data channel runs on one core): a site whose concurrency exceeds
what one process carries runs one process per core, each on its own port with its own slice of the pool, and
the client profile lists them all (`remote-random`). The cap (`vpn.concurrent`) is shared out between them
exactly: their `max-clients` add up to it.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from ferme.plan.flows import Flow
from ferme.site.model import Host, Site
from ferme.site.schema import Agents, Vpn

# Planning figure: clients one OpenVPN process is given (RDP over the tunnel averages well under 1 Mbit/s a
# session; one core moves a few hundred Mbit/s of AES-GCM). `bench/` and the lab measure this machine's figure.
CLIENTS_PER_INSTANCE = 500
CIPHERS = "AES-256-GCM:CHACHA20-POLY1305:AES-128-GCM"
# TLS 1.2 suites with forward secrecy and AEAD only (certificates are ECDSA); TLS 1.3 takes OpenSSL's own.
TLS_CIPHERS = "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384:TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256:" \
              "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"  # fmt: skip


def cap(vpn: Vpn, agents: Agents) -> int:
    """The cap: `vpn.concurrent`, else the site's peak (agents × concurrency). On the inventory's sections, so
    that `ferme check` and the plan count the same."""
    return vpn.concurrent or math.ceil(agents.count * agents.concurrency)


def process_count(vpn: Vpn, agents: Agents) -> int:
    return vpn.instances or max(1, math.ceil(cap(vpn, agents) / CLIENTS_PER_INSTANCE))


def slice_prefix(pool: ipaddress.IPv4Network, count: int) -> int:
    """The prefix of each process's slice of the pool (the pool split in a power of two)."""
    return pool.prefixlen + math.ceil(math.log2(count))


def slice_room(prefix: int) -> int:
    """Clients a slice holds (topology subnet): its addresses less network, broadcast and the server's own."""
    return max(2 ** (32 - prefix) - 3, 0) if prefix <= 30 else 0


def vpn_concurrent(site: Site) -> int:
    assert site.vpn is not None
    return cap(site.vpn, site.agents)


def instance_count(site: Site) -> int:
    assert site.vpn is not None
    return process_count(site.vpn, site.agents)


def vpn_ports(site: Site) -> list[int]:
    """One port per instance, from `vpn.port` up."""
    assert site.vpn is not None
    return [site.vpn.port + i for i in range(instance_count(site))]


def instances(site: Site) -> list[dict[str, Any]]:
    """Each process: its name, port, slice of the pool and share of the cap."""
    assert site.vpn is not None
    count = instance_count(site)
    pool = ipaddress.IPv4Network(site.vpn.pool)
    slices = list(pool.subnets(new_prefix=min(slice_prefix(pool, count), 30)))[:count]
    total = vpn_concurrent(site)
    result = []
    for i, (port, subnet) in enumerate(zip(vpn_ports(site), slices, strict=False)):
        result.append({
            "name": f"ferme{i}", "port": port, "network": str(subnet.network_address), "netmask": str(subnet.netmask),
            "subnet": str(subnet), "max_clients": total // count + (1 if i < total % count else 0),
        })  # fmt: skip
    return result


def pushed_routes(site: Site, flows: list[Flow]) -> list[str]:
    """What teleworkers may reach, as the flows from the vpn zones say: those hosts (or zones), nothing else."""
    vpn_zones = {z.name for z in site.zones.values() if z.kind == "vpn"}
    networks: set[ipaddress.IPv4Network] = set()
    for flow in flows:
        if flow.source.kind != "zone" or flow.source.name not in vpn_zones or flow.destination.kind == "any":
            continue
        for address in flow.destination.addresses:
            networks.add(ipaddress.IPv4Network(address, strict=False))
    collapsed = ipaddress.collapse_addresses(networks)
    return [str(n) for n in sorted(collapsed)]


def _dns(site: Site, flows: list[Flow]) -> list[str]:
    """The domain controllers, when teleworkers may reach them (a flow from the vpn zone to the directory)."""
    for flow in flows:
        from_vpn = flow.source.kind == "zone" and site.zones[flow.source.name].kind == "vpn"
        if flow.id.startswith("directory/") and from_vpn:
            return list(flow.destination.addresses)
    return []


def radius_servers(host: Host, site: Site) -> list[dict[str, Any]]:
    """The MFA servers, in order, at the address this VPN server reaches them on, with its own client secret."""
    assert site.vpn is not None
    if not site.vpn.mfa or site.mfa is None:
        return []
    secret = next((c.secret.name for c in site.mfa.radius_clients if c.host == host.name), None)
    from ferme.plan.mfa import mfa_servers, server_address

    return [{"name": s.name, "address": server_address(s, site), "secret": {"secret": secret} if secret else None}
            for s in mfa_servers(site)]  # fmt: skip


def vpn_state(host: Host, site: Site, flows: list[Flow]) -> dict[str, Any]:
    """What the vpn role converges on one OpenVPN server."""
    vpn = site.vpn
    assert vpn is not None  # `ferme check` requires the vpn section for the vpn role
    return {
        "kind": vpn.kind,
        "fqdn": str(vpn.fqdn),
        "protocol": vpn.protocol,
        "concurrent": vpn_concurrent(site),
        "instances": instances(site),
        "routes": pushed_routes(site, flows),
        "dns": _dns(site, flows),
        "domain": site.info.domain,
        "radius": radius_servers(host, site),
        "nas_identifier": host.name,
        "ciphers": CIPHERS,
        "tls_ciphers": TLS_CIPHERS,
        "site": site.name,
    }
