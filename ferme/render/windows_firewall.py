"""Windows Defender Firewall rules of one Windows host, from the same flows (PowerShell 5.1, idempotent).

Each flow reaching the host becomes one inbound rule per protocol, named `ferme-<flow id>-<protocol>`
in the group `ferme`; re-running the script updates them in place and removes ferme rules that no
flow asks for any more. Not run here (no Windows): checked statically against the cmdlet catalogue.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ferme.plan.types import Plan
from ferme.powershell.build import RULE_SIGNATURE
from ferme.powershell.quote import FIREWALL_GROUP, ps_array, ps_quote

GROUP = FIREWALL_GROUP
PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMPv4"}  # as New-NetFirewallRule -Protocol and Windows say them


def windows_address(address: str) -> str:
    """An address as Windows Defender Firewall reports it: `10.0.0.0/255.255.255.0`, a host without mask."""
    if address == "Any" or "/" not in address:
        return address
    network = ipaddress.IPv4Network(address, strict=False)
    return str(network.network_address) if network.prefixlen == 32 else f"{network.network_address}/{network.netmask}"


def rule_signature(rule: dict[str, Any]) -> str:
    """The line RULE_SIGNATURE prints for `rule` once it is as ferme makes it."""
    ports = sorted(rule["ports"]) if rule["protocol"] in ("TCP", "UDP") else ["Any"]
    remote = sorted(windows_address(a) for a in rule["remote"])
    return "|".join([rule["name"], "Inbound", "Allow", "True", rule["protocol"], ",".join(ports), ",".join(remote)])


def rules_for_host(plan: Plan, host: str) -> list[dict[str, Any]]:
    rules = []
    for flow in plan["flows"]:
        if host not in flow["destination"]["hosts"] or flow["source"]["hosts"] == [host]:
            continue
        remote = ["Any"] if flow["published"] or not flow["source"]["addresses"] else flow["source"]["addresses"]
        by_protocol: dict[str, list[str]] = {}
        for rule in flow["rules"]:
            by_protocol.setdefault(rule["protocol"], []).append(rule["ports"])
        for protocol, ports in by_protocol.items():
            rules.append({
                "name": f"ferme-{flow['id'].replace('/', '-').replace('>', '')}-{protocol}",
                "display": f"ferme: {flow['label_fr']} ({flow['id']})",
                "description": f"{flow['asked_by']}: {flow['why_fr']}",
                "protocol": PROTOCOLS[protocol],
                "ports": ports,
                "remote": remote,
            })  # fmt: skip
    return rules


# Windows' own inbound rules that ferme's rules replace, by their rule names (the same in every language;
# their display names are translated): left enabled, they open RDP and WinRM over HTTP to any address
# and ferme's rules would restrict nothing. File sharing stays: domain members reach a DC's SYSVOL by it.
BUILTIN_RDP = ("RemoteDesktop-UserMode-In-TCP", "RemoteDesktop-UserMode-In-UDP")
BUILTIN_WINRM_HTTP = ("WINRM-HTTP-In-TCP", "WINRM-HTTP-In-TCP-PUBLIC")


def builtin_rules_replaced(rules: list[dict[str, Any]]) -> list[str]:
    """The built-in rules a host's ferme `rules` (rules_for_host) replace: WinRM over HTTP always (ferme
    speaks HTTPS), Remote Desktop where a flow lets RDP in."""
    replaced = list(BUILTIN_WINRM_HTTP)
    if any(rule["name"].startswith("ferme-") and "-rdp-" in rule["name"] and rule["protocol"] == "TCP"
           for rule in rules):  # fmt: skip
        replaced += BUILTIN_RDP
    return sorted(replaced)


def render_host_rules(plan: Plan, host: str) -> str:
    rules = rules_for_host(plan, host)
    builtin = builtin_rules_replaced(rules)
    lines = [
        f"# Managed by ferme: Windows Defender Firewall rules of {host} ({plan['site']['name']}), "
        f"{len(rules)} inbound rules from the flows.",
        "# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.",
        "$ErrorActionPreference = 'Stop'",
        "if ($null -eq $changes) { $changes = @() }",
        f"$wanted = {ps_array([r['name'] for r in rules])}",
        RULE_SIGNATURE,
        "",
    ]
    for rule in rules:
        settings = (
            f"-Direction Inbound -Action Allow -Protocol {rule['protocol']}"
            + (f" -LocalPort {ps_array(rule['ports'])}" if rule["protocol"] in ("TCP", "UDP") else "")
            + f" -RemoteAddress {ps_array(rule['remote'])} -Profile Any -Enabled True"
            + f" -Description {ps_quote(rule['description'])}"
        )
        name = ps_quote(rule["name"])
        lines += [
            f"$rule = Get-NetFirewallRule -Name {name} -ErrorAction SilentlyContinue",
            "if ($null -eq $rule) {",
            f"    New-NetFirewallRule -Name {name} -DisplayName {ps_quote(rule['display'])} "
            f"-Group {ps_quote(GROUP)} {settings} | Out-Null",
            f"    $changes += 'firewall rule ' + {name}",
            f"}} elseif ((& $signature $rule) -ne {ps_quote(rule_signature(rule))}) {{",
            f"    Set-NetFirewallRule -Name {name} -NewDisplayName {ps_quote(rule['display'])} {settings}",
            f"    $changes += 'firewall rule changed ' + {name}",
            "}",
        ]
    lines += [
        "",
        f"Get-NetFirewallRule -Group {ps_quote(GROUP)} -ErrorAction SilentlyContinue |",
        "    Where-Object { $wanted -notcontains $_.Name } | ForEach-Object {",
        "        $changes += 'firewall rule removed ' + $_.Name",
        "        $_ | Remove-NetFirewallRule",
        "    }",
        "",
        "# Windows' own rules that these replace (open to any address): disabled",
        f"foreach ($name in {ps_array(builtin)}) {{",
        "    $rule = Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue",
        "    if ($null -ne $rule -and [string]$rule.Enabled -eq 'True') {",
        "        Disable-NetFirewallRule -Name $name",
        "        $changes += 'built-in rule disabled ' + $name",
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)
