"""One PowerShell call per Windows host gathers every fact its operations and checks need, as JSON.

Batched so that a converged host costs a Command and a Receive: two round trips (WINDOWS.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ferme.facts.jsonout import as_list
from ferme.powershell.build import RULE_SIGNATURE
from ferme.powershell.quote import FIREWALL_GROUP, ps_array, ps_quote
from ferme.rds import database, gateway
from ferme.rds.read import deployment_probe, parse_deployment, policies_probe
from ferme.rds.web import machine_key_probe


def host_facts_script(wanted: dict[str, Any]) -> str:
    """Every kind's items (KINDS), then firewall rules, listening ports, certificates, domain and pending
    restart, as one JSON."""
    lines = ["$ErrorActionPreference = 'Stop'", "$facts = [ordered]@{}"]
    for kind in KINDS:
        lines += kind.probe(wanted.get(kind.name, []))
    lines += [
        RULE_SIGNATURE,
        f"$facts.firewall_rules = @(Get-NetFirewallRule -Group {ps_quote(FIREWALL_GROUP)} "
        "-ErrorAction SilentlyContinue | ForEach-Object { & $signature $_ })",
        "$facts.listening = @(Get-NetTCPConnection -State Listen -ErrorAction SilentlyContinue | "
        "ForEach-Object { $_.LocalPort } | Sort-Object -Unique)",
        "$facts.certificates = @(Get-ChildItem -Path 'Cert:\\LocalMachine\\My' | ForEach-Object { $_.Thumbprint })",
        "$system = Get-CimInstance -ClassName Win32_ComputerSystem",
        "$facts.domain = [ordered]@{ joined = $system.PartOfDomain; name = $system.Domain }",
        f"$facts.reboot_pending = {REBOOT_PENDING}",
        "$facts | ConvertTo-Json -Depth 9 -Compress",
    ]
    return "\n".join(lines)


# Where Windows says a restart is owed: component servicing (features), Windows Update, a domain join.
# PendingFileRenameOperations is left out: installers leave it set and it does not always clear.
REBOOT_PENDING = " -or ".join(
    f"(Test-Path -Path {ps_quote(key)})"
    for key in (
        "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending",
        "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired",
        "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\JoinDomain",
    )
)


def _features(names: list[str]) -> list[str]:
    return ["$facts.features = [ordered]@{}", f"foreach ($name in {ps_array(names)}) {{",
            "    $facts.features[$name] = (Get-WindowsFeature -Name $name).Installed", "}"]  # fmt: skip


def _services(names: list[str]) -> list[str]:
    return _each("services", names, [
        "$service = Get-Service -Name $name -ErrorAction SilentlyContinue",
        "if ($null -ne $service) { $facts.services[$name] = [string]$service.Status }",
    ])  # fmt: skip


def _builtin_rules(names: list[str]) -> list[str]:
    """Windows' own firewall rules by name: whether each is enabled (absent: null)."""
    return _each("builtin_rules", names, [
        "$rule = Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue",
        "if ($null -ne $rule) { $facts.builtin_rules[$name] = ([string]$rule.Enabled -eq 'True') }",
    ])  # fmt: skip


def _registry(values: list[list[str]]) -> list[str]:
    lines = ["$facts.registry = [ordered]@{}"]
    for path, name in values:
        key = json.dumps(registry_key([path, name]))
        lines.append(f"$facts.registry[{key}] = (Get-ItemProperty -Path {ps_quote(path)} -Name {ps_quote(name)} "
                     f"-ErrorAction SilentlyContinue).{ps_quote(name)}")  # fmt: skip
    return lines


def registry_key(item: list[str]) -> str:
    """A wanted registry value `[path, name]` as the facts key it is read under: `path\\name`."""
    path, name = item
    return f"{path}\\{name}"


def _each(key: str, items: list[str], probe: list[str]) -> list[str]:
    """`$facts.<key>[item]` for each item: null unless `probe` (which sees `$name`) sets it."""
    return [f"$facts.{key} = [ordered]@{{}}", f"foreach ($name in {ps_array(items)}) {{",
            f"    $facts.{key}[$name] = $null", *("    " + line for line in probe), "}"]  # fmt: skip


def _shares(names: list[str]) -> list[str]:
    return _each("shares", names, [
        "$share = Get-SmbShare -Name $name -ErrorAction SilentlyContinue",
        "if ($null -ne $share) {",
        "    $access = @(Get-SmbShareAccess -Name $name | ForEach-Object {",
        "        $who = $_.AccountName",
        "        try {",
        "            $sid = (New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList $who).Translate(",
        "                [System.Security.Principal.SecurityIdentifier]).Value",
        "            if ($sid -notlike 'S-1-5-21-*') { $who = $sid }",
        "        } catch { }",
        "        $right = [string]$_.AccessRight",
        "        if ([string]$_.AccessControlType -eq 'Deny') { $right = 'Deny:' + $right }",
        "        $who + '=' + $right",
        "    })",
        "    $facts.shares[$name] = [ordered]@{ path = $share.Path; access = $access }",
        "}",
    ])  # fmt: skip


def _acls(paths: list[str]) -> list[str]:
    """Explicit allow rules as `account=rights:scope`; scope as the Advanced Security dialog says it.

    Well-known accounts (CREATOR OWNER, BUILTIN\\Administrators, SYSTEM) are given by SID: their
    names are translated on French servers.
    """
    return _each("acls", paths, [
        "if (Test-Path -Path $name) {",
        "    $acl = Get-Acl -Path $name",
        "    $rules = @($acl.Access |",
        "        Where-Object { -not $_.IsInherited -and [string]$_.AccessControlType -eq 'Allow' } |",
        "        ForEach-Object {",
        "            $scope = 'All'",
        "            if ([int]$_.PropagationFlags -band 2) { $scope = 'SubfoldersAndFilesOnly' }",
        "            elseif ([int]$_.InheritanceFlags -eq 0) { $scope = 'ThisFolderOnly' }",
        "            $rights = [string]$_.FileSystemRights -replace ', Synchronize', ''",
        "            $who = $_.IdentityReference.Value",
        "            try {",
        "                $sid = $_.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value",
        "                if ($sid -notlike 'S-1-5-21-*') { $who = $sid }",
        "            } catch { }",
        "            $who + '=' + $rights + ':' + $scope",
        "        })",
        "    $facts.acls[$name] = [ordered]@{ protected = $acl.AreAccessRulesProtected; rules = $rules }",
        "}",
    ])  # fmt: skip


def group_lookup(name: str) -> list[str]:
    """PowerShell that sets `$group` to the local group `name` (a name, or a SID such as S-1-5-32-555)."""
    return [
        f"$groupName = {name}",
        "if ($groupName -like 'S-1-*') {",
        "    $sid = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $groupName",
        "    $groupName = ($sid.Translate([System.Security.Principal.NTAccount]).Value -split '\\\\')[-1]",
        "}",
        "$group = $null",
        "$groupPath = \"WinNT://$env:COMPUTERNAME/$groupName,group\"",
        "if ([ADSI]::Exists($groupPath)) { $group = [ADSI]$groupPath }",
    ]  # fmt: skip


def _groups(names: list[str]) -> list[str]:
    """Local group members through ADSI: Get-LocalGroupMember fails on groups holding an orphaned SID."""
    return _each("groups", names, [
        *group_lookup("$name"),
        "if ($null -ne $group) {",
        "    $facts.groups[$name] = @($group.psbase.Invoke('Members') | ForEach-Object { ([ADSI]$_).Path })",
        "}",
    ])  # fmt: skip


def _ad_groups(names: list[str]) -> list[str]:
    """Active Directory groups (on a DC): their direct members' sAMAccountNames; null for a group not there."""
    return _each("ad_groups", names, [
        "$adGroup = Get-ADGroup -Filter { SamAccountName -eq $name }",
        "if ($null -ne $adGroup) {",
        "    $facts.ad_groups[$name] = @(Get-ADGroupMember -Identity $adGroup | ForEach-Object { $_.SamAccountName })",
        "}",
    ])  # fmt: skip


def _ad_ous(names: list[str]) -> list[str]:
    """Active Directory OUs by distinguished name: whether each exists."""
    return _each("ad_ous", names, [
        "try { $facts.ad_ous[$name] = $null -ne (Get-ADOrganizationalUnit -Identity $name) }",
        "catch { $facts.ad_ous[$name] = $false }",
    ])  # fmt: skip


def _dns_records(items: list[list[str]]) -> list[str]:
    """A records (`[zone, name]`) on this DNS server: their addresses (an empty list: none)."""
    lines = ["$facts.dns_records = [ordered]@{}"]
    for zone, name in items:
        key = json.dumps(f"{name}.{zone}")
        lines.append(f"$facts.dns_records[{key}] = @(Get-DnsServerResourceRecord -ZoneName {ps_quote(zone)} -Name "
                     f"{ps_quote(name)} -RRType A -ErrorAction SilentlyContinue | ForEach-Object "
                     "{ $_.RecordData.IPv4Address.IPAddressToString })")  # fmt: skip
    return lines


def _addresses(value: Any) -> Any:
    return sorted(str(v) for v in as_list(value))


def _ad_members(members: Any) -> Any:
    return None if members is None else sorted(str(m) for m in as_list(members))


def _tasks(names: list[str]) -> list[str]:
    return _each("tasks", names, [
        "$task = Get-ScheduledTask -TaskName $name -ErrorAction SilentlyContinue",
        "if ($null -ne $task) {",
        "    $action = @($task.Actions)[0]",
        "    $triggers = @($task.Triggers | ForEach-Object {",
        "        $kind = $_.CimClass.CimClassName -replace '^MSFT_Task(.*)Trigger$', '$1'",
        "        if ($kind -eq 'Daily') { $kind += '@' + ([datetime]$_.StartBoundary).ToString('HH:mm') }",
        "        $kind",
        "    })",
        "    $facts.tasks[$name] = [ordered]@{ state = [string]$task.State; execute = $action.Execute;",
        "        arguments = $action.Arguments; user = $task.Principal.UserId; trigger = $triggers -join ',' }",
        "}",
    ])  # fmt: skip


def _files(paths: list[str]) -> list[str]:
    return _each("files", paths, [
        "if (Test-Path -Path $name -PathType Leaf) {",
        "    $facts.files[$name] = (Get-FileHash -Path $name -Algorithm SHA256).Hash",
        "}",
    ])  # fmt: skip


def adsi_path(member: str) -> str:
    """`CD-EXEMPLE\\GG-RDS` → `WinNT://CD-EXEMPLE/GG-RDS`, as ADSI names a group member (member_name's inverse)."""
    return "WinNT://" + member.replace("\\", "/")


def member_name(path: str) -> str:
    """`WinNT://CD-EXEMPLE/GG-RDS` → `CD-EXEMPLE\\GG-RDS`; a local account `WinNT://DOM/HOST/user` → `HOST\\user`."""
    parts = path.removeprefix("WinNT://").split("/")
    return "\\".join(parts[-2:])


def _share(share: Any) -> Any:
    return None if share is None else {"path": share.get("path"), "access": sorted(as_list(share.get("access")))}


def _acl(acl: Any) -> Any:
    return (
        None if acl is None else {"protected": bool(acl.get("protected")), "rules": sorted(as_list(acl.get("rules")))}
    )


def _members(members: Any) -> Any:
    return None if members is None else sorted(member_name(m) for m in as_list(members))


def _as_is(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Kind:
    """A kind of per-item fact: what `wanted` lists, how the script probes it, how its values are read."""

    name: str
    probe: Callable[[list[Any]], list[str]]  # PowerShell that fills $facts.<name>[item]
    parse: Callable[[Any], Any] = _as_is  # one item's raw JSON value → the fact
    key: Callable[[Any], str] = str  # a wanted item → its key in the facts


KINDS: tuple[Kind, ...] = (
    Kind("features", _features),
    Kind("services", _services),
    Kind("registry", _registry, key=registry_key),
    Kind("shares", _shares, _share),
    Kind("acls", _acls, _acl),
    Kind("groups", _groups, _members),
    Kind("ad_groups", _ad_groups, _ad_members),
    Kind("tasks", _tasks),
    Kind("files", _files),
    Kind("builtin_rules", _builtin_rules),
    Kind("ad_ous", _ad_ous, bool),
    Kind("dns_records", _dns_records, _addresses, key=lambda item: f"{item[1]}.{item[0]}"),
    Kind("rd_deployment", deployment_probe, parse_deployment),  # on the managing broker: the whole deployment
    # registry keys Group Policy writes (read, never set)
    Kind("policies", policies_probe),
    # RD Gateways: their authorization policies
    Kind("gateway", gateway.probe, gateway.parse),
    # RD Web: a digest of IIS's machineKey, never the keys
    Kind("machine_keys", machine_key_probe),
    # the brokers' SQL Server: whether the brokers' group has its login in dbcreator
    Kind("sql_logins", database.probe),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def parse_host_facts(output: list[str]) -> dict[str, Any]:
    raw = json.loads("\n".join(output) or "{}")
    return {
        **{kind.name: {key: kind.parse(value) for key, value in (raw.get(kind.name) or {}).items()} for kind in KINDS},
        "firewall_rules": sorted(as_list(raw.get("firewall_rules"))),
        "listening": sorted(int(p) for p in as_list(raw.get("listening"))),
        "certificates": sorted(as_list(raw.get("certificates"))),
        "domain": raw.get("domain") or {"joined": False, "name": ""},
        "reboot_pending": bool(raw.get("reboot_pending")),
    }


try:  # the fact class needs pyinfra; the script and parser above do not
    from pyinfra.api.facts import FactBase

    class WindowsHost(FactBase[dict[str, Any]]):
        """Every fact of one Windows host in one call; `wanted` is JSON (a hashable argument).

        pyinfra 3 does not cache facts: ferme.operations.windows.facts keeps the result for the run.
        """

        def command(self, wanted: str) -> str:
            return host_facts_script(json.loads(wanted))

        def process(self, output: list[str]) -> dict[str, Any]:
            return parse_host_facts(output)

except ImportError:  # pragma: no cover
    pass
