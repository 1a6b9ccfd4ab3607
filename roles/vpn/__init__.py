"""VPN for teleworkers: OpenVPN (one process per instance), PIN+OTP through RADIUS, a site CA made once.

The CA and the server's key are made on the VPN host and never leave it; the client profile (`<site>.ovpn`:
the CA's certificate, the remotes, the ciphers, no secret) is assembled there and brought back to
`build/<site>/vpn/`. Each process has its slice of the pool and its share of the cap (`max-clients`).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.files import File
from pyinfra.facts.server import Command
from pyinfra.operations import files, server, systemd

from ferme.operations.inventory import planned_secret
from ferme.resources import templates

TEMPLATES = templates("vpn")
HOME = "/etc/openvpn/ferme"
PKI = f"{HOME}/pki"


def _secret(ref: dict[str, str] | None) -> str:
    return planned_secret(ref) or ""


def _pki(vpn: dict[str, Any]) -> None:
    """The site CA and the server's certificate (ECDSA P-384), made once; the CA's key stays on this host."""
    files.directory(name="VPN: PKI folder", path=PKI, mode="700")
    if not host.get_fact(File, path=f"{PKI}/ca.crt"):
        server.shell(
            name="VPN: the site CA (made once)",
            commands=[f"cd {PKI} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes "
                      f"-days 3650 -sha384 -subj '/CN=ferme VPN CA {vpn['site']}' -keyout ca.key -out ca.crt "
                      "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign "
                      "2>/dev/null && chmod 600 ca.key"],
        )  # fmt: skip
    subject = host.get_fact(Command, command=f"openssl x509 -in {PKI}/server.crt -noout -ext subjectAltName "
                            "2>/dev/null | tail -n +2 | tr -d ' ' || true")  # fmt: skip
    if subject != f"DNS:{vpn['fqdn']}":
        extensions = (f"basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
                      f"extendedKeyUsage=serverAuth\\nsubjectAltName=DNS:{vpn['fqdn']}\\n")  # fmt: skip
        server.shell(
            name=f"VPN: the server's certificate ({vpn['fqdn']}, signed by the site CA)",
            commands=[f"cd {PKI} && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes "
                      f"-subj '/CN={vpn['fqdn']}' -keyout server.key -out server.csr 2>/dev/null && "
                      f"printf '{extensions}' > server.ext && openssl x509 -req -sha384 -days 825 -in server.csr "
                      "-CA ca.crt -CAkey ca.key -CAcreateserial -extfile server.ext -out server.crt 2>/dev/null && "
                      "chmod 600 server.key && rm -f server.csr server.ext"],
        )  # fmt: skip


def _nas_address(vpn: dict[str, Any]) -> str:
    """This host's address toward the first MFA server (what FreeRADIUS sees it speak from)."""
    if not vpn["radius"]:
        return "127.0.0.1"
    target = ipaddress.IPv4Address(vpn["radius"][0]["address"])
    routing = host.data.ferme["state"]["routing"]
    for table in routing["tables"]:
        if table["subnet"] and target in ipaddress.IPv4Network(table["subnet"]):
            return str(table["leg_address"])
    default = next((t for t in routing["tables"] if t["zone"] == routing["default_zone"]), None)
    return str(default["leg_address"]) if default else "127.0.0.1"


def _instances(vpn: dict[str, Any]) -> list[Any]:
    """Each process's configuration and its RADIUS settings; what changed, per process."""
    routes = [{"network": str(n.network_address), "netmask": str(n.netmask)}
              for n in (ipaddress.IPv4Network(r) for r in vpn["routes"])]  # fmt: skip
    servers = [{**s, "secret_value": _secret(s["secret"])} for s in vpn["radius"]]
    changed = []
    for instance in vpn["instances"]:
        name = instance["name"]
        config = files.template(name=f"VPN {name}: configuration (port {instance['port']}, "
                                f"max {instance['max_clients']} clients)", src=str(TEMPLATES / "server.conf.j2"),
                                dest=f"{HOME}/{name}.conf", mode="640", vpn=vpn, instance=instance,
                                routes=routes)  # fmt: skip
        radius = files.template(name=f"VPN {name}: RADIUS (secret: root only)",
                                src=str(TEMPLATES / "radiusplugin.cnf.j2"), dest=f"{HOME}/radius-{name}.cnf",
                                mode="600", vpn=vpn, instance=instance, servers=servers,
                                nas_address=_nas_address(vpn))  # fmt: skip
        changed.append((name, config, radius))
    return changed


def _profile(vpn: dict[str, Any]) -> None:
    """The teleworkers' profile: assembled here with the CA's certificate, brought back to build/<site>/vpn/."""
    head = files.template(name="VPN: client profile (no secret)", src=str(TEMPLATES / "client.ovpn.j2"),
                          dest=f"{HOME}/client.ovpn.head", mode="644", vpn=vpn)  # fmt: skip
    profile = f"{HOME}/{vpn['site']}.ovpn"
    present = bool(host.get_fact(File, path=profile))
    server.shell(name="VPN: client profile with the site CA",
                 commands=[f"{{ cat {HOME}/client.ovpn.head {PKI}/ca.crt; echo '</ca>'; }} > {profile}.new && "
                           f"chmod 644 {profile}.new && mv {profile}.new {profile}"],
                 _if=lambda: head.did_change() or not present)  # fmt: skip
    build = host.data.get("ferme_build")
    if build:
        files.get(name=f"VPN: the profile to {build}/vpn/", src=profile, dest=f"{build}/vpn/{vpn['site']}.ovpn",
                  create_local_dir=True)  # fmt: skip


def _any_changed(*operations: Any) -> Any:
    return lambda: any(op.did_change() for op in operations)


@deploy("VPN for teleworkers")
def apply() -> None:
    """Converge OpenVPN (its processes, their RADIUS settings, the CA, the profile) from the plan's VPN state."""
    vpn: dict[str, Any] | None = host.data.ferme.get("state", {}).get("vpn")
    if vpn is None:  # wireguard: not built yet; sslvpn runs on an appliance (an artifact)
        return
    files.directory(name="VPN: configuration folder", path=HOME, mode="750")
    _pki(vpn)
    server.sysctl(name="VPN: forward the teleworkers' packets to the edge", key="net.ipv4.ip_forward", value=1,
                  persist=True, persist_file="/etc/sysctl.d/60-ferme-vpn.conf")  # fmt: skip
    unit = files.template(name="VPN: service unit (one process per instance)",
                          src=str(TEMPLATES / "ferme-openvpn@.service.j2"),
                          dest="/etc/systemd/system/ferme-openvpn@.service")  # fmt: skip
    systemd.daemon_reload(name="VPN: reload units", _if=unit.did_change)
    systemd.service(name="VPN: Debian's own instance off", service="openvpn", running=False, enabled=False)
    wanted = {i["name"] for i in vpn["instances"]}
    running = host.get_fact(Command, command="systemctl list-units --plain --no-legend 'ferme-openvpn@*' "
                            "| awk '{print $1}' || true") or ""  # fmt: skip
    for unit_name in running.split():
        name = unit_name.removeprefix("ferme-openvpn@").removesuffix(".service")
        if name not in wanted:  # fewer processes than before: the extra ones stop
            systemd.service(name=f"VPN {name}: no longer planned", service=unit_name, running=False, enabled=False)
    for name, config, radius in _instances(vpn):
        service = f"ferme-openvpn@{name}"
        systemd.service(name=f"VPN {name}: enabled and running", service=service, running=True, enabled=True)
        systemd.service(name=f"VPN {name}: restart", service=service, restarted=True,
                        _if=_any_changed(config, radius, unit))  # fmt: skip
    _profile(vpn)
