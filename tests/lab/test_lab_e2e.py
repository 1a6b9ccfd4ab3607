"""End to end on the built-in lab (root, systemd-nspawn): up, apply with a host lost midway, re-apply,
no-op apply, verify, SSH audit, down leaving nothing behind.

It runs a copy of inventories/lab renamed `labtest` on 198.19.0.0/16, so a lab left running by
`make demo` (198.18.0.0/16) is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferme.site.loader import secret_refs
from ferme.site.sops import init_secrets
from ferme.site.yamlsrc import load_folder
from tests.conftest import INVENTORIES, ROOT

pytestmark = pytest.mark.lab
BIN = Path(sys.executable).parent
LAB_ID = "fl-labtest"
RUN_DIR = Path("/run/ferme-lab") / LAB_ID
LAYERS = Path("/var/lib/ferme-lab") / LAB_ID


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, overlay mounts, systemd-nspawn)"
    for tool in ("systemd-nspawn", "mmdebstrap", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (make setup installs it)"
    return None


def ferme(*args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(BIN / "ferme"), *args], capture_output=True, text=True, timeout=timeout,
                            cwd=ROOT, check=False)  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"ferme {' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory, age_home: Path) -> Iterator[Path]:
    reason = _why_not()
    if reason:
        pytest.skip(f"lab tests skipped: {reason}")
    folder = tmp_path_factory.mktemp("labtest") / "labtest"
    shutil.copytree(INVENTORIES / "lab", folder, ignore=shutil.ignore_patterns("secrets.sops.yml", "__pycache__"))
    for path in folder.glob("*.yml"):
        text = path.read_text().replace("198.18.", "198.19.").replace("name: lab\n", "name: labtest\n")
        path.write_text(text)
    data, _ = load_folder(folder)
    init_secrets(folder, [ref.name for ref in secret_refs(data)])
    started = time.monotonic()
    try:
        ferme("lab", "up", str(folder))
        print(f"\nlab up: {time.monotonic() - started:.1f} s")
        yield folder
    finally:
        ferme("lab", "down", str(folder), check=False)


def _report(path: Path) -> dict:
    return json.loads(path.read_text())["hosts"]


def test_status_lists_every_host(inventory: Path) -> None:
    status = json.loads(ferme("lab", "status", str(inventory), "--json").stdout)
    assert status["outside_netns"] == f"{LAB_ID}-outside"
    states = {h["name"]: h["state"] for h in status["hosts"]}
    assert states == {"lab-collab": "running", "lab-fw": "running", "lab-mfa": "running", "lab-vpn": "running",
                      "lab-rds01": "not-in-lab", "lab-rdsh01": "not-in-lab", "lab-rdsh02": "not-in-lab",
                      "lab-dc01": "not-in-lab"}  # fmt: skip
    firewall = next(h for h in status["hosts"] if h["name"] == "lab-fw")
    assert firewall["netns"] == f"{LAB_ID}-lab-fw" and firewall["addresses"]["mgmt"] == "198.19.4.1"


def test_up_is_idempotent(inventory: Path) -> None:
    result = ferme("lab", "up", str(inventory))
    assert "booting" not in result.stdout and result.stdout.count("running") == 5  # 4 hosts, 1 switch


def test_a_host_lost_midway_does_not_stop_the_others(inventory: Path, tmp_path: Path) -> None:
    report = tmp_path / "apply.json"
    process = subprocess.Popen([str(BIN / "ferme"), "apply", str(inventory), "--report", str(report)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert process.stderr is not None
    operations = 0
    for line in process.stderr:
        operations += line.startswith("--> Starting operation")
        if operations == 3:
            pid = int((RUN_DIR / "lab-mfa.pid").read_text())
            os.kill(pid, 15)  # systemd-nspawn halts the host
            break
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, f"a failed host makes the run fail\n{stdout}\n{stderr[-3000:]}"
    assert report.exists(), f"no report\n{stdout}\n{stderr[-3000:]}"
    hosts = _report(report)
    assert hosts["lab-mfa"]["status"] == "failed"
    for name in ("lab-fw", "lab-vpn", "lab-collab"):
        assert hosts[name]["status"] == "ok" and hosts[name]["failed"] == 0, hosts[name]
        assert hosts[name]["changed"] > 0
    assert hosts["lab-rds01"]["status"] == "skipped"


def test_rerun_converges_then_changes_nothing(inventory: Path, tmp_path: Path) -> None:
    ferme("lab", "up", str(inventory))  # boots the host stopped by the previous test
    ferme("apply", str(inventory), "--report", str(tmp_path / "first.json"))
    assert all(h["status"] in ("ok", "skipped") for h in _report(tmp_path / "first.json").values())
    started = time.monotonic()
    ferme("apply", str(inventory), "--report", str(tmp_path / "second.json"))
    print(f"\nno-op apply: {time.monotonic() - started:.1f} s")
    second = _report(tmp_path / "second.json")
    assert {name: h["changed"] for name, h in second.items()} == dict.fromkeys(second, 0)
    assert sum(h["unchanged"] for h in second.values()) > 0


def test_verify_is_green(inventory: Path, tmp_path: Path) -> None:
    result = ferme("verify", str(inventory), "--junit", str(tmp_path / "junit.xml"))
    assert "verify passed" in result.stdout
    assert (tmp_path / "junit.xml").read_text().count("<testcase") >= 4 * 9
    assert "Windows: not checked here" in result.stdout


def test_ssh_audit_finds_no_weak_algorithm(inventory: Path) -> None:
    for address in ("198.19.4.1", "198.19.4.10", "198.19.4.20", "198.19.4.21"):
        audit = subprocess.run([str(BIN / "ssh-audit"), "-P", "Hardened Debian 12 (version 3)", address],
                               capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert "Passed" in audit.stdout, audit.stdout[-2000:]
        plain = subprocess.run([str(BIN / "ssh-audit"), "-n", address], capture_output=True, text=True,
                               timeout=60, check=False)  # fmt: skip
        assert "[fail]" not in plain.stdout


def test_hosts_get_packages_through_the_controller(inventory: Path) -> None:
    """No route out: apt goes through apt-cacher-ng, pip through proxpi, both on the controller's lab address."""
    key = Path(ROOT / ".cache" / "lab" / "ssh" / "id_ed25519")
    command = " && ".join([
        "apt-get update -q >/dev/null",
        "apt-get install -q -y --download-only cowsay >/dev/null",
        "python3 -m venv /tmp/venv",
        "/tmp/venv/bin/pip download -q --no-deps -d /tmp/wheels six",
        "ls /tmp/wheels",
    ])  # fmt: skip
    ssh = ["ssh", "-i", str(key), "-o", f"UserKnownHostsFile={RUN_DIR / 'known_hosts'}", "root@198.19.4.20"]
    result = subprocess.run([*ssh, command], capture_output=True, text=True, timeout=300, check=False)
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


def test_down_leaves_nothing_behind(inventory: Path) -> None:
    ferme("lab", "down", str(inventory))
    assert not [n for n in os.listdir("/run/netns") if n.startswith(LAB_ID)] if os.path.isdir("/run/netns") else True
    with open("/proc/self/mountinfo") as mounts:
        assert str(LAYERS) not in mounts.read()
    assert not RUN_DIR.exists() and not LAYERS.exists()
    processes = subprocess.run(["pgrep", "-f", f"/run/netns/{LAB_ID}-|ferme-lab/{LAB_ID}"],
                               capture_output=True, text=True, check=False)  # fmt: skip
    assert processes.stdout == ""
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    controller = json.loads(ferme("lab", "status", str(inventory), "--json").stdout)["controller"]
    assert controller.split("/")[0] not in subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True,
                                                           check=True).stdout  # fmt: skip
    assert all(not Path(root, f"{LAB_ID}-lab-fw").exists() for root in ("/sys/fs/cgroup/systemd",
                                                                       "/sys/fs/cgroup/unified"))  # fmt: skip
    assert f"{LAB_ID}" not in links
