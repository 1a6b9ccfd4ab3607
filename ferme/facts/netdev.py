"""Facts read from a switch through the `netdev` connector: its running configuration and its VLAN table."""

from __future__ import annotations

from typing import Any

from pyinfra.api.facts import FactBase

# The command that shows each vendor's VLAN table, and the ntc-templates platform that parses it.
VLAN_COMMANDS = {"cisco_ios": "show vlan brief", "aruba_aoscx": "show vlan", "hp_procurve": "show vlans"}


class RunningConfig(FactBase):  # type: ignore[type-arg]
    """`show running-config`, as the switch prints it."""

    def command(self) -> str:
        return "show running-config"

    def process(self, output: list[str]) -> str:
        return "\n".join(output) + "\n"


def vlan_table(vendor: str, text: str) -> dict[int, str]:
    """A `show vlan` output as number → name (ntc-templates' TextFSM template for the vendor)."""
    from ntc_templates.parse import parse_output

    rows: list[dict[str, Any]] = parse_output(platform=vendor, command=VLAN_COMMANDS[vendor], data=text)
    table: dict[int, str] = {}
    for row in rows:
        number = row.get("vlan_id") or row.get("vlanid") or row.get("vlan")
        if number is not None and str(number).isdigit():
            table[int(number)] = str(row.get("vlan_name") or row.get("name") or "")
    return table
