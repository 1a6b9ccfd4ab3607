"""The role catalogue: every fact about a role, written once.

The schema's role list, the deploy order (`deploy/farm.py`), the flows (contracts), the packages and
Windows features in the plan, the services and ports `ferme verify` checks, and the `ferme check`
rules (which OS, which settings section) all read this table. A role's operations live in its
package under `roles/` (installed as `ferme.roles.<name>`); adding a role is one entry here, that
package, its templates and its fixtures.

The catalogue sits in `ferme/` rather than `roles/` because the schema and the plan import it:
`roles/` holds only the deploys, which pyinfra imports at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ferme.site.model import Site

Os = Literal["debian", "windows"]


def always(site: Site) -> bool:
    return True


def vpn_mfa(site: Site) -> bool:
    return bool(site.vpn and site.vpn.mfa)


def gateway_published(site: Site) -> bool:
    """The RD gateway and RD Web face the Internet themselves only when the OTP is asked at the session hosts'
    logon (the Credential Provider); otherwise the code is checked before them: by the VPN or by the portal."""
    return bool(site.rds and "credential_provider" in site.rds.gateway.mfa)


def collab_public(site: Site) -> bool:
    """The collaboration server faces the Internet only when the inventory says so (`collab.access: public`)."""
    return bool(site.collab and site.collab.access == "public")


def credential_provider(site: Site) -> bool:
    return gateway_published(site)


def broker_ha(site: Site) -> bool:
    return bool(site.rds and site.rds.broker_ha)


@dataclass(frozen=True)
class Offer:
    """A service the role's hosts offer, to every zone of these kinds."""

    service: str
    from_kinds: tuple[str, ...]
    why_fr: str
    # For VPN clients, the one path to the farm the inventory chose (`vpn.rds_access`): an offer of the other
    # path is not made to the VPN zone.
    vpn_path: Literal["gateway", "direct"] | None = None
    # Offered to the outside zone only when this holds (the other zones regardless).
    published_when: Callable[[Site], bool] = always


@dataclass(frozen=True)
class Need:
    """A service the role's hosts use, from the hosts of another role, when the site's settings ask for it."""

    service: str
    role: str
    why_fr: str
    when: Callable[[Site], bool] = always


@dataclass(frozen=True)
class RoleSpec:
    name: str
    os: Os
    label_fr: str
    settings: str | None = None  # the inventory section the role reads (`rds`, `vpn`...): required when used
    offers: tuple[Offer, ...] = ()
    needs: tuple[Need, ...] = ()
    packages: tuple[str, ...] = ()  # Debian packages
    features: tuple[str, ...] = ()  # Windows features (Install-WindowsFeature names)
    services: tuple[str, ...] = ()  # services that must run once converged (checked by verify)
    certificate_roles: tuple[str, ...] = ()  # Set-RDCertificate roles whose certificate this role's hosts hold
    every_host: bool = False  # applied to every managed host of its OS, never named in an inventory
    also_on: tuple[str, ...] = ()  # other kinds of host that play the role (an edge appliance)


AD = Need("active-directory", "directory", "authentification et annuaire")
LDAPS = Need("ldaps", "directory", "annuaire des utilisateurs (LDAPS)")
# The broker deploys and manages the RDS servers (Add-RDServer, collections): RPC, SMB and WinRM.
DEPLOYED = tuple(Need("rds-deployment", role, "déploiement et gestion par le Service Broker")
                 for role in ("rds_session_host", "rds_web", "rds_gateway", "rds_licensing"))  # fmt: skip

# In dependency order: the host itself, the network and the firewall, the services the RDS farm
# needs (directory, MFA, profiles), then the farm from the broker outwards.
ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("base", "debian", "hôte Debian (socle)", every_host=True,
             packages=("openssh-server", "chrony", "unattended-upgrades", "sudo", "python3", "locales", "nftables"),
             services=("ssh", "chrony")),
    RoleSpec("windows_host", "windows", "hôte Windows (socle)", every_host=True),
    RoleSpec("edge_firewall", "debian", "pare-feu périmétrique (nftables)", packages=("nftables",),
             also_on=("appliance",)),
    RoleSpec("vpn", "debian", "VPN des télétravailleurs", settings="vpn", also_on=("appliance",),
             packages=("openvpn", "openvpn-auth-radius", "openssl"),
             offers=(Offer("vpn", ("outside",), "accès VPN des télétravailleurs"),),
             needs=(Need("radius", "mfa", "second facteur des connexions VPN", when=vpn_mfa),)),
    RoleSpec("mfa", "debian", "double authentification (privacyIDEA + FreeRADIUS)", settings="mfa",
             packages=("freeradius", "freeradius-rest", "freeradius-utils", "python3-venv", "nginx", "openssl"),
             services=("privacyidea", "freeradius", "nginx"),
             offers=(Offer("https", ("mgmt",), "console d'administration privacyIDEA"),), needs=(LDAPS,)),
    RoleSpec("collab", "debian", "espace collaboratif", settings="collab",
             packages=("python3-venv", "nginx", "rsync", "curl"), services=("plone-zeo", "plone", "nginx"),
             offers=(Offer("https", ("outside", "users", "vpn"), "espace collaboratif et WebDAV",
                           published_when=collab_public),
                     # The site CA's revocation list for the workstations (a site facing the Internet with the
                     # collaboration server gives it a public certificate: its CA publishes its list).
                     Offer("crl", ("users", "vpn"), "liste de révocation de l'AC du site, renvoi vers HTTPS")),
             needs=(LDAPS,)),
    RoleSpec("directory", "windows", "annuaire Active Directory", features=("RSAT-AD-PowerShell",),
             offers=(Offer("active-directory", ("users", "vpn"), "ouverture de session des postes"),)),
    RoleSpec("profiles", "windows", "partage des profils", features=("FS-FileServer",), needs=(AD,)),
    RoleSpec("rds_licensing", "windows", "licences RDS", settings="rds", features=("RDS-Licensing",), needs=(AD,)),
    RoleSpec("rds_database", "windows", "base SQL du Service Broker (haute disponibilité)", settings="rds",
             services=("MSSQLSERVER",)),
    RoleSpec("rds_broker", "windows", "Service Broker RD", settings="rds",
             features=("RDS-Connection-Broker", "RSAT-RDS-Tools"),
             # Set-RDCertificate -Thumbprint takes the certificate from the broker's store, for every role.
             certificate_roles=("RDRedirector", "RDPublishing", "RDGateway", "RDWebAccess"),
             offers=(Offer("rdp", ("users", "vpn"), "connexion des postes internes via le Service Broker",
                           vpn_path="direct"),),
             needs=(*DEPLOYED, Need("sql", "rds_database", "base de la haute disponibilité du Service Broker",
                                    when=broker_ha), AD)),
    RoleSpec("rds_session_host", "windows", "hôte de session RD", settings="rds", features=("RDS-RD-Server",),
             services=("TermService",),
             offers=(Offer("rdp", ("users", "vpn"), "sessions des postes internes", vpn_path="direct"),),
             needs=(Need("rd-licensing", "rds_licensing", "licences d'accès client"),
                    Need("smb", "profiles", "profils FSLogix"),
                    Need("https", "mfa", "code OTP à l'ouverture de session (Credential Provider privacyIDEA)",
                         when=credential_provider),
                    # An agent in a remote desktop opens the same libraries as in the office.
                    Need("https", "collab", "espace collaboratif depuis les bureaux à distance"), AD)),
    RoleSpec("rds_web", "windows", "accès web RD", settings="rds", features=("RDS-Web-Access",),
             certificate_roles=("RDWebAccess",),
             offers=(Offer("https", ("outside", "users", "vpn"), "accès web RD et client HTML5",
                           published_when=gateway_published),),
             needs=(Need("rd-web-broker", "rds_broker", "liste des ressources publiées"), AD)),
    RoleSpec("rds_gateway", "windows", "passerelle RD", settings="rds", features=("RDS-Gateway", "NPAS"),
             certificate_roles=("RDGateway",),
             offers=(Offer("https", ("outside", "users", "vpn"), "passerelle RD (RDP sur HTTPS, client web)",
                           vpn_path="gateway", published_when=gateway_published),
                     Offer("rdp-udp-gateway", ("outside", "vpn"), "passerelle RD, transport UDP", vpn_path="gateway",
                           published_when=gateway_published)),
             needs=(Need("rdp", "rds_session_host", "sessions des agents"),
                    Need("rdp", "rds_broker", "redirection par le Service Broker"), AD)),
    # The OTP pre-authentication portal: browsers give PIN+OTP (checked by privacyIDEA) before RD Web and the
    # gateway's HTTPS endpoint, which it proxies (websockets included) behind a signed, expiring cookie.
    RoleSpec("portal", "debian", "portail de pré-authentification OTP", settings="rds", packages=("nginx", "openssl"),
             services=("nginx",),
             offers=(Offer("https", ("outside",), "portail de pré-authentification (code OTP) vers le bureau à "
                           "distance"),),
             needs=(Need("https", "rds_web", "accès web RD derrière le portail"),
                    Need("https", "rds_gateway", "passerelle RD (client web) derrière le portail"),
                    Need("https", "mfa", "vérification du code OTP (API privacyIDEA)"))),
)  # fmt: skip

CATALOGUE: dict[str, RoleSpec] = {spec.name: spec for spec in ROLES}
# Roles an inventory names on its hosts (the others apply to every host of their OS).
INVENTORY_ROLES: tuple[str, ...] = tuple(s.name for s in ROLES if not s.every_host)

# Management: only from the mgmt zone, by the way each kind of device is administered.
MANAGEMENT_FR = "administration depuis la zone d'administration"
MANAGEMENT_SERVICES = {
    "debian": ("ssh",),
    "windows": ("winrm",),
    "appliance": ("ssh", "https"),
    "switch": ("ssh", "snmp"),
}


def listening_ports(role: str) -> set[int]:
    """The TCP ports a role's hosts listen on: those of the services it offers (ranges left out)."""
    from ferme.plan.services import service

    return {int(ports) for offer in spec(role).offers if offer.service != "vpn"
            for protocol, ports in service(offer.service).rules if protocol == "tcp" and ports.isdigit()}  # fmt: skip


def spec(role: str) -> RoleSpec:
    return CATALOGUE[role]


def host_roles(os: str, roles: list[str] | tuple[str, ...]) -> list[str]:
    """Every role a host runs, in deploy order: its OS's own role first, then those the inventory gives it."""
    return [s.name for s in ROLES if (s.every_host and s.os == os) or s.name in roles]


def role_deploy(role: str) -> Callable[[], Any]:
    """The role's `@deploy` function (its package under `roles/`, installed as `ferme.roles.<role>`)."""
    module = import_module(f"ferme.roles.{role}")
    deploy: Callable[[], Any] = module.apply
    return deploy


def _check() -> None:
    """The catalogue refers only to itself: a need names a known role, an OS has one every-host role."""
    for s in ROLES:
        for need in s.needs:
            assert need.role in CATALOGUE, f"{s.name} needs unknown role {need.role}"
    for os in ("debian", "windows"):
        assert sum(1 for s in ROLES if s.every_host and s.os == os) == 1, os


_check()
