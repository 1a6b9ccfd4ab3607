"""Flows: the one policy derived from role contracts, management rules and the inventory's extra flows.

Every enforcement point (edge nftables, Windows Defender Firewall, vendor configs) and the
*matrice des flux* are rendered from this list; each flow says which role or extra flow asked for it.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import asdict, dataclass

from ferme.catalogue import MANAGEMENT_FR, MANAGEMENT_SERVICES, spec
from ferme.plan.routing import admin_routes, default_leg
from ferme.plan.services import RPC_DYNAMIC, Service, custom, service
from ferme.plan.types import PlannedFlow
from ferme.site.model import Host, Site


@dataclass(frozen=True)
class Endpoint:
    kind: str  # zone, role, hosts, switches, any
    name: str
    zones: tuple[str, ...]
    addresses: tuple[str, ...]  # subnets (zones) or host addresses; empty for any
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    id: str
    source: Endpoint
    destination: Endpoint
    service: str
    label_fr: str
    rules: tuple[tuple[str, str], ...]
    asked_by: str
    why_fr: str
    published: bool = False

    def to_json(self) -> PlannedFlow:
        data = asdict(self)
        data["rules"] = [{"protocol": p, "ports": ports} for p, ports in self.rules]
        result: PlannedFlow = json.loads(json.dumps(data))  # tuples become lists, as in plan.json
        return result


def service_addresses(host: Host, site: Site) -> dict[str, str]:
    """Where a host offers its services: every address but mgmt (unless it has only mgmt)."""
    others = {z: str(a) for z, a in host.addresses.items() if site.zones[z].kind != "mgmt"}
    return others or {z: str(a) for z, a in host.addresses.items()}


def _addresses(host: Host, site: Site, mgmt: bool, near: str | None, toward: tuple[str, ...] = ()) -> dict[str, str]:
    if toward:  # a source: the address it speaks from towards those zones, not every leg it has
        shared = {z: str(a) for z, a in host.addresses.items() if z in toward}
        if shared:
            return shared
        # A zone the host routes by another leg than its default (the admin zone, by the management leg).
        subnets = {str(site.zones[z].subnet) for z in toward}
        routed = {r["zone"]: r["leg_address"] for r in admin_routes(host, site) if r["to"] in subnets}
        if routed:
            return routed
        leg = default_leg(host, site)
        if leg and site.zones[leg].kind != "outside":
            return {leg: str(host.addresses[leg])}
    if near in host.addresses:  # a client that shares a segment with the host reaches it there, not through the edge
        return {near: str(host.addresses[near])}
    if mgmt:
        return {z: str(a) for z, a in host.addresses.items() if site.zones[z].kind == "mgmt"}
    return service_addresses(host, site)


def hosts_endpoint(
    kind: str,
    name: str,
    hosts: list[Host],
    site: Site,
    *,
    mgmt: bool = False,
    source: bool = False,
    near: str | None = None,
    toward: tuple[str, ...] = (),
) -> Endpoint:
    """Hosts as one end of a flow; as a source, a host speaks from its inside addresses, not its outside one.
    As a destination reached from the zone `near`, a host that has a leg there is reached on that leg."""
    pairs = sorted(
        (zone, address)
        for h in hosts
        for zone, address in _addresses(h, site, mgmt, near, toward).items()
        if not (source and site.zones[zone].kind == "outside")
    )  # fmt: skip
    return Endpoint(kind, name, tuple(sorted({z for z, _ in pairs})), tuple(a for _, a in pairs),
                    tuple(sorted(h.name for h in hosts)))  # fmt: skip


def _load_balancer(site: Site, role: str) -> Endpoint | None:
    """The load balancer the inventory names in front of the RD gateways (`rds.gateway.ha: load_balancer`)."""
    gateway = site.rds.gateway if site.rds else None
    if role != "rds_gateway" or gateway is None or gateway.ha != "load_balancer" or gateway.load_balancer is None:
        return None
    address = ipaddress.IPv4Address(gateway.load_balancer)
    zone = next(z.name for z in site.zones.values() if address in z.subnet)
    return Endpoint("hosts", "load_balancer", (zone,), (str(gateway.load_balancer),), ())


def zone_endpoint(site: Site, zone: str) -> Endpoint:
    return Endpoint("zone", zone, (zone,), (str(site.zones[zone].subnet),))


def _vpn_service(site: Site) -> Service:
    vpn = site.vpn
    assert vpn is not None
    protocol = vpn.protocol if vpn.kind in ("openvpn", "sslvpn") else "udp"
    if vpn.kind == "openvpn":
        from ferme.plan.vpn import vpn_ports  # one port per OpenVPN process

        return custom("vpn", protocol, vpn_ports(site), f"VPN {vpn.kind}")
    return custom("vpn", protocol, [vpn.port], f"VPN {vpn.kind}")


def derive_flows(site: Site) -> list[Flow]:
    """All flows of the site, sorted by id."""
    flows: dict[str, Flow] = {}
    kinds = {z.name: z.kind for z in site.zones.values()}
    admin = "admin" if "admin" in kinds.values() else "mgmt"
    by_role: dict[str, list[Host]] = {}
    for host in site.hosts.values():
        for role in host.roles:
            by_role.setdefault(role, []).append(host)

    def add(flow: Flow) -> None:
        flows.setdefault(flow.id, flow)

    for role, hosts in sorted(by_role.items()):
        contract = spec(role)
        for offer in contract.offers:
            svc = _vpn_service(site) if offer.service == "vpn" else service(offer.service)
            # Administration comes from the admin zones when the site has them, not from the hosts' mgmt legs.
            from_kinds = {admin if k == "mgmt" else k for k in offer.from_kinds}
            if "users" in from_kinds:  # the agents of the sites behind the WAN are users too
                from_kinds.add("remote")
            if offer.vpn_path and site.vpn and offer.vpn_path != site.vpn.rds_access:
                from_kinds.discard("vpn")  # VPN clients reach the farm by one path: the inventory's
            if not offer.published_when(site):
                from_kinds.discard("outside")  # the second factor is checked before these hosts (VPN, portal)
            for zone in (z for z, kind in kinds.items() if kind in from_kinds):
                source = zone_endpoint(site, zone)
                destination = hosts_endpoint("role", role, hosts, site, near=zone)
                balancer = _load_balancer(site, role)
                if balancer and kinds[zone] == "outside":
                    # The Internet reaches the gateways through the load balancer (a proxy: its address is the
                    # source the gateways see).
                    add(Flow(f"{role}/{svc.name}/load_balancer", balancer, hosts_endpoint("role", role, hosts, site),
                             svc.name, svc.label_fr, svc.rules, f"role {role}", "répartiteur de charge vers les "
                             "passerelles"))  # fmt: skip
                    destination = balancer
                add(Flow(f"{role}/{svc.name}/{zone}", source, destination, svc.name, svc.label_fr, svc.rules,
                         f"role {role}", offer.why_fr, published=kinds[zone] == "outside"))  # fmt: skip
        for need in contract.needs:
            providers = by_role.get(need.role, [])
            if not providers or not need.when(site):
                continue
            svc = service(need.service)
            target = hosts_endpoint("role", need.role, providers, site)
            source = hosts_endpoint("role", role, hosts, site, source=True, toward=target.zones)
            if svc.name == "active-directory" and source.zones and all(kinds[z] == "dmz" for z in source.zones):
                svc = directory_from_dmz(site)  # exposed hosts: the DCs' pinned RPC ports, not the dynamic range
            add(Flow(f"{role}/{svc.name}/{need.role}", source, target, svc.name, svc.label_fr, svc.rules,
                     f"role {role}", need.why_fr))  # fmt: skip

    directory = by_role.get("directory", [])
    linux = [h for h in site.hosts.values() if h.os == "debian" and h.managed]
    if directory and linux:
        # The base role points every Debian host at the domain controllers for DNS and time.
        target = hosts_endpoint("role", "directory", directory, site)
        source = hosts_endpoint("hosts", "debian", linux, site, source=True, toward=target.zones)
        for name, why in (("dns", "résolution de noms (rôle base)"), ("ntp", "synchronisation de l'heure (rôle base)")):
            svc = service(name)
            add(Flow(f"base/{name}/directory", source, target, name, svc.label_fr, svc.rules, "role base", why))
    windows = [h for h in site.hosts.values() if h.os == "windows" and h.managed and "directory" not in h.roles]
    if directory and windows:
        # Domain members take their time from the DCs (Kerberos fails beyond five minutes of skew).
        target = hosts_endpoint("role", "directory", directory, site)
        source = hosts_endpoint("hosts", "windows", windows, site, source=True, toward=target.zones)
        svc = service("ntp")
        add(Flow("windows_host/ntp/directory", source, target, "ntp", svc.label_fr, svc.rules, "role windows_host",
                 "synchronisation de l'heure des membres du domaine"))  # fmt: skip

    for zone in (z for z, kind in kinds.items() if kind == admin):
        source = zone_endpoint(site, zone)
        for os_name in ("debian", "windows", "appliance"):
            # An appliance is not managed by ferme, but its administrators must keep their way in.
            hosts = [h for h in site.hosts.values() if h.os == os_name and (h.managed or os_name == "appliance")]
            if not hosts:
                continue
            target = hosts_endpoint("hosts", os_name, hosts, site, mgmt=True)
            for name in MANAGEMENT_SERVICES[os_name]:
                svc = service(name)
                add(Flow(f"management/{name}/{zone}->{os_name}", source, target, name, svc.label_fr, svc.rules,
                         "management", MANAGEMENT_FR))  # fmt: skip
        ping = service("ping")
        add(Flow(f"management/ping/{zone}->any", source, Endpoint("any", "any", (), ()), "ping", ping.label_fr,
                 ping.rules, "management", "diagnostic depuis la zone d'administration (les autres zones ne "
                 "pingent pas au travers de la bordure)"))  # fmt: skip
        if site.switches:
            switches = sorted(site.switches.values(), key=lambda s: s.name)
            target = Endpoint("switches", "switches", tuple(sorted({s.management_zone for s in switches})),
                              tuple(str(s.management_address) for s in switches),
                              tuple(s.name for s in switches))  # fmt: skip
            for name in MANAGEMENT_SERVICES["switch"]:
                svc = service(name)
                add(Flow(f"management/{name}/{zone}->switches", source, target, name, svc.label_fr, svc.rules,
                         "management", MANAGEMENT_FR))  # fmt: skip

    from ferme.plan.mfa import probe_endpoints  # it builds on this module's endpoints
    from ferme.plan.outbound import outbound_flows

    servers = by_role.get("mfa", [])
    for client, source in probe_endpoints(site) if servers else []:
        svc = service("radius")
        # From an admin zone (an operator's probe), the MFA servers answer on their management legs: the legs
        # by which they route the admin zone back.
        admin_client = bool(source.zones) and all(kinds[z] == "admin" for z in source.zones)
        target = hosts_endpoint("role", "mfa", servers, site, mgmt=admin_client)
        add(Flow(f"mfa/radius/{client.name}", source, target, svc.name,
                 svc.label_fr, svc.rules, "mfa.radius_clients", "client RADIUS déclaré par son adresse"))  # fmt: skip

    from ferme.plan.mfa import database_host

    holder = database_host(site)
    others = [s for s in servers if holder is not None and s.name != holder.name]
    if holder is not None and others and site.mfa is not None:
        svc = custom("postgresql", "tcp", [site.mfa.database.port], "PostgreSQL (base partagée de privacyIDEA)")
        target = hosts_endpoint("hosts", holder.name, [holder], site)
        source = hosts_endpoint("role", "mfa", others, site, source=True, toward=target.zones)
        add(Flow(f"mfa/postgresql/{holder.name}", source, target, svc.name, svc.label_fr, svc.rules,
                 "mfa.database", "base partagée des serveurs MFA (jetons, compteurs, verrouillages)"))  # fmt: skip

    for flow in outbound_flows(site, by_role):
        add(flow)

    for extra in site.firewall.extra_flows:
        svc = custom(extra.name, extra.protocol, list(extra.ports), extra.description or extra.name)
        target = _named_endpoint(site, extra.destination)
        source = _named_endpoint(site, extra.source, source=True, toward=target.zones)
        add(Flow(f"extra/{extra.name}", source, target, svc.name, svc.label_fr, svc.rules,
                 f"extra flow {extra.name}", extra.description or "flux spécifique du site",
                 published=kinds.get(extra.source) == "outside" or extra.source == "internet"))  # fmt: skip
    return [flows[key] for key in sorted(flows)]


def directory_from_dmz(site: Site) -> Service:
    """Active Directory for domain members in a DMZ: the DCs' RPC services pinned to two ports
    (NTDS `TCP/IP Port`, Netlogon `DCTcpipPort`, set on the DCs by ferme) instead of 49152-65535."""
    pins = site.directory.rpc_ports
    rules = tuple(r for r in service("active-directory").rules if r != ("tcp", RPC_DYNAMIC))
    return Service("active-directory-dmz", (*rules, ("tcp", str(pins.ntds)), ("tcp", str(pins.netlogon))),
                   "Active Directory depuis la DMZ (RPC sur ports fixés)")  # fmt: skip


def _named_endpoint(site: Site, name: str, *, source: bool = False, toward: tuple[str, ...] = ()) -> Endpoint:
    if name in ("any", "internet"):  # every zone; the Internet, beyond the edge's outside
        return Endpoint(name, name, (), ())
    if name in site.zones:
        return zone_endpoint(site, name)
    return hosts_endpoint("hosts", name, [site.hosts[name]], site, source=source, toward=toward)
