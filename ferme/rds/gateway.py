"""The RD Gateway's authorization policies, through the `RDS:` drive on each gateway (local: no double hop).

One connection authorization policy (CAP) for the collections' groups, password logon; one resource
authorization policy (RAP) for the same groups toward a gateway-managed group holding only the farm's servers
(session hosts, brokers, the client access name); other CAPs and RAPs (Windows creates `RDG_CAP_AllUsers` for
Domain Users and `RDG_AllDomainComputers`) are removed: the gateway lets nobody else through, to nothing else.
"""

from __future__ import annotations

from typing import Any

from ferme.powershell.quote import ps_array, ps_quote
from ferme.rds.read import lowered as _lower

ROOT = "RDS:\\GatewayServer"


def probe(roots: list[str]) -> list[str]:
    """`$facts.gateway[root]`: CAPs (their user groups), RAPs (groups, computer group and its type), the
    gateway-managed computer groups (their computers); null where the RemoteDesktopServices module is absent."""
    return [
        "$facts.gateway = [ordered]@{}",
        f"foreach ($name in {ps_array(roots)}) {{",
        "    $facts.gateway[$name] = $null",
        "    if (-not (Get-Module -ListAvailable -Name RemoteDesktopServices)) { continue }",
        "    Import-Module -Name RemoteDesktopServices",
        "    $gw = [ordered]@{ caps = [ordered]@{}; raps = [ordered]@{}; groups = [ordered]@{} }",
        "    foreach ($cap in @(Get-ChildItem -Path ($name + '\\CAP'))) {",
        "        $gw.caps[$cap.Name] = @(Get-ChildItem -Path ($name + '\\CAP\\' + $cap.Name + '\\UserGroups') |",
        "            ForEach-Object { $_.Name })",
        "    }",
        "    foreach ($rap in @(Get-ChildItem -Path ($name + '\\RAP'))) {",
        "        $base = $name + '\\RAP\\' + $rap.Name",
        "        $gw.raps[$rap.Name] = [ordered]@{",
        "            user_groups = @(Get-ChildItem -Path ($base + '\\UserGroups') | ForEach-Object { $_.Name })",
        "            computer_group_type = [string](Get-Item -Path ($base + '\\ComputerGroupType')).CurrentValue",
        "            computer_group = [string](Get-Item -Path ($base + '\\ComputerGroup')).CurrentValue",
        "        }",
        "    }",
        "    foreach ($group in @(Get-ChildItem -Path ($name + '\\GatewayManagedComputerGroups'))) {",
        "        $network = $name + '\\GatewayManagedComputerGroups\\' + $group.Name + '\\Network'",
        "        $gw.groups[$group.Name] = @(Get-ChildItem -Path $network | ForEach-Object { $_.Name })",
        "    }",
        "    $facts.gateway[$name] = $gw",
        "}",
    ]  # fmt: skip


def parse(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {
        "caps": {name: _lower(groups) for name, groups in (raw.get("caps") or {}).items()},
        "raps": {
            name: {
                "user_groups": _lower(rap.get("user_groups")),
                "computer_group_type": str(rap.get("computer_group_type") or ""),
                "computer_group": str(rap.get("computer_group") or ""),
            }
            for name, rap in (raw.get("raps") or {}).items()
        },
        "groups": {name: _lower(computers) for name, computers in (raw.get("groups") or {}).items()},
    }


def changes(wanted: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The PowerShell that takes the gateway's policies from `current` (parse's shape) to `wanted` (the plan's)."""
    lines: list[str] = []
    groups, computers = wanted["user_groups"], wanted["computers"]
    group_path = f"{ROOT}\\GatewayManagedComputerGroups"
    have = current["groups"].get(wanted["computer_group"].lower()) or current["groups"].get(wanted["computer_group"])
    if have is None:
        lines.append(f"New-Item -Path {ps_quote(group_path)} -Name {ps_quote(wanted['computer_group'])} -Description "
                     f"'ferme: serveurs de la ferme RDS' -Computers {ps_array(computers)} | Out-Null")  # fmt: skip
    else:
        network = f"{group_path}\\{wanted['computer_group']}\\Network"
        lines += _members(network, computers, have)
    cap = current["caps"].get(wanted["cap"])
    if cap is None:
        lines.append(f"New-Item -Path {ps_quote(ROOT + chr(92) + 'CAP')} -Name {ps_quote(wanted['cap'])} -UserGroups "
                     f"{ps_array(groups)} -AuthMethod 1 | Out-Null")  # fmt: skip
    else:
        lines += _members(f"{ROOT}\\CAP\\{wanted['cap']}\\UserGroups", groups, cap)
    rap = current["raps"].get(wanted["rap"])
    if rap is None:
        lines.append(f"New-Item -Path {ps_quote(ROOT + chr(92) + 'RAP')} -Name {ps_quote(wanted['rap'])} -UserGroups "
                     f"{ps_array(groups)} -ComputerGroupType 0 -ComputerGroup {ps_quote(wanted['computer_group'])} "
                     "| Out-Null")  # fmt: skip
    else:
        base = f"{ROOT}\\RAP\\{wanted['rap']}"
        lines += _members(f"{base}\\UserGroups", groups, rap["user_groups"])
        if rap["computer_group_type"] != "0":
            lines.append(f"Set-Item -Path {ps_quote(base + chr(92) + 'ComputerGroupType')} -Value 0")
        if rap["computer_group"].lower() != wanted["computer_group"].lower():
            lines.append(f"Set-Item -Path {ps_quote(base + chr(92) + 'ComputerGroup')} -Value "
                         f"{ps_quote(wanted['computer_group'])}")  # fmt: skip
    for kind, name in [("CAP", n) for n in current["caps"] if n != wanted["cap"]] + [
        ("RAP", n) for n in current["raps"] if n != wanted["rap"]
    ]:
        path = ROOT + "\\" + kind + "\\" + name
        lines.append(f"Remove-Item -Path {ps_quote(path)} -Recurse")
    return lines


def _members(container: str, wanted: list[str], current: list[str]) -> list[str]:
    lines = [f"New-Item -Path {ps_quote(container)} -Name {ps_quote(item)} | Out-Null"
             for item in wanted if item.lower() not in current]  # fmt: skip
    wanted_lower = {item.lower() for item in wanted}
    lines += [
        f"Remove-Item -Path {ps_quote(container + chr(92) + item)}" for item in current if item not in wanted_lower
    ]
    return lines
