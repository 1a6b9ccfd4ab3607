"""Collaboration server (`collab.kind: plone`): Plone in its own venv, its ZODB server (ZEO), nginx with TLS in
front, the site converged by `ferme_plone.py` (files/), nightly backups and the restore script.

The interface another kind would keep: `apply()` reads `host.data.ferme["state"]["collab"]` (the plan's
`collab_state`), serves https://FQDN/<library>/ for browsers and WebDAV, and installs
`/usr/local/sbin/ferme-collab-backup` and `ferme-collab-restore` (what `ferme collab` runs).
"""

from __future__ import annotations

import json
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.files import File
from pyinfra.facts.server import Command
from pyinfra.operations import files, server, systemd

from ferme.operations.inventory import inventory_folder, planned_secret
from ferme.operations.services import stale
from ferme.operations.venv import pinned_venv
from ferme.resources import templates

TEMPLATES = templates("collab")
FILES = Path(__file__).resolve().parent / "files"
VENV = "/opt/plone"
STATE = "/etc/plone/ferme-state.json"
CONVERGER = "/usr/local/lib/ferme/ferme_plone.py"
PLUGINS = "/usr/local/lib/ferme/plone"  # ferme's PAS plugin, on Plone's PYTHONPATH (plone.service, the converger)
DIRECTORY = "/etc/plone/directory.json"
CRL = "/var/www/ferme/crl/ferme-ca.crl"  # nginx's workers read it: outside /etc/plone
SETTINGS = ("/etc/plone/zope.conf", "/etc/plone/zope.ini")
ZEO_SETTINGS = ("/etc/plone/zeo.conf",)


def converger(*args: str) -> str:
    """The command that runs the converger on the host (as plone, a ZEO client beside the running instance)."""
    # A ZEO client waits for its server: bounded, so that a stopped ZODB server fails the run instead of hanging it.
    return " ".join([f"timeout 600 runuser -u plone -- env PYTHONPATH={PLUGINS} {VENV}/bin/zconsole run "
                     f"/etc/plone/zope.conf {CONVERGER}", *args])  # fmt: skip


def _started(port: int, seconds: int = 180) -> str:
    """Wait until the instance listens (its start-up done); after `seconds` go on: the converger needs ZEO only."""
    return f"timeout {seconds} sh -c 'until ss -Hltn \"sport = :{port}\" | grep -q .; do sleep 1; done' || true"


def _secret(ref: dict[str, str]) -> str:
    return planned_secret(ref) or ""


def _install(collab: dict[str, Any]) -> Any:
    """Plone and ZEO in their own venv, every version pinned (files/plone-requirements.txt)."""
    server.user(name="Plone: system user", user="plone", system=True, home=collab["data"],
                shell="/usr/sbin/nologin", create_home=False)  # fmt: skip
    data = collab["data"]
    for path, owner, group, mode in (
        ("/etc/plone", "root", "plone", "750"),
        (data, "plone", "plone", "750"),
        (f"{data}/filestorage", "plone", "plone", "700"),
        ("/var/cache/plone", "plone", "plone", "750"),
        ("/usr/local/lib/ferme", "root", "root", "755"),
    ):
        files.directory(name=f"Plone: {path}", path=path, user=owner, group=group, mode=mode)  # fmt: skip
    return pinned_venv("Plone", VENV, FILES / "plone-requirements.txt", "Plone", collab["version"], collab["pip"])


def _site_ca(collab: dict[str, Any]) -> bool:
    return not (collab["tls"].get("certificate") and collab["tls"].get("key"))


def _tls(collab: dict[str, Any]) -> list[Any]:
    """The site's certificate when the inventory gives one, else one issued by ferme's site CA (kept beside the
    inventory, in certificats/) with the CA's revocation list, published over HTTP; the key is root-only."""
    tls = collab["tls"]
    crl: list[Any] = []
    files.directory(name="TLS: folder", path="/etc/plone/tls", mode="700")
    if not _site_ca(collab):
        certificate = (inventory_folder() / tls["certificate"]).read_text()
        key = (inventory_folder() / tls["key"]).read_text()
        files.file(name="TLS: no site CA revocation list", path=CRL, present=False)
    else:
        from ferme.site.ca import server_certificate, site_crl

        certificate, key = server_certificate(inventory_folder(), collab["fqdn"], collab["site_label"])
        files.directory(name="TLS: where nginx publishes the revocation list", path=CRL.rsplit("/", 1)[0],
                        mode="755")  # fmt: skip
        crl.append(files.put(name="TLS: the site CA's revocation list", dest=CRL,
                             src=BytesIO(site_crl(inventory_folder(), collab["site_label"])), mode="644"))  # fmt: skip
    return [*crl,
        files.put(name=f"TLS: certificate of {collab['fqdn']}", src=StringIO(certificate),
                  dest="/etc/plone/tls/server.crt", mode="644"),
        files.put(name=f"TLS: private key of {collab['fqdn']} (root only)", src=StringIO(key),
                  dest="/etc/plone/tls/server.key", mode="600"),
    ]  # fmt: skip


def _directory(collab: dict[str, Any]) -> list[Any]:
    """ferme's directory plugin (always installed: a plugin left in the site must stay importable) and, with
    `users: directory`, its settings with the service account's password (root and plone only, not in the ZODB)."""
    files.directory(name="Plone: ferme's plugins", path=PLUGINS, mode="755")
    changes = [files.put(name="Plone: ferme's directory plugin", src=str(FILES / "ferme_directory_pas.py"),
                         dest=f"{PLUGINS}/ferme_directory_pas.py", mode="644")]  # fmt: skip
    directory = collab.get("directory")
    if directory is None:
        files.file(name="Plone: no directory settings (users: local)", path=DIRECTORY, present=False)
        return changes
    ca_file = None
    if directory.get("ca"):
        ca_file = "/etc/plone/directory-ca.pem"
        changes.append(files.put(name="Plone: the directory's CA", src=StringIO((inventory_folder() / directory["ca"])
                                 .read_text()), dest=ca_file, mode="644"))  # fmt: skip
    settings = {**directory, "bind_password": _secret(directory["bind_password"]), "ca_file": ca_file}
    settings.pop("ca")
    changes.append(files.put(name="Plone: directory settings (service account: root and plone only)",
                             src=StringIO(json.dumps(settings, indent=1, sort_keys=True) + "\n"), dest=DIRECTORY,
                             group="plone", mode="640"))  # fmt: skip
    return changes


def _desired(collab: dict[str, Any]) -> str:
    """The converger's input: the plan's site with the secrets' values (sent to the host only, plone-only)."""
    return json.dumps({
        "site": collab["site"], "webdav": collab["webdav"], "versions": collab["versions"],
        "mail_domain": collab["mail_domain"], "groups": collab["groups"], "libraries": collab["libraries"],
        "users": collab["users"],
        "admin": {"name": collab["admin"]["name"], "password": _secret(collab["admin"]["password"])},
        "accounts": [{**a, "password": _secret(a["password"])} for a in collab["accounts"]],
    }, sort_keys=True, indent=1, ensure_ascii=False) + "\n"  # fmt: skip


def _plone(collab: dict[str, Any], install: Any, plugins: list[Any]) -> None:
    variables = {**collab, "realm": collab["fqdn"], "process": "instance", "site_id": collab["site"]["id"]}
    zeo = [files.template(name="Plone: ZEO server settings", src=str(TEMPLATES / "zeo.conf.j2"),
                          dest="/etc/plone/zeo.conf", group="plone", mode="640", **variables),
           files.template(name="Plone: ZEO server unit", src=str(TEMPLATES / "plone-zeo.service.j2"),
                          dest="/etc/systemd/system/plone-zeo.service", **variables)]  # fmt: skip
    instance = [
        files.template(name="Plone: zope.conf", src=str(TEMPLATES / "zope.conf.j2"), dest="/etc/plone/zope.conf",
                       group="plone", mode="640", **variables),
        files.template(name="Plone: zope.ini (waitress)", src=str(TEMPLATES / "zope.ini.j2"),
                       dest="/etc/plone/zope.ini", group="plone", mode="640", **variables),
        files.template(name="Plone: instance unit", src=str(TEMPLATES / "plone.service.j2"),
                       dest="/etc/systemd/system/plone.service", **variables),
        plugins[0],  # ferme's directory plugin: the running instance imports it
    ]  # fmt: skip
    units = [zeo[1], instance[2]]
    systemd.daemon_reload(name="Plone: reload units", _if=lambda: any(u.did_change() for u in units))
    zeo_due, instance_due = stale("plone-zeo", ZEO_SETTINGS), stale("plone", SETTINGS)
    for service, changes, due in (("plone-zeo", zeo, zeo_due), ("plone", instance, instance_due)):
        systemd.service(name=f"{service} enabled and running", service=service, running=True, enabled=True)
        systemd.service(name=f"{service}: restart", service=service, restarted=True,
                        _if=lambda changes=changes, due=due: due or install.did_change()  # type: ignore[misc]
                        or any(c.did_change() for c in changes))  # fmt: skip
    script = files.put(name="Plone: ferme's converger", src=str(FILES / "ferme_plone.py"), dest=CONVERGER,
                       mode="755")  # fmt: skip
    desired = files.put(name="Plone: desired site (secrets: plone only)", src=StringIO(_desired(collab)),
                        dest=STATE, user="plone", group="plone", mode="600")  # fmt: skip
    pending = host.get_fact(Command, command=f"{converger('converge', STATE, '--check')} 2>/dev/null || echo unknown")
    server.shell(
        name="Plone: site, libraries, versions, groups, accounts and permissions",
        # Both Zope processes set the database up when they start: a converger started beside an instance that
        # is still starting (a first apply, a restart) fails on a conflict in Zope's own start-up commits.
        commands=[_started(collab["port"]), converger("converge", STATE)],
        _if=lambda: bool(pending) or desired.did_change() or script.did_change() or install.did_change(),
    )


def _nginx(collab: dict[str, Any], tls: list[Any]) -> None:
    files.link(name="nginx: no default site", path="/etc/nginx/sites-enabled/default", present=False)
    site = files.template(name=f"nginx: {collab['fqdn']} over TLS", src=str(TEMPLATES / "nginx.conf.j2"),
                          dest="/etc/nginx/sites-enabled/collab.conf", site_id=collab["site"]["id"],
                          crl=_site_ca(collab), **collab)  # fmt: skip
    systemd.service(name="nginx enabled and running", service="nginx", running=True, enabled=True)
    server.shell(name="nginx: check and reload", commands=["nginx -t -q", "systemctl reload nginx"],
                 _if=lambda: site.did_change() or any(t.did_change() for t in tls))  # fmt: skip


def _backups(collab: dict[str, Any]) -> None:
    """Nightly backups (a timer), their retention, and the restore script `ferme collab restore` runs."""
    files.directory(name=f"Backups: {collab['backup']['folder']}", path=collab["backup"]["folder"], mode="750")
    files.template(name="Backups: settings", src=str(TEMPLATES / "collab.env.j2"), dest="/etc/plone/collab.env",
                   mode="644", site_id=collab["site"]["id"], **collab)  # fmt: skip
    for script in ("ferme-collab-backup", "ferme-collab-restore"):
        files.put(name=f"Backups: {script}", src=str(FILES / script), dest=f"/usr/local/sbin/{script}", mode="755")
    units = [files.template(name=f"Backups: {unit}", src=str(TEMPLATES / f"{unit}.j2"),
                            dest=f"/etc/systemd/system/{unit}", **collab)
             for unit in ("ferme-collab-backup.service", "ferme-collab-backup.timer")]  # fmt: skip
    systemd.daemon_reload(name="Backups: reload units", _if=lambda: any(u.did_change() for u in units))
    systemd.service(name="Backups: nightly timer enabled", service="ferme-collab-backup.timer", running=True,
                    enabled=True)  # fmt: skip
    systemd.service(name="Backups: timer restarted on a new time", service="ferme-collab-backup.timer",
                    restarted=True, _if=units[1].did_change)  # fmt: skip
    if not host.get_fact(File, path=f"{collab['backup']['folder']}/last-success"):
        server.shell(name="Backups: a first one now (none has run yet)",
                     commands=["/usr/local/sbin/ferme-collab-backup"])  # fmt: skip


@deploy("Collaboration server")
def apply() -> None:
    """Converge the collaboration server from the plan's collab state."""
    collab: dict[str, Any] | None = host.data.ferme.get("state", {}).get("collab")
    if collab is None:
        return
    install = _install(collab)
    tls = _tls(collab)
    plugins = _directory(collab)
    _plone(collab, install, plugins)
    _nginx(collab, tls)
    _backups(collab)
