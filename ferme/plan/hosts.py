"""Per-host desired state: what each host must be once converged."""

from __future__ import annotations

from typing import Any

from ferme.catalogue import host_roles, listening_ports, spec
from ferme.plan.jsonable import jsonable
from ferme.plan.routing import host_routing
from ferme.plan.types import HostState, PlannedCertificate, PlannedHost
from ferme.plan.waves import collection_groups, wave_group
from ferme.powershell.quote import REMOTE_DESKTOP_USERS
from ferme.rds.read import TS_POLICIES
from ferme.site.expand import expand_name
from ferme.site.model import Host, Site

# ssh-audit's "Hardened Debian 12 (version 3)" policy, which `ferme verify` checks; all known to paramiko too.
SSH_ALGORITHMS: dict[str, list[str]] = {
    "kex": ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "curve25519-sha256",
            "curve25519-sha256@libssh.org", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
            "diffie-hellman-group-exchange-sha256"],
    "ciphers": ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes256-ctr", "aes192-ctr",
                "aes128-gcm@openssh.com", "aes128-ctr"],
    "macs": ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "umac-128-etm@openssh.com"],
    "host_key_algorithms": ["ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256"],
}  # fmt: skip
RSA_HOST_KEY_BITS = 4096


TERMINAL_SERVER = r"HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server"
FSLOGIX = r"HKLM:\SOFTWARE\FSLogix\Profiles"
# Windows Update from the site's WSUS: the values its policy (GPO) writes.
WINDOWS_UPDATE = r"HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate"
# A DC's RPC services pinned to fixed ports (Microsoft: "Restrict Active Directory RPC traffic to a specific
# port"), so that domain members in a DMZ reach them without the dynamic range. Read at the DC's restart.
NTDS_PORT = r"HKLM:\SYSTEM\CurrentControlSet\Services\NTDS\Parameters\TCP/IP Port"
NETLOGON_PORT = r"HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters\DCTcpipPort"
# The privacyIDEA Credential Provider's settings (its documentation: "Registry Settings"). Its installer is the
# operator's (NetKnights); ferme writes these values, never claims the provider runs.
CREDENTIAL_PROVIDER = r"HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP"


def credential_provider_values(site: Site) -> dict[str, int | str | list[str]]:
    """The OTP at remote logons of the session hosts, checked by the first MFA server over HTTPS (/validate/check).

    The filter is on (else Windows falls back to its own provider for RDP); only remote logons and unlocks need
    the OTP, so that the console stays a way in when privacyIDEA is down; the OTP is asked in a second step."""
    from ferme.plan.mfa import mfa_servers

    servers = mfa_servers(site)
    if not (site.rds and "credential_provider" in site.rds.gateway.mfa and servers and site.mfa):
        return {}
    values = {
        "hostname": f"{servers[0].name}.{site.info.domain}", "default_realm": site.mfa.realm,
        "ssl_ignore_unknown_ca": "0", "ssl_ignore_invalid_cn": "0", "enable_filter": "1",
        "cpus_logon": "1e", "cpus_unlock": "1e", "cpus_credui": "3d",
        "two_step_hide_otp": "1", "two_step_send_password": "0",
        "login_text": "Connexion avec code à usage unique", "otp_text": "Code PIN suivi du code du jeton",
        "otp_hint_text": "Saisissez votre code PIN suivi du code affiché par votre jeton",
        "otp_fail_text": "Code incorrect : réessayez",
    }  # fmt: skip
    return {f"{CREDENTIAL_PROVIDER}\\{name}": value for name, value in values.items()}


def _registry(host: Host, site: Site) -> dict[str, int | str | list[str]]:
    """`path\\name` → value: the WSUS, the DCs' pinned RPC ports, remote desktop and NLA on session hosts,
    FSLogix profiles."""
    values: dict[str, int | str | list[str]] = {}
    from ferme.plan.outbound import upstream_url

    choice, server = upstream_url(site, "windows_update")
    if choice == "mirror" and server:  # the WSUS (outbound.windows_update), as its policy writes it
        values.update({WINDOWS_UPDATE + "\\WUServer": server, WINDOWS_UPDATE + "\\WUStatusServer": server,
                       WINDOWS_UPDATE + "\\AU\\UseWUServer": 1})  # fmt: skip
    if "directory" in host.roles:
        values[NTDS_PORT] = site.directory.rpc_ports.ntds
        values[NETLOGON_PORT] = site.directory.rpc_ports.netlogon
    if "rds_session_host" in host.roles:
        values[TERMINAL_SERVER + "\\fDenyTSConnections"] = 0  # remote desktop on
        values[TERMINAL_SERVER + "\\WinStations\\RDP-Tcp\\UserAuthentication"] = 1  # network level authentication
        profiles = site.rds.profiles if site.rds else None
        if profiles and profiles.kind == "fslogix":
            values.update({
                FSLOGIX + "\\Enabled": 1,
                FSLOGIX + "\\VHDLocations": [profiles.share],
                FSLOGIX + "\\VolumeType": "VHDX",
                FSLOGIX + "\\SizeInMBs": profiles.size_gb * 1024,
                FSLOGIX + "\\IsDynamic": 1,
                FSLOGIX + "\\ProfileType": 0,  # one container per agent, read-write (no concurrent sessions)
                FSLOGIX + "\\DeleteLocalProfileWhenVHDShouldApply": 1,
                FSLOGIX + "\\FlipFlopProfileDirectoryName": 1,
                # Microsoft's recommended retry and reattach values (FSLogix "Configuration examples").
                FSLOGIX + "\\LockedRetryCount": 3,
                FSLOGIX + "\\LockedRetryInterval": 15,
                FSLOGIX + "\\ReAttachIntervalSeconds": 15,
                FSLOGIX + "\\ReAttachRetryCount": 3,
            })  # fmt: skip
        values.update(credential_provider_values(site))
        if site.rds and site.rds.redirection.clipboard == "to_session":
            # One-way clipboard (no collection setting does it): the policy "Restrict clipboard transfer from
            # server to client" (Windows Server 2025 ADMX), 0 = nothing copied out of the session.
            values[TS_POLICIES + "\\SCClipLevel"] = 0
    return values


def _windows_state(host: Host, site: Site) -> HostState:
    roles = host_roles(host.os, host.roles)
    collections = []
    if site.rds and "rds_session_host" in host.roles:
        collections = [c for c in site.rds.collections if host.name in _members(site, c.session_hosts)]
    # Session hosts: the agents' groups of their collections in Remote Desktop Users.
    members = sorted({f"{site.info.netbios}\\{group}" for c in collections for group in collection_groups(site, c)})
    return {
        "windows_features": sorted({f for role in roles for f in spec(role).features}),
        "registry": _registry(host, site),
        # Exactly these members of the site's domain (others, local accounts, stay): a group taken out of a
        # collection loses its logon right on the session hosts.
        "groups": {REMOTE_DESKTOP_USERS: members} if "rds_session_host" in host.roles else {},
        "groups_domain": site.info.netbios,
        "ad_groups": _ad_groups(host, site),
        "ad_groups_present": _ad_groups_present(host, site),
        "ad_ou": _ad_ou(host, site),
        "dns_round_robin": _dns_round_robin(host, site),
        "services": sorted({s for role in roles for s in spec(role).services}),
        "listening": sorted({host.connection.port, *(p for role in roles for p in listening_ports(role))}),
        "collections": [c.name for c in collections],
        # A restart owed while agents are logged on: drained first, or not at all (pyinfra.toml).
        "drain_minutes": site.run.drain_minutes if "rds_session_host" in host.roles else None,
        "certificates": _certificates(host, site),
        "routing": host_routing(host, site),
        # On the managing broker: the deployment as it must read back (ferme.plan.rds); session hosts tell it
        # which settings Group Policy sets on them.
        "rd_deployment": _rd_deployment(host, site),
        "policies": [TS_POLICIES] if "rds_session_host" in host.roles else [],
        "fslogix": _fslogix(host, site),
        "gateway_policies": _gateway_policies(host, site),
        "web_client": _web_client(host, site),
        "sql_login": _sql_login(host, site),
        "domain_join": _domain_join(host, site),
        "profile_share": _profile_share(host, site),
    }


def _domain_join(host: Host, site: Site) -> dict[str, Any] | None:
    """Windows hosts other than the DCs: joined to the site's domain with `directory.join`'s account."""
    join = site.directory.join
    if join is None or "directory" in host.roles:
        return None
    return {"domain": site.info.domain, "user": join.user, "password": {"secret": join.password.name}, "ou": join.ou}


def _sql_login(host: Host, site: Site) -> str | None:
    """On the brokers' SQL Server (rds.broker_ha.database_server): the brokers' group's login."""
    rds = site.rds
    if rds is None or rds.broker_ha is None or rds.broker_ha.database_server != host.name:
        return None
    from ferme.rds.database import BROKERS_GROUP

    return f"{site.info.netbios}\\{BROKERS_GROUP}"


def _web_client(host: Host, site: Site) -> dict[str, Any] | None:
    """On each RD Web server: the HTML5 web client from the operator's files, the broker's certificate it trusts
    (the deployment's RDRedirector certificate), and the machineKey shared by the RD Web servers."""
    rds = site.rds
    if rds is None or "rds_web" not in host.roles:
        return None
    files = rds.web_client_files
    broker = next((c for c in rds.certificates if "RDRedirector" in c.roles), None)
    return {
        "enabled": rds.web_client,
        "module": files.module.model_dump() if files else None,
        "package": files.package.model_dump() if files else None,
        "broker_certificate": {
            "pfx": broker.pfx,
            "thumbprint": broker.thumbprint,
            "password": {"secret": broker.password.name},
        }
        if broker
        else None,
        "machine_key": {"secret": rds.web_machine_key.name} if rds.web_machine_key else None,
    }


def _gateway_policies(host: Host, site: Site) -> dict[str, Any] | None:
    """On each RD Gateway: its CAP and RAP for the collections' groups (`group@DOMAIN`, as the RDS: drive names
    them), toward the farm's servers only (ferme.rds.gateway)."""
    if site.rds is None or "rds_gateway" not in host.roles:
        return None
    from ferme.plan.rds import fqdn

    groups = sorted({f"{g}@{site.info.netbios}" for c in site.rds.collections for g in collection_groups(site, c)})
    servers = {fqdn(h) for role in ("rds_session_host", "rds_broker") for h in site.hosts_with(role)}
    if site.rds.broker_ha is not None:
        servers.add(site.rds.broker_ha.client_access_name.lower())
    return {
        "cap": "ferme-CAP",
        "rap": "ferme-RAP",
        "computer_group": "ferme-serveurs-rds",
        "user_groups": groups,
        "computers": sorted(servers),
    }


def _fslogix(host: Host, site: Site) -> dict[str, Any] | None:
    """Session hosts with FSLogix profiles: the agent's installer (the operator's file, by hash) and its service."""
    profiles = site.rds.profiles if site.rds else None
    if profiles is None or profiles.kind != "fslogix" or "rds_session_host" not in host.roles:
        return None
    installer = profiles.installer
    return {"service": "frxsvc", "installer": installer.model_dump() if installer else None}


def _profile_share(host: Host, site: Site) -> dict[str, Any] | None:
    """On the host the profiles' UNC path names: the share and its folder, with FSLogix's permissions (Microsoft:
    "Configure SMB storage permissions"): the agents' groups change the share and create their own folder at
    the root (this folder only), CREATOR OWNER modifies what it created, Administrators have full control."""
    profiles = site.rds.profiles if site.rds else None
    if profiles is None or "profiles" not in host.roles:
        return None
    parts = [p for p in profiles.share.split("\\") if p]
    if len(parts) < 2 or parts[0].split(".")[0].lower() != host.name.lower():
        return None
    groups = sorted({f"{site.info.netbios}\\{g}" for c in site.rds.collections for g in collection_groups(site, c)})  # type: ignore[union-attr]
    return {
        "name": parts[1],
        "path": profiles.path,
        "share_access": {"S-1-5-32-544": "Full", **dict.fromkeys(groups, "Change")},
        "acl": {
            "S-1-5-32-544": "FullControl",
            "S-1-5-18": "FullControl",
            "S-1-3-0": "Modify:SubfoldersAndFilesOnly",
            **dict.fromkeys(groups, "Modify:ThisFolderOnly"),
        },
    }


def _rd_deployment(host: Host, site: Site) -> dict[str, Any] | None:
    from ferme.plan.rds import deployment, managing_broker

    broker = managing_broker(site)
    return deployment(site) if broker is not None and broker.name == host.name else None


def first_dc(site: Site) -> str | None:
    dcs = sorted(h.name for h in site.hosts_with("directory") if h.managed)
    return dcs[0] if dcs else None


def domain_dn(site: Site) -> str:
    return ",".join(f"DC={part}" for part in site.info.domain.split("."))


def _ad_groups(host: Host, site: Site) -> dict[str, list[str]]:
    """On the first domain controller (AD replicates), the groups whose members ferme keeps exactly: the remote
    access group — the agents named, and the groups of the services allowed (mfa.remote_access); an agent taken
    out loses it — and one group per onboarding wave, holding its services' groups."""
    if first_dc(site) != host.name:
        return {}
    groups: dict[str, list[str]] = {}
    if site.mfa is not None:
        from ferme.plan.mfa import remote_access_members

        access = remote_access_members(site)
        groups[access["group"]] = sorted({*access["agents"], *access["groups"]}, key=str.lower)
    if site.rds is not None and site.rds.broker_ha is not None:
        from ferme.rds.database import BROKERS_GROUP

        # The brokers' computer accounts: SQL Server knows them through this group (their login, dbcreator).
        groups[BROKERS_GROUP] = sorted(f"{h.name}$" for h in site.hosts_with("rds_broker"))
    services = {s.name: s.group for s in site.agents.services}
    for wave in site.waves:
        members = sorted({services[name] for name in wave.services if name in services}, key=str.lower)
        groups[wave_group(site, wave.number)] = members
    return groups


def _ad_groups_present(host: Host, site: Site) -> list[str]:
    """On the first DC: the collections' and RemoteApps' groups, created when absent (their members are the
    site's: ferme does not touch them)."""
    if first_dc(site) != host.name or site.rds is None:
        return []
    names = {
        g for c in site.rds.collections for g in [*c.user_groups, *(g for a in c.remoteapps for g in a.user_groups)]
    }
    return sorted(names - set(_ad_groups(host, site)), key=str.lower)


def _ad_ou(host: Host, site: Site) -> str | None:
    if first_dc(site) != host.name:
        return None
    return site.directory.groups_ou or f"OU=Ferme,{domain_dn(site)}"


def _dns_round_robin(host: Host, site: Site) -> dict[str, Any] | None:
    """On the first DC (AD-integrated DNS): the brokers' client access name, one A record per broker."""
    rds = site.rds
    if first_dc(site) != host.name or rds is None or rds.broker_ha is None:
        return None
    name, domain = rds.broker_ha.client_access_name.lower(), site.info.domain.lower()
    if not name.endswith("." + domain):
        return None  # another zone: the site's DNS administrators publish it
    brokers = sorted(site.hosts_with("rds_broker"), key=lambda h: h.name)
    addresses = [str(next(a for z, a in b.addresses.items() if site.zones[z].kind == "servers")) for b in brokers
                 if any(site.zones[z].kind == "servers" for z in b.addresses)]  # fmt: skip
    return {"zone": domain, "name": name.removesuffix("." + domain), "addresses": sorted(addresses)}


def _certificates(host: Host, site: Site) -> list[PlannedCertificate]:
    """The PFX certificates this host must hold in LocalMachine\\My (by thumbprint), for its RDS roles."""
    if not site.rds:
        return []
    # Set-RDCertificate puts a role's certificate on the servers that run the role.
    held = {r for role in host.roles for r in spec(role).certificate_roles}
    return [
        {"thumbprint": c.thumbprint, "pfx": c.pfx, "password": {"secret": c.password.name},
         "roles": [r for r in c.roles if r in held]}
        for c in site.rds.certificates
        if held.intersection(c.roles)
    ]  # fmt: skip


def directory_addresses(site: Site) -> list[str]:
    """Domain controllers are the site's DNS and NTP servers (as in any AD domain)."""
    addresses = []
    for dc in site.hosts_with("directory"):
        zone = next((z for z in dc.addresses if site.zones[z].kind == "servers"), next(iter(dc.addresses)))
        addresses.append(str(dc.addresses[zone]))
    return addresses


def _debian_state(host: Host, site: Site) -> HostState:
    packages = sorted({p for role in host_roles(host.os, host.roles) for p in spec(role).packages})
    if site.vpn and "vpn" in host.roles and site.vpn.kind == "wireguard":
        packages = sorted({*packages, "wireguard-tools"} - {"openvpn"})
    syslog = site.outbound.syslog
    if syslog:
        packages = sorted({*packages, "rsyslog"})  # forwards the journal to the collector
    from ferme.plan.mfa import database_host

    holder = database_host(site)
    if "mfa" in host.roles and holder is not None and holder.name == host.name:
        packages = sorted({*packages, "postgresql"})  # privacyIDEA's shared database, on this MFA server
    state: HostState = {
        "hostname": host.name,
        "timezone": site.info.timezone,
        "locale": site.info.locale,
        "packages": packages,
        "admins": [a.model_dump(mode="json") for a in site.admins],
        "domain": site.info.domain,
        "ntp_servers": list(site.info.ntp_servers) or directory_addresses(site),
        "dns_servers": list(site.info.dns_servers) or directory_addresses(site),
        "ssh": {
            "password_authentication": False,
            "permit_root_login": "prohibit-password",
            "algorithms": SSH_ALGORITHMS,
            "rsa_host_key_bits": RSA_HOST_KEY_BITS,
        },
        "routing": host_routing(host, site),
        "apt_proxy": _apt_proxy(site),
        "syslog": syslog.model_dump(mode="json") if syslog else None,
    }
    if "mfa" in host.roles and site.mfa is not None:
        from ferme.plan.mfa import mfa_state

        state["mfa"] = {**mfa_state(host, site), "pip": python_index(site)}
    if "collab" in host.roles and site.collab is not None:
        from ferme.plan.collab import collab_state

        state["collab"] = {**collab_state(host, site), "pip": python_index(site)}
    return state


def _apt_proxy(site: Site) -> str | None:
    """apt through the site's proxy or an apt-cacher-ng mirror (`outbound.apt`), as Acquire::http::Proxy."""
    from ferme.plan.outbound import upstream_url

    return upstream_url(site, "apt")[1]


def python_index(site: Site) -> dict[str, str | None]:
    """pip's index and proxy for the roles that install from Python packages (`outbound.python`)."""
    from ferme.plan.outbound import upstream_url

    choice, url = upstream_url(site, "python")
    if choice == "mirror" and url:
        return {"index_url": url + (site.outbound.python.path or "/simple/"), "proxy": None}
    return {"index_url": None, "proxy": url if choice == "proxy" else None}


def _members(site: Site, entries: list[str]) -> set[str]:
    names: set[str] = set()
    for entry in entries:
        group = [h.name for h in site.hosts.values() if entry in h.groups]
        names.update(group or expand_name(entry))
    return names


def _state(host: Host, site: Site) -> HostState:
    if host.os == "windows":
        return _windows_state(host, site)
    if host.os == "appliance":  # its configuration is an artifact (firewall/vendor/); no OS state
        return {"routing": host_routing(host, site)}
    return _debian_state(host, site)


def plan_host(host: Host, site: Site) -> PlannedHost:
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
            "fqdn": connection.fqdn,
        },
        "hardware": host.hardware.model_dump(exclude_none=True),
        "vars": jsonable(host.vars),
        "state": _state(host, site),
    }
