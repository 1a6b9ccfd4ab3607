"""Expected state of a Windows host, read back in one PowerShell call (the batched facts) and compared.

testinfra's Windows modules run under cmd.exe with a shell per command (WINDOWS.md): ferme asks one
JSON document per host instead and asserts it in pytest (tests/infra/test_windows.py).
"""

from __future__ import annotations

from typing import Any

from ferme.render.export import group_memberships, registry_values
from ferme.render.windows_firewall import rules_for_host

ROLE_PORTS = {"rds_session_host": 3389, "rds_gateway": 443, "rds_web": 443, "rds_broker": 3389}


def expectations(plan: dict[str, Any], name: str) -> dict[str, Any]:
    host = plan["hosts"][name]
    return {
        "features": host["state"]["windows_features"],
        "registry": {f"{path}\\{value_name}": value for path, value_name, value in registry_values(plan, host)},
        "firewall_rules": sorted(rule["name"] for rule in rules_for_host(plan, name)),
        "listening": sorted({port for role, port in ROLE_PORTS.items() if role in host["roles"]} | {5986}),
        "services": ["TermService"] if "rds_session_host" in host["roles"] else [],
        "certificates": sorted(c["thumbprint"] for c in host["state"].get("certificates", [])),
        "groups": group_memberships(plan, host),
    }


def wanted(expected: dict[str, Any]) -> dict[str, Any]:
    """The facts to ask for (host_facts_script's argument)."""
    return {
        "features": expected["features"],
        "services": expected["services"],
        "registry": [key.rsplit("\\", 1) for key in expected["registry"]],
        "groups": sorted(expected["groups"]),
    }
