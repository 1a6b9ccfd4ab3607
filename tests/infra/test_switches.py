"""Switches: what ferme configured is there (VLANs, ports, management ACL), and telnet is refused."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from ferme.facts.netdev import VLAN_COMMANDS, vlan_table
from ferme.switches.intent import switch_intent
from ferme.switches.remediation import remediation
from ferme.switches.render import render_switch


def test_vlans_have_the_zones_names(switch: Any, plan: dict[str, Any]) -> None:
    name, planned, session = switch
    table = vlan_table(planned["vendor"], session.send_command(VLAN_COMMANDS[planned["vendor"]], read_timeout=60))
    wanted = {vlan.number: vlan.name for vlan in switch_intent(plan, name).vlans}
    assert {number: table.get(number) for number in wanted} == wanted


def test_ports_and_management_are_as_intended(switch: Any, plan: dict[str, Any]) -> None:
    """Modes, VLANs, descriptions, trunks, the management interface and ACL: nothing left to push."""
    name, planned, session = switch
    running = session.send_command("show running-config", read_timeout=60)
    left = remediation(planned["vendor"], running, render_switch(plan, name))
    assert left.empty, "differs from the intended configuration:\n" + "\n".join(left.lines[:20])
    if planned["vendor"] == "cisco_ios":
        assert "access-class FERME-SSH in" in running and "transport input ssh" in running
        assert "transport input telnet" not in running


def test_telnet_is_refused(switch: Any) -> None:
    _, planned, _ = switch
    try:
        socket.create_connection((planned["management"]["address"], 23), timeout=3).close()
    except OSError:
        return
    pytest.fail("the switch answers telnet (tcp/23)")
