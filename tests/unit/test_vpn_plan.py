"""The VPN server's plan (issue 12): the cap shared out between OpenVPN processes, each with its slice of the
pool and its port; routes pushed only to what the flows open to the vpn zone; RADIUS to every MFA server."""

from __future__ import annotations

from tests.conftest import INVENTORIES
from tests.unit.test_broken_inventories import _break
from tests.unit.test_check_defects import _problems
from tests.unit.test_network_model import _flow, _plan


def test_the_lab_runs_one_process_capped_at_the_sites_peak() -> None:
    plan = _plan(INVENTORIES / "lab")
    vpn = plan["hosts"]["lab-vpn"]["state"]["vpn"]
    assert [(i["port"], i["subnet"], i["max_clients"]) for i in vpn["instances"]] == [(1194, "198.18.5.0/24", 20)]
    # What the flows from the vpn zone reach: collab, the DC, the gateways (RD Web on them); never the MFA console.
    assert vpn["routes"] == ["198.18.1.20/32", "198.18.2.5/32", "198.18.2.10/32", "198.18.2.13/32"]
    assert vpn["dns"] == ["198.18.2.5"] and vpn["domain"] == "ad.lab.ferme.test"
    assert [(r["name"], r["address"]) for r in vpn["radius"]] == [
        ("lab-mfa", "198.18.2.20"),
        ("lab-mfa2", "198.18.2.21"),
    ]
    assert {r["secret"]["secret"] for r in vpn["radius"]} == {"radius_vpn"}  # its own secret, at every server


def test_a_departement_runs_one_process_per_500_clients_and_publishes_each_port() -> None:
    plan = _plan(INVENTORIES / "departement-exemple")
    vpn = plan["hosts"]["vpn01"]["state"]["vpn"]
    assert [(i["name"], i["port"], i["subnet"]) for i in vpn["instances"]] == [
        ("ferme0", 1194, "10.20.64.0/23"),
        ("ferme1", 1195, "10.20.66.0/23"),
        ("ferme2", 1196, "10.20.68.0/23"),
    ]
    assert sum(i["max_clients"] for i in vpn["instances"]) == vpn["concurrent"] == 1500
    assert [r["address"] for r in vpn["radius"]] == ["10.20.10.21", "10.20.10.22"]  # both MFA servers, in order
    published = _flow(plan, "vpn/vpn/outside")
    assert published["rules"] == [{"protocol": "udp", "ports": str(p)} for p in (1194, 1195, 1196)]


def test_the_cap_is_shared_exactly_between_processes(copy_example) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "services.yml", "  concurrent: 1500\n", "  concurrent: 1001\n  instances: 4\n")
    vpn = _plan(folder)["hosts"]["vpn01"]["state"]["vpn"]
    assert [i["max_clients"] for i in vpn["instances"]] == [251, 250, 250, 250]
    assert [i["subnet"] for i in vpn["instances"]] == ["10.20.64.0/23", "10.20.66.0/23", "10.20.68.0/23",
                                                       "10.20.70.0/23"]  # fmt: skip


def test_vpn_mistakes_are_one_line_each(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "services.yml", "  concurrent: 1500\n", "  concurrent: 2000\n  instances: 64\n")
    _break(
        folder,
        "services.yml",
        "    - {host: vpn01, secret: !secret radius_vpn}\n",
        "    - {name: sonde, address: 10.20.90.50, secret: !secret radius_vpn}\n",
    )
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    text = "\n".join(problems)
    assert (
        "vpn.instances: 64 OpenVPN processes split pool 10.20.64.0/21 into /27 slices of 29 clients; each must "
        "hold 32" in text
    ), text
    assert "mfa.radius_clients: vpn01 (vpn) is not a RADIUS client of the MFA servers" in text, text
    assert len(problems) == 2, problems
