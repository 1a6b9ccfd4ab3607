"""A stand-in for the site's directory: OpenLDAP (slapd) over LDAPS in a namespace holding a domain controller's
address, with agents and groups as the test gives them. Removed on exit (process, namespace, files)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ferme.lab.topology import build_topology
from tests.lab.standin import stand_in

CONF = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile {folder}/server.crt
TLSCertificateKeyFile {folder}/server.key
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
directory {folder}/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
"""


def _ldif(suffix: str, accounts: dict[str, tuple[str, list[str]]], service: tuple[str, str]) -> str:
    """The base, the service account, the agents (login → (password, groups)) and their groups."""
    top = suffix.split(",")[0].split("=")[1]
    parts = [f"dn: {suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: {top}\no: {top}\n",
             f"dn: ou=Agents,{suffix}\nobjectClass: organizationalUnit\nou: Agents\n",
             f"dn: {service[0]}\nobjectClass: inetOrgPerson\ncn: svc-plone\nsn: svc-plone\n"
             f"userPassword: {service[1]}\n"]  # fmt: skip
    groups: dict[str, list[str]] = {}
    for login, (password, member_of) in accounts.items():
        dn = f"uid={login},ou=Agents,{suffix}"
        parts.append(f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: {login}\ncn: {login}\nsn: {login}\n"
                     f"displayName: Agent {login}\nmail: {login}@example.test\nuserPassword: {password}\n")  # fmt: skip
        for group in member_of:
            groups.setdefault(group, []).append(dn)
    for group, members in sorted(groups.items()):
        parts.append(f"dn: cn={group},ou=Agents,{suffix}\nobjectClass: groupOfNames\ncn: {group}\n"
                     + "".join(f"member: {m}\n" for m in members))  # fmt: skip
    return "\n".join(parts)


@contextmanager
def slapd(plan: dict[str, Any], netns: str, zone: str, address: str, suffix: str, tls: tuple[str, str],
          accounts: dict[str, tuple[str, list[str]]], service: tuple[str, str]) -> Iterator[None]:  # fmt: skip
    """slapd answering LDAPS on `address` (a leg in `zone`), with the certificate and key `tls` (PEM)."""
    folder = Path(tempfile.mkdtemp(prefix="ferme-slapd-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        (folder / "db").mkdir()
        (folder / "server.crt").write_text(tls[0])
        (folder / "server.key").write_text(tls[1])
        (folder / "server.key").chmod(0o600)
        conf = folder / "slapd.conf"
        conf.write_text(CONF.format(folder=folder, suffix=suffix))
        (folder / "data.ldif").write_text(_ldif(suffix, accounts, service))
        subprocess.run(["slapadd", "-f", str(conf), "-l", str(folder / "data.ldif")], check=True, capture_output=True)
        stand_in(plan, build_topology(plan), netns, {zone: address}, plan["zones"][zone]["gateway"])
        process = subprocess.Popen(["ip", "netns", "exec", netns, "slapd", "-f", str(conf), "-h",
                                    f"ldaps://{address}:636/", "-d", "0"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            probe = subprocess.run(["ip", "netns", "exec", netns, "python3", "-c",
                                    f"import socket; socket.create_connection(('{address}', 636), 1)"],
                                   capture_output=True, check=False)  # fmt: skip
            if probe.returncode == 0:
                break
            if process.poll() is not None:
                raise AssertionError(f"slapd stopped: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.2)
        yield
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        subprocess.run(["ip", "netns", "delete", netns], check=False)
        shutil.rmtree(folder, ignore_errors=True)
