"""`ferme export`: a self-contained Windows PowerShell 5.1 script that converges one Windows host.

For sites that cannot run WinRM from Linux: an administrator reads it and runs it on the host.
Every block is guarded, so a second run changes nothing and says so.
"""

from __future__ import annotations

from ferme.plan.types import Plan, PlannedHost
from ferme.powershell.build import group_members, registry_value, windows_feature
from ferme.render.windows_firewall import render_host_rules


def _split(key: str) -> tuple[str, str]:
    path, _, value_name = key.rpartition("\\")
    return path, value_name


def _groups_block(plan: Plan, host: PlannedHost) -> list[str]:
    memberships: dict[str, list[str]] = host["state"]["groups"]
    if not memberships:
        return []
    return ["# The agents' groups of the host's collections in Remote Desktop Users (by its SID)",
            *[group_members(group, members, host["state"]["groups_domain"])
              for group, members in sorted(memberships.items())], ""]  # fmt: skip


def _deployment_block(host: PlannedHost) -> list[str]:
    """On the managing broker: every step of a fresh deployment, each reading back before it changes, so the
    block builds a farm from nothing and changes nothing on a converged one. Run it as the deployment account
    in a session of its own on the broker (network credentials: the double hop does not apply)."""
    from ferme.rds.delta import deployment_delta

    desired = host["state"].get("rd_deployment")
    if not desired:
        return []
    lines = ["# The RD deployment, from this broker (run as the deployment account, in a local session)"]
    for step in deployment_delta(desired, None).steps:
        lines += [f"# {step.title}", "& {", step.script, "}", ""]
    return lines


def render_export(plan: Plan, name: str) -> str:
    host = plan["hosts"][name]
    if host["os"] != "windows":
        raise ValueError(f"{name} is a {host['os']} host: ferme export is for Windows hosts")
    site = plan["site"]
    lines = [
        "#Requires -Version 5.1",
        "#Requires -RunAsAdministrator",
        f"# ferme export: converges {name} ({', '.join(host['roles'])}) of {site['label']} ({site['name']}).",
        "# Windows PowerShell 5.1; every block checks before it changes, so a second run changes nothing.",
        "# Generated from the inventory: do not edit, re-export. Not run by ferme: there is no Windows here.",
        "$ErrorActionPreference = 'Stop'",
        "$changes = @()",
        "$restartNeeded = $false",
        "",
        "# Windows features of the host's roles",
        *[windows_feature(f) for f in host["state"]["windows_features"]],
        "",
        "# Registry values (remote desktop, network level authentication, FSLogix profiles)",
        *[registry_value(*_split(key), value) for key, value in host["state"]["registry"].items()],
        "",
        *_groups_block(plan, host),
        "# Windows Defender Firewall rules from the flows",
        render_host_rules(plan, name),
        *_deployment_block(host),
        "if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }",
        "if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }",
        "",
    ]
    return "\n".join(lines)
