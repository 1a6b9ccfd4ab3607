"""Role collab: Plone, its ZODB server and nginx run; TLS serves the site's name; every library of the plan is
there with exactly the planned access; versions are kept; the nightly backup is scheduled and recent."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from ferme.roles.collab import STATE, converger

pytestmark = pytest.mark.role("collab")
BACKUP_MAX_AGE_HOURS = 26  # nightly, with an hour's slack for a long one


def _collab(planned: dict[str, Any]) -> dict[str, Any]:
    return planned["state"]["collab"]  # type: ignore[no-any-return]


def test_services_run(linux_host: Any) -> None:
    for name in ("plone-zeo", "plone", "nginx", "ferme-collab-backup.timer"):
        service = linux_host.service(name)
        assert service.is_running and service.is_enabled, name


def test_listening(linux_host: Any, planned: dict[str, Any]) -> None:
    assert linux_host.socket("tcp://0.0.0.0:443").is_listening
    assert linux_host.socket("tcp://0.0.0.0:80").is_listening  # the CRL, and a redirect to HTTPS
    for port in (_collab(planned)["port"], _collab(planned)["zeo_port"]):  # Plone and ZEO: loopback only
        assert linux_host.socket(f"tcp://127.0.0.1:{port}").is_listening, port
        assert not linux_host.socket(f"tcp://0.0.0.0:{port}").is_listening, port


def test_tls_serves_the_sites_name(linux_host: Any, planned: dict[str, Any]) -> None:
    fqdn = _collab(planned)["fqdn"]
    served = linux_host.check_output(
        f"openssl s_client -connect 127.0.0.1:443 -servername {fqdn} </dev/null 2>/dev/null | "
        "openssl x509 -noout -checkend 86400 -ext subjectAltName"
    )
    assert f"DNS:{fqdn}" in served and "will not expire" in served, served


def test_the_site_cas_revocation_list_is_published(linux_host: Any, planned: dict[str, Any]) -> None:
    collab = _collab(planned)
    if collab["tls"]["certificate"]:
        pytest.skip("the site's own certificate: its CA publishes its revocation list")
    served = linux_host.run(f"curl -sf -H 'Host: {collab['fqdn']}' http://127.0.0.1/crl/ferme-ca.crl | "
                            "openssl crl -inform DER -noout -nextupdate")  # fmt: skip
    assert served.rc == 0 and served.stdout.startswith("nextUpdate="), served.stderr


def test_secrets_are_private(linux_host: Any) -> None:
    for path in (STATE, "/etc/plone/tls/server.key"):
        assert linux_host.file(path).mode & 0o077 == 0, path


def _status(linux_host: Any) -> dict[str, Any]:
    return json.loads(linux_host.check_output(f"{converger('status', STATE)} 2>/dev/null"))  # type: ignore[no-any-return]


def test_libraries_and_their_access_as_planned(linux_host: Any, planned: dict[str, Any]) -> None:
    status = _status(linux_host)
    assert status["site"], "the Plone site does not exist"
    for library in _collab(planned)["libraries"]:
        found = status["libraries"].get(library["name"])
        assert found is not None, f"library {library['name']} is missing"
        assert found["state"] == "private" and found["blocked"], f"{library['name']}: access inherited from the site"
        groups = {p: set(r) for p, r in found["roles"].items() if p in _collab(planned)["groups"]}
        wanted = {g: {"Reader"} for g in library["readers"]}
        wanted.update({g: {"Contributor", "Editor", "Reader"} for g in library["editors"]})
        assert groups == wanted, f"{library['name']}: {groups} instead of {wanted}"
        webdav = found["permissions"]["WebDAV access"]
        assert "Authenticated" not in webdav and "(acquired)" not in webdav, f"{library['name']}: WebDAV {webdav}"


def test_versions_are_kept(linux_host: Any, planned: dict[str, Any]) -> None:
    status = _status(linux_host)
    assert {"File", "Document"} <= set(status["versioned"])
    assert status["versions"] == (_collab(planned)["versions"] or -1)


def test_last_backup_is_recent(linux_host: Any, planned: dict[str, Any]) -> None:
    folder = _collab(planned)["backup"]["folder"]
    stamp = linux_host.file(f"{folder}/last-success")
    assert stamp.exists, f"no backup has succeeded yet ({folder}/last-success)"
    age = (time.time() - stamp.mtime.timestamp()) / 3600
    assert age < BACKUP_MAX_AGE_HOURS, f"the last backup is {age:.0f} hours old"
    assert linux_host.check_output("/usr/local/sbin/ferme-collab-restore list | wc -l") != "0"
