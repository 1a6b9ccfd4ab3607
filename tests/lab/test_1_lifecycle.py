"""Lab lifecycle: status, idempotent up, a host lost during an apply, convergence, verify, SSH audit,
package sources through the controller, the switch simulator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

from ferme.plan import build_plan
from ferme.site import load_site
from tests.lab.conftest import BIN, LAB_ID, ROOT, RUN_DIR, ferme, report, ssh


def test_status_lists_every_host(inventory: Path) -> None:
    status = json.loads(ferme("lab", "status", str(inventory), "--json").stdout)
    assert status["outside_netns"] == f"{LAB_ID}-outside"
    states = {h["name"]: h["state"] for h in status["hosts"]}
    assert states == {"lab-collab": "running", "lab-fw": "running", "lab-mfa": "running", "lab-vpn": "running",
                      "lab-portail": "running", "lab-mfa2": "running",
                      "lab-rds01": "not-in-lab", "lab-rdgw02": "not-in-lab", "lab-rdsh01": "not-in-lab",
                      "lab-rdsh02": "not-in-lab",
                      "lab-dc01": "not-in-lab"}  # fmt: skip
    firewall = next(h for h in status["hosts"] if h["name"] == "lab-fw")
    assert firewall["netns"] == f"{LAB_ID}-lab-fw" and firewall["addresses"]["mgmt"] == "198.19.4.1"


def test_up_is_idempotent(inventory: Path) -> None:
    result = ferme("lab", "up", str(inventory))
    assert "booting" not in result.stdout and result.stdout.count("running") == 7  # 6 hosts, 1 switch


def test_a_host_lost_midway_does_not_stop_the_others(inventory: Path, tmp_path: Path) -> None:
    apply_report = tmp_path / "apply.json"
    process = subprocess.Popen([str(BIN / "ferme"), "apply", "-v", str(inventory), "--report", str(apply_report)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert process.stderr is not None
    operations = 0
    for line in process.stderr:  # -v: a line per operation done, `[host] name: changed`
        operations += bool(re.match(r"\[lab-[a-z0-9-]+\] .+: (changed|unchanged|failed)$", line))
        if operations == 3:
            pid = int((RUN_DIR / "lab-mfa.pid").read_text())
            os.kill(pid, 15)  # systemd-nspawn halts the host
            break
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, f"a failed host makes the run fail\n{stdout}\n{stderr[-3000:]}"
    assert apply_report.exists(), f"no report\n{stdout}\n{stderr[-3000:]}"
    hosts = report(apply_report)
    assert hosts["lab-mfa"]["status"] == "failed"
    for name in ("lab-fw", "lab-vpn", "lab-collab"):
        assert hosts[name]["status"] == "ok" and hosts[name]["failed"] == 0, hosts[name]
        assert hosts[name]["changed"] > 0
    assert hosts["lab-rds01"]["status"] == "skipped"


def test_rerun_converges_then_changes_nothing(inventory: Path, tmp_path: Path) -> None:
    ferme("lab", "up", str(inventory))  # boots the host stopped by the previous test
    ferme("apply", str(inventory), "--report", str(tmp_path / "first.json"))
    assert all(h["status"] in ("ok", "skipped") for h in report(tmp_path / "first.json").values())
    started = time.monotonic()
    noop = ferme("apply", "-v", str(inventory), "--report", str(tmp_path / "second.json"))
    print(f"\nno-op apply: {time.monotonic() - started:.1f} s")
    second = report(tmp_path / "second.json")
    assert {name: h["changed"] for name, h in second.items()} == dict.fromkeys(second, 0)
    assert sum(h["unchanged"] for h in second.values()) > 0
    # Each host names its own operations: pyinfra keys an operation by its stack's line numbers only, so an
    # operation of one host can share its key with another host's, and pyinfra names it by both.
    done = [line for line in noop.stderr.splitlines() if re.match(r"\[lab-[a-z0-9-]+\] .+: unchanged$", line)]
    assert len(done) == sum(h["unchanged"] for h in second.values()), noop.stderr[-2000:]
    foreign = [line for line in done if not line.startswith("[lab-fw]") and "Edge firewall (nftables) |" in line]
    assert not foreign, foreign[:5]


def test_an_admin_account_changed_by_hand_is_set_back_alone(inventory: Path, tmp_path: Path) -> None:
    """A converged host skips pyinfra's account facts (roles/base/admins.py): a change by hand must still be seen."""
    address = "198.19.7.10"  # lab-vpn, on its management leg
    assert ssh(address, "usermod -s /bin/sh exploit").returncode == 0
    ferme("apply", str(inventory), "--limit", "lab-vpn", "--report", str(tmp_path / "fix.json"))
    fixed = report(tmp_path / "fix.json")["lab-vpn"]
    assert fixed["changed_operations"] == ["Base Debian host | Admin exploit",
                                           "Base Debian host | Admins: stamp (as converged)"], fixed  # fmt: skip
    assert ssh(address, "getent passwd exploit").stdout.strip().endswith(":/bin/bash")
    ferme("apply", str(inventory), "--limit", "lab-vpn", "--report", str(tmp_path / "again.json"))
    assert report(tmp_path / "again.json")["lab-vpn"]["changed"] == 0


def test_verify_is_green(inventory: Path, tmp_path: Path) -> None:
    result = ferme("verify", str(inventory), "--junit", str(tmp_path / "junit.xml"))
    assert "verify passed" in result.stdout
    assert (tmp_path / "junit.xml").read_text().count("<testcase") >= 4 * 9
    assert "lab-rds01: Windows is not in the lab (no Windows on this machine)" in result.stdout


def test_ssh_audit_finds_no_weak_algorithm(inventory: Path) -> None:
    plan = build_plan(load_site(inventory, with_secrets=False))
    addresses = [h["connection"]["address"] for h in plan["hosts"].values() if h["os"] == "debian"]
    assert len(addresses) == 6
    for address in addresses:  # each on its management leg, from the admin zone through the edge
        audit = subprocess.run([str(BIN / "ssh-audit"), "-P", "Hardened Debian 12 (version 3)", address],
                               capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert "Passed" in audit.stdout, audit.stdout[-2000:]
        plain = subprocess.run([str(BIN / "ssh-audit"), "-n", address], capture_output=True, text=True,
                               timeout=60, check=False)  # fmt: skip
        assert "[fail]" not in plain.stdout


def test_hosts_get_packages_through_the_controller(inventory: Path) -> None:
    """No route out: apt goes through apt-cacher-ng, pip through proxpi, both on the controller's lab address."""
    command = " && ".join([
        "apt-get update -q >/dev/null",
        "apt-get install -q -y --download-only cowsay >/dev/null",
        "python3 -m venv /tmp/venv",
        "/tmp/venv/bin/pip download -q --no-deps -d /tmp/wheels six",
        "ls /tmp/wheels",
    ])  # fmt: skip
    for address in ("198.19.4.20", "198.19.7.21"):  # the MFA (mgmt) and the collab server (mgmt-dmz): through the edge
        result = ssh(address, command)
        assert "six-" in result.stdout, result.stdout + result.stderr


def test_switch_simulator_answers_netmiko(inventory: Path) -> None:
    """The lab switch (fake-switches, Cisco model) takes a VLAN through netmiko, host key checked."""
    from netmiko import ConnectHandler

    from ferme.site import load_site

    site = load_site(inventory)
    password = site.secrets.value(site.switches["lab-sw01"].connection.password or "")
    switch = ConnectHandler(device_type="cisco_ios", host="198.19.4.2", username="admin", password=password,
                            secret=password, ssh_strict=True, system_host_keys=False, alt_host_keys=True,
                            alt_key_file=str(RUN_DIR / "known_hosts"))  # fmt: skip
    switch.enable()
    switch.send_config_set(["vlan 30", "name dmz"], error_pattern=r"% Invalid|% Incomplete|% Ambiguous")
    vlans = switch.send_command("show vlan brief", use_textfsm=True)
    switch.disconnect()
    assert {"vlan_id": "30", "vlan_name": "dmz"}.items() <= next(v for v in vlans if v["vlan_id"] == "30").items()
    status = json.loads(ferme("lab", "status", str(inventory), "--json").stdout)
    assert status["switches"] == [{"name": "lab-sw01", "vendor": "cisco_ios", "address": "198.19.4.2",
                                   "netns": f"{LAB_ID}-lab-sw01", "state": "running",
                                   "simulator": "fake-switches"}]  # fmt: skip
