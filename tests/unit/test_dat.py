"""The DAT (`ferme docs`): the topology drawn from the plan, the ANSSI checklist marked from the inventory,
every section in the HTML and — printed by headless Chromium — in the PDF's extracted text."""

from __future__ import annotations

import copy
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ferme.docs.anssi import MET, NOT_APPLICABLE, NOT_MET, OUTSIDE, checklist
from ferme.docs.dat import SECTIONS, render_dat
from ferme.docs.topology import host_lines, render_topology, zone_pairs
from ferme.plan import build_plan
from ferme.site import load_site
from tests.conftest import INVENTORIES

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = ("mairie-exemple", "departement-exemple", "lab")


def _plan(name: str) -> dict[str, Any]:
    return build_plan(load_site(INVENTORIES / name, with_secrets=False))


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    return {name: _plan(name) for name in EXAMPLES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_topology_draws_every_zone_switch_and_zone_pair(plans: dict[str, Any], name: str) -> None:
    plan = plans[name]
    svg = render_topology(plan)
    root = ET.fromstring(svg)  # well-formed
    groups = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {f"zone-{z}" for z in plan["zones"]} <= groups
    assert {f"switch-{s}" for s in plan["switches"]} <= groups
    arcs = [p for p in root.iter(f"{SVG}path") if p.get("class") == "flow"]
    assert len(arcs) == len(zone_pairs(plan)) > 0
    titles = {p.find(f"{SVG}title").text for p in arcs}  # type: ignore[union-attr]
    for (source, target), count in zone_pairs(plan).items():
        assert f"{source} → {target} : {count} flux" in titles
    assert render_topology(plan) == svg  # the same plan, the same bytes


def test_every_host_is_named_in_its_zones_folded_when_numbered(plans: dict[str, Any]) -> None:
    plan = plans["departement-exemple"]
    text = "".join(ET.fromstring(render_topology(plan)).itertext())
    assert "rdsh01…rdsh40 (40)" in host_lines(plan, "rds")
    edge = plan["edge"]["host"]
    for name, _host in plan["hosts"].items():
        if name != edge and not name.startswith("rdsh"):
            assert name in text, name
    assert not any(line.startswith(edge + " ") for z in plan["zones"] for line in host_lines(plan, z))


def _status(plan: dict[str, Any], key: str) -> tuple[str, str]:
    row = next(r for r in checklist(plan) if r["key"] == key)
    return row["status"], row["evidence"]


def test_the_anssi_checklist_is_marked_from_the_inventory(plans: dict[str, Any]) -> None:
    plan = plans["departement-exemple"]
    rows = checklist(plan)
    assert len({r["ref"] for r in rows}) == len(rows)
    assert {r["status"] for r in rows} <= {MET, NOT_MET, NOT_APPLICABLE, OUTSIDE}
    assert _status(plan, "mfa")[0] == MET and "vpn, credential_provider" in _status(plan, "mfa")[1]
    assert _status(plan, "gateways_dmz")[0] == MET
    assert _status(plan, "admin_network")[0] == MET
    assert _status(plan, "no_admin_remote")[0] == MET
    # ferme pushes the routes the VPN zone's flows reach: a split tunnel, said as such
    status, evidence = _status(plan, "split_tunnel")
    assert status == NOT_MET and "tunnel partagé" in evidence
    assert _status(plan, "devices")[0] == OUTSIDE


def test_a_change_in_the_inventory_changes_the_mark(plans: dict[str, Any]) -> None:
    plan = copy.deepcopy(plans["departement-exemple"])
    plan["settings"]["rds"]["redirection"]["drives"] = True
    assert _status(plan, "data_stays") == (NOT_MET, "redirections ouvertes vers le poste : drives")
    plan["settings"]["mfa"] = None
    assert _status(plan, "mfa")[0] == NOT_MET
    assert _status(plan, "lockout")[0] == NOT_MET
    vpn_zone = next(z for z, info in plan["zones"].items() if info["kind"] == "vpn")
    plan["flows"].append({"id": "vpn/any", "source": {"zones": [vpn_zone]}, "destination": {"kind": "any",
                          "zones": []}, "service": "https", "rules": [], "published": False})  # fmt: skip
    assert _status(plan, "remote_flows") == (NOT_MET, "flux du VPN vers toutes destinations : vpn/any")
    plan["settings"]["collab"] = None
    assert _status(plan, "backups")[0] == NOT_APPLICABLE


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_html_has_every_section_and_no_secret(plans: dict[str, Any], name: str) -> None:
    page = render_dat(plans[name])
    for anchor, title in SECTIONS:
        assert f'id="{anchor}"' in page and title.replace("'", "&#39;") in page
    assert "<svg" in page and "!secret" not in page


def _pdf_text(path: Path) -> str:
    import pypdf

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return unicodedata.normalize("NFKC", text)  # ligatures (ﬂ) back to letters


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is installed by make (setup-debian.sh)")
@pytest.mark.parametrize("name", ["mairie-exemple", "departement-exemple"])
def test_the_pdf_printed_by_chromium_holds_every_section(cli: Any, tmp_path: Path, name: str) -> None:
    result = cli("docs", str(INVENTORIES / name), "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    text = _pdf_text(tmp_path / "dat.pdf")
    for number, (_, title) in enumerate(SECTIONS, start=1):
        assert f"{number}. {title}" in text, title
    plan = _plan(name)
    assert all(zone in text for zone in plan["zones"])
    assert all(host in text for host in plan["hosts"])  # the host table names every host
    assert all(switch in text for switch in plan["switches"])
    assert (tmp_path / "dimensionnement.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert ET.parse(tmp_path / "topologie.svg").getroot().tag == f"{SVG}svg"
