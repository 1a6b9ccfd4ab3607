"""The shape of the plan (plan.json): what every role applies and every check verifies, typed.

The plan stays plain JSON (it is written, golden-tested and read back by the verify suites); these
TypedDicts let mypy check every key a producer writes and a consumer reads.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class PlannedConnection(TypedDict):
    via: str
    zone: str | None
    address: str | None
    user: str
    port: int
    auth: str | None
    password_secret: str | None
    ca_bundle: str | None
    fqdn: str | None  # Windows hosts: reached by this name when auth is kerberos


class SshPolicy(TypedDict):
    password_authentication: bool
    permit_root_login: str
    algorithms: dict[str, list[str]]
    rsa_host_key_bits: int


class EdgeState(TypedDict):
    ruleset: str  # artifact path
    routes: list[dict[str, str]]
    public_addresses: list[dict[str, str]]
    interfaces: list[str]
    confirm_seconds: int


class PlannedCertificate(TypedDict):
    thumbprint: str
    pfx: str
    password: dict[str, str]  # {"secret": NAME}
    roles: list[str]


class PolicyTable(TypedDict):
    """One source-based routing table: what leaves from `source` leaves by the leg of `leg_address`."""

    table: int
    priority: int  # of the `ip rule`
    zone: str
    source: str  # an address of the host, or the VPN pool
    leg_address: str  # the host's address on the leg (finds the interface)
    subnet: str | None  # the leg's own network (none for the VPN pool: it goes to the edge)
    gateway: str


class StaticRoute(TypedDict):
    to: str
    via: str
    zone: str  # the leg it leaves by
    leg_address: str


class Routing(TypedDict):
    default_zone: str | None
    default_gateway: str | None
    tables: list[PolicyTable]
    routes: list[StaticRoute]  # to the admin zones, by the management leg


class HostState(TypedDict, total=False):
    """A host's desired state: the Debian keys for Debian hosts, the Windows keys for Windows hosts."""

    # Debian
    hostname: str
    timezone: str
    locale: str
    packages: list[str]
    admins: list[dict[str, Any]]
    domain: str
    ntp_servers: list[str]
    dns_servers: list[str]
    ssh: SshPolicy
    routing: Routing  # Windows hosts too (their default leg), without tables
    apt_proxy: str | None  # http://ADDRESS:PORT when apt goes through the proxy or an apt-cacher-ng mirror
    syslog: dict[str, Any] | None  # the collector: address, protocol, port
    firewall: EdgeState  # the edge host only
    mfa: dict[str, Any]  # the MFA servers: privacyIDEA and FreeRADIUS (ferme/plan/mfa.py)
    portal: dict[str, Any]  # the OTP pre-authentication portal (ferme/plan/portal.py)
    collab: dict[str, Any]  # the collaboration server: Plone, libraries, backups (ferme/plan/collab.py)
    vpn: dict[str, Any]  # the OpenVPN server: processes, pools, cap, routes pushed, RADIUS (ferme/plan/vpn.py)
    host_firewall: dict[str, Any]  # every other managed Debian host: its ruleset (artifact path), confirm_seconds
    # Windows
    windows_features: list[str]
    registry: dict[str, int | str | list[str]]  # `path\\name` → value
    groups: dict[str, list[str]]  # local group (name or SID) → its members from `groups_domain`, exactly
    groups_domain: str  # NetBIOS name of the domain whose members ferme manages in local groups
    ad_groups: dict[str, list[str]]  # on the first DC: AD groups ferme keeps, with exactly these members
    ad_groups_present: list[str]  # on the first DC: groups created when absent (members: the site's)
    ad_ou: str | None  # on the first DC: the OU where ferme creates groups
    dns_round_robin: dict[str, Any] | None  # on the first DC: the brokers' client access name's A records
    services: list[str]
    listening: list[int]
    collections: list[str]
    drain_minutes: int | None  # session hosts: how long to drain before a restart (None: not a session host)
    certificates: list[PlannedCertificate]
    firewall_script: str  # artifact path
    rd_deployment: dict[str, Any] | None  # the managing broker: the RD deployment as it must read back
    policies: list[str]  # registry keys Group Policy writes that the host's facts read (session hosts)
    domain_join: dict[str, Any] | None  # Windows members: the domain and the joining account (a secret's name)
    sql_login: str | None  # the brokers' SQL Server: the brokers' group's login (dbcreator)
    web_client: dict[str, Any] | None  # RD Web servers: the HTML5 web client's files, broker certificate, machineKey
    gateway_policies: dict[str, Any] | None  # RD Gateways: their CAP, RAP and managed computer group
    fslogix: dict[str, Any] | None  # session hosts with FSLogix: its service and the operator's installer
    profile_share: dict[str, Any] | None  # the profiles' file server: share, folder, permissions


class PlannedHost(TypedDict):
    os: str
    roles: list[str]
    groups: list[str]
    managed: bool
    description: str
    addresses: dict[str, str]
    connection: PlannedConnection
    hardware: dict[str, int]
    vars: dict[str, Any]
    state: HostState


class FlowEnd(TypedDict):
    kind: str  # zone, role, hosts, switches, address (a server ferme does not manage), internet, any
    name: str
    zones: list[str]
    addresses: list[str]
    hosts: list[str]


class FlowRule(TypedDict):
    protocol: str
    ports: str


class PlannedFlow(TypedDict):
    id: str
    source: FlowEnd
    destination: FlowEnd
    service: str
    label_fr: str
    rules: list[FlowRule]
    asked_by: str
    why_fr: str
    published: bool


class EdgePolicy(TypedDict):
    host: str
    public_addresses: list[dict[str, str]]
    interfaces: dict[str, str]
    routes: list[dict[str, str]]
    antispoof: list[dict[str, Any]]
    input: list[dict[str, Any]]
    forward: list[dict[str, Any]]
    publications: list[dict[str, Any]]
    masquerade: list[str]
    log_drops: bool
    confirm_seconds: int


class Plan(TypedDict):
    format: int
    ferme: str
    site: dict[str, Any]
    zones: dict[str, dict[str, Any]]
    hosts: dict[str, PlannedHost]
    switches: dict[str, dict[str, Any]]
    roles: dict[str, list[str]]
    settings: dict[str, Any]
    admins: list[dict[str, Any]]
    run: dict[str, int]
    sizing: dict[str, Any]
    waves: list[dict[str, Any]]
    waves_proposed: list[list[str]] | None  # without waves in the inventory: waves of agents.wave_size, proposed
    flows: list[PlannedFlow]
    edge: EdgePolicy | None
    agent_services: list[dict[str, Any]]  # what the agents are given: name, address, URL (ferme/plan/published.py)
    secrets: list[str]
    inventory: NotRequired[str]  # set by apply and verify: where secrets and PFX files are
    build: NotRequired[str]  # set by apply: where roles leave what the operator hands out (the VPN profile)
