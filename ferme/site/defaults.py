"""How hosts are reached when the inventory does not say: written once, read by the resolver and the connectors."""

from __future__ import annotations

WINRM_PORT = 5986  # WinRM over HTTPS
WINRM_AUTH = "ntlm"
WINRM_USER = "Administrator"
CONNECTION = {
    "debian": {"via": "ssh", "user": "root", "port": 22},
    "windows": {"via": "winrm", "user": WINRM_USER, "port": WINRM_PORT, "auth": WINRM_AUTH},
    "switch": {"via": "netdev", "user": "admin", "port": 22},
    "appliance": {"via": "ssh", "user": "admin", "port": 22},
}


def normalise_thumbprint(value: str) -> str:
    """As the certificate dialog shows it (`3c 9a …`) or as Windows stores it: 40 upper-case hex digits."""
    return "".join(value.split()).replace(":", "").upper()


def zone_interface(zone: str) -> str:
    """An interface named after its zone, cut to Linux's 15 characters (the edge's and the lab's)."""
    return zone[:15]
