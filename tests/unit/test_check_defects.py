"""Defects a real site hits first (issue 9): each reproduced on a copy of an example, each must be one clear line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_broken_inventories import LINE, _break


def _problems(result) -> list[str]:
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert lines[-1].endswith("nothing changed")
    assert all(LINE.match(line) for line in lines[:-1]), lines
    return lines[:-1]


# --- floods: one mistake, one line ---------------------------------------------------------------


def test_zone_removed_under_anchors_is_reported_once_per_place(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "network.yml", "  - {name: users-sites, kind: users, vlan: 24, subnet: 10.20.24.0/22, "
           "gateway: 10.20.24.1}\n", "")  # fmt: skip
    _break(folder, "hosts.yml", "users-sites: 10.20.24.1, ", "")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    # Each place that names the zone, once: the two anchors' ports and the core switch's trunks.
    assert len(problems) == len(set(problems)), problems
    assert len(problems) <= 8, problems
    assert all("unknown zone 'users-sites'" in line for line in problems), problems


def test_huge_range_is_one_error(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "hosts.yml", "rdsh[01:40]:", "rdsh[01:99999]:")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert len(problems) == 1, problems[:5]
    assert "hosts.rdsh[01:99999]" in problems[0] and "99999 names is too large" in problems[0]


def test_range_running_out_of_its_zone_is_one_error(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "hosts.yml", "rdsh[01:40]:", "rdsh[01:200]:")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    # One line per written block (rds and mgmt both run out), not one per host.
    assert len(problems) == 2, problems
    assert all("hosts.rdsh[01:200].addresses." in line for line in problems), problems
    assert any("do not fit in zone 'rds'" in line for line in problems), problems


# --- all problems at once, across phases -------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "first"), [
    ("roles: [mfa, collab]", "roles: [mfa, colab]", "unknown value 'colab'"),
    ("addresses: {servers: 10.50.10.5}", "addresses: {serveurs: 10.50.10.5}", "unknown zone 'serveurs'"),
], ids=["role-typo", "unknown-zone-on-a-host"])  # fmt: skip
def test_an_early_mistake_does_not_hide_a_duplicate_vlan(old, new, first, copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    _break(folder, "hosts.yml", old, new)
    _break(folder, "network.yml", "vlan: 20,", "vlan: 10,")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any(first in line for line in problems), problems
    assert any("VLAN 10 is already used by zone 'servers'" in line for line in problems), problems


# --- checks that passed and must not ----------------------------------------------------------------

SERVICES_FW = "    - {host: fw01, secret: !secret radius_fw01}\n"
CASES = [
    ("port-twice", "network.yml", "      Gi1/0/[5:22]: {zone: users,", "      Gi1/0/[4:22]: {zone: users,",
     "switches.sw01.ports.Gi1/0/[4:22]", "Gi1/0/4 is listed twice (also under Gi1/0/4)"),
    ("two-edges", "hosts.yml", "roles: [mfa, collab]", "roles: [mfa, collab, edge_firewall]",
     "hosts.srv-lin01.roles", "2 hosts have the edge_firewall role (fw01, srv-lin01)"),
    ("gateway-mfa-true", "services.yml", "mfa: [vpn, portal]}", "mfa: true}",
     "rds.gateway.mfa", "the RD Gateway cannot ask for a verification code"),
    ("gateway-portal-without-host", "hosts.yml", "roles: [edge_firewall, vpn, portal]", "roles: [edge_firewall, vpn]",
     "rds.gateway.mfa", "portal: no host has the portal role"),
    ("no-directory", "hosts.yml", "    roles: [directory]\n", "    roles: []\n",
     "hosts", "no host has the directory role"),
    ("vpn-concurrent-over-pool", "services.yml", "  pool: 10.50.200.0/24\n",
     "  pool: 10.50.200.0/24\n  concurrent: 400\n",
     "vpn.concurrent", "400 concurrent clients do not fit in pool 10.50.200.0/24 (253 addresses)"),
    ("wave-start-not-a-date", "site.yml", 'label: "Pilote",', 'label: "Pilote", start: "lundi prochain",',
     "waves[0].start", "not a date"),
    ("agents-count-absurd", "site.yml", "  count: 52\n", "  count: 100000000000000000000000000\n",
     "agents.count", "less than or equal to"),
    ("service-agents-absurd", "site.yml", "GG-Accueil, agents: 10}", "GG-Accueil, agents: 10000000}",
     "agents.services[0].agents", "less than or equal to"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "file", "old", "new", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_check_refuses(case, file, old, new, field, message, copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    _break(folder, file, old, new)
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    matching = [line for line in problems if message in line]
    assert matching, problems
    found = LINE.match(matching[0])
    assert found is not None and found["field"] == field, matching[0]


def test_missing_pfx_is_a_warning_for_check(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple")
    result = cli("check", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "certificates.yml:7:12: " in result.stderr, result.stderr
    assert "rds.certificates[0].pfx: warning: certificats/bureau.mairie-exemple.fr.pfx does not exist" in result.stderr


def test_missing_pfx_stops_apply_before_any_connection(cli, tmp_path: Path, monkeypatch) -> None:
    folder = _loopback_site(tmp_path / "boucle")
    with (folder / "site.yml").open("a") as site:
        site.write(
            "  win01: {os: windows, roles: [directory, rds_broker, rds_session_host, rds_web, rds_gateway],"
            " addresses: {mgmt: 127.0.0.2}, connection: {user: ferme, port: 9, password: !secret winrm}}\n"
            "rds:\n  gateway: {external_fqdn: bureau.boucle.fr, mfa: none}\n"
            "  collections: [{name: Bureau, session_hosts: [win01], user_groups: [GG-Agents]}]\n"
            "  certificates: [{pfx: bureau.pfx, thumbprint: A1B2C3D4E5F60718293A4B5C6D7E8F9011223344,"
            " password: !secret pfx}]\n"
        )
    monkeypatch.setenv("FERME_SECRET_WINRM", "not-used")
    monkeypatch.setenv("FERME_SECRET_PFX", "not-used")
    applied = cli("apply", str(folder), "--limit", "win01")
    assert "Traceback" not in applied.stderr + applied.stdout
    assert applied.exit_code == 2, applied.stdout + applied.stderr
    assert (
        "site.yml:11:24: " in applied.stderr and "rds.certificates[0].pfx: bureau.pfx does not exist" in applied.stderr
    )
    assert "nothing changed" in applied.stderr


# --- YAML files --------------------------------------------------------------------------------------


def test_unclosed_quote_names_where_the_string_starts(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    description = 'description: "Pare-feu de bordure, VPN et portail OTP'
    _break(folder, "hosts.yml", description + '"', description)
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert len(problems) == 1, problems
    where = LINE.match(problems[0])
    assert where is not None and Path(where["file"]).name == "hosts.yml" and where["line"] == "19", problems
    assert "unclosed quoted string" in problems[0], problems


def test_file_that_is_not_utf8_gets_its_line(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    path = folder / "hosts.yml"
    path.write_bytes(path.read_bytes().replace("Contrôleur".encode(), "Contrôleur".encode("latin-1")))
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert len(problems) == 1
    where = LINE.match(problems[0])
    assert where is not None and Path(where["file"]).name == "hosts.yml" and where["line"] == "35", problems
    assert "UTF-8" in problems[0]


def test_empty_file_is_named_itself(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    (folder / "services.yml").write_text("")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any(Path(LINE.match(p)["file"]).name == "services.yml" and "empty" in p for p in problems), problems


# --- apply and verify on an inventory that is not the lab ----------------------------------------------


def _loopback_site(folder: Path) -> Path:
    """A one-host Debian site on loopback, port 9 (nothing listens): reachable by no one, outside the lab range."""
    folder.mkdir()
    (folder / "site.yml").write_text(
        "site: {name: boucle, label: Boucle, domain: ad.boucle.fr, netbios: BOUCLE, dns_servers: [127.0.0.1],"
        " ntp_servers: [127.0.0.1]}\n"
        "agents: {count: 5, concurrency: 0.5, workload: {light: 1}}\n"
        "zones:\n  - {name: mgmt, kind: mgmt, subnet: 127.0.0.0/24}\n"
        "hosts:\n  lin01: {os: debian, addresses: {mgmt: 127.0.0.1}, connection: {user: root, port: 9}}\n"
    )
    return folder


def test_apply_outside_the_lab_reports_the_host_not_a_traceback(cli, tmp_path: Path) -> None:
    folder = _loopback_site(tmp_path / "boucle")
    # In a process of its own, as a user runs it (apply patches sockets for gevent).
    result = subprocess.run([str(Path(sys.executable).parent / "ferme"), "apply", str(folder)], capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1, result.stdout + result.stderr
    assert "lin01" in result.stdout and "failed" in result.stdout


def test_verify_outside_the_lab_reports_the_host_not_a_traceback(cli, tmp_path: Path) -> None:
    folder = _loopback_site(tmp_path / "boucle")
    result = cli("verify", str(folder))
    assert "Traceback" not in result.stderr + result.stdout
    assert "lin01" in result.stdout and "not reachable" in result.stdout, result.stdout
    assert result.exit_code == 1, "a host that cannot be reached was not verified: verify must not pass"


def test_missing_fslogix_installer_stops_apply_before_any_connection(cli, tmp_path: Path, monkeypatch) -> None:
    """Issue 13: the FSLogix agent comes from the operator's file, checked by hash; a path that is not there is
    named with its line before anything connects."""
    folder = _loopback_site(tmp_path / "boucle")
    with (folder / "site.yml").open("a") as site:
        site.write(
            "  win01: {os: windows, roles: [directory, rds_broker, rds_session_host, rds_web, profiles],"
            " addresses: {mgmt: 127.0.0.2}, connection: {user: ferme, port: 9, password: !secret winrm}}\n"
            "rds:\n  gateway: {external_fqdn: bureau.boucle.fr, mfa: none}\n"
            "  collections: [{name: Bureau, session_hosts: [win01], user_groups: [GG-Agents]}]\n"
            "  profiles: {share: '\\\\\\\\win01\\\\profils$', installer: {path: logiciels/FSLogixAppsSetup.exe,"
            " sha256: " + "ab" * 32 + "}}\n"
        )
    monkeypatch.setenv("FERME_SECRET_WINRM", "not-used")
    applied = cli("apply", str(folder), "--limit", "win01")
    assert applied.exit_code == 2, applied.stdout + applied.stderr
    assert "rds.profiles.installer.path: logiciels/FSLogixAppsSetup.exe does not exist" in applied.stderr
    assert "site.yml:" in applied.stderr


def _pfx_with_names(path: Path, password: str, names: list[str]) -> str:
    """A PFX whose certificate names `names` (SANs); returns its thumbprint."""
    import datetime
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(7).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(key, SHA256()))  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"rds", key, cert, None,
                                                           BestAvailableEncryption(password.encode())))  # fmt: skip
    return hashlib.sha1(cert.public_bytes(Encoding.DER)).hexdigest().upper()


def test_a_certificate_that_does_not_name_the_broker_is_an_error(copy_example, cli, monkeypatch) -> None:
    """Issue 13: ferme check opens the PFX when it is there and compares its names with what its roles serve:
    the gateway's external name and the broker's FQDN (no HA here); a wildcard covers one label."""
    folder = copy_example("mairie-exemple")
    monkeypatch.setenv("FERME_SECRET_RDS_PFX", "Pfx-Password-5")
    pfx = folder / "certificats" / "bureau.mairie-exemple.fr.pfx"
    thumbprint = _pfx_with_names(pfx, "Pfx-Password-5", ["bureau.mairie-exemple.fr"])
    _break(folder, "certificates.yml", "A1B2C3D4E5F60718293A4B5C6D7E8F9011223344", thumbprint)
    result = cli("check", str(folder))
    assert result.exit_code == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "does not name" in line]
    assert len(lines) == 2 and all("rds.certificates[0].roles" in line for line in lines), result.stderr
    assert "srv-rds01.ad.mairie-exemple.fr (RDRedirector)" in result.stderr
    thumbprint = _pfx_with_names(pfx, "Pfx-Password-5", ["bureau.mairie-exemple.fr", "*.ad.mairie-exemple.fr"])
    text = (folder / "certificates.yml").read_text()
    (folder / "certificates.yml").write_text(re.sub(r"[0-9A-F]{40}", thumbprint, text))
    result = cli("check", str(folder))
    assert result.exit_code == 0, result.stderr
    # a thumbprint that is not the file's
    (folder / "certificates.yml").write_text(re.sub(r"[0-9A-F]{40}", "0" * 40, text))
    result = cli("check", str(folder))
    assert result.exit_code == 2 and f"holds {thumbprint}, not {'0' * 40}" in result.stderr
