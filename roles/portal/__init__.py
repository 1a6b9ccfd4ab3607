"""OTP pre-authentication portal: nginx (TLS, auth_request) in front of RD Web and the RD gateway, and a small
cookie checker (files/ferme_portal.py) that asks privacyIDEA for the PIN+code and signs the session cookie.

The signing key and the TLS key are made once on the host and never leave it. Each MFA server's certificate is
read the first time the portal asks it, and pinned: the portal then accepts exactly that certificate.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.files import File
from pyinfra.operations import files, server, systemd

from ferme.resources import templates

TEMPLATES = templates("portal")
FILES = Path(__file__).resolve().parent / "files"
HOME = "/etc/ferme-portal"
SCRIPT = "/usr/local/lib/ferme/ferme_portal.py"
PINS = "/var/lib/ferme-portal/pins"  # each MFA server's certificate as first seen (the service pins it)


def _config(portal: dict[str, Any]) -> str:
    return json.dumps({
        "realm": portal["realm"], "privacyidea": portal["privacyidea"], "pins": PINS,
        "session_hours": portal["session_hours"], "idle_minutes": portal["idle_minutes"], "port": portal["port"],
        "cookie": portal["cookie"], "title": portal["title"], "key_file": f"{HOME}/signing.key",
    }, indent=1, sort_keys=True) + "\n"  # fmt: skip


def _made_once(portal: dict[str, Any]) -> None:
    """The signing key and the TLS certificate (self-signed: replace with the site's); where pins are kept."""
    if not host.get_fact(File, path=f"{HOME}/signing.key"):
        server.shell(name="Portal: cookie signing key (made once)",
                     commands=[f"umask 077 && openssl rand -hex 32 > {HOME}/signing.key.new && "
                               f"chown ferme-portal: {HOME}/signing.key.new && "
                               f"mv {HOME}/signing.key.new {HOME}/signing.key"])  # fmt: skip
    files.directory(name="Portal: TLS folder", path=f"{HOME}/tls", mode="700")
    if not host.get_fact(File, path=f"{HOME}/tls/server.crt"):
        fqdn = portal["fqdn"]
        server.shell(
            name=f"Portal: TLS certificate for {fqdn} (self-signed, made once; replace with the site's)",
            commands=[f"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -days 825 -nodes "
                      f"-subj '/CN={fqdn}' -addext 'subjectAltName=DNS:{fqdn}' -keyout {HOME}/tls/server.key "
                      f"-out {HOME}/tls/server.crt 2>/dev/null && chmod 600 {HOME}/tls/server.key"],
        )  # fmt: skip
    files.directory(name="Portal: the MFA servers' pinned certificates", path=PINS, user="ferme-portal",
                    group="ferme-portal", mode="700")  # fmt: skip


@deploy("OTP pre-authentication portal")
def apply() -> None:
    """Converge the portal: its service, its configuration, nginx in front."""
    portal: dict[str, Any] | None = host.data.ferme.get("state", {}).get("portal")
    if portal is None:
        return
    server.user(name="Portal: system user", user="ferme-portal", system=True, home="/nonexistent",
                shell="/usr/sbin/nologin", create_home=False)  # fmt: skip
    files.directory(name="Portal: configuration folder", path=HOME, group="ferme-portal", mode="750")
    files.directory(name="Portal: state folder", path="/var/lib/ferme-portal", user="ferme-portal",
                    group="ferme-portal", mode="700")  # fmt: skip
    files.directory(name="ferme: helpers", path="/usr/local/lib/ferme", mode="755")
    _made_once(portal)
    script = files.put(name="Portal: the cookie checker", src=str(FILES / "ferme_portal.py"), dest=SCRIPT, mode="755")
    config = files.put(name="Portal: settings", src=StringIO(_config(portal)), dest=f"{HOME}/config.json",
                       group="ferme-portal", mode="640")  # fmt: skip
    unit = files.template(name="Portal: service unit", src=str(TEMPLATES / "ferme-portal.service.j2"),
                          dest="/etc/systemd/system/ferme-portal.service")  # fmt: skip
    systemd.daemon_reload(name="Portal: reload units", _if=unit.did_change)
    systemd.service(name="Portal: enabled and running", service="ferme-portal", running=True, enabled=True)
    systemd.service(name="Portal: restart", service="ferme-portal", restarted=True,
                    _if=lambda: script.did_change() or config.did_change() or unit.did_change())  # fmt: skip
    files.link(name="nginx: no default site", path="/etc/nginx/sites-enabled/default", present=False)
    site = files.template(name=f"nginx: the portal for {portal['fqdn']}", src=str(TEMPLATES / "nginx.conf.j2"),
                          dest="/etc/nginx/sites-enabled/ferme-portal.conf", portal=portal)  # fmt: skip
    systemd.service(name="nginx enabled and running", service="nginx", running=True, enabled=True)
    server.shell(name="nginx: check and reload", commands=["nginx -t -q", "systemctl reload nginx"],
                 _if=site.did_change)  # fmt: skip
