"""The inventory as the user writes it: one pydantic model per section, unknown keys refused.

Cross-references (a host in a switch port, an address inside its zone) are checked afterwards
in `ferme.site.checks`, once ranges and groups are expanded.
"""

from __future__ import annotations

import datetime
import ipaddress
import zoneinfo
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from ferme.catalogue import INVENTORY_ROLES
from ferme.site.defaults import normalise_thumbprint
from ferme.site.yamlsrc import SecretRef

if TYPE_CHECKING:
    Role = str
else:
    Role = Literal[INVENTORY_ROLES]  # the role catalogue's names (ferme/catalogue.py)
# admin: where administration comes from (bastion, admin workstations: ANSSI's administration guide);
# mgmt: the hosts' management legs (several segments, e.g. one for the DMZ hosts, filtered by the edge).
# remote: a site behind the WAN (its network, reached `via` the WAN router); wan: the edge's link to that router.
ZoneKind = Literal["outside", "dmz", "servers", "users", "mgmt", "admin", "vpn", "remote", "wan"]
Vendor = Literal["cisco_ios", "aruba_aoscx", "hp_procurve", "hp_comware", "juniper_junos"]


def _secret(value: Any) -> SecretRef:
    if not isinstance(value, SecretRef):
        raise ValueError("write secrets as `!secret NAME`, never in plain text")
    return value


Secret = Annotated[
    SecretRef,
    PlainValidator(_secret),
    PlainSerializer(lambda ref: {"secret": ref.name}),
    WithJsonSchema({"type": "string", "description": "a `!secret NAME` reference"}),
]


def _ipv4(value: str) -> str:
    ipaddress.IPv4Address(value)
    return value


def _network(value: str) -> str:
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"not an IPv4 subnet in CIDR form: {exc}") from None
    return value


def _timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


IPv4 = Annotated[str, AfterValidator(_ipv4)]
Subnet = Annotated[str, AfterValidator(_network)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=63)]
FQDN_PATTERN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
Fqdn = Annotated[str, Field(max_length=253, pattern=FQDN_PATTERN)]
Share = Annotated[float, Field(ge=0, le=1)]
Port = Annotated[int, Field(ge=1, le=65535)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteInfo(Section):
    name: Slug
    label: str
    domain: Fqdn
    netbios: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,14}$")]
    timezone: Annotated[str, AfterValidator(_timezone)] = "Europe/Paris"
    locale: str = "fr_FR.UTF-8"
    ntp_servers: list[str] = Field([], description="default: the domain controllers")
    dns_servers: list[IPv4] = Field([], description="default: the domain controllers")


class Workload(Section):
    """Share of agents in each Microsoft workload class (sums to 1)."""

    light: Share = 0
    medium: Share = 0
    heavy: Share = 0
    power: Share = 0

    @model_validator(mode="after")
    def _sums_to_one(self) -> Workload:
        total = self.light + self.medium + self.heavy + self.power
        if abs(total - 1) > 0.001:
            raise ValueError(f"shares must add up to 1, they add up to {total:g}")
        return self


# Sane upper bounds: the largest French collectivités have some tens of thousands of agents.
MAX_AGENTS = 100_000
Count = Annotated[int, Field(gt=0, le=MAX_AGENTS)]


class Service(Section):
    name: Slug
    group: str = Field(description="the AD group of the service's agents")
    agents: Count


class Agents(Section):
    count: Count
    concurrency: Annotated[float, Field(gt=0, le=1, description="peak share of agents connected at once")]
    workload: Workload
    services: list[Service] = []
    wave_size: Annotated[int, Field(ge=1)] | None = Field(
        None, description="at most this many agents per onboarding wave (one département: 300 per half-day)"
    )
    office: Literal["microsoft365", "ltsc", "none"] = Field(
        "microsoft365",
        description="the office suite in the sessions: Microsoft 365 Apps (shared computer activation), Office "
        "LTSC (volume licences per device), or none (another suite)",
    )


class Hypervisors(Section):
    """The physical hosts the Windows VMs run on: Windows Server is licensed by their cores."""

    count: Annotated[int, Field(ge=1, le=1000)]
    processors: Annotated[int, Field(ge=1, le=8)] = 2
    cores_per_processor: Annotated[int, Field(ge=1, le=256)] = 16


HALF_DAYS = ("matin", "après-midi")


def _date(value: Any) -> Any:
    """A day (`2027-01-11`) or a half-day (`2027-01-11 matin`, `2027-01-11 après-midi`), kept as written."""
    if value is None:
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    day, _, half = str(value).strip().partition(" ")
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD, or YYYY-MM-DD matin|après-midi") from None
    if half and half not in HALF_DAYS:
        raise ValueError(f"{value!r}: the half-day is `matin` or `après-midi`")
    return f"{day} {half}" if half else day


class Wave(Section):
    number: Annotated[int, Field(ge=1, le=100)]
    label: str = ""
    start: Annotated[str | None, BeforeValidator(_date)] = Field(
        None, description="the day (YYYY-MM-DD) or half-day (YYYY-MM-DD matin|après-midi) the wave opens"
    )
    services: list[str]


class Zone(Section):
    name: Slug
    kind: ZoneKind
    vlan: Annotated[int, Field(ge=1, le=4094)] | None = None
    subnet: Subnet
    gateway: IPv4 | None = None
    description: str = ""
    via: IPv4 | None = Field(None, description="remote: the next hop (the WAN router) to the site's network")
    bandwidth_mbps: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None,
        description="remote: the site's WAN link (for the sizing); outside: the Internet link (the onboarding "
        "waves' bandwidth gate)",
    )


class Connection(Section):
    via: Literal["ssh", "winrm", "netdev"] | None = None
    zone: str | None = Field(None, description="zone whose address is used to reach the host (default: mgmt)")
    user: str | None = None
    port: Port | None = None
    password: Secret | None = None
    ca_bundle: str | None = None
    auth: Literal["ntlm", "kerberos", "credssp"] | None = None
    fqdn: Fqdn | None = Field(
        None,
        description="DNS name to reach a Windows host by with Kerberos (default: the host's name in the site's domain)",
    )


class Hardware(Section):
    vcpu: Annotated[int, Field(ge=1, le=1024)] | None = None
    ram_gb: Annotated[int, Field(ge=1, le=65536)] | None = None
    disk_gb: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class HostSettings(Section):
    """What a group or `defaults` may set for its hosts."""

    os: Literal["debian", "windows", "appliance"] | None = Field(
        None,
        description="appliance: a vendor edge (firewall.vendor) whose configuration ferme renders; no OS to manage",
    )
    roles: list[Role] = []
    connection: Connection | None = None
    hardware: Hardware | None = None
    managed: bool | None = None
    vars: dict[str, Any] = {}


class HostSpec(HostSettings):
    """One host, or a range such as `rdsh[01:30]` (then addresses end with `+`: first of a block)."""

    groups: list[str] = []
    addresses: dict[str, str] = {}
    description: str = ""


class Admin(Section):
    name: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_-]{0,31}$")]
    ssh_keys: list[str] = []
    sudo: bool = True


class SwitchPort(Section):
    host: str | None = None
    zone: str | None = Field(None, description="access VLAN (zone name)")
    trunk: list[str] | Literal["all"] | None = Field(None, description="zones carried tagged")
    native: str | None = None
    uplink: str | None = Field(None, description="the switch at the other end")
    description: str = ""
    shutdown: bool = False


class SwitchManagement(Section):
    zone: str
    address: IPv4


class Switch(Section):
    vendor: Vendor
    model: str = ""
    management: SwitchManagement
    connection: Connection | None = None
    interfaces: str | None = Field(
        None,
        description="every port of the switch (a range, as Gi1/0/[1:28]): those not under ports are shut down "
        "in the parking VLAN; default: only the ports listed are configured",
    )
    ports: dict[str, SwitchPort] = {}


class SwitchSnmp(Section):
    """SNMPv3 only (authentication and privacy): no community is ever configured."""

    user: str = "ferme-supervision"
    auth_password: Secret
    priv_password: Secret


class SwitchAaa(Section):
    """Administrators' logins checked by a RADIUS or TACACS+ server; the local account stays as a fallback."""

    protocol: Literal["radius", "tacacs"]
    servers: list[IPv4] = Field(min_length=1)
    secret: Secret


class Switching(Section):
    """What every switch of the site shares."""

    parking_vlan: Annotated[int, Field(ge=2, le=4094)] = Field(
        999, description="where unused ports are parked (shut down), and trunks' native VLAN"
    )
    storm_control_percent: Annotated[float, Field(gt=0, le=100)] = Field(
        1.0, description="broadcast storm threshold on access ports, in percent of the port's bandwidth"
    )
    snmp: SwitchSnmp | None = Field(None, description="SNMPv3 for the supervision; none: SNMP off")
    aaa: SwitchAaa | None = None


class Redirection(Section):
    """Device redirection: data stays on site unless a line here says otherwise."""

    drives: bool = False
    clipboard: Literal["none", "to_session", "both"] = "to_session"
    printers: bool = True
    usb: bool = False
    smart_cards: bool = True
    audio: bool = True
    camera: bool = False


class RemoteApp(Section):
    alias: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
    name: str
    path: str
    user_groups: list[str] = []


class Collection(Section):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    description: str = ""
    session_hosts: list[str] = Field(description="host names, ranges or group names")
    user_groups: list[str]
    remoteapps: list[RemoteApp] = []
    idle_minutes: Annotated[int, Field(ge=0, le=10080)] = 60
    disconnected_minutes: Annotated[int, Field(ge=0, le=10080)] = 120
    active_minutes: Annotated[int, Field(ge=0, le=10080)] = Field(0, description="a session's longest life (0: none)")
    broken_connection: Literal["Disconnect", "LogOff"] = Field(
        "Disconnect", description="what a session limit reached does: disconnect the session, or log the agent off"
    )
    redirection: Redirection | None = Field(None, description="this collection's device redirection (default: rds's)")
    rdp_properties: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9 ]*:[isb]:[^\n]*$")]] = Field(
        [], description="custom RDP properties, e.g. `use multimon:i:0`"
    )


class BrokerHA(Section):
    client_access_name: Fqdn
    database_server: str = Field(description="the SQL Server host of the inventory (role rds_database)")
    database_name: str = "RDCB"
    # The brokers' ODBC driver, installed by the operator (ferme checks its name in the registry): a connection
    # string naming a driver that is not there is accepted by Set-RDConnectionBrokerHighAvailability and fails later.
    odbc_driver: Literal["ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server"] = (
        "ODBC Driver 18 for SQL Server"
    )


GatewayMfa = Literal["vpn", "portal", "credential_provider", "none"]
GATEWAY_CANNOT_ASK = (
    "the RD Gateway cannot ask for a verification code: it does not pass a RADIUS Access-Challenge and the request "
    "its NPS forwards carries no password, so gateway → NPS → RADIUS → OTP never works with hardware tokens; "
    "choose where the code is checked: vpn, portal or credential_provider (one or more)"
)


def _gateway_mfa(value: Any) -> Any:
    """`rds.gateway.mfa`: a choice or a list of choices; the old boolean is refused with the reason."""
    if value is True:
        raise ValueError(GATEWAY_CANNOT_ASK)
    if value is False or value is None:
        raise ValueError(
            "every remote access needs a second factor: choose vpn, portal or credential_provider "
            "(`none`: the farm is reached from inside only, never from the Internet)"
        )
    return [value] if isinstance(value, str) else value


class Gateway(Section):
    external_fqdn: Fqdn
    ha: Literal["edge_hash", "load_balancer"] | None = Field(
        None,
        description="several gateways: `edge_hash` (the edge keeps each client on one gateway by a hash of its "
        "address; no health check) or `load_balancer` (the edge publishes to `load_balancer`)",
    )
    load_balancer: IPv4 | None = Field(None, description="the load balancer's virtual address in front of the gateways")
    mfa: Annotated[list[GatewayMfa], BeforeValidator(_gateway_mfa), Field(min_length=1)] = Field(
        ["vpn"],
        description="where the second factor of remote desktop access is checked (one or more): `vpn` (the farm is "
        "reached only through the VPN and its PIN+OTP), `portal` (browsers pass an OTP pre-authentication portal "
        "in front of RD Web and the gateway), `credential_provider` (the privacyIDEA Credential Provider asks the "
        "OTP at the session hosts' logon; the gateway is published) or `none` (no remote access: inside only). "
        "Not `true`: the RD Gateway cannot ask for a code",
    )


class Licensing(Section):
    mode: Literal["PerUser", "PerDevice"] = "PerUser"


class Drain(Section):
    """Taking agents off a session host (maintenance, or the host leaves the inventory)."""

    message: str = Field(
        "Ce serveur va être arrêté pour maintenance. Enregistrez vos documents et fermez votre session : "
        "vous serez reconnecté sur un autre serveur.",
        description="what the agents read (Send-RDUserMessage)",
    )
    wait_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = Field(
        30, description="how long agents have to leave before they are logged off"
    )


class Installer(Section):
    """A file the operator supplies (no download at run time): ferme copies it and checks its hash."""

    path: str = Field(description="relative to the inventory folder (keep it out of git)")
    sha256: Annotated[str, BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
                      Field(pattern=r"^[0-9a-f]{64}$")]  # fmt: skip


class WebClient(Section):
    """The HTML5 web client, installed offline (Install-RDWebClientPackage -Source)."""

    module: Installer = Field(description="the RDWebClientManagement module (a .nupkg saved with Save-Module)")
    package: Installer = Field(description="the web client package (.zip)")


class Profiles(Section):
    kind: Literal["fslogix", "user_profile_disks"] = "fslogix"
    share: str = Field(description="UNC path, e.g. \\\\fs01\\profiles$")
    size_gb: Annotated[int, Field(ge=1, le=10_000)] = 30
    installer: Installer | None = Field(None, description="FSLogixAppsSetup.exe, supplied by the operator")
    expected_gb: Annotated[int, Field(ge=1, le=10_000)] = Field(
        10, description="expected use per agent (size_gb is the cap, a ceiling): measure it in a pilot"
    )
    path: str = Field("D:\\Profils", description="the shared folder on the file server (the share's host)")


def _thumbprint(value: Any) -> Any:
    return normalise_thumbprint(value) if isinstance(value, str) else value


Thumbprint = Annotated[str, BeforeValidator(_thumbprint), Field(pattern=r"^[0-9A-F]{40}$")]
CertificateRole = Literal["RDGateway", "RDWebAccess", "RDRedirector", "RDPublishing"]


class Certificate(Section):
    """A PFX for the deployment's roles (Set-RDCertificate); ferme imports it where the roles run."""

    pfx: str = Field(description="PFX file, relative to the inventory folder (keep it out of git)")
    thumbprint: Thumbprint
    password: Secret
    roles: list[CertificateRole] = Field(["RDGateway", "RDWebAccess", "RDRedirector", "RDPublishing"])


class Portal(Section):
    """The OTP pre-authentication portal in front of RD Web and the gateway (`rds.gateway.mfa: portal`)."""

    fqdn: Fqdn | None = Field(
        None, description="the name browsers open (default: the gateway's external_fqdn, which then is not published)"
    )
    session_hours: Annotated[float, Field(gt=0, le=24)] = Field(10, description="a session's lifetime, in hours")
    idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = Field(
        30, description="minutes without a request before the code is asked again"
    )


class Rds(Section):
    collections: list[Collection]
    certificates: list[Certificate] = []
    gateway: Gateway
    broker_ha: BrokerHA | None = None
    licensing: Licensing = Licensing()
    web_client: bool = Field(True, description="publish the HTML5 web client")
    web_fqdn: Fqdn | None = Field(
        None, description="DNS name of RD Web Access (default: the gateway's external_fqdn, on the same address)"
    )
    redirection: Redirection = Redirection()
    profiles: Profiles | None = None
    portal: Portal = Portal()
    web_client_files: WebClient | None = Field(
        None, description="the web client's offline files (without them ferme reports what is missing)"
    )
    web_machine_key: Secret | None = Field(
        None,
        description="the RD Web servers' shared key (a `!secret`: ferme derives IIS's machineKey from it); needed "
        "with several RD Web servers behind one name, so that a sign-in on one is valid on the others",
    )
    maintenance: list[str] = Field(
        [], description="session hosts under maintenance: no new connections, agents warned (rds.drain.message)"
    )
    drain: Drain = Drain()
    task_account: str | None = Field(
        None,
        description="the account the broker's deployment tasks run as: a gMSA (`DOMAIN\\\\name$`, no password "
        "stored; needed where 'do not allow storage of passwords' is set). Default: the WinRM account and its password",
    )


Login = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$", description="sAMAccountName")]


class Library(Section):
    """A document library: a folder of the collaboration server with its own access (nothing inherited)."""

    name: Slug = Field(description="its address: https://FQDN/NAME/ (WebDAV as well)")
    title: str
    readers: list[str] = Field([], description="groups that read it (directory groups, or `collab.accounts` groups)")
    editors: list[str] = Field([], description="groups that add, edit, lock and delete in it")


class CollabAccount(Section):
    """A local account of the collaboration server (the lab, or a site without a directory)."""

    login: Login
    name: str | None = Field(None, description="the name shown (default: the login)")
    password: Secret
    groups: list[str] = []


class CollabBackup(Section):
    """Nightly backups on the collaboration host: the database (repozo) and the documents (hard-linked copies)."""

    time: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = Field("02:30", description="HH:MM, local")
    keep_days: Annotated[int, Field(ge=1, le=3650)] = Field(14, description="backups older than this are removed")
    folder: str = Field("/var/backups/plone", pattern=r"^/[A-Za-z0-9._/-]+$", description="on the host (a mount "
                        "of the backup server: what leaves the host is the site's backup policy)")  # fmt: skip


class CollabDirectory(Section):
    """Where the agents' accounts are (`collab.users: directory`): the Active Directory over LDAPS."""

    uris: list[str] = Field([], description="ldaps://… in the order tried (default: each domain controller)")
    base_dn: str | None = Field(None, description="where the accounts are (default: from the domain)")
    bind_dn: str = Field(description="the service account that looks accounts and groups up (read only)")
    bind_password: Secret
    login_attribute: str = "sAMAccountName"
    user_filter: str = Field("(&(objectClass=user)(sAMAccountName={login}))",
                             description="{login}: what the agent types")  # fmt: skip
    group_filter: str = Field("(&(objectClass=group)(member={dn}))",
                              description="{dn}: the account's DN; each group's cn is its name")  # fmt: skip
    group_base_dn: str | None = None
    ca: str | None = Field(None, description="PEM file of the CA of the directory's certificates, relative to the "
                           "inventory (default: the host's trusted CAs)")  # fmt: skip


class CollabTls(Section):
    """The server's certificate: the site's own (PEM files next to the inventory), or one from ferme's site CA."""

    certificate: str | None = Field(None, description="PEM certificate (chain included), relative to the inventory")
    key: str | None = Field(None, description="its PEM private key (keep it out of git: certificats/)")


class Collab(Section):
    kind: Literal["plone"] = Field("plone", description="plone: Plone (the tested default); other kinds to come")
    fqdn: Fqdn
    access: Literal["vpn", "public"] = Field(
        "vpn",
        description="vpn: reached from the offices, the VPN and the remote desktops only; public: also published "
        "to the Internet by the edge (firewall.publish.collab), with only a password in front of it",
    )
    webdav: bool = True
    admin_password: Secret
    title: str = Field("Espace collaboratif", description="the site's title")
    versions: Annotated[int, Field(ge=0, le=10_000)] = Field(
        50, description="versions kept per document (files and pages); 0 keeps every version"
    )
    upload_max_mb: Annotated[int, Field(ge=1, le=10_240)] = Field(512, description="largest file an agent may send")
    users: Literal["directory", "local"] = Field(
        "directory", description="directory: the agents' AD accounts (LDAPS, `directory`); local: `accounts` only"
    )
    accounts: list[CollabAccount] = []
    directory: CollabDirectory | None = None
    libraries: list[Library] = []
    backup: CollabBackup = CollabBackup()
    tls: CollabTls = CollabTls()


class RadiusClient(Section):
    """A NAS that asks the MFA servers: a host of the inventory, or an address (a probe, an appliance)."""

    host: str | None = Field(None, description="a host of the inventory (its addresses toward the MFA servers)")
    name: Slug | None = Field(None, description="with `address`: the client's name in FreeRADIUS and the flows")
    address: IPv4 | None = Field(None, description="a client that is not a host of the inventory")
    secret: Secret


class MfaUsers(Section):
    """Where privacyIDEA finds the agents: the Active Directory (LDAP), or a flat file (the lab)."""

    kind: Literal["ldap", "file"] = "ldap"
    uri: str | None = Field(None, description="ldap: e.g. ldaps://dc01.ad.example.fr (default: the DCs, LDAPS)")
    base_dn: str | None = Field(None, description="ldap: where the agents are (default: from the domain)")
    bind_dn: str | None = Field(None, description="ldap: the service account privacyIDEA reads the directory as")
    bind_password: Secret | None = None


class MfaDatabase(Section):
    """privacyIDEA's database: SQLite on each server (one server only), or PostgreSQL that every server shares."""

    kind: Literal["sqlite", "postgresql"] = "sqlite"
    host: str | None = Field(
        None,
        description="postgresql: the host of the inventory that runs it (ferme installs it there when that host "
        "has the mfa role); else `address`",
    )
    address: IPv4 | None = Field(
        None, description="postgresql: the site's own PostgreSQL, if not a host of the inventory"
    )
    port: Port = 5432
    name: str = "privacyidea"
    user: str = "privacyidea"
    password: Secret | None = None


class HardwareToken(Section):
    """One OTP token given to one agent; its seed comes from the vendor's file (PSKC/CSV), kept as a secret."""

    serial: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    kind: Literal["hotp", "totp"] | None = Field(None, description="default: mfa.token")
    seed: Secret = Field(description="the token's seed in hexadecimal (from the vendor's PSKC or CSV file)")
    agent: Login
    service: str | None = Field(
        None, description="the agent's service (from agents.services), if remote access is granted by service"
    )
    pin: Secret | None = Field(None, description="the OTP PIN set by ferme (else the agent sets it at enrolment)")
    digits: Literal[6, 8] = 6


class RemoteAccess(Section):
    """Who may work from home: agents by name, or whole services (their AD groups)."""

    group: str = Field("GG-Teletravail", description="the AD group of remote access (VPN, portal)")
    agents: list[Login] = []
    services: list[str] = Field([], description="names from agents.services: their groups join the group")


class Mfa(Section):
    realm: Slug
    token: Literal["hotp", "totp"] = "totp"
    admin_password: Secret
    radius_clients: list[RadiusClient]
    users: MfaUsers = MfaUsers()
    lockout_after: Annotated[int, Field(ge=1, le=100)] = Field(
        5, description="wrong OTPs in a row before a token is locked (an administrator resets it)"
    )
    tokens: list[HardwareToken] = []
    remote_access: RemoteAccess = RemoteAccess()
    database: MfaDatabase = MfaDatabase()
    shared_key: Secret | None = Field(
        None,
        description="several MFA servers: the secret their encryption key, pepper and session key derive from "
        "(they must be the same on every server that shares the database)",
    )


class Vpn(Section):
    kind: Literal["openvpn", "wireguard", "sslvpn"] = Field(
        "openvpn", description="sslvpn: the edge appliance's own SSL-VPN (the vpn role on an os: appliance host)"
    )
    fqdn: Fqdn
    protocol: Literal["udp", "tcp"] = "udp"
    port: Port = 1194
    pool: Subnet
    concurrent: Annotated[int, Field(ge=1, le=MAX_AGENTS)] | None = Field(
        None, description="clients at once, enforced (OpenVPN max-clients); default: agents.count × concurrency"
    )
    instances: Annotated[int, Field(ge=1, le=64)] | None = Field(
        None,
        description="OpenVPN processes (one per core, ports from `port` up, the pool split between them); "
        "default: one per 500 concurrent clients",
    )
    mfa: bool = True
    rds_access: Literal["gateway", "direct"] = Field(
        "gateway",
        description="how VPN clients reach the farm: through the RD gateway (443/tcp, 3391/udp; the web client "
        "works) or `direct` RDP to the broker and session hosts (no web client over the VPN) — one path, not both",
    )


class ExtraFlow(Section):
    name: Slug
    source: str = Field(description="zone or host name, `any` (every zone) or `internet`")
    destination: str = Field(description="zone or host name, `any` (every zone) or `internet` (out of the edge)")
    protocol: Literal["tcp", "udp", "icmp"]
    ports: list[Port] = []
    description: str = ""


class Firewall(Section):
    vendor: Literal["nftables", "fortigate", "ciscoasa", "srx", "paloalto"] = "nftables"
    log_drops: bool = True
    public_addresses: list[IPv4] = Field([], description="more outside addresses to publish services on")
    publish: dict[str, IPv4] = Field(
        {},
        description="pinned public address per published service: a role (rds_gateway, rds_web, collab, vpn) "
        "or an extra flow's name; required when the edge has more than one public address",
    )
    interfaces: dict[str, str] = Field({}, description="edge interface per zone (default: the zone's name)")
    confirm_seconds: Annotated[int, Field(ge=10, le=3600)] | None = Field(
        None, description="commit-confirm delay in seconds (default: pyinfra.toml's confirm_seconds, 60)"
    )
    extra_flows: list[ExtraFlow] = []


class RpcPorts(Section):
    ntds: Port = 50100
    netlogon: Port = 50101


class DomainJoin(Section):
    """The account that joins Windows hosts to the domain (a delegated account, not a domain admin)."""

    user: str = Field(description="DOMAIN\\\\account allowed to join computers (in `ou` if given)")
    password: Secret
    ou: str | None = Field(None, description="the OU (a DN) the computer accounts go to (default: Computers)")


class Directory(Section):
    join: DomainJoin | None = Field(
        None,
        description="join Windows hosts that are not in the domain yet (reached through their bootstrap WinRM "
        "listener with a local account: see the README), then restart them",
    )
    groups_ou: str | None = Field(
        None,
        description="the OU (a DN) where ferme creates the farm's groups that do not exist yet (default: OU=Ferme at "
        "the domain's root); groups that exist stay where they are",
    )
    wave_group_prefix: str = Field("GG-RDS-Vague-", description="the onboarding waves' groups: this prefix + number")
    rpc_ports: RpcPorts = Field(
        RpcPorts(),
        description="RPC ports the domain controllers are pinned to (NTDS `TCP/IP Port`, Netlogon `DCTcpipPort`): "
        "hosts in a DMZ reach the DCs on these instead of the dynamic range",
    )


Via = Literal["direct", "proxy", "mirror", "none"]


class Proxy(Section):
    address: IPv4
    port: Port = 3128


class Upstream(Section):
    """How one kind of host reaches one kind of Internet service."""

    via: Via | None = Field(
        None,
        description="direct, proxy (outbound.proxy), mirror (address), none; "
        "default: proxy when the site has one, else direct",
    )
    address: IPv4 | None = Field(None, description="mirror: the internal server (WSUS, apt-cacher-ng)")
    port: Port | None = Field(None, description="mirror: its port (WSUS 8530, apt-cacher-ng 3142)")
    path: Annotated[str, Field(pattern=r"^/")] | None = Field(
        None, description="python mirror: the index's path (default /simple/; proxpi: /index/)"
    )


class Syslog(Section):
    address: IPv4
    protocol: Literal["udp", "tcp"] = "udp"
    port: Port = 514


class Outbound(Section):
    proxy: Proxy | None = Field(None, description="the site's web proxy (an address inside)")
    dns_forwarders: list[IPv4] = Field([], description="the DCs' DNS forwarders (empty: the Internet, root hints)")
    ntp_servers: list[IPv4] = Field([], description="the DCs' upstream time sources (empty: the Internet)")
    windows_update: Upstream = Field(Upstream(), description="Windows hosts: direct, proxy or mirror (WSUS)")
    apt: Upstream = Field(Upstream(), description="Debian hosts: direct, proxy or mirror (apt-cacher-ng)")
    web: Upstream = Field(Upstream(), description="agents (users zones, session hosts): direct, proxy or none")
    crl: Upstream = Field(Upstream(), description="RD gateways' certificate revocation checks: direct or proxy")
    licensing: Upstream = Field(Upstream(), description="RD licensing's activation: direct, proxy or none")
    python: Upstream = Field(
        Upstream(), description="Debian hosts' Python packages (privacyIDEA, Plone): direct, proxy or mirror (an index)"
    )
    syslog: Syslog | None = Field(None, description="the collector the Debian hosts, the edge and switches log to")


class Inventory(Section):
    """A whole site: the union of every YAML file of its folder."""

    site: SiteInfo
    agents: Agents
    waves: list[Wave] = []
    zones: list[Zone]
    admins: list[Admin] = []
    defaults: HostSettings = HostSettings()
    groups: dict[str, HostSettings] = {}
    hosts: dict[str, HostSpec]
    switches: dict[str, Switch] = {}
    switching: Switching = Switching()
    rds: Rds | None = None
    hypervisors: Hypervisors | None = Field(None, description="for the Windows Server core licences")
    collab: Collab | None = None
    mfa: Mfa | None = None
    vpn: Vpn | None = None
    firewall: Firewall = Firewall()
    directory: Directory = Directory()
    outbound: Outbound = Outbound()


def json_schema() -> dict[str, Any]:
    """JSON Schema for editors. Top-level sections are optional: each file holds only some."""
    schema = Inventory.model_json_schema()
    schema.pop("required", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ferme inventory file"
    schema["patternProperties"] = {"^x-": {"description": "anchors for reuse, ignored by ferme"}}
    return schema
