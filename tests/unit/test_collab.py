"""The collaboration server's plan, checks, site CA and commands (the role itself runs in tests/lab)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from ferme.plan import build_plan
from ferme.site import load_site
from ferme.site.ca import server_certificate, site_ca
from tests.conftest import INVENTORIES


def test_the_lab_plans_libraries_groups_and_accounts_with_secret_names_only() -> None:
    plan = build_plan(load_site(INVENTORIES / "lab", with_secrets=False))
    collab = plan["hosts"]["lab-collab"]["state"]["collab"]
    assert [lib["name"] for lib in collab["libraries"]] == ["pilote", "documents", "rh"]
    assert collab["groups"] == ["GG-Agents", "GG-Pilote", "GG-RH"]
    assert collab["accounts"][0] == {"login": "agent.demo", "fullname": "Agent de démonstration",
                                     "groups": ["GG-Pilote"], "password": {"secret": "collab_agent_demo"}}  # fmt: skip
    assert collab["admin"]["password"] == {"secret": "collab_admin"}
    assert collab["pip"]["index_url"] == "http://198.18.6.254:3150/index/"
    assert collab["versions"] == 20 and collab["backup"] == {"time": "02:30", "keep_days": 14,
                                                             "folder": "/var/backups/plone"}  # fmt: skip


def test_each_library_has_its_browser_and_webdav_address_in_the_plan(cli) -> None:
    result = cli("plan", "--no-secrets", str(INVENTORIES / "lab"), "--out", "/tmp/ferme-test-collab-plan")
    assert result.exit_code == 0, result.stderr
    assert "https://partage.lab.ferme.test/pilote/" in result.stdout
    assert "davs://partage.lab.ferme.test/rh/" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.startswith("partage.lab.ferme.test "))
    assert "VPN, offices, remote desktops" in row and "198.18" not in row  # access: vpn, not published
    plan = json.loads(Path("/tmp/ferme-test-collab-plan/plan.json").read_text())
    entry = next(e for e in plan["agent_services"] if e["services"] == ["collab"])
    assert entry["public_address"] is None and len(entry["libraries"]) == 3


def test_a_public_collab_is_published_and_listed_with_its_address() -> None:
    plan = build_plan(load_site(INVENTORIES / "mairie-exemple", with_secrets=False))
    entry = next(e for e in plan["agent_services"] if "collab" in e["services"])
    assert entry["public_address"] == "203.0.113.3" and entry["url"] == "https://partage.mairie-exemple.fr/"
    assert entry["reached"] == "Internet"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    - {name: rh,", "    - {name: pilote,", "pilote is named twice in collab.libraries"),
        ("{login: agent.tous,", "{login: Agent.Demo,", "agent.demo is named twice in collab.accounts"),
        ("  users: local ", "  users: directory ", "local accounts need `users: local`"),
        ("  backup: {", "  tls: {certificate: certificats/p.crt}\n  backup: {", "a certificate needs its key"),
        ("    vpn: 198.18.0.2 ", "    vpn: 198.18.0.2\n    collab: 198.18.0.2 ",
         "nothing named 'collab' is published to the outside"),
    ],
)  # fmt: skip
def test_collab_mistakes_are_refused_with_their_place(copy_example, cli, old: str, new: str, message: str) -> None:
    folder = copy_example("lab")
    services = folder / "services.yml"
    text = services.read_text()
    assert text.count(old) == 1, old
    services.write_text(text.replace(old, new))
    result = cli("check", str(folder))
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "services.yml:" in result.stderr.splitlines()[0]


def test_the_site_ca_issues_once_and_again_only_when_the_name_changes(tmp_path: Path) -> None:
    first = server_certificate(tmp_path, "partage.example.fr", "Mairie")
    assert server_certificate(tmp_path, "partage.example.fr", "Mairie") == first  # kept: no new key each apply
    assert (tmp_path / "certificats" / "ferme-ca.key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "certificats" / "partage.example.fr.key").stat().st_mode & 0o077 == 0
    ca, _ = site_ca(tmp_path, "Mairie")
    cert = x509.load_pem_x509_certificate(first[0].encode())
    assert cert.issuer == ca.subject and "BEGIN PRIVATE KEY" in first[1]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["partage.example.fr"]
    assert cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=390)
    public = ca.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey) and cert.signature_hash_algorithm is not None
    public.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))


def test_a_new_name_gets_a_new_certificate_from_the_same_ca(tmp_path: Path) -> None:
    first = server_certificate(tmp_path, "partage.example.fr", "Mairie")
    other = server_certificate(tmp_path, "docs.example.fr", "Mairie")
    assert other[0] != first[0] and other[1] != first[1]
    one = x509.load_pem_x509_certificate(first[0].encode())
    two = x509.load_pem_x509_certificate(other[0].encode())
    assert one.issuer == two.issuer


def test_restore_refuses_a_bad_date_and_asks_before_it_connects(cli, copy_example) -> None:
    folder = copy_example("lab", secrets=False)
    bad = cli("collab", "restore", str(folder), "--from", "hier", "--yes")
    assert bad.exit_code == 2 and "expected YYYY-MM-DD" in bad.stderr
    unconfirmed = cli("collab", "restore", str(folder), "--from", "2026-12-01")
    assert unconfirmed.exit_code == 2 and "add --yes" in unconfirmed.stderr
    none = cli("collab", "backups", str(INVENTORIES / "departement-exemple"), "--host", "dc01")
    assert none.exit_code == 2 and "is not a collaboration server" in none.stderr
