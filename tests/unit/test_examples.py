"""The three example inventories are valid, and their plans match the reviewed golden files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ferme.plan import build_plan
from ferme.site import load_site
from tests.conftest import EXAMPLES, INVENTORIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "plan"


@pytest.mark.parametrize("name", EXAMPLES)
def test_check_accepts_example(name: str, copy_example, cli) -> None:
    folder = copy_example(name)
    result = cli("check", str(folder))
    assert result.exit_code == 0, result.stderr
    assert f"site {name}" in result.stdout
    assert "secrets resolved" in result.stdout
    # Only warnings: the examples name files each site puts next to its own inventory (the PFX, the web
    # client's module and package).
    assert all(
        ": warning: " in line and (".pfx does not exist" in line or ".zip does not exist" in line)
        for line in result.stderr.splitlines()
    ), result.stderr


@pytest.mark.parametrize("name", EXAMPLES)
def test_plan_matches_golden(name: str, tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    result = cli("plan", str(INVENTORIES / name), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    produced = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(produced, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert produced == json.loads(golden.read_text(encoding="utf-8")), f"plan of {name} differs from {golden}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_plan_has_each_host_with_os_roles_addresses_state(name: str) -> None:
    site = load_site(INVENTORIES / name, with_secrets=False)
    plan = build_plan(site)
    assert set(plan["hosts"]) == set(site.hosts)
    for host_name, host in plan["hosts"].items():
        assert host["os"] in ("debian", "windows")
        assert host["roles"], host_name
        assert host["addresses"], host_name
        assert host["state"], host_name
    for key in ("zones", "flows", "sizing", "waves", "switches"):
        assert key in plan


def test_departement_shape() -> None:
    """What the issue asks of the big example: HA brokers, two gateways, ~30 session hosts, 5 waves of 300."""
    plan = build_plan(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    roles = plan["roles"]
    assert len(roles["rds_broker"]) == 2 and plan["settings"]["rds"]["broker_ha"]
    assert len(roles["rds_gateway"]) == 2 and len(roles["rds_web"]) == 2
    assert len(roles["rds_session_host"]) == 40
    assert len(roles["mfa"]) == 2
    assert [w["agents"] for w in plan["waves"]] == [300] * 5
    assert plan["waves"][-1]["agents_cumulative"] == 1500
    vendors = {s["vendor"] for name, s in plan["switches"].items() if name != "sw-core"}
    assert len(plan["switches"]) == 11 and len(vendors) == 2


def test_lab_addresses_stay_in_test_range() -> None:
    """The lab inventory uses only 198.18.0.0/15."""
    import ipaddress

    lab = ipaddress.IPv4Network("198.18.0.0/15")
    plan = build_plan(load_site(INVENTORIES / "lab", with_secrets=False))
    for host in plan["hosts"].values():
        for address in host["addresses"].values():
            assert ipaddress.IPv4Address(address) in lab
    for zone in plan["zones"].values():
        assert ipaddress.IPv4Network(zone["subnet"]).subnet_of(lab)


@pytest.mark.parametrize("name", EXAMPLES)
def test_plan_lists_every_secret_the_inventory_names(name: str) -> None:
    """plan.json's secret names are the ones `ferme secrets init` generates (it once left out rds_pfx)."""
    from ferme.site.loader import secret_refs
    from ferme.site.yamlsrc import load_folder

    data, _ = load_folder(INVENTORIES / name)
    plan = build_plan(load_site(INVENTORIES / name, with_secrets=False))
    assert plan["secrets"] == sorted({ref.name for ref in secret_refs(data)})
