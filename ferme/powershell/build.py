"""Guarded PowerShell 5.1 snippets: each converges one thing and does nothing when it is already so.

The same snippets make the exported scripts (`ferme export`) and, later, the WinRM operations'
commands; every one is checked against the cmdlet catalogue by the tests.
"""

from __future__ import annotations

from ferme.powershell.quote import ps_array, ps_quote

REGISTRY_TYPES = {int: "DWord", str: "String", list: "MultiString"}

# A rule as Windows reports it, in one line: what ferme compares to notice drift (a port or an address
# changed by hand), in the facts (apply, verify) and in the exported script. Lists are sorted ordinally,
# as Python sorts them.
RULE_SIGNATURE = "\n".join([
    "$signature = {",
    "    param($rule)",
    "    $port = $rule | Get-NetFirewallPortFilter",
    "    $address = $rule | Get-NetFirewallAddressFilter",
    "    [string[]]$ports = @($port.LocalPort)",
    "    [string[]]$remote = @($address.RemoteAddress)",
    "    [Array]::Sort($ports, [StringComparer]::Ordinal)",
    "    [Array]::Sort($remote, [StringComparer]::Ordinal)",
    "    @($rule.Name, [string]$rule.Direction, [string]$rule.Action, [string]$rule.Enabled, [string]$port.Protocol,",
    "      ($ports -join ','), ($remote -join ',')) -join '|'",
    "}",
])  # fmt: skip

# Every script ferme runs starts so: its first error stops it (powershell otherwise goes on, and a
# failed Install-WindowsFeature followed by a good line "succeeds"), and no progress records travel.
# Over PSRP the failure comes back as the pipeline's state with its error record, message and position.
PSRP_HEAD = "$ErrorActionPreference = 'Stop'\n$ProgressPreference = 'SilentlyContinue'\n"


def windows_feature(name: str) -> str:
    feature = ps_quote(name)
    return "\n".join([
        f"if (-not (Get-WindowsFeature -Name {feature}).Installed) {{",
        f"    $installed = Install-WindowsFeature -Name {feature} -IncludeManagementTools",
        "    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }",
        f"    $changes += 'feature ' + {feature}",
        "}",
    ])  # fmt: skip


def registry_value(path: str, name: str, value: int | str | list[str]) -> str:
    kind = REGISTRY_TYPES[type(value)]
    literal = (
        str(value) if isinstance(value, int) else (ps_array(value) if isinstance(value, list) else ps_quote(value))
    )
    current = f"(Get-ItemProperty -Path {ps_quote(path)} -Name {ps_quote(name)} -ErrorAction SilentlyContinue)"
    # The property quoted: a value name may hold `/` or spaces (NTDS's `TCP/IP Port`).
    member = f"{current}.{ps_quote(name)}"
    compare = (f"(@({member}) -join '|') -ne ({literal} -join '|')" if isinstance(value, list)
               else f"{member} -ne {literal}")  # fmt: skip
    return "\n".join([
        f"if ({compare}) {{",
        f"    if (-not (Test-Path -Path {ps_quote(path)})) {{ New-Item -Path {ps_quote(path)} -Force | Out-Null }}",
        f"    New-ItemProperty -Path {ps_quote(path)} -Name {ps_quote(name)} -Value {literal} -PropertyType {kind} "
        "-Force | Out-Null",
        f"    $changes += 'registry ' + {ps_quote(path + chr(92) + name)}",
        "}",
    ])  # fmt: skip


def group_members(group: str, members: list[str], domain: str) -> str:
    """A local group (a name or a well-known SID) whose members from `domain` are exactly `members`
    (DOMAIN\\name): missing ones added, others from that domain removed, members from elsewhere kept."""
    from ferme.facts.windows import adsi_path, group_lookup

    paths = ps_array([adsi_path(member) for member in members])
    # The domain's own members, as ADSI names them; a local account reads WinNT://DOMAIN/HOST/name.
    ours, local = ps_quote(f"WinNT://{domain}/*"), ps_quote(f"WinNT://{domain}/*/*")
    return "\n".join([
        *group_lookup(ps_quote(group)),
        "$members = @($group.psbase.Invoke('Members') | ForEach-Object { ([ADSI]$_).Path })",
        f"foreach ($member in {paths}) {{",
        "    if ($members -notcontains $member) {",
        "        $group.Add($member)",
        "        $changes += 'group member ' + $member",
        "    }",
        "}",
        f"foreach ($member in @($members | Where-Object {{ $_ -like {ours} -and $_ -notlike {local} }})) {{",
        f"    if ({paths} -notcontains $member) {{",
        "        $group.Remove($member)",
        "        $changes += 'group member removed ' + $member",
        "    }",
        "}",
    ])  # fmt: skip


# Where ferme stages files on a Windows host (a PFX, an RDS step and its log): readable by SYSTEM and
# the Administrators only. C:\ProgramData grants Users read access by inheritance, and on a mairie's
# all-in-one server agents are logged on while a step runs.
STAGING = "C:\\ProgramData\\ferme"
SYSTEM_AND_ADMINISTRATORS = ("S-1-5-18", "S-1-5-32-544")


def protected_folder(path: str = STAGING) -> str:
    """`path` created if needed, its ACL replaced by full control for SYSTEM and Administrators only."""
    return "\n".join([
        f"New-Item -Path {ps_quote(path)} -ItemType Directory -Force | Out-Null",
        "$acl = New-Object -TypeName System.Security.AccessControl.DirectorySecurity",
        "$acl.SetAccessRuleProtection($true, $false)",
        f"foreach ($sid in {ps_array(list(SYSTEM_AND_ADMINISTRATORS))}) {{",
        "    $account = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid",
        "    $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList "
        "$account, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'",
        "    $acl.AddAccessRule($rule)",
        "}",
        f"Set-Acl -Path {ps_quote(path)} -AclObject $acl",
    ])  # fmt: skip
