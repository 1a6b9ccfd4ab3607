"""Role contracts: what each role offers (to which zones) and needs (from which roles).

Zones are named by kind here (`outside`, `users`, `vpn`, `mgmt`...): a contract applies to every
zone of that kind in a site. Services that depend on settings (the VPN's port) are resolved in
`flows.py`. Sources: Microsoft's RDS and AD port references; privacyIDEA/FreeRADIUS defaults.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    service: str
    from_kinds: tuple[str, ...]  # zone kinds allowed to reach it
    why_fr: str


@dataclass(frozen=True)
class Need:
    service: str
    role: str  # the role whose hosts provide it
    why_fr: str
    when: str = ""  # a settings condition, e.g. "rds.gateway.mfa"


@dataclass(frozen=True)
class Contract:
    offers: tuple[Offer, ...] = ()
    needs: tuple[Need, ...] = ()


AD = Need("active-directory", "directory", "authentification et annuaire")
CONTRACTS: dict[str, Contract] = {
    "edge_firewall": Contract(),
    "vpn": Contract(
        offers=(Offer("vpn", ("outside",), "accès VPN des télétravailleurs"),),
        needs=(Need("radius", "mfa", "second facteur des connexions VPN", when="vpn.mfa"),),
    ),
    "mfa": Contract(offers=(Offer("https", ("mgmt",), "console d'administration privacyIDEA"),)),
    "collab": Contract(offers=(Offer("https", ("outside", "users", "vpn"), "espace collaboratif et WebDAV"),)),
    "rds_gateway": Contract(
        offers=(
            Offer("https", ("outside", "users", "vpn"), "passerelle RD (RDP sur HTTPS, client web)"),
            Offer("rdp-udp-gateway", ("outside",), "passerelle RD, transport UDP"),
        ),
        needs=(
            Need("rdp", "rds_session_host", "sessions des agents"),
            Need("rdp", "rds_broker", "redirection par le Service Broker"),
            Need("radius", "mfa", "second facteur à la passerelle (NPS vers RADIUS)", when="rds.gateway.mfa"),
            AD,
        ),
    ),
    "rds_web": Contract(
        offers=(Offer("https", ("outside", "users", "vpn"), "accès web RD et client HTML5"),),
        needs=(Need("rd-web-broker", "rds_broker", "liste des ressources publiées"), AD),
    ),
    "rds_broker": Contract(
        offers=(Offer("rdp", ("users", "vpn"), "connexion des postes internes via le Service Broker"),),
        needs=(Need("rpc-management", "rds_session_host", "gestion des hôtes de session"), AD),
    ),
    "rds_session_host": Contract(
        offers=(Offer("rdp", ("users", "vpn"), "sessions des postes internes"),),
        needs=(
            Need("rd-licensing", "rds_licensing", "licences d'accès client"),
            Need("smb", "profiles", "profils FSLogix"),
            AD,
        ),
    ),
    "rds_licensing": Contract(needs=(AD,)),
    "profiles": Contract(needs=(AD,)),
    "directory": Contract(
        offers=(Offer("active-directory", ("users", "vpn"), "ouverture de session des postes"),),
    ),
}

# Management: only from the mgmt zone, by the way each kind of device is administered.
MANAGEMENT_FR = "administration depuis la zone d'administration"
MANAGEMENT_SERVICES = {"debian": ("ssh",), "windows": ("winrm",), "switch": ("ssh", "snmp")}
