"""Per-host desired state: what each host must be once converged."""

from __future__ import annotations

from typing import Any

from ferme.site.expand import expand_name
from ferme.site.model import Host, Site

WINDOWS_FEATURES = {
    "rds_broker": ["RDS-Connection-Broker", "RSAT-RDS-Tools"],
    "rds_session_host": ["RDS-RD-Server"],
    "rds_web": ["RDS-Web-Access"],
    "rds_gateway": ["RDS-Gateway", "NPAS"],
    "rds_licensing": ["RDS-Licensing"],
    "profiles": ["FS-FileServer"],
    "directory": ["RSAT-AD-PowerShell"],
}
DEBIAN_PACKAGES = {
    "base": ["openssh-server", "chrony", "unattended-upgrades", "sudo", "python3"],
    "edge_firewall": ["nftables"],
    "vpn": ["openvpn"],
    "mfa": ["freeradius", "freeradius-utils", "python3-venv"],
    "collab": ["python3-venv"],
}


def _windows_state(host: Host, site: Site) -> dict[str, Any]:
    features = sorted({f for role in host.roles for f in WINDOWS_FEATURES.get(role, [])})
    collections = []
    if site.rds and "rds_session_host" in host.roles:
        collections = [c.name for c in site.rds.collections if host.name in _members(site, c.session_hosts)]
    return {"windows_features": features, "reboot_after_features": bool(features), "collections": collections,
            "certificates": _certificates(host, site)}  # fmt: skip


# Where Set-RDCertificate puts a role's certificate: the servers that run the role.
CERTIFICATE_HOSTS = {"RDGateway": "rds_gateway", "RDWebAccess": "rds_web", "RDRedirector": "rds_broker",
                     "RDPublishing": "rds_broker"}  # fmt: skip


def _certificates(host: Host, site: Site) -> list[dict[str, Any]]:
    """The PFX certificates this host must hold in LocalMachine\\My (by thumbprint), for its RDS roles."""
    if not site.rds:
        return []
    return [
        {"thumbprint": c.thumbprint, "pfx": c.pfx, "password": {"secret": c.password.name},
         "roles": [r for r in c.roles if CERTIFICATE_HOSTS[r] in host.roles]}
        for c in site.rds.certificates
        if any(CERTIFICATE_HOSTS[r] in host.roles for r in c.roles)
    ]  # fmt: skip


def _directory_addresses(site: Site) -> list[str]:
    """Domain controllers are the site's DNS and NTP servers (as in any AD domain)."""
    addresses = []
    for dc in site.hosts_with("directory"):
        zone = next((z for z in dc.addresses if site.zones[z].kind == "servers"), next(iter(dc.addresses)))
        addresses.append(str(dc.addresses[zone]))
    return addresses


def _debian_state(host: Host, site: Site) -> dict[str, Any]:
    packages = sorted({p for role in ("base", *host.roles) for p in DEBIAN_PACKAGES.get(role, [])})
    if site.vpn and "vpn" in host.roles and site.vpn.kind == "wireguard":
        packages = sorted({*packages, "wireguard-tools"} - {"openvpn"})
    return {
        "hostname": host.name,
        "timezone": site.info.timezone,
        "locale": site.info.locale,
        "packages": packages,
        "admins": [a.model_dump(mode="json") for a in site.admins],
        "domain": site.info.domain,
        "ntp_servers": list(site.info.ntp_servers) or _directory_addresses(site),
        "dns_servers": list(site.info.dns_servers) or _directory_addresses(site),
        "ssh": {"password_authentication": False, "permit_root_login": "prohibit-password"},
    }


def _members(site: Site, entries: list[str]) -> set[str]:
    names: set[str] = set()
    for entry in entries:
        group = [h.name for h in site.hosts.values() if entry in h.groups]
        names.update(group or expand_name(entry))
    return names


def plan_host(host: Host, site: Site) -> dict[str, Any]:
    connection = host.connection
    return {
        "os": host.os,
        "roles": list(host.roles),
        "groups": list(host.groups),
        "managed": host.managed,
        "description": host.description,
        "addresses": {zone: str(address) for zone, address in host.addresses.items()},
        "connection": {
            "via": connection.via,
            "zone": connection.zone,
            "address": str(connection.address) if connection.address else None,
            "user": connection.user,
            "port": connection.port,
            "auth": connection.auth,
            "password_secret": connection.password,
            "ca_bundle": connection.ca_bundle,
        },
        "hardware": host.hardware.model_dump(exclude_none=True),
        "vars": host.vars,
        "state": _windows_state(host, site) if host.os == "windows" else _debian_state(host, site),
    }
