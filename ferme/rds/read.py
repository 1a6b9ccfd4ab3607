"""What the broker says of its deployment, and the Remote Desktop policies Group Policy sets on a host.

Both are kinds of the host's batched facts (ferme.facts.windows): the broker's converged run still costs one
PowerShell call. Every collection is listed and then read by its own name: filtering `Get-RDSessionCollection`
by name is what made a second collection look present to other tools.
"""

from __future__ import annotations

from typing import Any

from ferme.facts.jsonout import as_list
from ferme.powershell.quote import ps_array

# Where Group Policy writes the Remote Desktop Session Host settings (Computer Configuration).
TS_POLICIES = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"


def deployment_probe(brokers: list[str]) -> list[str]:
    """`$facts.rd_deployment[broker]`: null where there is no deployment (Get-RDServer throws) or no RDS module."""
    return [
        "$facts.rd_deployment = [ordered]@{}",
        f"foreach ($name in {ps_array(brokers)}) {{",
        "    $facts.rd_deployment[$name] = $null",
        "    if (-not (Get-Module -ListAvailable -Name RemoteDesktop)) { continue }",
        "    Import-Module -Name RemoteDesktop",
        "    $servers = $null",
        "    try { $servers = @(Get-RDServer -ConnectionBroker $name -ErrorAction Stop) } catch { $servers = $null }",
        "    if ($null -eq $servers) { continue }",
        "    $rd = [ordered]@{ servers = [ordered]@{}; certificates = [ordered]@{}; collections = [ordered]@{} }",
        "    foreach ($server in $servers) {",
        "        $rd.servers[[string]$server.Server] = @($server.Roles | ForEach-Object { [string]$_ })",
        "    }",
        "    $ha = Get-RDConnectionBrokerHighAvailability -ConnectionBroker $name -ErrorAction SilentlyContinue",
        "    $rd.ha = $null",
        "    if ($null -ne $ha -and $ha.ClientAccessName) {",
        "        $rd.ha = [ordered]@{ client_access_name = [string]$ha.ClientAccessName;",
        "            database_connection_string = [string]$ha.DatabaseConnectionString;",
        "            active_management_server = [string]$ha.ActiveManagementServer }",
        "    }",
        "    $license = Get-RDLicenseConfiguration -ConnectionBroker $name",
        "    $rd.licensing = [ordered]@{ mode = [string]$license.Mode; servers = @($license.LicenseServer) }",
        "    $gateway = Get-RDDeploymentGatewayConfiguration -ConnectionBroker $name",
        "    $rd.gateway = [ordered]@{ mode = [string]$gateway.GatewayMode;",
        "        external_fqdn = [string]$gateway.GatewayExternalFqdn;",
        "        logon_method = [string]$gateway.LogonMethod; use_cached_credentials = $gateway.UseCachedCredentials;",
        "        bypass_local = $gateway.BypassLocal }",
        "    foreach ($certificate in @(Get-RDCertificate -ConnectionBroker $name)) {",
        "        $rd.certificates[[string]$certificate.Role] = [string]$certificate.Thumbprint",
        "    }",
        "    $names = @(Get-RDSessionCollection -ConnectionBroker $name | ForEach-Object { $_.CollectionName })",
        "    foreach ($cn in $names) {",
        "        $general = Get-RDSessionCollectionConfiguration -CollectionName $cn -ConnectionBroker $name",
        "        $connection = Get-RDSessionCollectionConfiguration -CollectionName $cn -Connection "
        "-ConnectionBroker $name",
        "        $client = Get-RDSessionCollectionConfiguration -CollectionName $cn -Client -ConnectionBroker $name",
        "        $security = Get-RDSessionCollectionConfiguration -CollectionName $cn -Security "
        "-ConnectionBroker $name",
        "        $groups = Get-RDSessionCollectionConfiguration -CollectionName $cn -UserGroup -ConnectionBroker $name",
        "        $disks = Get-RDSessionCollectionConfiguration -CollectionName $cn -UserProfileDisk "
        "-ConnectionBroker $name",
        "        $profileDisks = [ordered]@{ enabled = [bool]$disks.EnableUserProfileDisk;",
        "            path = [string]$disks.DiskPath; size_gb = $disks.MaxUserProfileDiskSizeGB }",
        "        $hosts = [ordered]@{}",
        "        foreach ($sessionHost in @(Get-RDSessionHost -CollectionName $cn -ConnectionBroker $name)) {",
        "            $hosts[[string]$sessionHost.SessionHost] = [string]$sessionHost.NewConnectionAllowed",
        "        }",
        "        $apps = [ordered]@{}",
        "        foreach ($app in @(Get-RDRemoteApp -CollectionName $cn -ConnectionBroker $name)) {",
        "            $apps[[string]$app.Alias] = [ordered]@{ name = [string]$app.DisplayName;",
        "                path = [string]$app.FilePath; user_groups = @($app.UserGroups) }",
        "        }",
        "        $settings = [ordered]@{",
        "            CollectionDescription = [string]$general.CollectionDescription",
        "            UserGroup = @($groups.UserGroup)",
        "            IdleSessionLimitMin = $connection.IdleSessionLimitMin",
        "            DisconnectedSessionLimitMin = $connection.DisconnectedSessionLimitMin",
        "            ActiveSessionLimitMin = $connection.ActiveSessionLimitMin",
        "            BrokenConnectionAction = [string]$connection.BrokenConnectionAction",
        "            AutomaticReconnectionEnabled = $connection.AutomaticReconnectionEnabled",
        "            ClientDeviceRedirectionOptions = [string]$client.ClientDeviceRedirectionOptions",
        "            ClientPrinterRedirected = $client.ClientPrinterRedirected",
        "            RDEasyPrintDriverEnabled = $client.RDEasyPrintDriverEnabled",
        "            ClientPrinterAsDefault = $client.ClientPrinterAsDefault",
        "            AuthenticateUsingNLA = $security.AuthenticateUsingNLA",
        "            SecurityLayer = [string]$security.SecurityLayer",
        "            EncryptionLevel = [string]$security.EncryptionLevel",
        "            CustomRdpProperty = [string]$general.CustomRdpProperty",
        "        }",
        "        $rd.collections[[string]$cn] = [ordered]@{ hosts = $hosts; settings = $settings; remoteapps = $apps;",
        "            profile_disks = $profileDisks }",
        "    }",
        "    $facts.rd_deployment[$name] = $rd",
        "}",
    ]  # fmt: skip


def _flags(value: Any) -> list[str]:
    """`AudioVideoPlayBack, Clipboard` (a flags enum as text) → the flags, sorted; `None` → []."""
    return sorted(flag.strip() for flag in str(value or "").split(",") if flag.strip() and flag.strip() != "None")


def _profile_disks(raw: Any) -> dict[str, Any]:
    if not raw or not raw.get("enabled"):
        return {"enabled": False}
    return {"enabled": True, "path": str(raw.get("path") or ""), "size_gb": int(raw.get("size_gb") or 0)}


def lowered(values: Any) -> list[str]:
    """A list read from ConvertTo-Json (one element, or null, included), lower-cased and sorted."""
    return sorted(str(v).lower() for v in as_list(values))


def parse_deployment(raw: Any) -> dict[str, Any] | None:
    """The broker's answer in the plan's shape (ferme.plan.rds.deployment): names lower-cased, lists sorted."""
    if raw is None:
        return None
    collections = {}
    for name, c in (raw.get("collections") or {}).items():
        settings = dict(c.get("settings") or {})
        settings["UserGroup"] = lowered(settings.get("UserGroup"))
        settings["ClientDeviceRedirectionOptions"] = _flags(settings.get("ClientDeviceRedirectionOptions"))
        settings["CustomRdpProperty"] = "\n".join(
            line.strip() for line in str(settings.get("CustomRdpProperty") or "").splitlines() if line.strip()
        )
        collections[name] = {
            "hosts": {str(h).lower(): str(state) for h, state in (c.get("hosts") or {}).items()},
            "settings": settings,
            "profile_disks": _profile_disks(c.get("profile_disks")),
            "remoteapps": {
                alias: {
                    "name": app.get("name"),
                    "path": app.get("path"),
                    "user_groups": lowered(app.get("user_groups")),
                }
                for alias, app in (c.get("remoteapps") or {}).items()
            },
        }
    licensing = raw.get("licensing") or {}
    ha = raw.get("ha")
    return {
        "servers": {str(s).lower(): sorted(as_list(roles)) for s, roles in (raw.get("servers") or {}).items()},
        "licensing": {"mode": licensing.get("mode"), "servers": lowered(licensing.get("servers"))},
        "gateway": {
            **(raw.get("gateway") or {}),
            "external_fqdn": str((raw.get("gateway") or {}).get("external_fqdn") or "").lower(),
        },
        "certificates": {role: str(t).upper() for role, t in (raw.get("certificates") or {}).items() if t},
        "ha": None
        if not ha
        else {
            **ha,
            "client_access_name": str(ha.get("client_access_name") or "").lower(),
            "active_management_server": str(ha.get("active_management_server") or "").lower(),
        },
        "collections": collections,
    }


def policies_probe(keys: list[str]) -> list[str]:
    """`$facts.policies[key]`: every value Group Policy wrote under the key (null: the key is not there)."""
    return [
        "$facts.policies = [ordered]@{}",
        f"foreach ($name in {ps_array(keys)}) {{",
        "    $facts.policies[$name] = $null",
        "    if (Test-Path -Path $name) {",
        "        $key = Get-Item -Path $name",
        "        $values = [ordered]@{}",
        "        foreach ($valueName in $key.GetValueNames()) { $values[$valueName] = $key.GetValue($valueName) }",
        "        $facts.policies[$name] = $values",
        "    }",
        "}",
    ]  # fmt: skip
