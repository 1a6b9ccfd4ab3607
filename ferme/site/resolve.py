"""From the validated inventory to the Site: ranges expanded, defaults and groups merged."""

from __future__ import annotations

import ipaddress
from typing import Any

from ferme.site import schema
from ferme.site.defaults import CONNECTION
from ferme.site.errors import FieldPath, Problem
from ferme.site.expand import RangeError, address_block, expand_name
from ferme.site.model import Connection, Host, Port, Switch, Zone
from ferme.site.schema import Section
from ferme.site.yamlsrc import Positions

DEFAULT_CONNECTION = CONNECTION


def _given(section: Section | None) -> dict[str, Any]:
    """The fields a section sets, as Python values (secrets stay SecretRef)."""
    if section is None:
        return {}
    return {k: v for k in type(section).model_fields if (v := getattr(section, k)) is not None}


class Resolver:
    def __init__(self, inv: schema.Inventory, positions: Positions):
        self.inv = inv
        self.positions = positions
        self.problems: list[Problem] = []
        self.hosts_dropped = False  # a host could not be resolved: references to it would be false alarms

    def problem(self, path: FieldPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(Problem(self.positions.of(path, key=key), path, message, hint))

    def zones(self) -> dict[str, Zone]:
        zones: dict[str, Zone] = {}
        for i, z in enumerate(self.inv.zones):
            subnet = ipaddress.IPv4Network(z.subnet)
            gateway = ipaddress.IPv4Address(z.gateway) if z.gateway else None
            if z.name in zones:
                self.problem(("zones", i, "name"), f"zone {z.name!r} is defined twice", "zone names are unique")
                continue
            via = ipaddress.IPv4Address(z.via) if z.via else None
            zones[z.name] = Zone(z.name, z.kind, z.vlan, subnet, gateway, z.description, via, z.bandwidth_mbps)
        return zones

    def _merged_settings(self, spec: schema.HostSpec, path: FieldPath) -> dict[str, Any]:
        """defaults < groups (in order) < host; roles add up, vars and connection merge by key."""
        layers: list[schema.HostSettings] = [self.inv.defaults]
        for j, group in enumerate(spec.groups):
            if group not in self.inv.groups:
                known = ", ".join(sorted(self.inv.groups)) or "none defined"
                self.problem((*path, "groups", j), f"unknown group {group!r}", f"groups: {known}")
                continue
            layers.append(self.inv.groups[group])
        layers.append(spec)
        merged: dict[str, Any] = {"roles": [], "vars": {}, "connection": {}, "hardware": {}}
        for layer in layers:
            if layer.os is not None:
                merged["os"] = layer.os
            if layer.managed is not None:
                merged["managed"] = layer.managed
            merged["roles"] += [r for r in layer.roles if r not in merged["roles"]]
            merged["vars"] = {**merged["vars"], **layer.vars}
            if layer.connection is not None:
                merged["connection"].update(_given(layer.connection))
            if layer.hardware is not None:
                merged["hardware"].update(_given(layer.hardware))
        return merged

    def hosts(self, zones: dict[str, Zone]) -> dict[str, Host]:
        hosts: dict[str, Host] = {}
        for pattern, spec in self.inv.hosts.items():
            path: FieldPath = ("hosts", pattern)
            try:
                names = expand_name(pattern)
            except RangeError as exc:
                self.problem(path, str(exc), key=True)
                self.hosts_dropped = True
                continue
            settings = self._merged_settings(spec, path)
            if "os" not in settings:
                self.problem(path, "no os for this host", "set `os: debian` or `os: windows` here or in a group")
                self.hosts_dropped = True
                continue
            blocks = self._address_blocks(spec, path, len(names), zones)
            if blocks is None:
                self.hosts_dropped = True
                continue
            for index, name in enumerate(names):
                if name in hosts:
                    self.problem(path, f"host {name!r} is defined twice", "host names are unique", key=True)
                    continue
                addresses = {zone: block[index] for zone, block in blocks.items()}
                hosts[name] = Host(
                    name=name,
                    os=settings["os"],
                    roles=tuple(settings["roles"]),
                    addresses=addresses,
                    connection=self._connection(name, settings["os"], settings["connection"], addresses, path),
                    groups=tuple(spec.groups),
                    hardware=schema.Hardware(**settings["hardware"]),
                    managed=settings.get("managed", True) and settings["os"] != "appliance",
                    vars=settings["vars"],
                    description=spec.description,
                    origin=path,
                )
        return hosts

    def _address_blocks(
        self, spec: schema.HostSpec, path: FieldPath, count: int, zones: dict[str, Zone]
    ) -> dict[str, list[ipaddress.IPv4Address]] | None:
        """Each zone's addresses for the hosts of `spec`; None when one cannot be read (the hosts are left out)."""
        blocks: dict[str, list[ipaddress.IPv4Address]] = {}
        readable = True
        for zone, text in spec.addresses.items():
            where = (*path, "addresses", zone)
            if zone not in zones:
                self.problem(where, f"unknown zone {zone!r}", "zones: " + ", ".join(zones), key=True)
                readable = False
                continue
            try:
                blocks[zone] = address_block(str(text), count)
            except (RangeError, ValueError) as exc:
                self.problem(where, f"bad address {text!r}: {exc}")
                readable = False
        return blocks if readable else None

    def _connection(
        self,
        name: str,
        os_name: str,
        given: dict[str, Any],
        addresses: dict[str, ipaddress.IPv4Address],
        path: FieldPath,
    ) -> Connection:
        conn = {**DEFAULT_CONNECTION[os_name], **given}
        kinds = {z.name: z.kind for z in self.inv.zones}
        management = [z for z in addresses if kinds.get(z) == "mgmt"]  # its management leg, whatever its name
        zone = conn.get("zone") or next(iter(management or addresses), None)
        if conn.get("zone") and conn["zone"] not in addresses:
            self.problem((*path, "connection", "zone"), f"the host has no address in zone {conn['zone']!r}")
        password = conn.get("password")
        return Connection(
            via=conn["via"],
            zone=zone,
            address=addresses.get(zone) if zone else None,
            user=conn["user"],
            port=conn["port"],
            auth=conn.get("auth"),
            ca_bundle=conn.get("ca_bundle"),
            password=password.name if password is not None else None,
            fqdn=conn.get("fqdn") or (f"{name}.{self.inv.site.domain}".lower() if os_name == "windows" else None),
        )

    def switches(self, zones: dict[str, Zone]) -> dict[str, Switch]:
        switches: dict[str, Switch] = {}
        for name, spec in self.inv.switches.items():
            ports: list[Port] = []
            listed: dict[str, str] = {}  # port name → the key that first listed it
            for pattern, port in spec.ports.items():
                try:
                    port_names = expand_name(pattern)
                except RangeError as exc:
                    self.problem(("switches", name, "ports", pattern), str(exc), key=True)
                    continue
                # `all`: every zone a switch can carry (those with a VLAN: not the VPN pool nor remote sites)
                every = tuple(z for z, zone in zones.items() if zone.vlan is not None)
                trunk = every if port.trunk == "all" else (tuple(port.trunk) if port.trunk else None)
                for port_name in port_names:
                    if port_name in listed:
                        self.problem(("switches", name, "ports", pattern),
                                     f"{port_name} is listed twice (also under {listed[port_name]})",
                                     "a port is configured once", key=True)  # fmt: skip
                        continue
                    listed[port_name] = pattern
                    ports.append(
                        Port(
                            port_name,
                            port.host,
                            port.zone,
                            trunk,
                            port.native,
                            port.uplink,
                            port.description,
                            port.shutdown,
                        )
                    )
            interfaces: list[str] = []
            if spec.interfaces:
                try:
                    interfaces = expand_name(spec.interfaces)
                except RangeError as exc:
                    self.problem(("switches", name, "interfaces"), str(exc))
                unknown = sorted(set(listed) - set(interfaces), key=list(listed).index) if interfaces else []
                if unknown:
                    self.problem(("switches", name, "interfaces"),
                                 f"{', '.join(unknown[:3])} under ports but not in {spec.interfaces}",
                                 "interfaces: names every port of the switch")  # fmt: skip
            given = _given(spec.connection)
            conn = {**DEFAULT_CONNECTION["switch"], **given}
            address = ipaddress.IPv4Address(spec.management.address)
            switches[name] = Switch(
                name=name,
                vendor=spec.vendor,
                model=spec.model,
                management_zone=spec.management.zone,
                management_address=address,
                connection=Connection(
                    "netdev",
                    spec.management.zone,
                    address,
                    conn["user"],
                    conn["port"],
                    password=conn["password"].name if conn.get("password") else None,
                ),
                ports=tuple(ports),
                interfaces=tuple(interfaces),
            )
        return switches
