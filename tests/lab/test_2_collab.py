"""The collaboration server in the lab, from real clients on a workstation of the users' zone.

The workstation resolves the inventory's names and trusts ferme's site CA (tests/lab/standin.py): curl, litmus
and testssl.sh check the certificate as on a site. agent.demo (GG-Pilote) edits the `pilote` library and reads
`documents`; agent.tous (GG-Agents) edits `documents`; nobody of the lab's accounts may open `rh`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferme.plan import build_plan
from ferme.site import load_site
from ferme.site.ca import server_certificate
from ferme.site.secrets import secret_value
from tests.lab.conftest import LAB_ID, ferme, report, ssh
from tests.lab.directory import slapd
from tests.lab.standin import Workstation, client

FQDN = "partage.lab.ferme.test"  # the lab test renames the site, not its names
COLLAB = "198.19.1.20"  # lab-collab's DMZ leg
COLLAB_MGMT = "198.19.7.21"
BASE = f"https://{FQDN}"
NETNS = f"{LAB_ID}-pr-collab"
# What Zope's WebDAV does not do as RFC 4918 says (README, "Collaboration server"): litmus reports these, and
# only these may fail.
KNOWN_LITMUS_FAILURES = {
    "locks": {"fail_cond_put", "cond_put_corrupt_token", "fail_complex_cond_put", "fail_cond_put_unlocked",
              "lock_shared", "notowner_modify"},
}  # fmt: skip


@pytest.fixture(scope="module")
def station(inventory: Path) -> Iterator[Workstation]:
    ferme("apply", str(inventory), "--limit", "lab-fw,lab-collab")
    plan = build_plan(load_site(inventory, with_secrets=False))
    ca = inventory / "certificats" / "ferme-ca.crt"
    assert ca.exists(), "ferme apply issues the collaboration server's certificate from the site CA"
    with client(plan, "users", NETNS, {FQDN: COLLAB}, ca):
        yield Workstation(NETNS, inventory, BASE)


def test_rest_and_webdav_uploads_and_three_versions(station: Workstation) -> None:
    body = json.dumps({"@type": "File", "id": "budget.txt", "title": "budget.txt",
                       "file": {"data": "version 1", "encoding": "utf8", "filename": "budget.txt",
                                "content-type": "text/plain"}})  # fmt: skip
    code, answer = station.curl("agent.demo", "POST", "/pilote", "-H", "Accept: application/json",
                                "-H", "Content-Type: application/json", data=body)  # fmt: skip
    assert code == 201, answer[:500]
    for text in ("version 2", "version 3"):  # an office suite saving twice over WebDAV
        code, answer = station.curl("agent.demo", "PUT", "/pilote/budget.txt", "-H", "Content-Type: text/plain",
                                    data=text)  # fmt: skip
        assert code == 204, answer[:500]
    assert station.versions("agent.demo", "/pilote/budget.txt") == [0, 1, 2]
    assert station.curl("agent.demo", "GET", "/pilote/budget.txt") == (200, "version 3")
    code, _ = station.curl("agent.demo", "PUT", "/pilote/compte-rendu.odt", "-H",
                           "Content-Type: application/vnd.oasis.opendocument.text", data="PK odt")  # fmt: skip
    assert code == 201
    code, listing = station.curl("agent.demo", "PROPFIND", "/pilote/", "-H", "Depth: 1")
    assert code == 207 and "budget.txt" in listing and "compte-rendu.odt" in listing


def test_other_services_are_refused_as_each_library_says(station: Workstation) -> None:
    code, _ = station.curl("agent.tous", "PUT", "/documents/note.txt", "-H", "Content-Type: text/plain", data="tous")
    assert code == 201, "an editor of `documents` adds to it"
    # agent.tous is not in GG-Pilote: neither read nor write in `pilote`, by browser, REST or WebDAV.
    assert station.curl("agent.tous", "GET", "/pilote/budget.txt", "-H", "Accept: application/json")[0] == 401
    assert station.curl("agent.tous", "PROPFIND", "/pilote/", "-H", "Depth: 1")[0] in (401, 403)
    assert station.curl("agent.tous", "PUT", "/pilote/intrus.txt", data="x")[0] in (401, 403)
    # agent.demo reads `documents` (GG-Pilote are its readers) but may not change it.
    assert station.curl("agent.demo", "GET", "/documents/note.txt") == (200, "tous")
    assert station.curl("agent.demo", "PUT", "/documents/note.txt", data="changed")[0] in (401, 403)
    assert station.curl("agent.demo", "DELETE", "/documents/note.txt")[0] in (401, 403)
    # Nobody of the lab's accounts is in GG-RH.
    assert station.curl("agent.demo", "PROPFIND", "/rh/", "-H", "Depth: 1")[0] in (401, 403)
    # And without an account, nothing of a library shows.
    anonymous = station.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Accept: application/json",
                            f"{BASE}/pilote/budget.txt").stdout  # fmt: skip
    assert anonymous == "401"


def _litmus(station: Workstation) -> dict[str, set[str]]:
    result = station.run("env", "TESTS=basic copymove props locks", "litmus", "-k", f"{BASE}/pilote/",
                         "agent.demo", station.passwords["agent.demo"], timeout=300)  # fmt: skip
    failures: dict[str, set[str]] = {}
    suite = ""
    for line in result.stdout.splitlines():
        started = re.match(r"-> running `(\w+)'", line)
        if started:
            suite = started.group(1)
            failures.setdefault(suite, set())
        failed = re.match(r"\s*\d+\.\s+(\w+)\.*\s+FAIL", line)
        if failed:
            failures[suite].add(failed.group(1))
    assert set(failures) == {"basic", "copymove", "props", "locks"}, result.stdout[-3000:]
    return failures


def test_litmus_passes_but_the_documented_cases(station: Workstation) -> None:
    failures = _litmus(station)
    print("\nlitmus failures:", {s: sorted(f) for s, f in failures.items() if f})
    unexpected = {s: f - KNOWN_LITMUS_FAILURES.get(s, set()) for s, f in failures.items()}
    assert not any(unexpected.values()), unexpected


def test_backup_delete_restore_brings_the_document_and_its_versions_back(inventory: Path,
                                                                         station: Workstation) -> None:  # fmt: skip
    before = station.versions("agent.demo", "/pilote/budget.txt")
    taken = ferme("collab", "backup", str(inventory))
    assert "backup:" in taken.stdout, taken.stdout + taken.stderr
    assert station.curl("agent.demo", "DELETE", "/pilote/budget.txt")[0] == 204
    assert station.curl("agent.demo", "GET", "/pilote/budget.txt", "-H", "Accept: application/json")[0] == 404
    listed = ferme("collab", "backups", str(inventory)).stdout.split()
    assert listed, "the backup just taken is listed"
    refused = ferme("collab", "restore", str(inventory), "--from", "yesterday", "--yes", check=False)
    assert refused.returncode == 2 and "expected YYYY-MM-DD" in refused.stderr
    started = time.monotonic()
    restored = ferme("collab", "restore", str(inventory), "--from", time.strftime("%Y-%m-%d", time.gmtime()), "--yes")
    print(f"\nrestore: {time.monotonic() - started:.1f} s")
    assert f"restored backup {listed[-1]}" in restored.stdout, restored.stdout + restored.stderr
    assert station.curl("agent.demo", "GET", "/pilote/budget.txt") == (200, "version 3")
    assert station.versions("agent.demo", "/pilote/budget.txt") == before
    # What the restore replaced is kept aside on the host, not deleted.
    aside = ssh(COLLAB_MGMT, "ls -d /var/lib/plone/before-restore-*").stdout.split()
    assert aside, "the replaced data is kept"


def test_testssl_finds_nothing_high_or_critical(inventory: Path, station: Workstation) -> None:
    """testssl.sh trusts the site CA as the workstations do (`--add-ca`); no DNS in the lab (`--nodns none`)."""
    out = Path(f"/tmp/{LAB_ID}-testssl.json")
    out.unlink(missing_ok=True)
    started = time.monotonic()
    result = station.run("testssl", "--quiet", "--warnings", "off", "--color", "0", "--fast", "--nodns", "none",
                         "--add-ca", str(inventory / "certificats" / "ferme-ca.crt"), "--jsonfile", str(out),
                         "--severity", "HIGH", "--ip", COLLAB, f"{BASE}/", timeout=600)  # fmt: skip
    print(f"\ntestssl.sh: {time.monotonic() - started:.0f} s")
    assert out.exists(), result.stdout[-3000:] + result.stderr[-2000:]
    findings = [f for f in json.loads(out.read_text()) if f.get("severity") in ("HIGH", "CRITICAL")]
    out.unlink()
    assert not findings, [(f["id"], f["finding"]) for f in findings]


def test_second_apply_changes_nothing_and_verify_passes(inventory: Path, station: Workstation,
                                                        tmp_path: Path) -> None:  # fmt: skip
    started = time.monotonic()
    result = ferme("apply", str(inventory), "--limit", "lab-collab", "--report", str(tmp_path / "apply.json"))
    print(f"\nno-op apply of lab-collab: {time.monotonic() - started:.1f} s")
    hosts: dict[str, Any] = report(tmp_path / "apply.json")
    assert hosts["lab-collab"]["changed"] == 0, hosts["lab-collab"]["changed_operations"]
    verified = ferme("verify", str(inventory), "--limit", "lab-collab", "--junit", str(tmp_path / "verify.xml"))
    assert "verify passed" in verified.stdout, verified.stdout
    assert "test_libraries_and_their_access_as_planned[lab-collab]" in (tmp_path / "verify.xml").read_text()
    values = [secret_value(n, inventory) for n in ("collab_admin", "collab_agent_demo", "collab_agent_tous")]
    journal = ssh(COLLAB_MGMT, "journalctl --no-pager; cat /var/log/nginx/*.log").stdout
    for value in values:
        assert value and value not in result.stdout + result.stderr and value not in journal


def test_agents_sign_in_with_their_directory_account(inventory: Path, station: Workstation) -> None:
    """`collab.users: directory`: a stand-in directory (slapd, LDAPS, certificate from the site CA) holds the
    domain controller's address; the agents sign in with their directory account and their directory groups
    open the libraries. The copy of the inventory goes back to local accounts afterwards."""
    plan = build_plan(load_site(inventory, with_secrets=False))
    dc = plan["hosts"]["lab-dc01"]
    fqdn = f"lab-dc01.{plan['site']['domain']}"
    suffix = ",".join(f"dc={p}" for p in plan["site"]["domain"].split("."))
    passwords = {"agent.annuaire": secrets.token_urlsafe(12), "agent.autre": secrets.token_urlsafe(12)}
    service = (f"cn=svc-plone,{suffix}", secrets.token_urlsafe(16))
    accounts = {"agent.annuaire": (passwords["agent.annuaire"], ["GG-Pilote"]),
                "agent.autre": (passwords["agent.autre"], ["GG-Agents"])}  # fmt: skip
    services = inventory / "services.yml"
    original = services.read_text()
    start, end = original.index("  users: local"), original.index("  libraries:")
    directory = (
        f'  users: directory\n  directory: {{bind_dn: "{service[0]}", bind_password: !secret collab_directory,\n'
        '    login_attribute: uid, user_filter: "(&(objectClass=inetOrgPerson)(uid={login}))",\n'
        '    group_filter: "(&(objectClass=groupOfNames)(member={dn}))", ca: certificats/ferme-ca.crt}\n'
    )
    os.environ["FERME_SECRET_COLLAB_DIRECTORY"] = service[1]
    tls = server_certificate(inventory, fqdn, plan["site"]["label"])
    hosts_line = f"{dc['addresses']['servers']} {fqdn}"
    try:
        with slapd(plan, f"{LAB_ID}-si-dc01", "servers", dc["addresses"]["servers"], suffix, tls, accounts, service):
            services.write_text(original[:start] + directory + original[end:])
            # The site's DNS (its domain controllers) is not in the lab: the collaboration host is told the name.
            ssh(COLLAB_MGMT, f"echo '{hosts_line}' >> /etc/hosts")
            ferme("apply", str(inventory), "--limit", "lab-collab")
            station.passwords.update(passwords)
            assert station.curl("agent.annuaire", "PUT", "/pilote/annuaire.txt", data="depuis l'annuaire")[0] == 201
            assert station.curl("agent.annuaire", "GET", "/pilote/annuaire.txt") == (200, "depuis l'annuaire")
            assert (
                station.curl("agent.autre", "GET", "/pilote/annuaire.txt", "-H", "Accept: application/json")[0] == 401
            )
            assert station.curl("agent.autre", "PUT", "/documents/autre.txt", data="GG-Agents")[0] == 201
            station.passwords["agent.annuaire"] = "not-the-password"
            wrong = station.curl("agent.annuaire", "GET", "/pilote/annuaire.txt", "-H", "Accept: application/json")
            assert wrong[0] == 401, wrong
            settings = ssh(COLLAB_MGMT, "stat -c '%a %U %G' /etc/plone/directory.json").stdout.split()
            assert settings == ["640", "root", "plone"], settings
    finally:
        services.write_text(original)
        os.environ.pop("FERME_SECRET_COLLAB_DIRECTORY", None)
        ssh(COLLAB_MGMT, f"sed -i '/ {fqdn}$/d' /etc/hosts")
        ferme("apply", str(inventory), "--limit", "lab-collab")
    assert ssh(COLLAB_MGMT, "test -e /etc/plone/directory.json").returncode == 1, "local accounts again"
