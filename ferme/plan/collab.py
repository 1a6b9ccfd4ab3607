"""The collaboration server's planned state (Plone): site, libraries, groups, accounts, versions, backups.

Secrets stay names here (`{"secret": NAME}`): the collab role reads their values when it deploys.
"""

from __future__ import annotations

from typing import Any

from ferme.site.model import Host, Site
from ferme.site.schema import Collab, CollabAccount

PLONE_VERSION = "6.2.2"  # pinned with every dependency in roles/collab/files/plone-requirements.txt
PLONE_PORT = 8080  # waitress on the loopback; nginx (TLS) in front
ZEO_PORT = 8100  # the ZODB server, on the loopback
SITE_ID = "partage"  # the Plone site inside Zope: nginx maps https://FQDN/ onto it
DATA = "/var/lib/plone"
ADMIN = "admin"


def _secret(ref: Any) -> dict[str, str]:
    return {"secret": ref.name}


def library_urls(collab: Collab) -> list[dict[str, str]]:
    """Each library's address: the same URL for a browser and for WebDAV (office suites, file managers)."""
    return [
        {"library": lib.name, "title": lib.title, "url": f"https://{collab.fqdn}/{lib.name}/",
         "webdav": f"davs://{collab.fqdn}/{lib.name}/"}
        for lib in collab.libraries
    ]  # fmt: skip


def managed_groups(collab: Collab) -> list[str]:
    """The groups ferme manages in the site: those the libraries name, and the local accounts' groups."""
    names = {g for lib in collab.libraries for g in (*lib.readers, *lib.editors)}
    names |= {g for account in collab.accounts for g in account.groups}
    return sorted(names)


def _account(account: CollabAccount) -> dict[str, Any]:
    return {"login": account.login, "fullname": account.name or account.login, "groups": sorted(account.groups),
            "password": _secret(account.password)}  # fmt: skip


def _directory(site: Site, collab: Collab) -> dict[str, Any] | None:
    """The directory Plone looks the agents up in (`users: directory`), the domain controllers by default."""
    directory = collab.directory
    if collab.users != "directory" or directory is None:
        return None
    domain = site.info.domain
    dcs = sorted(h.name for h in site.hosts.values() if "directory" in h.roles)
    return {
        "uris": directory.uris or [f"ldaps://{dc}.{domain}" for dc in dcs] or [f"ldaps://{domain}"],
        "base_dn": directory.base_dn or ",".join(f"DC={part}" for part in domain.split(".")),
        "bind_dn": directory.bind_dn,
        "bind_password": _secret(directory.bind_password),
        "login_attribute": directory.login_attribute,
        "user_filter": directory.user_filter,
        "group_filter": directory.group_filter,
        "group_base_dn": directory.group_base_dn,
        "ca": directory.ca,
    }


def collab_state(host: Host, site: Site) -> dict[str, Any]:
    """What the collab role converges on the collaboration server."""
    collab = site.collab
    assert collab is not None  # `ferme check` requires the collab section for the collab role
    return {
        "kind": collab.kind,
        "version": PLONE_VERSION,
        "fqdn": collab.fqdn,
        "site_label": site.info.label,
        "port": PLONE_PORT,
        "zeo_port": ZEO_PORT,
        "threads": 4,
        "data": DATA,
        "site": {
            "id": SITE_ID,
            "title": collab.title,
            "language": site.info.locale.split("_")[0],
            "timezone": site.info.timezone,
        },
        "admin": {"name": ADMIN, "password": _secret(collab.admin_password)},
        "webdav": collab.webdav,
        "upload_max_mb": collab.upload_max_mb,
        "versions": collab.versions,
        "users": collab.users,
        "directory": _directory(site, collab),
        "mail_domain": site.info.domain,
        "groups": managed_groups(collab),
        "accounts": [_account(a) for a in collab.accounts],
        "libraries": [lib.model_dump(mode="json") for lib in collab.libraries],
        "urls": library_urls(collab),
        "backup": collab.backup.model_dump(mode="json"),
        "tls": {"certificate": collab.tls.certificate, "key": collab.tls.key},
    }
