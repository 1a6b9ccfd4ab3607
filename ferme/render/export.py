"""`ferme export`: a self-contained Windows PowerShell 5.1 script that converges one Windows host.

For sites that cannot run WinRM from Linux: an administrator reads it and runs it on the host.
Every block is guarded, so a second run changes nothing and says so.
"""

from __future__ import annotations

from typing import Any

from ferme.facts.windows import REMOTE_DESKTOP_USERS
from ferme.powershell.build import group_members, registry_value, windows_feature
from ferme.render.windows_firewall import render_host_rules

TERMINAL_SERVER = r"HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server"
FSLOGIX = r"HKLM:\SOFTWARE\FSLogix\Profiles"


def registry_values(plan: dict[str, Any], host: dict[str, Any]) -> list[tuple[str, str, int | str | list[str]]]:
    """Registry values a Windows host must hold: remote desktop and NLA on session hosts, FSLogix profiles."""
    values: list[tuple[str, str, int | str | list[str]]] = []
    if "rds_session_host" in host["roles"]:
        values += [
            (TERMINAL_SERVER, "fDenyTSConnections", 0),  # remote desktop on
            (TERMINAL_SERVER + r"\WinStations\RDP-Tcp", "UserAuthentication", 1),  # network level authentication
        ]
        profiles = (plan["settings"]["rds"] or {}).get("profiles")
        if profiles and profiles["kind"] == "fslogix":
            values += [
                (FSLOGIX, "Enabled", 1),
                (FSLOGIX, "VHDLocations", [profiles["share"]]),
                (FSLOGIX, "VolumeType", "VHDX"),
                (FSLOGIX, "SizeInMBs", profiles["size_gb"] * 1024),
                (FSLOGIX, "DeleteLocalProfileWhenVHDShouldApply", 1),
                (FSLOGIX, "FlipFlopProfileDirectoryName", 1),
            ]
    return values


def group_memberships(plan: dict[str, Any], host: dict[str, Any]) -> dict[str, list[str]]:
    """Session hosts: the agents' groups of their collections in Remote Desktop Users (by its SID)."""
    rds = plan["settings"].get("rds") or {}
    netbios = plan["site"]["netbios"]
    members = sorted({f"{netbios}\\{group}" for collection in rds.get("collections", [])
                      if collection["name"] in host["state"].get("collections", [])
                      for group in collection["user_groups"]})  # fmt: skip
    return {REMOTE_DESKTOP_USERS: members} if members else {}


def _groups_block(plan: dict[str, Any], host: dict[str, Any]) -> list[str]:
    memberships = group_memberships(plan, host)
    if not memberships:
        return []
    return ["# The agents' groups of the host's collections in Remote Desktop Users (by its SID)",
            *[group_members(group, members) for group, members in sorted(memberships.items())], ""]  # fmt: skip


def render_export(plan: dict[str, Any], name: str) -> str:
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
        *[registry_value(path, value_name, value) for path, value_name, value in registry_values(plan, host)],
        "",
        *_groups_block(plan, host),
        "# Windows Defender Firewall rules from the flows",
        render_host_rules(plan, name),
        "if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }",
        "if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }",
        "",
    ]
    return "\n".join(lines)
