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
        "$facts.shares = [ordered]@{}",
        f"foreach ($name in {ps_array(wanted.get('shares', []))}) {{",
        "    $share = Get-SmbShare -Name $name -ErrorAction SilentlyContinue",
        "    $facts.shares[$name] = $null",
        "    if ($null -ne $share) {",
        "        $access = @(Get-SmbShareAccess -Name $name |",
        "            ForEach-Object { $_.AccountName + '=' + $_.AccessRight })",
        "        $facts.shares[$name] = [ordered]@{ path = $share.Path; access = $access }",
        "    }",
        "}",
        "$facts.firewall_rules = @(Get-NetFirewallRule -Group 'ferme' -ErrorAction SilentlyContinue | "
        "ForEach-Object { $_.Name })",
        "$facts.listening = @(Get-NetTCPConnection -State Listen -ErrorAction SilentlyContinue | "
        "ForEach-Object { $_.LocalPort } | Sort-Object -Unique)",
        "$facts.certificates = @(Get-ChildItem -Path 'Cert:\\LocalMachine\\My' | ForEach-Object { $_.Thumbprint })",
        "$facts | ConvertTo-Json -Depth 4 -Compress",
    ]
    return "\n".join(lines)


def _as_list(value: Any) -> list[Any]:
    """ConvertTo-Json writes a one-element array as the element itself, and an empty one as null."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_host_facts(output: list[str]) -> dict[str, Any]:
    raw = json.loads("\n".join(output) or "{}")
    return {
        "features": raw.get("features") or {},
        "services": raw.get("services") or {},
        "registry": raw.get("registry") or {},
        "shares": {
            name: (
                None if share is None else {"path": share.get("path"), "access": sorted(_as_list(share.get("access")))}
            )
            for name, share in (raw.get("shares") or {}).items()
        },
        "firewall_rules": sorted(_as_list(raw.get("firewall_rules"))),
        "listening": sorted(int(p) for p in _as_list(raw.get("listening"))),
        "certificates": sorted(_as_list(raw.get("certificates"))),
    }


try:  # the fact class needs pyinfra; the script and parser above do not
    from pyinfra.api.facts import FactBase

    class WindowsHost(FactBase[dict[str, Any]]):
        """Every fact of one Windows host in one call; `wanted` is JSON (hashable, so pyinfra caches it)."""

        def command(self, wanted: str) -> str:
            return host_facts_script(json.loads(wanted))

        def process(self, output: list[str]) -> dict[str, Any]:
            return parse_host_facts(output)

except ImportError:  # pragma: no cover
    pass
