"""Cross-reference checks on the resolved site: each returns problems, none raises."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator
from typing import Any

from ferme import catalogue
from ferme.site import schema
from ferme.site.errors import FieldPath, Problem
from ferme.site.expand import RangeError, expand_name
from ferme.site.model import Host, Switch, Zone
from ferme.site.yamlsrc import Positions

FQDN = re.compile(schema.FQDN_PATTERN)


class Checker:
    def __init__(
        self,
        inv: schema.Inventory,
        positions: Positions,
        zones: dict[str, Zone],
        hosts: dict[str, Host],
        switches: dict[str, Switch],
        *,
        consistent: bool = True,
        hosts_complete: bool = True,
    ):
        self.hosts_complete = hosts_complete  # every host resolved: "unknown host" is then a real mistake
        self.consistent = consistent  # no problem was found before: derivations (flows) are safe
        self.inv, self.positions = inv, positions
        self.zones, self.hosts, self.switches = zones, hosts, switches
        self.problems: list[Problem] = []

    def report(self, path: FieldPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(Problem(self.positions.of(path, key=key), path, message, hint))

    def report_unresolved(self, path: FieldPath, message: str, hint: str = "") -> None:
        """A reference to a host that is not there: only a mistake when every host could be resolved
        (otherwise it is the echo of a problem already reported where the host is written)."""
        if self.hosts_complete:
            self.report(path, message, hint)

    def run(self) -> list[Problem]:
        for check in (
            self.zones_are_consistent,
            self.addresses_fit_zones,
            self.roles_fit_os,
            self.switch_references,
            self.rds_settings,
            self.role_settings_present,
            self.one_edge,
            self.kerberos_names,
            self.domain_has_controllers,
            self.mfa_clients,
            self.gateway_mfa,
            self.vpn_pool_size,
            self.mfa_servers,
            self.waves_and_services,
            self.extra_flows,
            self.outbound,
            self.publications,
            self.collab_settings,
        ):
            check()
        return self.problems

    def _host_names(self, pattern: str) -> list[str]:
        try:
            return expand_name(pattern)
        except RangeError:
            return [pattern]

    def _remote_route(self, i: int, zone: Zone) -> None:
        """A site behind the WAN is reached through a next hop on one of the edge's legs."""
        if zone.via is None:
            self.report(("zones", i), f"zone {zone.name} (remote) has no route", "add `via: ADDRESS` (the WAN router)",
                        key=True)  # fmt: skip
            return
        edges = [h for h in self.hosts.values() if "edge_firewall" in h.roles]
        legs = [self.zones[z] for z in edges[0].addresses if z in self.zones] if edges else []
        if edges and not any(zone.via in leg.subnet for leg in legs):
            self.report(("zones", i, "via"), f"zone {zone.name}: {zone.via} is in no zone the edge has a leg in",
                        "the WAN router sits on a segment of the edge (a zone of kind wan)")  # fmt: skip

    def zones_are_consistent(self) -> None:
        vlans: dict[int, str] = {}
        outside = [z for z in self.inv.zones if z.kind == "outside"]
        if len(outside) > 1:
            self.report(("zones",), "more than one zone of kind outside", "the edge has one outside")
        for i, z in enumerate(self.inv.zones):
            if z.vlan is not None:
                if z.vlan in vlans:
                    self.report(
                        ("zones", i, "vlan"),
                        f"VLAN {z.vlan} is already used by zone {vlans[z.vlan]!r}",
                        "VLAN ids are unique",
                    )
                vlans.setdefault(z.vlan, z.name)
            zone = self.zones.get(z.name)
            if zone and zone.gateway is not None and zone.gateway not in zone.subnet:
                self.report(("zones", i, "gateway"), f"gateway {zone.gateway} is outside {zone.subnet}")
            if zone and zone.kind == "remote":
                self._remote_route(i, zone)
        seen: list[tuple[int, Zone]] = []
        for i, z in enumerate(self.inv.zones):
            zone = self.zones.get(z.name)
            if zone is None:
                continue
            for _, other in seen:
                if zone is not other and zone.subnet.overlaps(other.subnet):
                    self.report(("zones", i, "subnet"), f"{zone.subnet} overlaps zone {other.name!r} ({other.subnet})")
            seen.append((i, zone))

    def _claim(
        self, owners: dict[ipaddress.IPv4Address, str], address: ipaddress.IPv4Address, who: str, path: FieldPath
    ) -> None:
        if address in owners and owners[address] != who:
            self.report(path, f"address {address} is already used by {owners[address]}", "addresses are unique")
        owners.setdefault(address, who)

    def addresses_fit_zones(self) -> None:
        owners: dict[ipaddress.IPv4Address, str] = {}
        misfits: dict[tuple[FieldPath, str], list[str]] = {}  # one report per written block, not per host
        for host in self.hosts.values():
            for zone_name, address in host.addresses.items():
                path = (*host.origin, "addresses", zone_name)
                zone = self.zones[zone_name]
                if address not in zone.subnet or address in (zone.subnet.network_address,
                                                             zone.subnet.broadcast_address):  # fmt: skip
                    misfits.setdefault((path, zone_name), []).append(f"{host.name}: {address}")
                    continue
                if address == zone.gateway and "edge_firewall" not in host.roles:
                    self.report(
                        path,
                        f"{host.name}: {address} is the gateway of zone {zone_name!r}",
                        "only the edge firewall holds gateway addresses",
                    )
                self._claim(owners, address, host.name, path)
        for (path, zone_name), misfit in misfits.items():
            subnet = self.zones[zone_name].subnet
            if len(misfit) == 1:
                self.report(path, f"{misfit[0]} is outside zone {zone_name!r} ({subnet}) or is its network or "
                            "broadcast address")  # fmt: skip
            else:
                self.report(path, f"{len(misfit)} addresses of this block do not fit in zone {zone_name!r} ({subnet}):"
                            f" {misfit[0]} … {misfit[-1]}", "outside zone or network/broadcast address")  # fmt: skip
        for name, switch in self.switches.items():
            path = ("switches", name, "management", "address")
            mgmt = self.zones.get(switch.management_zone)
            if mgmt is None:
                self.report(
                    ("switches", name, "management", "zone"),
                    f"unknown zone {switch.management_zone!r}",
                    "zones: " + ", ".join(self.zones),
                )
                continue
            if switch.management_address not in mgmt.subnet:
                self.report(path, f"{switch.management_address} is outside zone {mgmt.name!r} ({mgmt.subnet})")
            if mgmt.vlan is None:
                self.report(("switches", name, "management", "zone"),
                            f"zone {mgmt.name!r} has no VLAN: {name}'s management interface needs one",
                            f"give zone {mgmt.name} a `vlan:`")  # fmt: skip
            self._claim(owners, switch.management_address, name, path)
            if name in self.hosts:
                self.report(("switches", name), f"{name!r} is both a host and a switch", key=True)

    def roles_fit_os(self) -> None:
        for host in self.hosts.values():
            for role in host.roles:
                runs_on = catalogue.spec(role).os
                if runs_on != host.os and host.os not in catalogue.spec(role).also_on:
                    self.report((*host.origin, "roles"), f"{host.name}: role {role} runs on {runs_on}, not {host.os}")
            if host.os == "windows" and len(host.name) > 15:
                self.report(host.origin, f"{host.name}: Windows computer names have at most 15 characters", key=True)
            if not host.addresses:
                self.report(host.origin, f"{host.name}: no address", "add `addresses: {zone: address}`", key=True)

    def switch_references(self) -> None:
        parking = self.inv.switching.parking_vlan
        taken = next((z for z in self.zones.values() if z.vlan == parking), None)
        if self.switches and taken is not None:
            self.report(("switching", "parking_vlan"), f"VLAN {parking} is zone {taken.name!r}'s: unused ports "
                        "would be parked in it", "choose a VLAN no zone uses (default 999)")  # fmt: skip
        for name, switch in self.switches.items():
            for port in switch.ports:
                base: FieldPath = ("switches", name, "ports")
                path = (*base, self._port_key(name, port.name))
                if port.host and port.host not in self.hosts:
                    self.report_unresolved((*path, "host"), f"unknown host {port.host!r}", "it must be under hosts:")
                if port.uplink and port.uplink not in self.switches:
                    self.report((*path, "uplink"), f"unknown switch {port.uplink!r}", "it must be under switches:")
                for zone in [port.zone, port.native, *(port.trunk or ())]:
                    if zone and zone not in self.zones:
                        self.report(path, f"unknown zone {zone!r}", "zones: " + ", ".join(self.zones))
                    elif zone and self.zones[zone].vlan is None:
                        # a switch carries zones as VLANs: one without a number cannot be configured
                        self.report(path, f"zone {zone!r} has no VLAN, and {name} port {port.name} carries it",
                                    f"give zone {zone} a `vlan:`")  # fmt: skip
                if (
                    port.host
                    and port.zone
                    and port.host in self.hosts
                    and port.zone not in self.hosts[port.host].addresses
                ):
                    self.report((*path, "zone"), f"{port.host} has no address in zone {port.zone!r}")

    def _port_key(self, switch: str, port: str) -> str:
        for pattern in self.inv.switches[switch].ports:
            if port in self._host_names(pattern):
                return pattern
        return port

    def _session_hosts(self, names: list[str], path: FieldPath) -> Iterator[str]:
        for j, entry in enumerate(names):
            if entry in self.inv.groups:
                yield from (h.name for h in self.hosts.values() if entry in h.groups)
                continue
            for name in self._host_names(entry):
                if name not in self.hosts:
                    self.report_unresolved((*path, j), f"unknown host or group {name!r}")
                elif "rds_session_host" not in self.hosts[name].roles:
                    self.report((*path, j), f"{name} has no rds_session_host role")
                else:
                    yield name

    def rds_settings(self) -> None:
        rds = self.inv.rds
        brokers = [h.name for h in self.hosts.values() if "rds_broker" in h.roles]
        gateways = [h.name for h in self.hosts.values() if "rds_gateway" in h.roles]
        if rds is None:
            return
        if not brokers:
            self.report(("rds",), "RDS settings but no host with the rds_broker role", key=True)
        if len(brokers) > 1 and rds.broker_ha is None:
            self.report(
                ("rds",),
                f"{len(brokers)} connection brokers ({', '.join(brokers)}) but no broker_ha",
                "add rds.broker_ha with client_access_name and database_server",
                key=True,
            )
        if rds.broker_ha is not None:
            database = self.hosts.get(rds.broker_ha.database_server)
            if database is None:
                self.report_unresolved(
                    ("rds", "broker_ha", "database_server"),
                    f"{rds.broker_ha.database_server!r} is not a host of the inventory",
                    "declare the SQL Server as a host with the rds_database role and name it here",
                )
            elif "rds_database" not in database.roles:
                self.report(("rds", "broker_ha", "database_server"), f"{database.name} does not have the rds_database "
                            "role", "add rds_database to its roles (the brokers reach it on 1433/tcp)")  # fmt: skip
        webs = [h.name for h in self.hosts.values() if "rds_web" in h.roles and h.os == "windows"]
        if len(webs) > 1 and rds.web_machine_key is None:
            self.report(("rds",), f"{len(webs)} RD Web servers ({', '.join(webs)}) without a shared key",
                        "add rds.web_machine_key: !secret rdweb_machine_key (ferme secrets init makes it)")  # fmt: skip
        if len(gateways) > 1 and rds.gateway.ha is None:
            self.report(
                ("rds", "gateway"),
                f"{len(gateways)} RD gateways ({', '.join(gateways)}) but no ha",
                "set rds.gateway.ha: edge_hash or load_balancer",
                key=True,
            )
        lb = rds.gateway.load_balancer
        if rds.gateway.ha == "load_balancer" and lb is None:
            self.report(
                ("rds", "gateway", "ha"),
                "ha: load_balancer needs the load balancer's address",
                "add rds.gateway.load_balancer: ADDRESS (its virtual address in front of the gateways)",
            )
        inside = [z.subnet for z in self.zones.values() if z.kind != "outside"]
        if lb is not None and not any(ipaddress.IPv4Address(lb) in subnet for subnet in inside):
            self.report(("rds", "gateway", "load_balancer"), f"{lb} is in no inside zone")
        names: set[str] = set()
        for i, collection in enumerate(rds.collections):
            path: FieldPath = ("rds", "collections", i)
            if collection.name in names:
                self.report((*path, "name"), f"collection {collection.name!r} is defined twice")
            names.add(collection.name)
            members = list(self._session_hosts(collection.session_hosts, (*path, "session_hosts")))
            if not members and self.hosts_complete:
                self.report((*path, "session_hosts"), "no session host in this collection")

    def role_settings_present(self) -> None:
        reported: set[str] = set()
        for host in self.hosts.values():
            for role in host.roles:
                section = catalogue.spec(role).settings
                if section and section not in reported and getattr(self.inv, section) is None:
                    reported.add(section)
                    self.report(
                        (*host.origin, "roles"),
                        f"{host.name} has the {role} role but there is no `{section}:` section",
                        f"add a `{section}:` section",
                    )
        vpn = self.inv.vpn
        if vpn is not None:
            pool = ipaddress.IPv4Network(vpn.pool)
            if not any(z.kind == "vpn" and pool.subnet_of(z.subnet) for z in self.zones.values()):
                self.report(("vpn", "pool"), f"{pool} is not inside a zone of kind vpn")

    def kerberos_names(self) -> None:
        """Kerberos finds a host by its DNS name: the host's own name must be one, or `connection.fqdn` set."""
        for host in self.hosts.values():
            if host.connection.auth == "kerberos" and host.connection.fqdn and not FQDN.match(host.connection.fqdn):
                self.report((*host.origin, "connection", "auth"),
                            f"{host.name}: Kerberos needs a DNS name, and {host.connection.fqdn!r} is not one",
                            "set connection.fqdn, or use auth: ntlm")  # fmt: skip

    def one_edge(self) -> None:
        edges = [h for h in self.hosts.values() if "edge_firewall" in h.roles]
        vendor = self.inv.firewall.vendor
        if edges and vendor != "nftables" and edges[0].os != "appliance":
            self.report(("firewall", "vendor"), f"the edge is a {vendor} appliance, but {edges[0].name} is a "
                        f"{edges[0].os.capitalize()} host", "declare it `os: appliance` (ferme renders its "
                        "configuration), or set firewall.vendor: nftables")  # fmt: skip
        if edges and vendor == "nftables" and edges[0].os == "appliance":
            self.report(("firewall", "vendor"), f"{edges[0].name} is an appliance: name its vendor",
                        "firewall.vendor: fortigate, paloalto, srx or ciscoasa")  # fmt: skip
        vpn = self.inv.vpn
        for host in (h for h in self.hosts.values() if "vpn" in h.roles):
            if vpn is not None and (host.os == "appliance") != (vpn.kind == "sslvpn"):
                self.report(("vpn", "kind"), f"vpn.kind {vpn.kind} on {host.name} ({host.os})",
                            "sslvpn is the appliance's own VPN; openvpn or wireguard run on Debian")  # fmt: skip
            elif host.os == "appliance" and vendor != "fortigate":
                self.report((*host.origin, "roles"), f"{host.name}: ferme renders the VPN of a FortiGate only, "
                            f"not of a {vendor}", "run the VPN on a Debian host (openvpn), or configure the "
                            "appliance's own VPN by hand")  # fmt: skip
        for host in edges[1:]:
            self.report((*host.origin, "roles"),
                        f"{len(edges)} hosts have the edge_firewall role ({', '.join(h.name for h in edges)})",
                        "a site has one edge firewall")  # fmt: skip

    def domain_has_controllers(self) -> None:
        windows = [h for h in self.hosts.values() if h.os == "windows"]
        if windows and self.hosts_complete and not any("directory" in h.roles for h in self.hosts.values()):
            self.report(("hosts",), f"no host has the directory role: the Windows hosts ({windows[0].name}…) join "
                        f"the domain {self.inv.site.domain}", "list its domain controllers with `roles: [directory]`"
                        " (`managed: false` if ferme does not manage them)", key=True)  # fmt: skip

    def gateway_mfa(self) -> None:
        """Each place the inventory says the remote desktop's second factor is checked must exist."""
        rds = self.inv.rds
        if rds is None or not self.hosts_complete:
            return
        path: FieldPath = ("rds", "gateway", "mfa")
        roles = {r for h in self.hosts.values() for r in h.roles}
        if "none" in rds.gateway.mfa and len(rds.gateway.mfa) > 1:
            self.report(path, "none (inside access only) excludes the other choices", "keep `none` alone, or drop it")
        for choice in rds.gateway.mfa:
            if choice == "vpn" and ("vpn" not in roles or self.inv.vpn is None or not self.inv.vpn.mfa):
                self.report(path, "vpn: the farm is reached through the VPN, but no VPN asks for PIN+OTP",
                            "give a host the vpn role with a `vpn:` section (mfa: true), or choose portal")  # fmt: skip
            elif choice == "portal" and "portal" not in roles:
                self.report(path, "portal: no host has the portal role (the OTP pre-authentication proxy)",
                            "give a Debian host of the DMZ (or the edge) `roles: [portal]`")  # fmt: skip
            if choice in ("portal", "credential_provider") and "mfa" not in roles:
                self.report(path, f"{choice}: the OTP is checked by privacyIDEA, but no host has the mfa role",
                            "add an mfa host")  # fmt: skip

    def vpn_pool_size(self) -> None:
        vpn = self.inv.vpn
        if vpn is None:
            return
        pool = ipaddress.IPv4Network(vpn.pool)
        room = max(pool.num_addresses - 3, 0)  # network, broadcast and the server's own address
        if vpn.concurrent is not None and vpn.concurrent > room:
            self.report(("vpn", "concurrent"),
                        f"{vpn.concurrent} concurrent clients do not fit in pool {pool} ({room} addresses)",
                        "widen the pool")  # fmt: skip
        elif vpn.concurrent is None:
            peak = math.ceil(self.inv.agents.count * self.inv.agents.concurrency)
            if peak > room:
                self.report(("vpn", "pool"), f"pool {pool} holds {room} clients, the site's peak is {peak} agents "
                            "(agents.count × agents.concurrency)", "widen the pool or set vpn.concurrent")  # fmt: skip
        self.vpn_instances()

    def vpn_instances(self) -> None:
        """Each OpenVPN process gets a slice of the pool: its share of the cap must fit in it; with MFA, each
        VPN server is a RADIUS client of the MFA servers (it has a secret of its own)."""
        vpn = self.inv.vpn
        if vpn is None or vpn.kind != "openvpn":
            return
        from ferme.plan.vpn import cap, process_count, slice_prefix, slice_room

        count = process_count(vpn, self.inv.agents)
        pool = ipaddress.IPv4Network(vpn.pool)
        prefix = slice_prefix(pool, count)
        share = math.ceil(cap(vpn, self.inv.agents) / count)
        room = slice_room(prefix)
        if share > room:
            self.report(("vpn", "instances" if vpn.instances else "pool"),
                        f"{count} OpenVPN processes split pool {pool} into /{prefix} slices of {room} clients; "
                        f"each must hold {share}", "widen the pool or run fewer processes")  # fmt: skip
        if not vpn.mfa or self.inv.mfa is None or not self.hosts_complete:
            return
        clients = {c.host for c in self.inv.mfa.radius_clients if c.host}
        if clients <= set(self.hosts) | set(self.inv.switches) and any("mfa" in h.roles for h in self.hosts.values()):
            # (a client naming an unknown host is reported as such: it may be the VPN server misspelt)
            for host in (h for h in self.hosts.values() if "vpn" in h.roles and h.name not in clients):
                self.report(("mfa", "radius_clients"), f"{host.name} (vpn) is not a RADIUS client of the MFA servers",
                            f"add `{{host: {host.name}, secret: !secret ...}}`")  # fmt: skip

    def mfa_servers(self) -> None:
        """Several MFA servers share one database and one key: else a code used at one passes again at another."""
        mfa = self.inv.mfa
        if mfa is None:
            return
        servers = sorted(h.name for h in self.hosts.values() if "mfa" in h.roles)
        database = mfa.database
        if len(servers) > 1 and self.hosts_complete:
            if database.kind == "sqlite":
                self.report(("mfa", "database"),
                            f"{len(servers)} MFA servers ({', '.join(servers)}) with a database each: a code used at "
                            "one would be accepted again at another, and wrong codes would not add up to a lock",
                            "share one PostgreSQL: `database: {kind: postgresql, host: HOST, password: !secret "
                            "...}`")  # fmt: skip
            if mfa.shared_key is None:
                self.report(("mfa", "shared_key"),
                            "MFA servers sharing a database need the same encryption key, pepper and session key",
                            "add `shared_key: !secret mfa_shared` (ferme derives them from it)")  # fmt: skip
        if database.kind != "postgresql":
            return
        if database.password is None:
            self.report(("mfa", "database", "password"), "PostgreSQL without a password", "add `password: !secret ...`")
        if (database.host is None) == (database.address is None):
            self.report(("mfa", "database"), "PostgreSQL is either a `host` of the inventory or an `address`",
                        "write `host: NAME` or `address: ADDRESS`")  # fmt: skip
        elif database.host is not None and self.hosts_complete and database.host not in self.hosts:
            self.report(("mfa", "database", "host"), f"unknown host {database.host!r}",
                        f"one of {', '.join(servers) or 'the hosts'}")  # fmt: skip

    def mfa_clients(self) -> None:
        if self.inv.mfa is None:
            return
        mfa = self.inv.mfa
        names: dict[str, int] = {}
        for i, client in enumerate(mfa.radius_clients):
            where: FieldPath = ("mfa", "radius_clients", i)
            if (client.host is None) == (client.address is None):
                self.report(
                    where,
                    "a RADIUS client is either a `host` or an `address` (with a `name`)",
                    "write `{host: NAME, secret: ...}` or `{name: NAME, address: ADDRESS, secret: ...}`",
                )
                continue
            if client.address is not None and client.name is None:
                self.report((*where, "address"), "a RADIUS client given by address needs a `name`", "add `name: ...`")
                continue
            if client.host is not None and client.host not in self.hosts and client.host not in self.switches:
                self.report_unresolved((*where, "host"), f"unknown host {client.host!r}")
            name = client.host or client.name or ""
            if name in names:
                self.report(
                    where, f"RADIUS client {name!r} is listed twice", f"keep one (see radius_clients[{names[name]}])"
                )
            names[name] = i
        agents = {s.name for s in self.inv.agents.services}
        for i, wanted in enumerate(mfa.remote_access.services):
            if wanted not in agents:
                self.report(("mfa", "remote_access", "services", i), f"unknown service {wanted!r}",
                            f"one of agents.services: {', '.join(sorted(agents)) or '(none)'}")  # fmt: skip
        serials: dict[str, int] = {}
        for i, token in enumerate(mfa.tokens):
            if token.serial in serials:
                self.report(("mfa", "tokens", i, "serial"), f"token {token.serial!r} is listed twice",
                            f"a token belongs to one agent (see tokens[{serials[token.serial]}])")  # fmt: skip
            serials[token.serial] = i
        if mfa.users.kind == "ldap" and mfa.users.bind_dn and mfa.users.bind_password is None:
            self.report(("mfa", "users", "bind_password"), "an LDAP bind DN without its password",
                        "add `bind_password: !secret ...`")  # fmt: skip

    def waves_and_services(self) -> None:
        services = {s.name for s in self.inv.agents.services}
        placed: dict[str, int] = {}
        numbers: set[int] = set()
        for i, wave in enumerate(self.inv.waves):
            if wave.number in numbers:
                self.report(("waves", i, "number"), f"wave {wave.number} is defined twice")
            numbers.add(wave.number)
            for j, service in enumerate(wave.services):
                if service not in services:
                    self.report(
                        ("waves", i, "services", j),
                        f"unknown service {service!r}",
                        "services are listed under agents.services",
                    )
                elif service in placed:
                    self.report(("waves", i, "services", j), f"{service} is already in wave {placed[service]}")
                placed.setdefault(service, wave.number)
        size = self.inv.agents.wave_size
        agents = {s.name: s.agents for s in self.inv.agents.services}
        for i, wave in enumerate(self.inv.waves):
            held = sum(agents.get(service, 0) for service in wave.services)
            if size is not None and held > size:
                self.report(("waves", i, "services"), f"wave {wave.number} holds {held} agents, more than "
                            f"agents.wave_size ({size})", "move a service to another wave")  # fmt: skip
        if self.inv.waves:
            for j, declared in enumerate(self.inv.agents.services):
                if declared.name not in placed:
                    self.report(("agents", "services", j, "name"), f"{declared.name} is in no wave: its agents never "
                                "get remote access", "add it to a wave")  # fmt: skip
        elif size is not None:
            from ferme.plan.waves import propose_waves

            try:
                propose_waves(agents, size)
            except ValueError as exc:
                self.report(("agents", "wave_size"), str(exc))
        total = sum(s.agents for s in self.inv.agents.services)
        if total > self.inv.agents.count:
            self.report(
                ("agents", "services"),
                f"services hold {total} agents, more than agents.count ({self.inv.agents.count})",
            )

    def publications(self) -> None:
        """Services published to the outside must each find a public address and port."""
        from ferme.plan.edge import assign_publications, asymmetric_paths, edge_host
        from ferme.plan.flows import derive_flows

        if self.problems or not self.consistent:
            return  # flows need a consistent site
        site = _partial_site(self)
        flows = derive_flows(site)
        for path, message in assign_publications(site, flows, edge_host(site))[1]:
            self.report(path, message, key=len(path) < 3)
        for message, host in sorted({m: h for h, m in asymmetric_paths(site, flows)}.items()):
            hint = "give the host a leg in the client's zone, or reach it on its default leg"
            self.report(host.origin or ("hosts", host.name), message, hint, key=True)
        outside = [z for z in self.zones.values() if z.kind == "outside"]
        for i, address in enumerate(self.inv.firewall.public_addresses):
            if not outside or ipaddress.IPv4Address(address) not in outside[0].subnet:
                self.report(("firewall", "public_addresses", i), f"{address} is not in the outside zone")

    def collab_settings(self) -> None:
        """Libraries and accounts named once; a certificate comes with its key; local accounts for `users: local`."""
        collab = self.inv.collab
        if collab is None:
            return
        for field, names in (("libraries", [lib.name for lib in collab.libraries]),
                             ("accounts", [a.login.lower() for a in collab.accounts])):  # fmt: skip
            seen: set[str] = set()
            for i, name in enumerate(names):
                if name in seen:
                    self.report(("collab", field, i), f"{name} is named twice in collab.{field}")
                seen.add(name)
        if (collab.tls.certificate is None) != (collab.tls.key is None):
            given = "certificate" if collab.tls.certificate else "key"
            self.report(("collab", "tls", given), "a certificate needs its key (and a key its certificate)",
                        "give both, or neither: ferme's site CA then issues one")  # fmt: skip
        if collab.users == "directory" and collab.directory is None:
            self.report(("collab", "users"), "users: directory needs `collab.directory` (bind_dn, bind_password)",
                        "Plone's service account in the directory; or `users: local` with `accounts`")  # fmt: skip
        if collab.accounts and collab.users != "local":
            self.report(("collab", "accounts"), "local accounts need `users: local`",
                        "with `users: directory` the agents sign in with their directory accounts")  # fmt: skip

    def outbound(self) -> None:
        """Each way out the inventory chooses is one it can take: a proxy named, a mirror's address."""
        out = self.inv.outbound
        updates = ("direct", "proxy", "mirror", "none")
        choices = {"windows_update": updates, "apt": updates, "python": ("direct", "proxy", "mirror"),
                   "web": ("direct", "proxy", "none"),
                   "crl": ("direct", "proxy"), "licensing": ("direct", "proxy", "none")}  # fmt: skip
        for key, allowed in choices.items():
            upstream = getattr(out, key)
            if upstream.via is not None and upstream.via not in allowed:
                self.report(("outbound", key, "via"), f"{key} cannot go via {upstream.via}",
                            f"one of {', '.join(allowed)}")  # fmt: skip
            elif upstream.via == "proxy" and out.proxy is None:
                self.report(("outbound", key, "via"), f"{key} goes via the proxy but the site names none",
                            "add outbound.proxy: {address: ADDRESS, port: PORT}")  # fmt: skip
            elif upstream.via == "mirror" and upstream.address is None:
                self.report(("outbound", key, "via"), f"{key} goes via a mirror without its address",
                            f"add outbound.{key}.address (and port)")  # fmt: skip

    def extra_flows(self) -> None:
        for i, flow in enumerate(self.inv.firewall.extra_flows):
            for end in ("source", "destination"):
                value = getattr(flow, end)
                if value not in self.zones and value not in self.hosts and value not in ("any", "internet"):
                    self.report_unresolved(("firewall", "extra_flows", i, end), f"unknown zone or host {value!r}")
            if flow.protocol in ("tcp", "udp") and not flow.ports:
                self.report(("firewall", "extra_flows", i, "ports"), f"a {flow.protocol} flow needs ports")


def _partial_site(checker: Checker) -> Any:
    """A Site from what the checker has, for derivations that checks need (secrets not resolved)."""
    from pathlib import Path

    from ferme.site.model import Site
    from ferme.site.secrets import SecretStore

    inv = checker.inv
    return Site(Path("."), inv.site, inv.agents, tuple(inv.waves), checker.zones, tuple(inv.admins), checker.hosts,
                checker.switches, inv.rds, inv.collab, inv.mfa, inv.vpn, inv.firewall, SecretStore(),
                directory=inv.directory, outbound=inv.outbound)  # fmt: skip
