"""`pyinfra inventories/<site>/inventory.py deploy/farm.py`: groups by role, host data from the plan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ferme.pyinfra_inventory import pyinfra_groups
from tests.conftest import INVENTORIES, ROOT


def test_groups_and_host_data_for_the_lab() -> None:
    groups = pyinfra_groups(str(INVENTORIES / "lab" / "inventory.py"))
    hosts = {name: data for entries in groups.values() for name, data in entries}
    windows_hosts = [
        "@winrm/lab-dc01",
        "@winrm/lab-rdgw02",
        "@winrm/lab-rds01",
        "@winrm/lab-rdsh01",
        "@winrm/lab-rdsh02",
    ]
    assert sorted(hosts) == [*windows_hosts, "lab-collab", "lab-fw", "lab-mfa", "lab-mfa2", "lab-portail", "lab-vpn"]
    assert hosts["lab-fw"]["ssh_hostname"] == "198.18.4.1"
    windows = hosts["@winrm/lab-rds01"]
    assert (windows["winrm_hostname"], windows["winrm_port"]) == ("198.18.4.30", 5986)
    assert windows["winrm_password_secret"] == "winrm_deploy" and "winrm_password" not in windows
    assert hosts["lab-fw"]["ferme"]["roles"] == ["edge_firewall"]
    assert [name for name, _ in groups["edge_firewall"]] == ["lab-fw"]
    assert len(groups["debian"]) == 6


def test_pyinfra_reads_the_inventory_file() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pyinfra"), str(INVENTORIES / "lab" / "inventory.py"), "debug-inventory"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr  # pyinfra prints its report on stderr
    assert "[lab-fw]" in output
    assert "--> Groups: debian, linux, edge_firewall, inventory" in output
    assert '"ssh_hostname": "198.18.4.1"' in output


def test_pyinfra_runs_farm_deploy_composition(tmp_path: Path) -> None:
    """farm.py loads and composes role deploys (run against @local with --dry: nothing executes)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pyinfra"), "@local", str(ROOT / "deploy" / "farm.py"), "--dry", "-y",
         "--data", 'ferme={"os": "appliance", "roles": ["vpn", "rds_web"]}'],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Ready: " in result.stdout + result.stderr


def test_debug_inventory_lists_windows_hosts_through_winrm() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pyinfra"), str(INVENTORIES / "mairie-exemple" / "inventory.py"),
         "debug-inventory"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "[@winrm/srv-rds01]" in output and '"winrm_password_secret": "winrm_deploy"' in output


def test_kerberos_hosts_are_reached_by_name_others_by_address() -> None:
    """Kerberos has no SPN for an address (issue 10, point 4): a kerberos host is reached by its DNS name."""
    from ferme.plan import build_plan
    from ferme.pyinfra_inventory import host_entry
    from ferme.site import load_site

    plan = build_plan(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    entry = host_entry(plan, "cb01", None)
    assert entry is not None and entry[1]["winrm_auth"] == "kerberos"
    assert entry[1]["winrm_hostname"] == "cb01.ad.departement-exemple.fr"
    mairie = build_plan(load_site(INVENTORIES / "mairie-exemple", with_secrets=False))
    entry = host_entry(mairie, "srv-rds01", None)
    assert entry is not None and entry[1]["winrm_hostname"] == "10.50.99.10"


def test_kerberos_with_a_name_that_is_not_a_dns_name_is_refused(cli, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "departement"
    shutil.copytree(INVENTORIES / "departement-exemple", folder)
    hosts = folder / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("  lic01:", "  lic_01:"))
    result = cli("check", "--no-secrets", str(folder))
    assert result.exit_code == 2
    assert "lic_01: Kerberos needs a DNS name, and 'lic_01.ad.departement-exemple.fr' is not one" in result.stderr
