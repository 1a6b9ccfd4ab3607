"""Outbound flows: what the site's hosts and agents need from beyond the edge, by the inventory's choice.

The DCs' DNS forwarders and upstream time, Windows Update (direct, through the proxy, or a WSUS), apt
(direct, proxy, or an apt-cacher-ng mirror), the agents' web (direct, proxy, or none), the RD gateways'
revocation checks, RD licensing's activation, and the syslog collector. A proxy or a mirror inside the
site gets its own way out (`outbound/proxy/internet`, `outbound/<mirror>/internet`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from ferme.plan.flows import Endpoint, Flow, hosts_endpoint, zone_endpoint
from ferme.plan.services import Service, custom, service
from ferme.site.model import Host, Site
from ferme.site.schema import Upstream

ASKED_BY = "outbound"
# The port a mirror listens on when the inventory does not say: WSUS over HTTP, apt-cacher-ng.
MIRROR_PORTS = {"windows_update": 8530, "apt": 3142, "python": 3141}
MIRROR_LABELS = {"windows_update": "WSUS", "apt": "miroir apt (apt-cacher-ng)", "python": "miroir de paquets Python"}
MIRROR_NAMES = {"windows_update": "wsus", "apt": "miroir-apt", "python": "miroir-python"}
PYTHON_ROLES = ("mfa", "collab")  # roles installed from Python packages (privacyIDEA, Plone)


def via(site: Site, upstream: Upstream) -> str:
    """direct, proxy, mirror or none: the inventory's choice, else the proxy when the site has one."""
    return upstream.via or ("proxy" if site.outbound.proxy else "direct")


def mirror_port(key: str, upstream: Upstream) -> int:
    """The port of the mirror `outbound.<key>` names, else the usual one for its kind."""
    return upstream.port or MIRROR_PORTS.get(key, 80)


def upstream_url(site: Site, key: str) -> tuple[str, str | None]:
    """How `outbound.<key>` goes out (direct, proxy, mirror, none), and the http://ADDRESS:PORT of the proxy or
    mirror it goes through (None when direct, or when the inventory does not name one: `ferme check` says so)."""
    upstream: Upstream = getattr(site.outbound, key)
    choice = via(site, upstream)
    proxy = site.outbound.proxy
    if choice == "proxy" and proxy:
        return choice, f"http://{proxy.address}:{proxy.port}"
    if choice == "mirror" and upstream.address:
        return choice, f"http://{upstream.address}:{mirror_port(key, upstream)}"
    return choice, None


def address_endpoint(site: Site, name: str, addresses: list[str]) -> Endpoint:
    """Addresses the inventory names (a forwarder, the proxy, a collector): a host of the inventory when one
    has the address, inside a zone, or on the Internet (beyond the edge's outside)."""
    owners = [h for h in site.hosts.values() if any(str(a) in addresses for a in h.addresses.values())]
    zones = sorted({z.name for z in site.zones.values() for a in addresses
                    if ipaddress.IPv4Address(a) in z.subnet and z.kind != "outside"})  # fmt: skip
    if not zones:
        return Endpoint("internet", name, (), tuple(addresses))
    if owners:
        return Endpoint("hosts", name, tuple(zones), tuple(addresses), tuple(sorted(h.name for h in owners)))
    return Endpoint("address", name, tuple(zones), tuple(addresses))  # a server ferme does not manage


def _internet(service_name: str = "internet") -> Endpoint:
    return Endpoint("internet", service_name, (), ())


def _proxy(site: Site) -> tuple[Endpoint, Service]:
    proxy = site.outbound.proxy
    assert proxy is not None  # `ferme check` refuses `via: proxy` without one
    endpoint = address_endpoint(site, "proxy", [str(proxy.address)])
    return endpoint, custom("http-proxy", "tcp", [proxy.port], "Proxy web (HTTP, CONNECT pour HTTPS)")


def _through(site: Site, key: str, upstream: Upstream, direct: Service) -> tuple[Endpoint, Service] | None:
    """Where one kind of outbound traffic goes, and as which service: None when the inventory says none."""
    choice = via(site, upstream)
    if choice == "none":
        return None
    if choice == "proxy":
        return _proxy(site)
    if choice == "mirror":
        assert upstream.address is not None  # `ferme check` refuses a mirror without its address
        port = mirror_port(key, upstream)
        label = MIRROR_LABELS.get(key, "miroir interne")
        return address_endpoint(site, MIRROR_NAMES.get(key, key), [str(upstream.address)]), custom(
            f"{key.replace('_', '-')}-mirror", "tcp", [port], label
        )
    return _internet(), direct


def _managed(site: Site, os: str) -> list[Host]:
    return [h for h in site.hosts.values() if h.os == os and h.managed]


def outbound_flows(site: Site, by_role: dict[str, list[Host]]) -> Iterator[Flow]:
    out = site.outbound
    kinds = {z.name: z.kind for z in site.zones.values()}

    def flow(name: str, source: Endpoint, destination: Endpoint, svc: Service, why: str) -> Flow:
        return Flow(f"outbound/{name}", source, destination, svc.name, svc.label_fr, svc.rules, ASKED_BY, why)

    def hosts_source(name: str, hosts: list[Host], destination: Endpoint) -> Endpoint:
        return hosts_endpoint("hosts", name, hosts, site, source=True, toward=destination.zones)

    directory = by_role.get("directory", [])
    if directory:
        for key, addresses, why in (
            ("dns", out.dns_forwarders, "redirecteurs DNS des contrôleurs de domaine"),
            ("ntp", out.ntp_servers, "source de temps des contrôleurs de domaine (émulateur PDC)"),
        ):
            named = [str(a) for a in addresses]
            label = "redirecteurs-dns" if key == "dns" else "sources-ntp"
            target = address_endpoint(site, label, named) if named else _internet()
            source = hosts_endpoint("role", "directory", directory, site, source=True, toward=target.zones)
            yield flow(f"{key}/directory", source, target, service(key), why)

    uses_proxy = False
    mirrors: list[tuple[str, Endpoint]] = []
    for key, hosts, direct, why in (
        ("windows_update", _managed(site, "windows"), service("http"), "mises à jour Windows"),
        ("apt", _managed(site, "debian"), service("http"), "mises à jour Debian (unattended-upgrades)"),
        ("crl", by_role.get("rds_gateway", []), service("crl"), "révocation des certificats clients (CRL, OCSP)"),
        ("licensing", by_role.get("rds_licensing", []), service("https"), "activation des licences RDS (Microsoft)"),
        (
            "python",
            sorted({h.name: h for r in PYTHON_ROLES for h in by_role.get(r, [])}.values(), key=lambda h: h.name),
            service("https"),
            "paquets Python (privacyIDEA, Plone)",
        ),
    ):
        choice = via(site, getattr(out, key))
        way = _through(site, key, getattr(out, key), direct)
        if not hosts or way is None:
            continue
        target, svc = way
        uses_proxy |= choice == "proxy"
        if choice == "mirror":
            mirrors.append((key, target))
        name = key.replace("_", "-")
        yield flow(f"{name}/{'internet' if choice == 'direct' else choice}", hosts_source(name, hosts, target),
                   target, svc, why)  # fmt: skip

    web = _through(site, "web", out.web, service("http"))
    if web is not None:
        target, svc = web
        uses_proxy |= via(site, out.web) == "proxy"
        for zone in (z for z, kind in kinds.items() if kind in ("users", "remote")):
            yield flow(f"web/{zone}", zone_endpoint(site, zone), target, svc, "navigation web des agents")
        session_hosts = by_role.get("rds_session_host", [])
        if session_hosts:
            yield flow("web/rds_session_host", hosts_source("rds_session_host", session_hosts, target), target, svc,
                       "navigation web des sessions RDS")  # fmt: skip

    if uses_proxy:
        proxy, _ = _proxy(site)
        if proxy.kind != "internet":
            yield flow("proxy/internet", proxy, _internet(), service("http"), "le proxy web vers Internet")
    for key, mirror in mirrors:
        if mirror.kind != "internet":
            yield flow(f"{key.replace('_', '-')}-mirror/internet", mirror, _internet(), service("http"),
                       f"{MIRROR_LABELS[key]} vers ses sources")  # fmt: skip

    if out.syslog:
        collector = address_endpoint(site, "collecteur-syslog", [str(out.syslog.address)])
        svc = custom("syslog", out.syslog.protocol, [out.syslog.port], "Journaux (syslog)")
        debian = _managed(site, "debian")
        if debian:
            yield flow("syslog/debian", hosts_source("debian", debian, collector), collector, svc,
                       "collecte des journaux des hôtes Debian")  # fmt: skip
        if site.switches:
            switches = sorted(site.switches.values(), key=lambda s: s.name)
            source = Endpoint(
                "switches",
                "switches",
                tuple(sorted({s.management_zone for s in switches})),
                tuple(str(s.management_address) for s in switches),
                tuple(s.name for s in switches),
            )
            yield flow("syslog/switches", source, collector, svc, "collecte des journaux des commutateurs")
