"""One PowerShell call per Windows host gathers every fact its operations and checks need, as JSON.

Batched so that a converged host costs a Command and a Receive: two round trips (WINDOWS.md).
"""

from __future__ import annotations

import json
from typing import Any

from ferme.render.windows_firewall import ps_array, ps_quote


def host_facts_script(wanted: dict[str, Any]) -> str:
    """Features, services, registry values, firewall rules, listening ports and certificates, as one JSON."""
    features = ps_array(wanted.get("features", []))
    services = ps_array(wanted.get("services", []))
    registry = wanted.get("registry", [])
    lines = [
        "$ErrorActionPreference = 'Stop'",
        "$facts = [ordered]@{}",
        "$facts.features = [ordered]@{}",
        f"foreach ($name in {features}) {{ $facts.features[$name] = (Get-WindowsFeature -Name $name).Installed }}",
        "$facts.services = [ordered]@{}",
        f"foreach ($name in {services}) {{",
        "    $service = Get-Service -Name $name -ErrorAction SilentlyContinue",
        "    $facts.services[$name] = $null",
        "    if ($null -ne $service) { $facts.services[$name] = [string]$service.Status }",
        "}",
        "$facts.registry = [ordered]@{}",
    ]
    for path, name in registry:
        key = json.dumps(f"{path}\\{name}")
        lines.append(
            f"$facts.registry[{key}] = (Get-ItemProperty -Path {ps_quote(path)} -Name {ps_quote(name)} "
            f"-ErrorAction SilentlyContinue).{name}"
        )
    lines += [
        "$facts.firewall_rules = @(Get-NetFirewallRule -Group 'ferme' -ErrorAction SilentlyContinue | "
        "ForEach-Object { $_.Name })",
        "$facts.listening = @(Get-NetTCPConnection -State Listen -ErrorAction SilentlyContinue | "
        "ForEach-Object { $_.LocalPort } | Sort-Object -Unique)",
        "$facts.certificates = @(Get-ChildItem -Path 'Cert:\\LocalMachine\\My' | ForEach-Object { $_.Thumbprint })",
        "$facts | ConvertTo-Json -Depth 4 -Compress",
    ]
    return "\n".join(lines)
