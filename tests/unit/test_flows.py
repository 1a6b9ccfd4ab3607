"""Flows derived from role contracts: what the issue's examples promise, checked on the lab plan."""

from __future__ import annotations

import pytest

from ferme.plan import build_plan
from ferme.site import load_site
from tests.conftest import INVENTORIES


@pytest.fixture(scope="module")
def plan() -> dict:
    return build_plan(load_site(INVENTORIES / "lab", with_secrets=False))


def _flow(plan: dict, flow_id: str) -> dict:
    return next(f for f in plan["flows"] if f["id"] == flow_id)


def test_gateway_offers_443_tcp_and_3391_udp_to_outside(plan: dict) -> None:
    https = _flow(plan, "rds_gateway/https/outside")
    udp = _flow(plan, "rds_gateway/rdp-udp-gateway/outside")
    assert https["rules"] == [{"protocol": "tcp", "ports": "443"}] and https["published"]
    assert udp["rules"] == [{"protocol": "udp", "ports": "3391"}] and udp["published"]
    assert https["destination"]["hosts"] == ["lab-rdgw02", "lab-rds01"]


def test_gateway_needs_rdp_to_session_hosts_and_never_radius(plan: dict) -> None:
    rdp = _flow(plan, "rds_gateway/rdp/rds_session_host")
    assert rdp["destination"]["hosts"] == ["lab-rdsh01", "lab-rdsh02"]
    # The gateway cannot pass a code: the lab checks it at the VPN (RADIUS) or at the Windows logon (HTTPS).
    assert not [f for f in plan["flows"] if f["id"] == "rds_gateway/radius/mfa"]
    radius = _flow(plan, "vpn/radius/mfa")
    assert radius["rules"] == [
        {"protocol": "udp", "ports": "1812"},
        {"protocol": "udp", "ports": "1813"},
    ]  # + accounting
    provider = _flow(plan, "rds_session_host/https/mfa")
    assert provider["source"]["hosts"] == ["lab-rdsh01", "lab-rdsh02"]
    assert provider["destination"]["hosts"] == ["lab-mfa", "lab-mfa2"]


def test_session_hosts_need_active_directory(plan: dict) -> None:
    ad = _flow(plan, "rds_session_host/active-directory/directory")
    ports = {(r["protocol"], r["ports"]) for r in ad["rules"]}
    assert {("tcp", "88"), ("udp", "53"), ("tcp", "389"), ("tcp", "636")} <= ports


def test_management_only_from_the_admin_zone(plan: dict) -> None:
    management = [f for f in plan["flows"] if f["asked_by"] == "management"]
    assert {f["service"] for f in management} == {"ssh", "winrm", "snmp", "ping"}
    assert all(f["source"]["zones"] == ["admin"] for f in management)


def test_flow_ids_are_unique_and_stable(plan: dict) -> None:
    ids = [f["id"] for f in plan["flows"]]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)


def test_extra_flows_are_added(copy_example) -> None:
    folder = copy_example("lab", secrets=False)
    path = folder / "services.yml"
    path.write_text(
        path.read_text().replace(
            "  extra_flows:\n",
            "  extra_flows:\n    - {name: sauvegarde, "
            "source: servers, destination: outside, protocol: tcp, ports: [443], description: Sauvegarde}\n",
        )
    )
    plan = build_plan(load_site(folder, with_secrets=False))
    extra = _flow(plan, "extra/sauvegarde")
    assert extra["asked_by"] == "extra flow sauvegarde"
    forward = [r for r in plan["edge"]["forward"] if r["id"] == "extra/sauvegarde"]
    assert forward and forward[0]["out_interfaces"] == ["outside"]


def test_publication_conflict_is_an_inventory_error(copy_example, cli) -> None:
    folder = copy_example("lab", secrets=False)
    path = folder / "services.yml"
    path.write_text(path.read_text().replace("  public_addresses: [198.18.0.3, 198.18.0.4]\n", ""))
    result = cli("check", "--no-secrets", str(folder))
    assert result.exit_code == 2
    assert "firewall.publish.rds_gateway: 198.18.0.3 is not a public address of the edge" in result.stderr


def test_any_means_every_zone_and_internet_means_beyond_the_edge(tmp_path) -> None:
    """Issue 11, point 6: `destination: any` used to mean the Internet only (oifname "outside"), while the
    matrix said "tout"; now `any` is every zone and `internet` is what leaves by the outside."""
    import shutil

    from ferme.plan import build_plan
    from ferme.render.artifacts import render_artifacts
    from ferme.site import load_site
    from tests.conftest import INVENTORIES

    folder = tmp_path / "mairie"
    shutil.copytree(INVENTORIES / "mairie-exemple", folder)
    services = folder / "services.yml"
    added = (
        "  extra_flows:\n"
        "    - {name: supervision, source: mgmt, destination: any, protocol: udp, ports: [161]}\n"
        "    - {name: mises-a-jour, source: servers, destination: internet, protocol: tcp, ports: [80]}\n"
    )
    services.write_text(services.read_text().replace("  extra_flows:\n", added))
    files = render_artifacts(build_plan(load_site(folder, with_secrets=False)))
    rules = {line.split('comment "')[1].rstrip('"'): line.strip() for line in files["firewall/fw01.nft"].splitlines()
             if 'comment "extra/' in line}  # fmt: skip
    assert "oifname" not in rules["extra/supervision"] and "udp dport 161" in rules["extra/supervision"]
    assert 'oifname "outside" tcp dport 80' in rules["extra/mises-a-jour"]
    matrix = files["matrice-des-flux.csv"]
    assert "toutes zones" in matrix and "Internet" in matrix
