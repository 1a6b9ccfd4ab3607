"""The network model (issue 11): paths that survive real packets, decided in the plan and enforced by `ferme check`.

The lab tests (tests/lab/test_2_firewall.py) send the packets; these tests pin the decisions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ferme.plan import build_plan
from ferme.site import load_site
from tests.conftest import INVENTORIES
from tests.unit.test_broken_inventories import _break
from tests.unit.test_check_defects import _problems


def _plan(folder: Path) -> dict:
    return build_plan(load_site(folder, with_secrets=False))  # type: ignore[return-value]


def _flow(plan: dict, flow_id: str) -> dict:
    return next(f for f in plan["flows"] if f["id"] == flow_id)


# --- point 1: asymmetric paths -------------------------------------------------------------------


def _without_admin_zone(folder: Path) -> Path:
    """The mairie as it was: administration from the mgmt zone, which every host has a leg in."""
    _break(
        folder,
        "network.yml",
        """  - {name: admin, kind: admin, vlan: 90, subnet: 10.50.90.0/24, gateway: 10.50.90.1,
     description: "Poste d'administration (administration depuis ce seul réseau)"}\n""",
        "",
    )
    _break(folder, "network.yml", "users, mgmt, admin]", "users, mgmt]")
    _break(folder, "network.yml", '      Gi1/0/23: {zone: admin, description: "Poste d\'administration"}\n', "")
    _break(folder, "hosts.yml", "mgmt: 10.50.99.1, admin: 10.50.90.1}", "mgmt: 10.50.99.1}")
    return folder


def test_a_client_sharing_a_segment_with_the_host_reaches_it_there(copy_example) -> None:
    """mgmt → mfa:443 went to the MFA's servers address through the edge, and the reply left by the MFA's
    mgmt leg: the edge dropped the session. The flow now targets the MFA's mgmt address, and the edge has no
    rule for it."""
    plan = _plan(_without_admin_zone(copy_example("mairie-exemple", secrets=False)))
    flow = _flow(plan, "mfa/https/mgmt")
    assert flow["destination"]["addresses"] == [plan["hosts"]["srv-lin01"]["addresses"]["mgmt"]]
    assert not [r for r in plan["edge"]["forward"] + plan["edge"]["input"] if r["id"] == "mfa/https/mgmt"]
    # Users, who share no segment with the MFA, still go through the edge to its service address.
    collab = _flow(plan, "collab/https/users")
    assert collab["destination"]["addresses"] == [plan["hosts"]["srv-lin01"]["addresses"]["servers"]]
    assert [r for r in plan["edge"]["forward"] if r["id"] == "collab/https/users"]


def test_dual_homed_debian_hosts_get_a_table_per_leg() -> None:
    plan = _plan(INVENTORIES / "lab")
    mfa = plan["hosts"]["lab-mfa"]
    routing = mfa["state"]["routing"]
    assert routing["default_zone"] == "servers" and routing["default_gateway"] == plan["zones"]["servers"]["gateway"]
    by_zone = {t["zone"]: t for t in routing["tables"]}
    assert set(by_zone) == {"servers", "mgmt"}
    for zone, table in by_zone.items():
        assert table["source"] == mfa["addresses"][zone] and table["gateway"] == plan["zones"][zone]["gateway"]
        assert table["subnet"] == plan["zones"][zone]["subnet"]
    assert len({t["table"] for t in routing["tables"]}) == len({t["priority"] for t in routing["tables"]}) == 2
    # The edge routes; Windows hosts and single-legged hosts get no tables.
    assert not plan["hosts"]["lab-fw"]["state"]["routing"]["tables"]
    assert not plan["hosts"]["lab-dc01"]["state"]["routing"]["tables"]


def test_the_vpn_pool_is_sent_to_the_edge() -> None:
    """VPN clients → collab (same DMZ segment as the VPN server) went straight onto the segment: the edge saw
    only the replies and dropped them, and its vpn → dmz rules counted 0."""
    plan = _plan(INVENTORIES / "lab")
    vpn = plan["hosts"]["lab-vpn"]
    pool = next(t for t in vpn["state"]["routing"]["tables"] if t["source"] == plan["settings"]["vpn"]["pool"])
    assert pool["subnet"] is None  # no route onto the DMZ segment: everything goes to the edge
    assert pool["gateway"] == plan["zones"]["dmz"]["gateway"] and pool["leg_address"] == vpn["addresses"]["dmz"]
    assert {"to": pool["source"], "via": vpn["addresses"]["dmz"], "zone": "dmz"} in plan["edge"]["routes"]
    assert [r for r in plan["edge"]["forward"] if r["id"] == "collab/https/vpn"]


def test_a_windows_host_reached_on_a_leg_it_does_not_answer_by_is_refused(copy_example, cli) -> None:
    """A dual-homed Windows gateway (dmz + servers, default route in the DMZ) reached through the edge on its
    servers address answers by the DMZ: Windows gets no policy routing, so `ferme check` refuses the layout."""
    folder = copy_example("mairie-exemple", secrets=False)
    _break(folder, "hosts.yml", "addresses: {servers: 10.50.10.10, mgmt: 10.50.99.10}",
           "addresses: {dmz: 10.50.30.10, servers: 10.50.10.10, mgmt: 10.50.99.10}")  # fmt: skip
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert problems and all("hosts.yml:" in line and "srv-rds01" in line for line in problems), problems
    assert any("on its servers leg (10.50.10.10) through the edge" in line and "asymmetric" in line
               for line in problems), problems  # fmt: skip


def test_the_examples_have_no_asymmetric_path(cli) -> None:
    for name in ("lab", "mairie-exemple", "departement-exemple"):
        result = cli("check", "--no-secrets", str(INVENTORIES / name))
        assert result.exit_code == 0, result.stderr


# --- point 8: pinned public addresses ------------------------------------------------------------


def _publication(plan: dict, service: str) -> dict:
    return next(p for p in plan["edge"]["publications"] if service in p["services"])


def test_adding_a_published_service_does_not_move_the_gateway(copy_example) -> None:
    """Addresses were handed out in flow-id order: a new published flow sorted before the gateway's took its
    address and moved the RD gateway, with no warning."""
    folder = copy_example("lab", secrets=False)
    before = _publication(_plan(folder), "rds_gateway")["public_address"]
    _break(folder, "services.yml", "    vpn: 198.18.0.2 ",
           "    extranet: 198.18.0.2\n    vpn: 198.18.0.2 ")  # fmt: skip
    _break(folder, "services.yml", "  extra_flows:\n", "  extra_flows:\n    - {name: extranet, source: internet, "
           "destination: lab-mfa, protocol: tcp, ports: [8443]}\n")  # fmt: skip
    plan = _plan(folder)
    assert _publication(plan, "extranet")["public_address"] == "198.18.0.2"
    assert _publication(plan, "rds_gateway")["public_address"] == before == "198.18.0.3"


def test_the_mairie_publishes_what_its_comments_say() -> None:
    plan = _plan(INVENTORIES / "mairie-exemple")
    assert _publication(plan, "collab")["public_address"] == "203.0.113.3"
    # Browsers reach the desktop through the OTP portal on the firewall: the gateway and RD Web are not published.
    portal = _publication(plan, "portal")
    assert portal["public_address"] == "203.0.113.2" and "bureau.mairie-exemple.fr" in portal["fqdns"]
    assert not [p for p in plan["edge"]["publications"] if {"rds_gateway", "rds_web"} & set(p["services"])]


def test_plan_prints_each_name_with_its_address(cli) -> None:
    result = cli("plan", "--no-secrets", str(INVENTORIES / "departement-exemple"))
    rows = [line.split() for line in result.stdout.splitlines() if "departement-exemple.fr" in line]
    assert ["bureau.departement-exemple.fr", "198.51.100.2"] in [r[:2] for r in rows], result.stdout
    assert ["portail.departement-exemple.fr", "198.51.100.3"] in [r[:2] for r in rows], result.stdout


@pytest.mark.parametrize(("old", "new", "message"), [
    # The département's first layout: gateways and RD Web under one name, on two addresses.
    ("  web_fqdn: portail.departement-exemple.fr", "",
     "bureau.departement-exemple.fr is published on 2 addresses: 198.51.100.2 (rds_gateway), 198.51.100.3 (rds_web)"),
    ("    collab: 198.51.100.4", "    collab: 198.51.100.2",
     "198.51.100.2 443/tcp is already published for collab (collab01)"),
    ("    collab: 198.51.100.4", "    collab: 198.51.100.9", "198.51.100.9 is not a public address of the edge"),
    ("    collab: 198.51.100.4", "    collab: 198.51.100.4\n    messagerie: 198.51.100.4",
     "nothing named 'messagerie' is published to the outside"),
    ("    collab: 198.51.100.4", "", "collab is published (443/tcp) but has no pinned public address"),
])  # fmt: skip
def test_publication_mistakes_are_refused(old, new, message, copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    text = (folder / "services.yml").read_text()
    line = next(line for line in text.splitlines() if line.startswith(old))
    _break(folder, "services.yml", line + "\n", new + "\n" if new else "")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any(message in p and "services.yml:" in p for p in problems), problems
    assert len(problems) == 1, problems


# --- point 12: a matrice des flux an RSSI accepts --------------------------------------------------


def _matrix(name: str | Path) -> tuple[list[dict[str, str]], str]:
    import csv
    import io

    from ferme.render.artifacts import render_artifacts

    plan = _plan(INVENTORIES / name if isinstance(name, str) else name)
    artifacts = render_artifacts(plan)  # type: ignore[arg-type]
    text = artifacts["matrice-des-flux.csv"].lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";")), artifacts["matrice-des-flux.html"]


def test_the_matrix_has_one_row_per_flow_with_what_an_rssi_asks() -> None:
    rows, _ = _matrix("departement-exemple")
    plan = _plan(INVENTORIES / "departement-exemple")
    assert [r["Identifiant"] for r in rows] == [f["id"] for f in plan["flows"]]  # one row per flow
    ad = next(r for r in rows if r["Identifiant"] == "rds_session_host/active-directory/directory")
    assert ad["Protocoles et ports"].startswith("TCP 53, 88, 135, 389, 445, 464, 636, 3268-3269, 49152-65535; UDP 53")
    for row in rows:
        assert row["Action"] == "autoriser" and row["Chiffrement"] and row["Point de contrôle"]
        assert row["Journalisation"]


def test_the_internet_is_named_and_published_rows_carry_address_and_name() -> None:
    rows, _ = _matrix("mairie-exemple")
    outside = "203.0.113.0/28"
    assert not [r for r in rows if outside in r["Adresses source"] or outside in r["Adresses destination"]]
    gateway = next(r for r in rows if r["Identifiant"] == "portal/https/outside")  # before the gateway: the OTP
    assert (gateway["Source"], gateway["Adresses source"]) == ("Internet", "toutes")
    # One address, its names: the portal's and the VPN's (on the firewall too).
    assert (gateway["Adresse publique"], gateway["Nom public"]) == (
        "203.0.113.2",
        "bureau.mairie-exemple.fr, vpn.mairie-exemple.fr",
    )
    assert gateway["Point de contrôle"] == "bordure (nftables)"  # the portal runs on the edge itself
    assert "nouvelles connexions depuis Internet journalisées" in gateway["Journalisation"]
    assert gateway["Chiffrement"] == "TLS"


def test_no_phantom_sources_from_the_edge_interfaces() -> None:
    """base/dns listed the edge's dmz and users addresses as sources (as if those zones asked the DC): a host
    speaks from the leg it shares with the destination, or its default leg."""
    rows, _ = _matrix("mairie-exemple")
    dns = next(r for r in rows if r["Identifiant"] == "base/dns/directory")
    assert dns["Zones source"] == "servers" and dns["Adresses source"] == "10.50.10.1, 10.50.10.20", dns


def test_the_matrix_says_what_is_not_filtered_with_version_and_date(copy_example) -> None:
    rows, page = _matrix(_without_admin_zone(copy_example("mairie-exemple", secrets=False)))
    same_segment = next(r for r in rows if r["Identifiant"] == "mfa/https/mgmt")
    assert (same_segment["Point de contrôle"], same_segment["Journalisation"]) == (
        "non filtré (même segment)",
        "aucune",
    )
    assert "Tout flux absent" not in page and "ne traversent pas la bordure" in page
    assert re.search(r"Version de la politique [0-9a-f]{12}, générée le 2027-01-11", page)
    assert "<th>Internet (outside)</th>" in page


# --- point 2: administration from an admin network -------------------------------------------------


def test_administration_comes_from_the_admin_zone_to_each_management_leg() -> None:
    plan = _plan(INVENTORIES / "lab")
    admin = plan["zones"]["admin"]["subnet"]
    winrm = _flow(plan, "management/winrm/admin->windows")
    assert winrm["source"]["addresses"] == [admin]
    ssh = _flow(plan, "management/ssh/admin->debian")
    # The DMZ hosts' management legs sit in their own segment, which the edge filters.
    assert {"198.18.7.10", "198.18.7.21"} <= set(ssh["destination"]["addresses"])
    assert not [f for f in plan["flows"] if f["id"].startswith("management/") and "mgmt" in f["source"]["zones"]]
    edge = [r for r in plan["edge"]["forward"] if r["id"] == "management/winrm/admin->windows"]
    assert edge and edge[0]["addresses"] == [admin]
    # Nothing lets the DMZ hosts' management segment reach the other hosts' management legs.
    mgmt_dmz = plan["zones"]["mgmt-dmz"]["subnet"]
    assert not [r for r in plan["edge"]["forward"] if mgmt_dmz in r.get("addresses", [])]


def test_windows_rules_allow_the_admin_addresses_only() -> None:
    from ferme.render.artifacts import render_artifacts

    plan = _plan(INVENTORIES / "lab")
    script = render_artifacts(plan)["windows/lab-dc01/firewall.ps1"]  # type: ignore[arg-type]
    line = next(x for x in script.splitlines() if "ferme-management-winrm" in x and "signature" in x)
    assert line.endswith("|TCP|5986|198.18.6.0/255.255.255.0') {"), line  # as Get-NetFirewallAddressFilter shows it


def test_hosts_route_the_admin_zone_by_their_management_leg() -> None:
    plan = _plan(INVENTORIES / "lab")
    for name, host in plan["hosts"].items():
        routes = host["state"]["routing"]["routes"]
        if name == "lab-fw":
            assert routes == []
            continue
        leg = next(z for z in host["addresses"] if plan["zones"][z]["kind"] == "mgmt")
        assert routes == [{"to": "198.18.6.0/24", "via": plan["zones"][leg]["gateway"], "zone": leg,
                           "leg_address": host["addresses"][leg]}], name  # fmt: skip
        assert host["connection"]["address"] == host["addresses"][leg]  # reached on its management leg


# --- point 11: several sites behind a WAN -----------------------------------------------------------

SITES = 14


def _with_remote_sites(folder: Path) -> Path:
    """The département with its 14 sites behind the WAN router (10.20.97.2, on the edge's `wan` leg)."""
    zones = "".join(
        f"  - {{name: site-{n:02d}, kind: remote, subnet: 10.21.{n}.0/24, via: 10.20.97.2, bandwidth_mbps: 20}}\n"
        for n in range(1, SITES + 1)
    )
    _break(
        folder,
        "network.yml",
        "  - {name: mgmt, kind: mgmt,",
        "  - {name: wan, kind: wan, vlan: 97, subnet: 10.20.97.0/24, gateway: 10.20.97.1,\n"
        '     description: "Lien vers le routeur WAN des sites"}\n' + zones + "  - {name: mgmt, kind: mgmt,",
    )
    _break(
        folder,
        "hosts.yml",
        "mgmt-dmz: 10.20.98.1, admin: 10.20.90.1}",
        "mgmt-dmz: 10.20.98.1, admin: 10.20.90.1, wan: 10.20.97.1}",
    )
    return folder


def test_remote_sites_are_routed_and_filtered_like_the_head_office_users(copy_example) -> None:
    from ferme.render.artifacts import render_artifacts

    plan = _plan(_with_remote_sites(copy_example("departement-exemple", secrets=False)))
    remote = [z for z, info in plan["zones"].items() if info["kind"] == "remote"]
    assert len(remote) == SITES and plan["zones"]["site-07"]["bandwidth_mbps"] == 20
    routes = plan["edge"]["routes"]
    assert {r["to"] for r in routes if r["via"] == "10.20.97.2"} == {f"10.21.{n}.0/24" for n in range(1, SITES + 1)}
    assert plan["hosts"]["fw01"]["state"]["firewall"]["routes"] == routes  # the edge role applies them
    wan = next(a for a in plan["edge"]["antispoof"] if a["interface"] == "wan")
    assert set(wan["allow"]) == {"10.20.97.0/24", *(f"10.21.{n}.0/24" for n in range(1, SITES + 1))}
    # Agents of a remote site reach what the head office's agents reach: the gateway, RD Web, the collab.
    for service in ("rds_gateway/https", "rds_web/https", "collab/https", "rds_session_host/rdp"):
        assert all(any(f["id"] == f"{service}/{zone}" for f in plan["flows"]) for zone in remote), service
    ruleset = render_artifacts(plan)["firewall/fw01.nft"]  # type: ignore[arg-type]
    assert 'comment "rds_gateway/https/site-14"' in ruleset and '"wan"' in ruleset
    outside = next(a for a in plan["edge"]["antispoof"] if "deny" in a)
    assert "10.21.14.0/24" in outside["deny"]  # a remote site's address never comes from the Internet


def test_a_remote_zone_without_a_route_is_refused(copy_example, cli) -> None:
    folder = _with_remote_sites(copy_example("departement-exemple", secrets=False))
    _break(folder, "network.yml", "subnet: 10.21.3.0/24, via: 10.20.97.2,", "subnet: 10.21.3.0/24,")
    _break(folder, "network.yml", "subnet: 10.21.4.0/24, via: 10.20.97.2,", "subnet: 10.21.4.0/24, via: 10.20.55.2,")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any("zones[" in p and "site-03" in p and "no route" in p for p in problems), problems
    assert any("site-04" in p and "10.20.55.2 is in no zone the edge has a leg in" in p for p in problems), problems


# --- point 2: the Debian hosts' own rules -------------------------------------------------------------


def test_debian_hosts_accept_what_their_flows_bring_and_administration_from_the_admin_zone_only() -> None:
    from ferme.render.host_nftables import host_rules

    plan = _plan(INVENTORIES / "departement-exemple")
    admin = plan["zones"]["admin"]["subnet"]
    rules = host_rules(plan, "mfa01")  # type: ignore[arg-type]
    ssh = [r for r in rules if r["protocol"] == "tcp" and "22" in r["ports"]]
    assert [r["addresses"] for r in ssh] == [[admin]] and ssh[0]["destinations"] == ["10.20.99.21"]
    radius = {r["id"]: r["addresses"] for r in rules if r["ports"] == ["1812", "1813"]}
    assert radius == {"vpn/radius/mfa": ["10.20.30.10"]}  # the gateways ask nothing: they cannot pass a code
    assert all(r["addresses"] for r in rules), "every flow to the MFA server names its sources"
    # Published to the Internet: any source (the edge's DNAT keeps the client's address), on the collab's port.
    collab = {r["id"]: r for r in host_rules(plan, "collab01")}  # type: ignore[arg-type]
    assert collab["collab/https/outside"]["addresses"] == [] and collab["collab/https/outside"]["ports"] == ["443"]
    assert "collab/https/users-siege" in collab and "rds_gateway/https/outside" not in collab
    # The edge filters itself with its own ruleset; appliances and unmanaged hosts get none.
    assert "host_firewall" not in plan["hosts"]["fw01"]["state"]
    assert plan["hosts"]["vpn01"]["state"]["host_firewall"]["ruleset"] == "firewall/hosts/vpn01.nft"
