"""The lab switch (fake-switches' Cisco model, taught the IOS lines ferme writes: ferme/lab/fakeswitch_ios.py)
configured by `ferme apply` through the netdev connector: pushed once, nothing the second time, a refused line
rolled back to the configuration it started from, one SSH session per run.

The simulator is not a Catalyst: it keeps what the configuration says, it enforces none of it (no ACL filters,
no spanning tree runs). What it proves is the transaction: remediation, refused lines, read-back, rollback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferme.site import load_site
from tests.lab.conftest import LAB_ID, RUN_DIR, ferme

SWITCH = "lab-sw01"
ADDRESS = "198.19.4.2"


def sessions() -> int:
    """SSH sessions the simulator has served (netmiko prepares each one with `terminal length 0`)."""
    return (RUN_DIR / f"{SWITCH}.log").read_text(errors="replace").count("Command not supported : terminal length 0")


@pytest.fixture(scope="module")
def cli(inventory: Path) -> Iterator[Any]:
    """A session of the test's own, to read the switch (it counts as one session: counted apart)."""
    from netmiko import ConnectHandler

    site = load_site(inventory)
    password = site.secrets.value(site.switches[SWITCH].connection.password or "")
    switch = ConnectHandler(device_type="cisco_ios", host=ADDRESS, username="admin", password=password,
                            secret=password, ssh_strict=True, system_host_keys=False, alt_host_keys=True,
                            alt_key_file=str(RUN_DIR / "known_hosts"))  # fmt: skip
    switch.enable()
    yield switch
    switch.disconnect()


def running(cli: Any) -> str:
    text = cli.send_command("show running-config", read_timeout=60)
    return "\n".join(line for line in text.splitlines() if not line.startswith(("Building", "Current configuration")))


def interface(text: str, name: str) -> list[str]:
    block = re.search(rf"^interface {re.escape(name)}\n((?: .*\n)*)", text + "\n", re.M)
    assert block, f"no interface {name}"
    return [line.strip() for line in block.group(1).splitlines()]


def apply(inventory: Path, tmp_path: Path, *extra: str, check: bool = True) -> tuple[dict[str, Any], str]:
    report = tmp_path / f"apply-{len(list(tmp_path.glob('apply-*')))}.json"
    result = ferme("apply", str(inventory), "--limit", SWITCH, "--report", str(report), *extra, check=check)
    return json.loads(report.read_text())["hosts"][SWITCH], result.stdout + result.stderr


def test_the_switch_holds_the_intended_configuration(inventory: Path, cli: Any, tmp_path: Path) -> None:
    apply(inventory, tmp_path)  # the lifecycle tests applied the lab already: this one has nothing left to do
    text = running(cli)
    for vlan, name in ((10, "servers"), (20, "users"), (30, "dmz"), (99, "mgmt"), (999, "parking")):
        assert f"vlan {vlan}\n name {name}" in text
    port = interface(text, "GigabitEthernet1/0/3")  # lab-mfa, zone servers
    assert {"switchport access vlan 10", "switchport mode access", "spanning-tree portfast edge",
            "spanning-tree bpduguard enable", "storm-control broadcast level 1.00"} <= set(port)  # fmt: skip
    assert port[0].startswith("description lab-mfa (mfa)")
    trunk = interface(text, "GigabitEthernet1/0/1")
    assert {"switchport mode trunk", "switchport trunk native vlan 999",
            "switchport trunk allowed vlan 10,20,30,90,98,99"} <= set(trunk)  # fmt: skip
    assert "198.19.4.2 255.255.255.0" in "\n".join(interface(text, "Vlan99"))
    assert re.search(r"^line vty 0 15\n access-class FERME-SSH in\n(?: .*\n)* transport input ssh$", text, re.M)
    assert re.search(r"^ip access-list standard FERME-SSH\n permit 198\.19\.6\.0 0\.0\.0\.255\n deny any log$",
                     text, re.M)  # fmt: skip
    assert "banner login ^C\nAcces reserve aux administrateurs de Laboratoire ferme." in text
    assert "transport input telnet" not in text and "enable password" not in text


def test_a_second_apply_pushes_nothing_in_one_session(inventory: Path, tmp_path: Path) -> None:
    before = sessions()
    host, output = apply(inventory, tmp_path)
    assert host["status"] == "ok" and host["changed"] == 0 and host["lines"] == [], output
    assert sessions() - before == 1, "one SSH session per switch per run"


def test_dry_shows_the_remediation_and_changes_nothing(inventory: Path, cli: Any, tmp_path: Path) -> None:
    network = inventory / "network.yml"
    original = network.read_text()
    before = running(cli)
    try:
        network.write_text(original.replace('Gi1/0/[5:8]: {zone: users, description: "Postes"}',
                                            'Gi1/0/[5:8]: {zone: servers, description: "Postes"}'))  # fmt: skip
        host, output = apply(inventory, tmp_path, "--dry")
        assert host["lines"] == [
            line
            for port in range(5, 9)
            for line in (f"interface GigabitEthernet1/0/{port}", "  switchport access vlan 10")
        ]
        assert "lab-sw01: 8 line(s) to push" in output
        assert running(cli) == before
    finally:
        network.write_text(original)


def test_a_refused_line_rolls_the_switch_back_and_saves_nothing(inventory: Path, cli: Any, tmp_path: Path) -> None:
    """Ports 5-8 move to another VLAN, then a port the switch does not have (a typo on a real site) is refused:
    the moves already made are undone, and the running configuration is the one before, line for line."""
    network = inventory / "network.yml"
    original = network.read_text()
    before = running(cli)
    sessions_before = sessions()
    try:
        network.write_text(
            original.replace(
                'Gi1/0/[5:8]: {zone: users, description: "Postes"}',
                'Gi1/0/[5:8]: {zone: servers, description: "Postes"}\n'
                '      Gi1/0/30: {zone: users, description: "Absent"}',
            )
        )
        host, output = apply(inventory, tmp_path, check=False)
        assert host["status"] == "failed", output
        assert "push refused" in host["error"] and "rollback pushed, not saved" in host["error"], host["error"]
        assert running(cli) == before
        assert sessions() - sessions_before == 1
    finally:
        network.write_text(original)
    host, _ = apply(inventory, tmp_path)  # the inventory as it was: nothing to do
    assert host["changed"] == 0 and host["lines"] == []


def test_lab_status_still_lists_the_switch(inventory: Path) -> None:
    status = json.loads(ferme("lab", "status", str(inventory), "--json").stdout)
    assert status["switches"][0]["netns"] == f"{LAB_ID}-{SWITCH}" and status["switches"][0]["state"] == "running"
