"""MFA: privacyIDEA (its own venv, gunicorn, nginx with TLS) and FreeRADIUS in front of it.

Keys privacyIDEA needs (SECRET_KEY, pepper, the encryption key, the audit keys, the TLS key) are made once on
the host and kept: they never leave it. Users, realm, policies and tokens are converged by
`ferme_privacyidea.py` (files/) from a desired state that holds the secrets' values, root-only on the host.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.files import File
from pyinfra.facts.server import Command
from pyinfra.operations import files, server, systemd

from ferme.resources import templates
from ferme.site.secrets import secret_value

TEMPLATES = templates("mfa")
FILES = Path(__file__).resolve().parent / "files"
VENV = "/opt/privacyidea"
STATE = "/etc/privacyidea/ferme-state.json"
CONVERGER = "/usr/local/lib/ferme/ferme_privacyidea.py"
AS_PRIVACYIDEA = f"runuser -u privacyidea -- env PRIVACYIDEA_CONFIGFILE=/etc/privacyidea/pi.cfg {VENV}/bin/"
RADIUS = "/etc/freeradius/3.0"
TABLES_MADE = "/var/lib/privacyidea/.tables-made"  # the SQLite file exists before its tables do


def converger(action: str, *args: str) -> str:
    """The command that runs the converger on the host (as privacyidea, in its venv)."""
    return " ".join([f"{AS_PRIVACYIDEA}python {CONVERGER} {action} {STATE}", *args])


def _secret(ref: dict[str, str] | None) -> str | None:
    if ref is None:
        return None
    return secret_value(ref["secret"], Path(host.data.get("ferme_inventory") or "."))


def _absent(path: str) -> bool:
    return not host.get_fact(File, path=path)


def _install(mfa: dict[str, Any]) -> Any:
    """privacyIDEA and gunicorn in their own venv, every version pinned (files/privacyidea-requirements.txt)."""
    server.user(name="privacyIDEA: system user", user="privacyidea", system=True, home="/var/lib/privacyidea",
                shell="/usr/sbin/nologin", create_home=False)  # fmt: skip
    for path, mode in (("/etc/privacyidea", "750"), ("/var/lib/privacyidea", "700"), ("/var/log/privacyidea", "750")):
        files.directory(name=f"privacyIDEA: {path}", path=path, user="privacyidea" if path != "/etc/privacyidea"
                        else "root", group="privacyidea", mode=mode)  # fmt: skip
    files.directory(name="ferme: helpers", path="/usr/local/lib/ferme", mode="755")
    requirements = files.put(name="privacyIDEA: pinned requirements", src=str(FILES / "privacyidea-requirements.txt"),
                             dest=f"{VENV}-requirements.txt", mode="644")  # fmt: skip
    pip = mfa["pip"]
    options = [f"--index-url {pip['index_url']}"] if pip.get("index_url") else []
    options += [f"--proxy {pip['proxy']}"] if pip.get("proxy") else []
    installed = host.get_fact(
        Command, command=f"{VENV}/bin/pip show privacyIDEA 2>/dev/null | sed -n 's/^Version: //p'"
    )
    return server.shell(
        name=f"privacyIDEA {mfa['version']}: install in {VENV}",
        commands=[f"test -x {VENV}/bin/python || python3 -m venv {VENV}",
                  f"{VENV}/bin/pip install -q --disable-pip-version-check {' '.join(options)} "
                  f"-r {VENV}-requirements.txt"],
        _if=lambda: requirements.did_change() or installed != mfa["version"],
    )  # fmt: skip


def _keys(mfa: dict[str, Any]) -> None:
    """Made once, kept: the server's own secrets, privacyIDEA's encryption and audit keys, the database, TLS.

    Whether each exists is read before anything runs (an earlier step may create a file a later one tests)."""
    for name in ("secret_key", "pepper"):
        path = f"/etc/privacyidea/{name}"
        if _absent(path):
            server.shell(name=f"privacyIDEA: {name} (made once)",
                         commands=[f"umask 027 && openssl rand -hex 32 > {path}.new && chgrp privacyidea {path}.new "
                                   f"&& mv {path}.new {path}"])  # fmt: skip
    manage = f"{AS_PRIVACYIDEA}pi-manage"
    for path, command in (("/var/lib/privacyidea/enckey", "setup create_enckey"),
                          ("/var/lib/privacyidea/audit-private.pem", "setup create_audit_keys"),
                          (TABLES_MADE, "setup create_tables")):  # fmt: skip
        if _absent(path):
            done = f" && touch {TABLES_MADE}" if path == TABLES_MADE else ""
            server.shell(name=f"privacyIDEA: {command.split()[-1]} (once)",
                         commands=[f"{manage} {command} >/dev/null{done}"])  # fmt: skip
    tls = "/etc/privacyidea/tls"
    files.directory(name="TLS: folder", path=tls, group="privacyidea", mode="750")
    if _absent(f"{tls}/server.crt"):
        server.shell(
            name="TLS: the console's certificate (self-signed, made once; replace with the site's)",
            commands=[f"openssl req -x509 -newkey rsa:3072 -sha256 -days 825 -nodes -subj '/CN={mfa['fqdn']}' "
                      f"-addext 'subjectAltName=DNS:{mfa['fqdn']}' -keyout {tls}/server.key -out {tls}/server.crt "
                      f"2>/dev/null && chmod 600 {tls}/server.key"],
        )  # fmt: skip


def _desired(mfa: dict[str, Any]) -> str:
    """The converger's input: the plan's MFA state with the secrets' values (sent to the host only)."""
    users = mfa["users"]
    params = dict(users["params"])
    if users.get("bind_password"):
        params["BINDPW"] = _secret(users["bind_password"])
    tokens = [{**t, "seed": _secret(t["seed"]), "pin": _secret(t["pin"])} for t in mfa["tokens"]]
    return json.dumps({
        "admin": {"name": mfa["admin"]["name"], "password": _secret(mfa["admin"]["password"])},
        "users": {"resolver": users["resolver"], "type": users["type"], "params": params},
        "realm": mfa["realm"], "policies": mfa["policies"], "lockout_after": mfa["lockout_after"], "tokens": tokens,
    }, sort_keys=True, indent=1) + "\n"  # fmt: skip


def _privacyidea(mfa: dict[str, Any], install: Any) -> None:
    config = files.template(name="privacyIDEA: pi.cfg", src=str(TEMPLATES / "pi.cfg.j2"),
                            dest="/etc/privacyidea/pi.cfg", group="privacyidea", mode="640", version=mfa["version"],
                            database_uri="sqlite:////var/lib/privacyidea/privacyidea.sqlite")  # fmt: skip
    _keys(mfa)
    if mfa["users"]["type"] == "passwdresolver":
        lines = "".join(f"{login}:x:{10000 + i}:10000:{login},,,:/nonexistent:/usr/sbin/nologin\n"
                        for i, login in enumerate(mfa["users"]["agents"]))  # fmt: skip
        files.put(name="privacyIDEA: the agents (flat file)", src=StringIO(lines),
                  dest=mfa["users"]["params"]["fileName"], group="privacyidea", mode="640")  # fmt: skip
    script = files.put(name="privacyIDEA: ferme's converger", src=str(FILES / "ferme_privacyidea.py"), dest=CONVERGER,
                       mode="755")  # fmt: skip
    desired = files.put(name="privacyIDEA: desired state (secrets: privacyidea only)", src=StringIO(_desired(mfa)),
                        dest=STATE, user="privacyidea", group="privacyidea", mode="600")  # fmt: skip
    pending = host.get_fact(Command, command=f"{converger('converge', '--check')} 2>/dev/null || echo unknown")
    server.shell(
        name="privacyIDEA: users, realm, policies and tokens",
        commands=[converger("converge")],
        _if=lambda: bool(pending) or desired.did_change() or script.did_change() or install.did_change(),
    )
    unit = files.template(name="privacyIDEA: service", src=str(TEMPLATES / "privacyidea.service.j2"),
                          dest="/etc/systemd/system/privacyidea.service", version=mfa["version"], port=mfa["port"],
                          workers=2)  # fmt: skip
    systemd.daemon_reload(name="privacyIDEA: reload units", _if=unit.did_change)
    systemd.service(name="privacyIDEA enabled and running", service="privacyidea", running=True, enabled=True)
    systemd.service(name="privacyIDEA: restart", service="privacyidea", restarted=True,
                    _if=lambda: config.did_change() or unit.did_change() or install.did_change())  # fmt: skip


def _nginx(mfa: dict[str, Any]) -> None:
    files.link(name="nginx: no default site", path="/etc/nginx/sites-enabled/default", present=False)
    site = files.template(
        name="nginx: privacyIDEA over TLS",
        src=str(TEMPLATES / "nginx.conf.j2"),
        dest="/etc/nginx/sites-enabled/privacyidea.conf",
        fqdn=mfa["fqdn"],
        port=mfa["port"],
    )
    systemd.service(name="nginx enabled and running", service="nginx", running=True, enabled=True)
    server.shell(
        name="nginx: check and reload", commands=["nginx -t -q", "systemctl reload nginx"], _if=site.did_change
    )


def _radius_clients(mfa: dict[str, Any]) -> list[dict[str, Any]]:
    def quoted(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"')

    return [{**c, "secret_value": quoted(_secret(c["secret"]) or "")} for c in mfa["radius_clients"]]


def _freeradius(mfa: dict[str, Any]) -> None:
    """FreeRADIUS with one site and one module: PAP, PIN+OTP checked by privacyIDEA; nothing else enabled."""
    removed = [files.link(name=f"FreeRADIUS: no {path}", path=f"{RADIUS}/{path}", present=False)
               for path in ("sites-enabled/default", "sites-enabled/inner-tunnel", "mods-enabled/eap")]  # fmt: skip
    changes = [
        files.template(name="FreeRADIUS: privacyIDEA module", src=str(TEMPLATES / "radius-rest.j2"),
                       dest=f"{RADIUS}/mods-enabled/ferme-privacyidea", group="freerad", mode="640",
                       port=mfa["port"], realm=mfa["realm"]),
        files.template(name="FreeRADIUS: site", src=str(TEMPLATES / "radius-site.j2"),
                       dest=f"{RADIUS}/sites-enabled/ferme-mfa", group="freerad", mode="640", realm=mfa["realm"]),
        files.template(name="FreeRADIUS: clients (one secret each)", src=str(TEMPLATES / "radius-clients.conf.j2"),
                       dest=f"{RADIUS}/clients.conf", group="freerad", mode="640", clients=_radius_clients(mfa)),
        *removed,
    ]  # fmt: skip
    systemd.service(name="FreeRADIUS enabled and running", service="freeradius", running=True, enabled=True)
    server.shell(name="FreeRADIUS: check and restart",
                 commands=["freeradius -C >/dev/null", "systemctl restart freeradius"],
                 _if=lambda: any(c.did_change() for c in changes))  # fmt: skip


@deploy("MFA (privacyIDEA + FreeRADIUS)")
def apply() -> None:
    """Converge privacyIDEA, its web console and FreeRADIUS from the plan's MFA state."""
    mfa: dict[str, Any] = host.data.ferme["state"]["mfa"]
    install = _install(mfa)
    _privacyidea(mfa, install)
    _nginx(mfa)
    _freeradius(mfa)
