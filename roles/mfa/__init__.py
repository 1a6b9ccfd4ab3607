"""MFA: privacyIDEA (its own venv, gunicorn, nginx with TLS) and FreeRADIUS in front of it.

Keys privacyIDEA needs (SECRET_KEY, pepper, the encryption key, the audit keys, the TLS key) are made once on
the host and kept: they never leave it. Users, realm, policies and tokens are converged by
`ferme_privacyidea.py` (files/) from a desired state that holds the secrets' values, root-only on the host.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.files import File
from pyinfra.facts.server import Command
from pyinfra.operations import files, server, systemd

from ferme.operations.inventory import planned_secret
from ferme.operations.services import stale
from ferme.operations.venv import pinned_venv
from ferme.resources import templates

TEMPLATES = templates("mfa")
FILES = Path(__file__).resolve().parent / "files"
VENV = "/opt/privacyidea"
STATE = "/etc/privacyidea/ferme-state.json"
CONVERGER = "/usr/local/lib/ferme/ferme_privacyidea.py"
AS_PRIVACYIDEA = f"runuser -u privacyidea -- env PRIVACYIDEA_CONFIGFILE=/etc/privacyidea/pi.cfg {VENV}/bin/"
RADIUS = "/etc/freeradius/3.0"
SETTINGS = ("/etc/privacyidea/pi.cfg", "/etc/privacyidea/secret_key", "/etc/privacyidea/pepper",
            "/etc/privacyidea/database_password", "/var/lib/privacyidea/enckey")  # fmt: skip
TABLES_MADE = "/var/lib/privacyidea/.tables-made"  # the SQLite file exists before its tables do
POSTGRESQL = "postgresql@15-main"  # Debian 12's cluster (the `postgresql` unit only starts it and exits)


def converger(action: str, *args: str) -> str:
    """The command that runs the converger on the host (as privacyidea, in its venv)."""
    return " ".join([f"{AS_PRIVACYIDEA}python {CONVERGER} {action} {STATE}", *args])


def _secret(ref: dict[str, str] | None) -> str | None:
    return planned_secret(ref)


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
    return pinned_venv(
        "privacyIDEA", VENV, FILES / "privacyidea-requirements.txt", "privacyIDEA", mfa["version"], mfa["pip"]
    )


def _waiting(command: str, mfa: dict[str, Any]) -> str:
    """With a shared database, `command` tried for 2 minutes while the database does not answer; the last try's
    output is shown if it still fails."""
    if mfa["database"]["kind"] == "sqlite":
        return command
    plain = command.replace(" >/dev/null 2>&1", "")
    return f"( for i in $(seq 60); do {command} && exit 0; sleep 2; done; {plain} )"


def _tables_made(database: dict[str, Any]) -> str:
    """The marker of the tables made in this database (another database, after a move to PostgreSQL: made again)."""
    if database["kind"] == "sqlite":
        return TABLES_MADE
    return f"{TABLES_MADE}-postgresql-{database['address']}-{database['port']}-{database['name']}"


def derived(shared: str, purpose: str, size: int = 32) -> bytes:
    """A key several MFA servers agree on without exchanging it: HMAC-SHA256 of the shared key, per purpose."""
    out = b""
    while len(out) < size:
        out += hmac.new(shared.encode(), f"ferme-privacyidea/{purpose}/{len(out)}".encode(), hashlib.sha256).digest()
    return out[:size]


def _shared_keys(shared: str) -> None:
    """Servers sharing a database: the same session key, pepper (admin password hashes) and encryption key."""
    for name in ("secret_key", "pepper"):
        files.put(name=f"privacyIDEA: {name} (from the shared key)", src=StringIO(derived(shared, name).hex()),
                  dest=f"/etc/privacyidea/{name}", group="privacyidea", mode="640")  # fmt: skip
    files.put(name="privacyIDEA: encryption key (from the shared key)", src=BytesIO(derived(shared, "enckey", 96)),
              dest="/var/lib/privacyidea/enckey", user="privacyidea", group="privacyidea", mode="400")  # fmt: skip


def _keys(mfa: dict[str, Any]) -> None:
    """Made once, kept: the server's own secrets, privacyIDEA's encryption and audit keys, the database, TLS.

    Whether each exists is read before anything runs (an earlier step may create a file a later one tests)."""
    shared = _secret(mfa.get("shared_key"))
    if shared:
        _shared_keys(shared)
    for name in () if shared else ("secret_key", "pepper"):
        path = f"/etc/privacyidea/{name}"
        if _absent(path):
            server.shell(name=f"privacyIDEA: {name} (made once)",
                         commands=[f"umask 027 && openssl rand -hex 32 > {path}.new && chgrp privacyidea {path}.new "
                                   f"&& mv {path}.new {path}"])  # fmt: skip
    manage = f"{AS_PRIVACYIDEA}pi-manage"
    made = [("/var/lib/privacyidea/audit-private.pem", "setup create_audit_keys")]
    made = ([] if shared else [("/var/lib/privacyidea/enckey", "setup create_enckey")]) + made
    tables = _tables_made(mfa["database"])
    made += [(tables, "setup create_tables")] if mfa["primary"] else []  # a shared database: by one server
    for path, command in made:
        if _absent(path):
            done = f" && touch {tables}" if path == tables else ""
            # pi-manage opens the database: a shared one may be coming up on another host in the same run.
            server.shell(name=f"privacyIDEA: {command.split()[-1]} (once)",
                         commands=[f"{_waiting(f'{manage} {command} >/dev/null 2>&1', mfa)}{done}"])  # fmt: skip
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


def _postgresql(database: dict[str, Any]) -> list[Any]:
    """On the host that holds it: PostgreSQL listening for the other MFA servers, the role and the database."""
    if not database.get("serves"):
        return []
    conf = "/etc/postgresql/15/main"  # Debian 12's PostgreSQL
    settings = f"# Managed by ferme (role mfa)\nlisten_addresses = 'localhost,{database['listen']}'\n"
    listen = files.put(name="PostgreSQL: listen for the MFA servers", src=StringIO(settings),
                       dest=f"{conf}/conf.d/ferme.conf", mode="644")  # fmt: skip
    rules = "".join(f"host {database['name']} {database['user']} {a}/32 scram-sha-256\n"
                    for a in ["127.0.0.1", *database["clients"]])  # fmt: skip
    access = files.block(name="PostgreSQL: who may connect (the MFA servers only)", path=f"{conf}/pg_hba.conf",
                         content=rules.rstrip("\n"), marker="# {mark} ferme: the privacyIDEA servers")  # fmt: skip
    systemd.service(name="PostgreSQL enabled and running", service=POSTGRESQL, running=True, enabled=True)
    systemd.service(name="PostgreSQL: restart", service=POSTGRESQL, restarted=True,
                    _if=lambda: listen.did_change() or access.did_change())  # fmt: skip
    password = (_secret(database["password"]) or "").replace("'", "''")
    sql = (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{database['user']}') THEN "
           f"CREATE ROLE \"{database['user']}\" LOGIN; END IF; END $$;\n"
           f"ALTER ROLE \"{database['user']}\" WITH LOGIN PASSWORD '{password}';\n"
           f"SELECT 'CREATE DATABASE \"{database['name']}\" OWNER \"{database['user']}\"' WHERE NOT EXISTS "
           f"(SELECT FROM pg_database WHERE datname = '{database['name']}')\\gexec\n")  # fmt: skip
    script = files.put(name="PostgreSQL: privacyIDEA's role and database (password: root only)", src=StringIO(sql),
                       dest="/etc/privacyidea/database.sql", mode="600")  # fmt: skip
    created = server.shell(name="PostgreSQL: create or update privacyIDEA's role and database",
                           commands=["runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 "
                                     "< /etc/privacyidea/database.sql"],
                           _if=script.did_change)  # fmt: skip
    return [created]


def _privacyidea(mfa: dict[str, Any], install: Any) -> None:
    database = mfa["database"]
    password = files.put(name="privacyIDEA: its database password", group="privacyidea", mode="640",
                         src=StringIO((_secret(database.get("password")) or "") + "\n"),
                         dest="/etc/privacyidea/database_password")  # fmt: skip
    config = files.template(name="privacyIDEA: pi.cfg", src=str(TEMPLATES / "pi.cfg.j2"),
                            dest="/etc/privacyidea/pi.cfg", group="privacyidea", mode="640", version=mfa["version"],
                            database=database)  # fmt: skip
    _postgresql(database)
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
    if mfa["primary"]:  # a shared database: one server converges it, the others read it
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
    # Also when a run stopped before restarting it: the service must not run on files older than its settings.
    restart_due = stale("privacyidea", SETTINGS)
    systemd.service(name="privacyIDEA: restart", service="privacyidea", restarted=True,
                    _if=lambda: restart_due or config.did_change() or unit.did_change() or install.did_change()
                    or password.did_change())  # fmt: skip


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
