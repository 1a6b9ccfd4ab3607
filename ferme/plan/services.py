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
        _s("rdp", "Bureau à distance (RDP, TCP et UDP)", ("tcp", "3389"), ("udp", "3389")),
        _s("rdp-udp-gateway", "Passerelle RD, transport UDP", ("udp", "3391")),
        _s("rd-web-broker", "RD Web vers le Service Broker", ("tcp", "5504")),
        _s(
            "rds-deployment",
            "Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM)",
            ("tcp", "135"),
            ("tcp", "445"),
            ("tcp", "5985"),
            ("tcp", RPC_DYNAMIC),
        ),
        _s("sql", "SQL Server", ("tcp", "1433")),
        _s("ldaps", "Annuaire LDAPS", ("tcp", "636"), ("tcp", "3269")),
        _s("ping", "Ping (écho ICMP)", ("icmp", "echo-request")),
        _s("http", "HTTP et HTTPS", ("tcp", "80"), ("tcp", "443")),
        _s("crl", "Listes de révocation et OCSP (HTTP)", ("tcp", "80")),
        _s("rd-licensing", "Licences RDS (RPC)", ("tcp", "135"), ("tcp", RPC_DYNAMIC)),
        _s("smb", "Partage de fichiers SMB", ("tcp", "445")),
        _s("radius", "RADIUS (authentification MFA et comptabilité)", ("udp", "1812"), ("udp", "1813")),
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
    "rds-deployment": "RPC authentifié, SMB 3, WinRM (Kerberos, message chiffré)",
    "sql": "TLS (selon le serveur SQL)",
    "ldaps": "TLS",
    "ping": "non",
    "http": "TLS (HTTPS) ; non (HTTP)",
    "crl": "non (listes signées)",
    "rd-licensing": "RPC authentifié",
    "smb": "SMB 3 (chiffrement selon le partage)",
    "radius": "non (mot de passe masqué par le secret partagé)",
    "ntp": "non",
    "dns": "non",
    "active-directory": "Kerberos, LDAP signé, LDAPS (636)",
    "vpn": "VPN (OpenVPN : TLS ; WireGuard : Noise)",
    "active-directory-dmz": "Kerberos, LDAP signé, LDAPS (636)",
    "http-proxy": "TLS de bout en bout pour HTTPS (CONNECT) ; non pour HTTP",
    "windows-update-mirror": "non (HTTP ; mises à jour signées)",
    "apt-mirror": "non (HTTP ; paquets signés)",
    "syslog": "non",
    "postgresql": "TLS (certificat du serveur non vérifié)",
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
