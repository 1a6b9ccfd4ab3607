"""The resolved site: ranges expanded, groups merged, addresses parsed. Read-only by convention."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferme.site import schema
from ferme.site.errors import FieldPath, Problem
from ferme.site.runconfig import RunConfig
from ferme.site.secrets import SecretStore


@dataclass(frozen=True)
class Zone:
    name: str
    kind: str
    vlan: int | None
    subnet: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address | None
    description: str = ""
    via: ipaddress.IPv4Address | None = None  # remote: the next hop to the site
    bandwidth_mbps: int | None = None  # remote: the WAN link


@dataclass(frozen=True)
class Connection:
    via: str  # ssh, winrm or netdev
    zone: str | None
    address: ipaddress.IPv4Address | None
    user: str
    port: int
    auth: str | None = None
    ca_bundle: str | None = None
    password: str | None = None  # secret name, never its value
    fqdn: str | None = None  # Windows: the DNS name (Kerberos has no SPN for an address)


@dataclass(frozen=True)
class Host:
    name: str
    os: str
    roles: tuple[str, ...]
    addresses: dict[str, ipaddress.IPv4Address]
    connection: Connection
    groups: tuple[str, ...] = ()
    hardware: schema.Hardware = field(default_factory=schema.Hardware)
    managed: bool = True
    vars: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    origin: FieldPath = ()  # where the host (or its range) was written


@dataclass(frozen=True)
class Port:
    name: str
    host: str | None
    zone: str | None
    trunk: tuple[str, ...] | None  # zone names, all of them for `all`
    native: str | None
    uplink: str | None
    description: str
    shutdown: bool


@dataclass(frozen=True)
class Switch:
    name: str
    vendor: str
    model: str
    management_zone: str
    management_address: ipaddress.IPv4Address
    connection: Connection
    ports: tuple[Port, ...]
    interfaces: tuple[str, ...] = ()  # every port of the switch (`interfaces:`), empty when not given


@dataclass(frozen=True)
class Site:
    folder: Path
    info: schema.SiteInfo
    agents: schema.Agents
    waves: tuple[schema.Wave, ...]
    zones: dict[str, Zone]
    admins: tuple[schema.Admin, ...]
    hosts: dict[str, Host]
    switches: dict[str, Switch]
    rds: schema.Rds | None
    collab: schema.Collab | None
    mfa: schema.Mfa | None
    vpn: schema.Vpn | None
    firewall: schema.Firewall
    secrets: SecretStore
    run: RunConfig = field(default_factory=RunConfig)  # pyinfra.toml
    # Files the inventory names that are not there (a PFX): `ferme check` warns, `ferme apply` refuses
    # to converge a host that needs one. Keyed by the path as written.
    missing_files: dict[str, Problem] = field(default_factory=dict)
    secret_names: tuple[str, ...] = ()  # every `!secret` the inventory names (values: `secrets`)
    directory: schema.Directory = field(default_factory=schema.Directory)
    outbound: schema.Outbound = field(default_factory=schema.Outbound)
    hypervisors: schema.Hypervisors | None = None
    switching: schema.Switching = field(default_factory=schema.Switching)
    # The waves' states `ferme onboard` keeps (INV/state/waves.json): planned (absent), open, rolled_back
    wave_states: dict[int, str] = field(default_factory=dict)

    @property
    def open_waves(self) -> tuple[int, ...]:
        """Waves `ferme onboard` opened: their groups join the collections, the gateways' CAP and the remote access
        group, and their services' tokens work."""
        return tuple(sorted(n for n, state in self.wave_states.items() if state == "open"))

    @property
    def confirm_seconds(self) -> int:
        """The commit-confirm delay: the inventory's `firewall.confirm_seconds`, else pyinfra.toml's."""
        return self.firewall.confirm_seconds or self.run.confirm_seconds

    @property
    def name(self) -> str:
        return self.info.name

    def hosts_with(self, role: str) -> list[Host]:
        return [h for h in self.hosts.values() if role in h.roles]
