"""Network services by name: protocol and ports (a port is `443` or a range `49152-65535`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    rules: tuple[tuple[str, str], ...]  # (protocol, ports)
    label_fr: str


def _s(name: str, label_fr: str, *rules: tuple[str, str]) -> Service:
    return Service(name, tuple(rules), label_fr)


RPC_DYNAMIC = "49152-65535"
CATALOGUE = {
    s.name: s
    for s in (
        _s("ssh", "Administration SSH", ("tcp", "22")),
        _s("winrm", "Administration WinRM (HTTPS)", ("tcp", "5986")),
        _s("snmp", "Supervision SNMP", ("udp", "161")),
        _s("https", "HTTPS", ("tcp", "443")),
        _s("rdp", "Bureau à distance (RDP)", ("tcp", "3389")),
        _s("rdp-udp-gateway", "Passerelle RD, transport UDP", ("udp", "3391")),
        _s("rd-web-broker", "RD Web vers le Service Broker", ("tcp", "5504")),
        _s("rpc-management", "Gestion RPC/WMI", ("tcp", "135"), ("tcp", RPC_DYNAMIC)),
        _s("rd-licensing", "Licences RDS (RPC)", ("tcp", "135"), ("tcp", RPC_DYNAMIC)),
        _s("smb", "Partage de fichiers SMB", ("tcp", "445")),
        _s("radius", "RADIUS (authentification MFA)", ("udp", "1812")),
        _s("ntp", "Heure (NTP)", ("udp", "123")),
        _s(
            "active-directory",
            "Active Directory (DNS, Kerberos, LDAP, RPC, SMB)",
            ("tcp", "53"),
            ("udp", "53"),
            ("tcp", "88"),
            ("udp", "88"),
            ("tcp", "135"),
            ("tcp", "389"),
            ("udp", "389"),
            ("tcp", "445"),
            ("tcp", "464"),
            ("udp", "464"),
            ("tcp", "636"),
            ("tcp", "3268-3269"),
            ("tcp", RPC_DYNAMIC),
        ),
        _s("dns", "Résolution DNS", ("udp", "53"), ("tcp", "53")),
    )
}


# What protects each service on the wire, for the matrice des flux (an RSSI asks it of every flow).
ENCRYPTION_FR = {
    "ssh": "SSH",
    "winrm": "TLS (HTTPS)",
    "snmp": "non (SNMPv3 : selon l'équipement)",
    "https": "TLS",
    "rdp": "TLS (CredSSP)",
    "rdp-udp-gateway": "DTLS",
    "rd-web-broker": "TLS",
    "rpc-management": "RPC authentifié (chiffrement selon l'appel)",
    "rd-licensing": "RPC authentifié",
    "smb": "SMB 3 (chiffrement selon le partage)",
    "radius": "non (mot de passe masqué par le secret partagé)",
    "ntp": "non",
    "dns": "non",
    "active-directory": "Kerberos, LDAP signé, LDAPS (636)",
    "vpn": "VPN (OpenVPN : TLS ; WireGuard : Noise)",
}


def encryption_fr(name: str) -> str:
    return ENCRYPTION_FR.get(name, "non déterminé (flux spécifique du site)")


def service(name: str) -> Service:
    return CATALOGUE[name]


def custom(name: str, protocol: str, ports: list[int], label_fr: str) -> Service:
    """A service built from settings (VPN port) or an inventory's extra flow."""
    if protocol == "icmp":
        return Service(name, (("icmp", ""),), label_fr)
    return Service(name, tuple((protocol, str(p)) for p in ports), label_fr)
