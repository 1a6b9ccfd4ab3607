"""Which hosts `ferme apply` converges, and why the others are left out."""

from __future__ import annotations

import pytest

from ferme.apply import select_hosts
from ferme.plan import build_plan
from ferme.site import load_site
from tests.conftest import INVENTORIES


@pytest.fixture(scope="module")
def plan() -> dict:
    return build_plan(load_site(INVENTORIES / "lab", with_secrets=False))


def test_windows_hosts_are_skipped_in_the_lab_with_the_reason(plan: dict) -> None:
    chosen, skipped = select_hosts(plan, None, lab=True)
    assert chosen == ["lab-collab", "lab-fw", "lab-mfa", "lab-mfa2", "lab-portail", "lab-vpn", "lab-sw01"]
    assert skipped["lab-rds01"] == "windows: not in the lab (no Windows on this machine), nothing ran"


def test_windows_hosts_go_through_winrm_on_a_real_site(plan: dict) -> None:
    chosen, skipped = select_hosts(plan, None, lab=False)
    assert "lab-rds01" in chosen and not skipped


def test_limit_by_role_and_host(plan: dict) -> None:
    assert select_hosts(plan, "mfa")[0] == ["lab-mfa", "lab-mfa2"]
    assert select_hosts(plan, "lab-fw,vpn")[0] == ["lab-fw", "lab-vpn"]


def test_switches_are_chosen_by_name_or_all_at_once(plan: dict) -> None:
    assert select_hosts(plan, "switches")[0] == ["lab-sw01"]
    assert select_hosts(plan, "lab-sw01,lab-fw")[0] == ["lab-fw", "lab-sw01"]


def test_a_switch_goes_through_netdev_with_its_intended_configuration_and_no_secret(plan: dict) -> None:
    from ferme.apply import host_entry_for

    name, data = host_entry_for(plan, "lab-sw01", None)
    assert name == "@netdev/lab-sw01"
    assert data["netdev_vendor"] == "cisco_ios" and data["netdev_hostname"] == "198.18.4.2"
    assert data["netdev_password_secret"] == "switch_admin" and "netdev_password" not in data
    assert "<secret switch_admin>" in data["ferme_switch"]["intended"]


def test_files_are_looked_for_with_switches_among_the_chosen(plan: dict) -> None:
    from ferme.apply import missing_for

    chosen, _ = select_hosts(plan, None, lab=True)
    assert "lab-sw01" in chosen and missing_for(plan, chosen, {}) == []


def test_unknown_limit_is_an_error(plan: dict) -> None:
    with pytest.raises(ValueError, match="no host or role named nope"):
        select_hosts(plan, "nope")


def test_apply_reaches_windows_hosts_through_winrm_with_the_secret_name_only(plan: dict) -> None:
    from ferme.apply import host_entry_for

    name, data = host_entry_for({**plan, "inventory": "/sites/lab"}, "lab-rds01", lab=None)
    assert name == "@winrm/lab-rds01"
    assert (data["winrm_hostname"], data["winrm_port"], data["winrm_password_secret"]) == (
        "198.18.4.30", 5986, "winrm_deploy")  # fmt: skip
    assert data["ferme_inventory"] == "/sites/lab" and "ssh_hostname" not in data and "winrm_password" not in data
    assert "windows/lab-rds01/firewall.ps1" in data["ferme_artifacts"]
