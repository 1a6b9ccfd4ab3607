"""The PowerShell of each deployment step, run on the broker as a one-shot task (ferme.operations.windows_tasks).

Every step reads the deployment back and changes only what differs, so that a step run twice (a retried task,
the exported script run again) changes nothing the second time. A line a step prints starting with `ferme: `
is shown in the run's report (a setting left to Group Policy, what the administrator must still do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ferme.powershell.quote import ps_array, ps_quote

# The message Set-RDSessionCollectionConfiguration and New-RDSessionCollection throw for a property Group Policy
# sets ("The property IdleSessionLimit is configured by using Group Policy settings"), in English and French.
GPO_REFUSAL = "Group Policy|strat.gie de groupe"


@dataclass(frozen=True)
class Step:
    """One change of the deployment: its kind, what it acts on, its script, its time limit (seconds)."""

    kind: str
    target: str
    script: str
    timeout: float = 1800

    @property
    def title(self) -> str:
        return f"{self.kind} {self.target}"


def header(broker: str) -> list[str]:
    return ["Import-Module -Name RemoteDesktop", f"$broker = {ps_quote(broker)}"]


def ps_value(value: Any) -> str:
    if isinstance(value, bool):
        return "$true" if value else "$false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ps_array([str(v) for v in value])
    return ps_quote(str(value))


def new_deployment(broker: str, session_host: str, web: str | None) -> str:
    web_access = f" -WebAccessServer {ps_quote(web)}" if web else ""
    return "\n".join([
        *header(broker),
        "$deployed = $true",
        "try { Get-RDServer -ConnectionBroker $broker -ErrorAction Stop | Out-Null } catch { $deployed = $false }",
        "if (-not $deployed) {",
        f"    New-RDSessionDeployment -ConnectionBroker $broker -SessionHost {ps_array([session_host])}{web_access}",
        "}",
    ])  # fmt: skip


def _roles_of(server: str) -> str:
    return (f"$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object {{ $_.Server -eq {ps_quote(server)} }} "
            "| ForEach-Object { $_.Roles })")  # fmt: skip


def add_server(broker: str, server: str, role: str, gateway_fqdn: str | None) -> str:
    external = f" -GatewayExternalFqdn {ps_quote(gateway_fqdn)}" if role == "RDS-GATEWAY" and gateway_fqdn else ""
    return "\n".join([
        *header(broker),
        _roles_of(server),
        f"if ($roles -notcontains {ps_quote(role)}) {{",
        f"    Add-RDServer -Server {ps_quote(server)} -Role {ps_quote(role)} -ConnectionBroker $broker{external}",
        "}",
    ])  # fmt: skip


def remove_server(broker: str, server: str, role: str) -> str:
    return "\n".join([
        *header(broker),
        _roles_of(server),
        f"if ($roles -contains {ps_quote(role)}) {{",
        f"    Remove-RDServer -Server {ps_quote(server)} -Role {ps_quote(role)} -ConnectionBroker $broker -Force",
        "}",
    ])  # fmt: skip


def licensing(broker: str, mode: str, servers: list[str]) -> str:
    wanted = ",".join(sorted(s.lower() for s in servers))
    return "\n".join([
        *header(broker),
        "$license = Get-RDLicenseConfiguration -ConnectionBroker $broker",
        "$current = (@($license.LicenseServer) | ForEach-Object { ([string]$_).ToLower() } | Sort-Object) -join ','",
        f"if ([string]$license.Mode -ne {ps_quote(mode)} -or $current -ne {ps_quote(wanted)}) {{",
        f"    Set-RDLicenseConfiguration -Mode {mode} -LicenseServer {ps_array(servers)} -ConnectionBroker $broker "
        "-Force",
        "}",
        "Write-Output 'ferme: RDS CALs have no cmdlet: activate the server and install the CAL packs with the Remote "
        "Desktop Licensing Manager (licmgr.exe) on the licensing server'",
    ])  # fmt: skip


def gateway(broker: str, wanted: dict[str, Any]) -> str:
    if wanted["mode"] == "DoNotUse":
        change = "Set-RDDeploymentGatewayConfiguration -GatewayMode DoNotUse -ConnectionBroker $broker -Force"
        test = "[string]$gateway.GatewayMode -ne 'DoNotUse'"
    else:
        change = (f"Set-RDDeploymentGatewayConfiguration -GatewayMode Custom -GatewayExternalFqdn "
                  f"{ps_quote(wanted['external_fqdn'])} -LogonMethod {wanted['logon_method']} -UseCachedCredentials "
                  f"{ps_value(wanted['use_cached_credentials'])} -BypassLocal {ps_value(wanted['bypass_local'])} "
                  "-ConnectionBroker $broker -Force")  # fmt: skip
        test = (f"[string]$gateway.GatewayMode -ne 'Custom' -or $gateway.GatewayExternalFqdn -ne "
                f"{ps_quote(wanted['external_fqdn'])} -or [string]$gateway.LogonMethod -ne "
                f"{ps_quote(wanted['logon_method'])} "
                f"-or $gateway.UseCachedCredentials -ne {ps_value(wanted['use_cached_credentials'])} "
                f"-or $gateway.BypassLocal -ne {ps_value(wanted['bypass_local'])}")  # fmt: skip
    return "\n".join([*header(broker), "$gateway = Get-RDDeploymentGatewayConfiguration -ConnectionBroker $broker",
                      f"if ({test}) {{", f"    {change}", "}"])  # fmt: skip


def high_availability(broker: str, ha: dict[str, Any], driver: str) -> str:
    driver_key = f"HKLM:\\SOFTWARE\\ODBC\\ODBCINST.INI\\{driver}"
    return "\n".join([
        *header(broker),
        f"if (-not (Test-Path -Path {ps_quote(driver_key)})) {{",
        f"    throw {ps_quote(f'{driver} is not installed on this broker: install it (every broker) and run again')}",
        "}",
        "$ha = Get-RDConnectionBrokerHighAvailability -ConnectionBroker $broker -ErrorAction SilentlyContinue",
        "if ($null -eq $ha -or -not $ha.ClientAccessName) {",
        f"    Set-RDConnectionBrokerHighAvailability -ConnectionBroker $broker -DatabaseConnectionString "
        f"{ps_quote(ha['database_connection_string'])} -ClientAccessName {ps_quote(ha['client_access_name'])}",
        "}",
    ])  # fmt: skip


def certificate(broker: str, role: str, thumbprint: str) -> str:
    return "\n".join([
        *header(broker),
        f"$current = [string](Get-RDCertificate -Role {role} -ConnectionBroker $broker).Thumbprint",
        f"if ($current -ne {ps_quote(thumbprint)}) {{",
        f"    Set-RDCertificate -Role {role} -Thumbprint {ps_quote(thumbprint)} -ConnectionBroker $broker -Force",
        "}",
    ])  # fmt: skip


def _collection_present(name: str) -> str:
    return (f"$present = @(Get-RDSessionCollection -ConnectionBroker $broker | Where-Object {{ $_.CollectionName -eq "
            f"{ps_quote(name)} }}).Count -gt 0")  # fmt: skip


def _gpo_tolerant(call: str, what: str) -> list[str]:
    """`call`, where a refusal because Group Policy sets the property is reported and the run goes on."""
    return [
        f"try {{ {call} }}",
        "catch {",
        f'    if ("$_" -notmatch {ps_quote(GPO_REFUSAL)}) {{ throw }}',
        f'    Write-Output ({ps_quote(f"ferme: {what}: set by Group Policy, left to it: ")} + "$_")',
        "}",
    ]


def new_collection(broker: str, name: str, description: str, session_hosts: list[str]) -> str:
    call = (f"New-RDSessionCollection -CollectionName {ps_quote(name)} -CollectionDescription {ps_quote(description)} "
            f"-SessionHost {ps_array(session_hosts)} -ConnectionBroker $broker")  # fmt: skip
    return "\n".join([
        *header(broker),
        _collection_present(name),
        "if (-not $present) {",
        *("    " + line for line in _gpo_tolerant(call, f"collection {name}")),
        "}",
    ])  # fmt: skip


def collection_settings(broker: str, name: str, settings: dict[str, Any]) -> str:
    """One call with every differing setting; if Group Policy refuses one, each is set alone and the refused are
    reported (the rest still applies)."""
    arguments = " ".join(f"-{key} {_setting_value(key, value)}" for key, value in settings.items())
    splat = "; ".join(f"{key} = {_setting_value(key, value, splat=True)}" for key, value in settings.items())
    return "\n".join([
        *header(broker),
        "try {",
        f"    Set-RDSessionCollectionConfiguration -CollectionName {ps_quote(name)} {arguments} "
        "-ConnectionBroker $broker",
        "} catch {",
        f"    if (\"$_\" -notmatch {ps_quote(GPO_REFUSAL)}) {{ throw }}",
        f"    $settings = [ordered]@{{ {splat} }}",
        "    foreach ($key in @($settings.Keys)) {",
        f"        $one = @{{ CollectionName = {ps_quote(name)}; ConnectionBroker = $broker }}",
        "        $one[$key] = $settings[$key]",
        "        try { Set-RDSessionCollectionConfiguration @one }",
        "        catch {",
        f"            if (\"$_\" -notmatch {ps_quote(GPO_REFUSAL)}) {{ throw }}",
        f"            Write-Output (\"ferme: $key of collection \" + {ps_quote(name)} + ' is set by Group Policy: "
        "left to it')",
        "        }",
        "    }",
        "}",
    ])  # fmt: skip


def _setting_value(key: str, value: Any, splat: bool = False) -> str:
    if key == "ClientDeviceRedirectionOptions":
        flags = ", ".join(value) or "None"
        # a flags enum: an unquoted comma list on the command line, a quoted 'A, B' in a hashtable
        return ps_quote(flags) if splat else (",".join(value) or "None")
    return ps_value(value)


def add_session_host(broker: str, collection: str, server: str, open_after: bool) -> str:
    """Into the collection with new connections off; tested (RDP answers); then opened unless under maintenance."""
    lines = [
        *header(broker),
        f"$inCollection = @(Get-RDSessionHost -CollectionName {ps_quote(collection)} -ConnectionBroker $broker | "
        "ForEach-Object { $_.SessionHost })",
        f"if ($inCollection -notcontains {ps_quote(server)}) {{",
        f"    Add-RDSessionHost -CollectionName {ps_quote(collection)} -SessionHost {ps_array([server])} "
        "-ConnectionBroker $broker",
        f"    Set-RDSessionHost -SessionHost {ps_array([server])} -NewConnectionAllowed No -ConnectionBroker $broker",
        "}",
    ]  # fmt: skip
    return "\n".join(lines + (_open(server) if open_after else []))


def _open(server: str) -> list[str]:
    return [
        f"if (-not (Test-NetConnection -ComputerName {ps_quote(server)} -Port 3389 -InformationLevel Quiet)) {{",
        f"    throw {ps_quote(f'{server} does not answer on 3389/tcp: it stays closed to new connections')}",
        "}",
        f"Set-RDSessionHost -SessionHost {ps_array([server])} -NewConnectionAllowed Yes -ConnectionBroker $broker",
    ]


def open_session_host(broker: str, server: str) -> str:
    return "\n".join([*header(broker), *_open(server)])


def _warn(server: str, title: str, message: str) -> list[str]:
    return [
        "$sessions = @(Get-RDUserSession -ConnectionBroker $broker | Where-Object { $_.HostServer -eq "
        f"{ps_quote(server)} }})",
        "foreach ($session in $sessions) {",
        f"    Send-RDUserMessage -HostServer {ps_quote(server)} -UnifiedSessionID $session.UnifiedSessionId "
        f"-MessageTitle {ps_quote(title)} -MessageBody {ps_quote(message)}",
        "}",
    ]  # fmt: skip


def maintenance(broker: str, server: str, title: str, message: str) -> str:
    """New connections off and the agents warned; they leave when they choose (no log-off)."""
    return "\n".join([
        *header(broker),
        f"Set-RDSessionHost -SessionHost {ps_array([server])} -NewConnectionAllowed No -ConnectionBroker $broker",
        *_warn(server, title, message),
        "Write-Output ('ferme: ' + $sessions.Count + ' session(s) warned on ' + " + ps_quote(server) + ")",
    ])  # fmt: skip


def drain(broker: str, collection: str, server: str, title: str, message: str, wait_minutes: int,
          leaves_deployment: bool) -> str:  # fmt: skip
    """New connections off, agents warned, a bounded wait, the rest logged off; then out of the collection (and
    of the deployment when no collection keeps it)."""
    left = f"@(Get-RDUserSession -ConnectionBroker $broker | Where-Object {{ $_.HostServer -eq {ps_quote(server)} }})"
    lines = [
        *header(broker),
        f"Set-RDSessionHost -SessionHost {ps_array([server])} -NewConnectionAllowed No -ConnectionBroker $broker",
        *_warn(server, title, message),
        f"$deadline = (Get-Date).AddMinutes({wait_minutes})",
        f"while ((Get-Date) -lt $deadline -and {left}.Count -gt 0) {{ Start-Sleep -Seconds 30 }}",
        f"foreach ($session in {left}) {{",
        f"    Invoke-RDUserLogoff -HostServer {ps_quote(server)} -UnifiedSessionID $session.UnifiedSessionId -Force",
        "}",
        f"$inCollection = @(Get-RDSessionHost -CollectionName {ps_quote(collection)} -ConnectionBroker $broker | "
        "ForEach-Object { $_.SessionHost })",
        f"if ($inCollection -contains {ps_quote(server)}) {{",
        f"    Remove-RDSessionHost -SessionHost {ps_array([server])} -ConnectionBroker $broker -Force",
        "}",
    ]  # fmt: skip
    if leaves_deployment:
        lines += [
            _roles_of(server),
            "if ($roles -contains 'RDS-RD-SERVER') {",
            f"    Remove-RDServer -Server {ps_quote(server)} -Role 'RDS-RD-SERVER' -ConnectionBroker $broker -Force",
            "}",
        ]
    return "\n".join(lines)


def _app_arguments(app: dict[str, Any]) -> str:
    groups = f" -UserGroups {ps_array(app['user_groups'])}" if app["user_groups"] else ""
    return f"-DisplayName {ps_quote(app['name'])} -FilePath {ps_quote(app['path'])}{groups}"


def remoteapp(broker: str, collection: str, app: dict[str, Any], present: bool) -> str:
    """A RemoteApp created, set (name, path, groups) or removed."""
    find = (f"$app = Get-RDRemoteApp -CollectionName {ps_quote(collection)} -ConnectionBroker $broker | "
            f"Where-Object {{ $_.Alias -eq {ps_quote(app['alias'])} }}")  # fmt: skip
    select = f"-CollectionName {ps_quote(collection)} -Alias {ps_quote(app['alias'])}"
    if not present:
        change = [f"if ($null -ne $app) {{ Remove-RDRemoteApp {select} -ConnectionBroker $broker -Force }}"]
    else:
        clear = "" if app["user_groups"] else " -UserGroups @()"
        change = [
            "if ($null -eq $app) {",
            f"    New-RDRemoteApp {select} {_app_arguments(app)} -ConnectionBroker $broker | Out-Null",
            "} else {",
            f"    Set-RDRemoteApp {select} {_app_arguments(app)}{clear} -ConnectionBroker $broker | Out-Null",
            "}",
        ]
    return "\n".join([*header(broker), find, *change])


def profile_disks(broker: str, collection: str, wanted: dict[str, Any]) -> str:
    """User profile disks on (share, size) or off for the collection: separate parameter sets, separate calls."""
    if wanted["enabled"]:
        change = (f"Set-RDSessionCollectionConfiguration -CollectionName {ps_quote(collection)} -EnableUserProfileDisk "
                  f"-DiskPath {ps_quote(wanted['path'])} -MaxUserProfileDiskSizeGB {wanted['size_gb']} "
                  "-ConnectionBroker $broker")  # fmt: skip
    else:
        change = (f"Set-RDSessionCollectionConfiguration -CollectionName {ps_quote(collection)} "
                  "-DisableUserProfileDisk -ConnectionBroker $broker")  # fmt: skip
    return "\n".join([*header(broker), change])
