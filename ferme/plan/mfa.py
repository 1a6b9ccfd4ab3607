"""The MFA servers' planned state: privacyIDEA (users, realm, policies, tokens) and FreeRADIUS (its clients).

Secrets stay names here (`{"secret": NAME}`): the mfa role reads their values when it deploys. Who may work
from home (`mfa.remote_access`) decides which tokens are active: a token whose agent loses remote access is
disabled at the next apply, and its agent leaves the remote access group.
"""

from __future__ import annotations

from typing import Any

from ferme.plan.flows import Endpoint, hosts_endpoint
from ferme.plan.waves import open_wave_groups, open_wave_services
from ferme.site.model import Host, Site
from ferme.site.schema import HardwareToken, Mfa, RadiusClient

PRIVACYIDEA_VERSION = "3.14"
PRIVACYIDEA_PORT = 5001  # gunicorn on loopback; nginx (TLS) and FreeRADIUS in front
RESOLVER = "agents"
AGENTS_FILE = "/etc/privacyidea/agents"


def mfa_servers(site: Site) -> list[Host]:
    """The MFA servers in the order their clients ask them (the VPN, the portal, the Credential Provider)."""
    return sorted(site.hosts_with("mfa"), key=lambda h: h.name)


def server_address(server: Host, site: Site) -> str:
    """Where an MFA server's clients reach it: its service address."""
    return hosts_endpoint("role", "mfa", [server], site).addresses[0]


def _secret(ref: Any) -> dict[str, str] | None:
    return {"secret": ref.name} if ref is not None else None


def token_active(token: HardwareToken, mfa: Mfa, opened: frozenset[str] | set[str] = frozenset()) -> bool:
    """A token works while its agent may work from home: named in remote_access, or by an allowed service or a
    service of an open onboarding wave (`opened`)."""
    access = mfa.remote_access
    return token.agent in access.agents or (token.service is not None and token.service in {*access.services, *opened})


def remote_access_members(site: Site) -> dict[str, Any]:
    """The AD group of remote access and its members: agents by name, services by their groups."""
    assert site.mfa is not None
    access = site.mfa.remote_access
    groups = {s.name: s.group for s in site.agents.services}
    return {
        "group": access.group,
        "agents": sorted(set(access.agents)),
        "groups": sorted({*(groups[s] for s in access.services if s in groups), *open_wave_groups(site)}),
    }


def client_addresses(site: Site, client: RadiusClient, servers: list[Host]) -> list[str]:
    """The addresses a RADIUS client speaks from toward the MFA servers."""
    if client.address is not None:
        return [str(client.address)]
    if client.host in site.switches:
        return [str(site.switches[client.host].management_address)]
    target = hosts_endpoint("role", "mfa", servers, site)
    host = site.hosts[str(client.host)]
    return list(hosts_endpoint("hosts", host.name, [host], site, source=True, toward=target.zones).addresses)


def probe_endpoints(site: Site) -> list[tuple[RadiusClient, Endpoint]]:
    """RADIUS clients given by address (a probe, a NAS ferme does not manage): their flows to the MFA servers."""
    from ferme.plan.outbound import address_endpoint

    if site.mfa is None:
        return []
    return [(c, address_endpoint(site, str(c.name), [str(c.address)])) for c in site.mfa.radius_clients
            if c.address is not None and c.name]  # fmt: skip


def _users(site: Site, mfa: Mfa) -> dict[str, Any]:
    users = mfa.users
    if users.kind == "file":
        agents = sorted({t.agent for t in mfa.tokens} | set(mfa.remote_access.agents))
        return {"resolver": RESOLVER, "type": "passwdresolver", "params": {"fileName": AGENTS_FILE}, "agents": agents}
    domain = site.info.domain
    dcs = sorted(h.name for h in site.hosts.values() if "directory" in h.roles)
    uri = users.uri or (f"ldaps://{dcs[0]}.{domain}" if dcs else f"ldaps://{domain}")
    base = users.base_dn or ",".join(f"DC={part}" for part in domain.split("."))
    return {
        "resolver": RESOLVER,
        "type": "ldapresolver",
        "params": {
            "LDAPURI": uri,
            "LDAPBASE": base,
            "BINDDN": users.bind_dn or "",
            "LOGINNAMEATTRIBUTE": "sAMAccountName",
            "LDAPSEARCHFILTER": "(sAMAccountName=*)(objectClass=user)",
            "USERINFO": '{"username": "sAMAccountName", "givenname": "givenName", "surname": "sn", '
            '"email": "mail", "phone": "telephoneNumber", "mobile": "mobile"}',
            "UIDTYPE": "objectGUID",
            "NOREFERRALS": "True",
            "START_TLS": "False",
            "TLS_VERIFY": "True",
            "TIMEOUT": "5",
            "SCOPE": "SUBTREE",
            "AUTHTYPE": "Simple",
        },
        "bind_password": _secret(users.bind_password),
        "agents": [],
    }


SQLITE = "sqlite:////var/lib/privacyidea/privacyidea.sqlite"


def database_host(site: Site) -> Host | None:
    """The host of the inventory that holds privacyIDEA's PostgreSQL, if it is one."""
    database = site.mfa.database if site.mfa else None
    if database is None or database.kind != "postgresql" or database.host not in site.hosts:
        return None
    return site.hosts[str(database.host)]


def _zones(holder: Host | None, site: Site) -> tuple[str, ...]:
    return hosts_endpoint("hosts", holder.name, [holder], site).zones if holder else ()


def _database(host: Host, site: Site, servers: list[Host]) -> dict[str, Any]:
    """Where this MFA server's privacyIDEA keeps its data; on the database's own host, what it serves."""
    assert site.mfa is not None
    database = site.mfa.database
    if database.kind == "sqlite":
        return {"kind": "sqlite", "uri": SQLITE}
    holder = database_host(site)
    serves = holder is not None and holder.name == host.name
    if serves:
        address = "127.0.0.1"
    elif holder is not None:
        address = hosts_endpoint("hosts", holder.name, [holder], site).addresses[0]
    else:
        address = str(database.address)
    others = [s for s in servers if holder is None or s.name != holder.name]
    clients = sorted({a for s in others for a in hosts_endpoint("hosts", s.name, [s], site, source=True,
                                                                  toward=_zones(holder, site))
                      .addresses})  # fmt: skip
    return {"kind": "postgresql", "address": address, "port": database.port, "name": database.name,
            "user": database.user, "password": _secret(database.password), "serves": serves,
            "listen": hosts_endpoint("hosts", host.name, [host], site).addresses[0] if serves else None,
            "clients": clients if serves else []}  # fmt: skip


def mfa_state(host: Host, site: Site) -> dict[str, Any]:
    """What the mfa role converges on one MFA server."""
    mfa = site.mfa
    assert mfa is not None  # `ferme check` requires the mfa section for the mfa role
    servers = mfa_servers(site)
    clients = []
    for client in mfa.radius_clients:
        if client.host is not None and client.host not in site.hosts and client.host not in site.switches:
            continue  # `ferme check` reports it
        clients.append({"name": client.host or client.name, "addresses": client_addresses(site, client, servers),
                        "secret": _secret(client.secret)})  # fmt: skip
    tokens = [
        {
            "serial": t.serial,
            "kind": t.kind or mfa.token,
            "digits": t.digits,
            "agent": t.agent,
            "seed": _secret(t.seed),
            "pin": _secret(t.pin),
            "active": token_active(t, mfa, open_wave_services(site)),
        }
        for t in mfa.tokens
    ]
    return {
        "version": PRIVACYIDEA_VERSION,
        "port": PRIVACYIDEA_PORT,
        "fqdn": f"{host.name}.{site.info.domain}",
        "realm": mfa.realm,
        "admin": {"name": "admin", "password": _secret(mfa.admin_password)},
        "users": _users(site, mfa),
        "policies": [
            # The OTP PIN is the token's own (set by ferme or at enrolment), never the directory password.
            {"name": "ferme-otppin", "scope": "authentication", "action": {"otppin": "tokenpin"}},
        ],
        "lockout_after": mfa.lockout_after,
        "tokens": tokens,
        "radius_clients": clients,
        "remote_access": remote_access_members(site),
        "servers": [s.name for s in servers],
        "database": _database(host, site, servers),
        # With a shared database, one server converges users, realm, policies and tokens: the others read them.
        "primary": not servers or servers[0].name == host.name or mfa.database.kind == "sqlite",
        "shared_key": _secret(mfa.shared_key),
    }
