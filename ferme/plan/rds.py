"""The RD deployment the inventory asks for, as the broker's `Get-RD*` cmdlets would read it back once converged.

Servers by FQDN with their deployment roles, licensing, the gateway's deployment settings, the certificates
by role, broker high availability, collections (session hosts, settings as Set-RDSessionCollectionConfiguration
names them, RemoteApps), the hosts under maintenance and how to drain. `ferme.rds.delta` compares it with the
facts and gives the steps; `ferme verify` asserts that no step is left.
"""

from __future__ import annotations

from typing import Any

from ferme.plan.waves import collection_groups
from ferme.site.expand import expand_name
from ferme.site.model import Host, Site
from ferme.site.schema import Collection, Redirection

# The inventory's roles → the deployment's (Add-RDServer -Role), in the order servers join a fresh deployment:
# session hosts, web access, licensing, gateway; extra brokers only once high availability is set.
DEPLOYMENT_ROLES: dict[str, str] = {
    "rds_session_host": "RDS-RD-SERVER",
    "rds_web": "RDS-WEB-ACCESS",
    "rds_licensing": "RDS-LICENSING",
    "rds_gateway": "RDS-GATEWAY",
    "rds_broker": "RDS-CONNECTION-BROKER",
}
# ClientDeviceRedirectionOptions, in the enum's order (how Windows writes the flags back).
REDIRECTION_FLAGS = ("AudioVideoPlayBack", "AudioRecording", "PlugAndPlayDevice", "SmartCard", "Clipboard", "Drive",
                     "TimeZone")  # fmt: skip


def fqdn(host: Host) -> str:
    return (host.connection.fqdn or host.name).lower()


def managing_broker(site: Site) -> Host | None:
    """The broker ferme runs the deployment's steps on: the first one (with HA, the active management server
    is read back and used instead)."""
    brokers = sorted(site.hosts_with("rds_broker"), key=lambda h: h.name)
    return brokers[0] if brokers else None


def redirection_options(redirection: Redirection) -> list[str]:
    wanted = {
        "AudioVideoPlayBack": redirection.audio, "AudioRecording": redirection.audio,
        "PlugAndPlayDevice": redirection.usb, "SmartCard": redirection.smart_cards,
        "Clipboard": redirection.clipboard != "none", "Drive": redirection.drives, "TimeZone": True,
    }  # fmt: skip
    return [flag for flag in REDIRECTION_FLAGS if wanted[flag]]


def rdp_properties(collection: Collection, redirection: Redirection) -> str:
    """Custom RDP properties: the camera (no collection setting for it) and the inventory's own lines."""
    lines = [f"camerastoredirect:s:{'*' if redirection.camera else ''}", *collection.rdp_properties]
    return "\n".join(lines)


def collection_settings(collection: Collection, site: Site) -> dict[str, Any]:
    """Set-RDSessionCollectionConfiguration's parameters, as Get-RDSessionCollectionConfiguration reads them."""
    redirection = collection.redirection or (site.rds.redirection if site.rds else Redirection())
    return {
        "CollectionDescription": collection.description,
        "UserGroup": sorted(f"{site.info.netbios}\\{group}" for group in collection_groups(site, collection)),
        "IdleSessionLimitMin": collection.idle_minutes,
        "DisconnectedSessionLimitMin": collection.disconnected_minutes,
        "ActiveSessionLimitMin": collection.active_minutes,
        "BrokenConnectionAction": collection.broken_connection,
        "AutomaticReconnectionEnabled": True,
        "ClientDeviceRedirectionOptions": redirection_options(redirection),
        "ClientPrinterRedirected": redirection.printers,
        "RDEasyPrintDriverEnabled": redirection.printers,
        "ClientPrinterAsDefault": False,
        "AuthenticateUsingNLA": True,
        "SecurityLayer": "SSL",
        "EncryptionLevel": "High",
        "CustomRdpProperty": rdp_properties(collection, redirection),
    }


def _session_hosts(site: Site, entries: list[str]) -> list[Host]:
    names: list[str] = []
    for entry in entries:
        group = [h.name for h in site.hosts.values() if entry in h.groups]
        names += group or expand_name(entry)
    return [site.hosts[name] for name in dict.fromkeys(names) if name in site.hosts]


def _profile_disks(rds: Any) -> dict[str, Any] | None:
    """User profile disks, as Get-RDSessionCollectionConfiguration -UserProfileDisk reads them: on with their
    share and size for `profiles.kind: user_profile_disks`, off for FSLogix (the two must not both apply), not
    managed without a profiles section."""
    profiles = rds.profiles
    if profiles is None:
        return None
    if profiles.kind == "user_profile_disks":
        return {"enabled": True, "path": profiles.share, "size_gb": profiles.size_gb}
    return {"enabled": False}


def deployment(site: Site) -> dict[str, Any] | None:
    """The deployment as the broker reads it back once converged (None: no RDS farm in this inventory)."""
    rds, broker = site.rds, managing_broker(site)
    if rds is None or broker is None:
        return None
    servers: dict[str, list[str]] = {}
    for role, rd_role in DEPLOYMENT_ROLES.items():
        for host in sorted(site.hosts_with(role), key=lambda h: h.name):
            servers.setdefault(fqdn(host), []).append(rd_role)
    gateways = site.hosts_with("rds_gateway")
    certificates = {role: c.thumbprint for c in rds.certificates for role in c.roles}
    ha = None
    if rds.broker_ha is not None:
        database = site.hosts.get(rds.broker_ha.database_server)
        server = fqdn(database) if database else rds.broker_ha.database_server
        ha = {
            "client_access_name": rds.broker_ha.client_access_name.lower(),
            "database_connection_string": (
                f"DRIVER={{{rds.broker_ha.odbc_driver}}};SERVER=tcp:{server},1433;DATABASE={rds.broker_ha.database_name};"
                "APP=Remote Desktop Services Connection Broker;Trusted_Connection=Yes;Encrypt=Yes"
            ),
        }
    maintenance = {fqdn(site.hosts[name]) for name in rds.maintenance if name in site.hosts}
    return {
        "broker": fqdn(broker),
        "servers": servers,
        "licensing": {
            "mode": rds.licensing.mode,
            "servers": sorted(fqdn(h) for h in site.hosts_with("rds_licensing")),
        },
        "gateway": (
            {
                "mode": "Custom",
                "external_fqdn": rds.gateway.external_fqdn.lower(),
                "logon_method": "Password",
                "use_cached_credentials": True,
                "bypass_local": False,
            }
            if gateways
            else {"mode": "DoNotUse"}
        ),
        "certificates": dict(sorted(certificates.items())),
        "ha": ha,
        "collections": [
            {
                "name": c.name,
                "session_hosts": [fqdn(h) for h in _session_hosts(site, c.session_hosts)],
                "settings": collection_settings(c, site),
                "profile_disks": _profile_disks(rds),
                "remoteapps": [
                    {
                        "alias": app.alias,
                        "name": app.name,
                        "path": app.path,
                        "user_groups": sorted(f"{site.info.netbios}\\{g}" for g in app.user_groups),
                    }
                    for app in c.remoteapps
                ],
            }
            for c in rds.collections
        ],
        "maintenance": sorted(maintenance),
        "task_account": rds.task_account,
        "drain": {
            "message": rds.drain.message,
            "wait_minutes": rds.drain.wait_minutes,
            "title": f"{site.info.label} : maintenance",
        },
    }
