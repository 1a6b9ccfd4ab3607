#Requires -Version 5.1
#Requires -RunAsAdministrator
# ferme export: converges lab-rds01 (rds_broker, rds_web, rds_gateway, rds_licensing, profiles) of Laboratoire ferme (lab).
# Windows PowerShell 5.1; every block checks before it changes, so a second run changes nothing.
# Generated from the inventory: do not edit, re-export. Not run by ferme: there is no Windows here.
$ErrorActionPreference = 'Stop'
$changes = @()
$restartNeeded = $false

# Windows features of the host's roles
if (-not (Get-WindowsFeature -Name 'FS-FileServer').Installed) {
    $installed = Install-WindowsFeature -Name 'FS-FileServer' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'FS-FileServer'
}
if (-not (Get-WindowsFeature -Name 'NPAS').Installed) {
    $installed = Install-WindowsFeature -Name 'NPAS' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'NPAS'
}
if (-not (Get-WindowsFeature -Name 'RDS-Connection-Broker').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Connection-Broker' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Connection-Broker'
}
if (-not (Get-WindowsFeature -Name 'RDS-Gateway').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Gateway' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Gateway'
}
if (-not (Get-WindowsFeature -Name 'RDS-Licensing').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Licensing' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Licensing'
}
if (-not (Get-WindowsFeature -Name 'RDS-Web-Access').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Web-Access' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Web-Access'
}
if (-not (Get-WindowsFeature -Name 'RSAT-RDS-Tools').Installed) {
    $installed = Install-WindowsFeature -Name 'RSAT-RDS-Tools' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RSAT-RDS-Tools'
}

# Registry values (remote desktop, network level authentication, FSLogix profiles)

# Windows Defender Firewall rules from the flows
# Managed by ferme: Windows Defender Firewall rules of lab-rds01 (lab), 22 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-portal-https-rds_gateway-tcp', 'ferme-portal-https-rds_web-tcp', 'ferme-rds_broker-rdp-site-annexe-tcp', 'ferme-rds_broker-rdp-site-annexe-udp', 'ferme-rds_broker-rdp-users-tcp', 'ferme-rds_broker-rdp-users-udp', 'ferme-rds_gateway-https-outside-tcp', 'ferme-rds_gateway-https-site-annexe-tcp', 'ferme-rds_gateway-https-users-tcp', 'ferme-rds_gateway-https-vpn-tcp', 'ferme-rds_gateway-rdp-udp-gateway-outside-udp', 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp', 'ferme-rds_gateway-rdp-rds_broker-tcp', 'ferme-rds_gateway-rdp-rds_broker-udp', 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp', 'ferme-rds_session_host-smb-profiles-tcp', 'ferme-rds_web-https-outside-tcp', 'ferme-rds_web-https-site-annexe-tcp', 'ferme-rds_web-https-users-tcp', 'ferme-rds_web-https-vpn-tcp', 'ferme-rds_web-rd-web-broker-rds_broker-tcp')
$signature = {
    param($rule)
    $port = $rule | Get-NetFirewallPortFilter
    $address = $rule | Get-NetFirewallAddressFilter
    [string[]]$ports = @($port.LocalPort)
    [string[]]$remote = @($address.RemoteAddress)
    [Array]::Sort($ports, [StringComparer]::Ordinal)
    [Array]::Sort($remote, [StringComparer]::Ordinal)
    @($rule.Name, [string]$rule.Direction, [string]$rule.Action, [string]$rule.Enabled, [string]$port.Protocol,
      ($ports -join ','), ($remote -join ',')) -join '|'
}

$rule = Get-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -DisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('198.18.6.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration' | Out-Null
    $changes += 'firewall rule ' + 'ferme-management-winrm-admin-windows-tcp'
} elseif ((& $signature $rule) -ne 'ferme-management-winrm-admin-windows-tcp|Inbound|Allow|True|TCP|5986|198.18.6.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -NewDisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('198.18.6.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration'
    $changes += 'firewall rule changed ' + 'ferme-management-winrm-admin-windows-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-portal-https-rds_gateway-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-portal-https-rds_gateway-tcp' -DisplayName 'ferme: HTTPS (portal/https/rds_gateway)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.1.30') -Profile Any -Enabled True -Description 'role portal: passerelle RD (client web) derrière le portail' | Out-Null
    $changes += 'firewall rule ' + 'ferme-portal-https-rds_gateway-tcp'
} elseif ((& $signature $rule) -ne 'ferme-portal-https-rds_gateway-tcp|Inbound|Allow|True|TCP|443|198.18.1.30') {
    Set-NetFirewallRule -Name 'ferme-portal-https-rds_gateway-tcp' -NewDisplayName 'ferme: HTTPS (portal/https/rds_gateway)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.1.30') -Profile Any -Enabled True -Description 'role portal: passerelle RD (client web) derrière le portail'
    $changes += 'firewall rule changed ' + 'ferme-portal-https-rds_gateway-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-portal-https-rds_web-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-portal-https-rds_web-tcp' -DisplayName 'ferme: HTTPS (portal/https/rds_web)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.1.30') -Profile Any -Enabled True -Description 'role portal: accès web RD derrière le portail' | Out-Null
    $changes += 'firewall rule ' + 'ferme-portal-https-rds_web-tcp'
} elseif ((& $signature $rule) -ne 'ferme-portal-https-rds_web-tcp|Inbound|Allow|True|TCP|443|198.18.1.30') {
    Set-NetFirewallRule -Name 'ferme-portal-https-rds_web-tcp' -NewDisplayName 'ferme: HTTPS (portal/https/rds_web)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.1.30') -Profile Any -Enabled True -Description 'role portal: accès web RD derrière le portail'
    $changes += 'firewall rule changed ' + 'ferme-portal-https-rds_web-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-site-annexe-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-site-annexe-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-site-annexe-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-site-annexe-tcp|Inbound|Allow|True|TCP|3389|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-site-annexe-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/site-annexe)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-site-annexe-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-site-annexe-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-site-annexe-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-site-annexe-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-site-annexe-udp|Inbound|Allow|True|UDP|3389|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-site-annexe-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/site-annexe)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-site-annexe-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-tcp|Inbound|Allow|True|TCP|3389|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-udp|Inbound|Allow|True|UDP|3389|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-outside-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-outside-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/outside)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('Any') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-outside-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-outside-tcp|Inbound|Allow|True|TCP|443|Any') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-outside-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/outside)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('Any') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-outside-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-site-annexe-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-site-annexe-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-site-annexe-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-site-annexe-tcp|Inbound|Allow|True|TCP|443|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-site-annexe-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/site-annexe)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-site-annexe-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-users-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-users-tcp|Inbound|Allow|True|TCP|443|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-users-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-vpn-tcp|Inbound|Allow|True|TCP|443|198.18.5.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-vpn-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-outside-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-outside-udp' -DisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/outside)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('Any') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-udp-gateway-outside-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-udp-gateway-outside-udp|Inbound|Allow|True|UDP|3391|Any') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-outside-udp' -NewDisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/outside)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('Any') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-udp-gateway-outside-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -DisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp|Inbound|Allow|True|UDP|3391|198.18.5.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -NewDisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/vpn)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_broker-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_broker-tcp|Inbound|Allow|True|TCP|3389|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_broker-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_broker-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_broker-udp|Inbound|Allow|True|UDP|3389|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_broker-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp' -DisplayName 'ferme: Licences RDS (RPC) (rds_session_host/rd-licensing/rds_licensing)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '49152-65535') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: licences d''accès client' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp|Inbound|Allow|True|TCP|135,49152-65535|198.18.2.11,198.18.2.12') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp' -NewDisplayName 'ferme: Licences RDS (RPC) (rds_session_host/rd-licensing/rds_licensing)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '49152-65535') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: licences d''accès client'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-smb-profiles-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-smb-profiles-tcp' -DisplayName 'ferme: Partage de fichiers SMB (rds_session_host/smb/profiles)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('445') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: profils FSLogix' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-smb-profiles-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-smb-profiles-tcp|Inbound|Allow|True|TCP|445|198.18.2.11,198.18.2.12') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-smb-profiles-tcp' -NewDisplayName 'ferme: Partage de fichiers SMB (rds_session_host/smb/profiles)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('445') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: profils FSLogix'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-smb-profiles-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-https-outside-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-https-outside-tcp' -DisplayName 'ferme: HTTPS (rds_web/https/outside)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('Any') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-https-outside-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-https-outside-tcp|Inbound|Allow|True|TCP|443|Any') {
    Set-NetFirewallRule -Name 'ferme-rds_web-https-outside-tcp' -NewDisplayName 'ferme: HTTPS (rds_web/https/outside)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('Any') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-https-outside-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-https-site-annexe-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-https-site-annexe-tcp' -DisplayName 'ferme: HTTPS (rds_web/https/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-https-site-annexe-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-https-site-annexe-tcp|Inbound|Allow|True|TCP|443|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_web-https-site-annexe-tcp' -NewDisplayName 'ferme: HTTPS (rds_web/https/site-annexe)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-https-site-annexe-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-https-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-https-users-tcp' -DisplayName 'ferme: HTTPS (rds_web/https/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-https-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-https-users-tcp|Inbound|Allow|True|TCP|443|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_web-https-users-tcp' -NewDisplayName 'ferme: HTTPS (rds_web/https/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-https-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-https-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-https-vpn-tcp' -DisplayName 'ferme: HTTPS (rds_web/https/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-https-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-https-vpn-tcp|Inbound|Allow|True|TCP|443|198.18.5.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_web-https-vpn-tcp' -NewDisplayName 'ferme: HTTPS (rds_web/https/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-https-vpn-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -DisplayName 'ferme: RD Web vers le Service Broker (rds_web/rd-web-broker/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5504') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_web: liste des ressources publiées' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-rd-web-broker-rds_broker-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-rd-web-broker-rds_broker-tcp|Inbound|Allow|True|TCP|5504|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -NewDisplayName 'ferme: RD Web vers le Service Broker (rds_web/rd-web-broker/rds_broker)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5504') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_web: liste des ressources publiées'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-rd-web-broker-rds_broker-tcp'
}

Get-NetFirewallRule -Group 'ferme' -ErrorAction SilentlyContinue |
    Where-Object { $wanted -notcontains $_.Name } | ForEach-Object {
        $changes += 'firewall rule removed ' + $_.Name
        $_ | Remove-NetFirewallRule
    }

# Windows' own rules that these replace (open to any address): disabled
foreach ($name in @('RemoteDesktop-UserMode-In-TCP', 'RemoteDesktop-UserMode-In-UDP', 'WINRM-HTTP-In-TCP', 'WINRM-HTTP-In-TCP-PUBLIC')) {
    $rule = Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue
    if ($null -ne $rule -and [string]$rule.Enabled -eq 'True') {
        Disable-NetFirewallRule -Name $name
        $changes += 'built-in rule disabled ' + $name
    }
}

# The RD deployment, from this broker (run as the deployment account, in a local session)
# deployment lab-rds01.ad.lab.ferme.test
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$deployed = $true
try { Get-RDServer -ConnectionBroker $broker -ErrorAction Stop | Out-Null } catch { $deployed = $false }
if (-not $deployed) {
    New-RDSessionDeployment -ConnectionBroker $broker -SessionHost @('lab-rdsh01.ad.lab.ferme.test') -WebAccessServer 'lab-rdgw02.ad.lab.ferme.test'
}
}

# add-server lab-rdsh02.ad.lab.ferme.test RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'lab-rdsh02.ad.lab.ferme.test' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'lab-rdsh02.ad.lab.ferme.test' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server lab-rds01.ad.lab.ferme.test RDS-WEB-ACCESS
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'lab-rds01.ad.lab.ferme.test' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-WEB-ACCESS') {
    Add-RDServer -Server 'lab-rds01.ad.lab.ferme.test' -Role 'RDS-WEB-ACCESS' -ConnectionBroker $broker
}
}

# add-server lab-rds01.ad.lab.ferme.test RDS-LICENSING
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'lab-rds01.ad.lab.ferme.test' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-LICENSING') {
    Add-RDServer -Server 'lab-rds01.ad.lab.ferme.test' -Role 'RDS-LICENSING' -ConnectionBroker $broker
}
}

# add-server lab-rdgw02.ad.lab.ferme.test RDS-GATEWAY
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'lab-rdgw02.ad.lab.ferme.test' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-GATEWAY') {
    Add-RDServer -Server 'lab-rdgw02.ad.lab.ferme.test' -Role 'RDS-GATEWAY' -ConnectionBroker $broker -GatewayExternalFqdn 'bureau.lab.ferme.test'
}
}

# add-server lab-rds01.ad.lab.ferme.test RDS-GATEWAY
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'lab-rds01.ad.lab.ferme.test' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-GATEWAY') {
    Add-RDServer -Server 'lab-rds01.ad.lab.ferme.test' -Role 'RDS-GATEWAY' -ConnectionBroker $broker -GatewayExternalFqdn 'bureau.lab.ferme.test'
}
}

# licensing PerUser
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$license = Get-RDLicenseConfiguration -ConnectionBroker $broker
$current = (@($license.LicenseServer) | ForEach-Object { ([string]$_).ToLower() } | Sort-Object) -join ','
if ([string]$license.Mode -ne 'PerUser' -or $current -ne 'lab-rds01.ad.lab.ferme.test') {
    Set-RDLicenseConfiguration -Mode PerUser -LicenseServer @('lab-rds01.ad.lab.ferme.test') -ConnectionBroker $broker -Force
}
Write-Output 'ferme: RDS CALs have no cmdlet: activate the server and install the CAL packs with the Remote Desktop Licensing Manager (licmgr.exe) on the licensing server'
}

# gateway bureau.lab.ferme.test
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$gateway = Get-RDDeploymentGatewayConfiguration -ConnectionBroker $broker
if ([string]$gateway.GatewayMode -ne 'Custom' -or $gateway.GatewayExternalFqdn -ne 'bureau.lab.ferme.test' -or [string]$gateway.LogonMethod -ne 'Password' -or $gateway.UseCachedCredentials -ne $true -or $gateway.BypassLocal -ne $false) {
    Set-RDDeploymentGatewayConfiguration -GatewayMode Custom -GatewayExternalFqdn 'bureau.lab.ferme.test' -LogonMethod Password -UseCachedCredentials $true -BypassLocal $false -ConnectionBroker $broker -Force
}
}

# certificate RDGateway
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$current = [string](Get-RDCertificate -Role RDGateway -ConnectionBroker $broker).Thumbprint
if ($current -ne '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C') {
    Set-RDCertificate -Role RDGateway -Thumbprint '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C' -ConnectionBroker $broker -Force
}
}

# certificate RDPublishing
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$current = [string](Get-RDCertificate -Role RDPublishing -ConnectionBroker $broker).Thumbprint
if ($current -ne '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C') {
    Set-RDCertificate -Role RDPublishing -Thumbprint '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C' -ConnectionBroker $broker -Force
}
}

# certificate RDRedirector
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$current = [string](Get-RDCertificate -Role RDRedirector -ConnectionBroker $broker).Thumbprint
if ($current -ne '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C') {
    Set-RDCertificate -Role RDRedirector -Thumbprint '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C' -ConnectionBroker $broker -Force
}
}

# certificate RDWebAccess
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$current = [string](Get-RDCertificate -Role RDWebAccess -ConnectionBroker $broker).Thumbprint
if ($current -ne '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C') {
    Set-RDCertificate -Role RDWebAccess -Thumbprint '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C' -ConnectionBroker $broker -Force
}
}

# collection Bureau
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
$present = @(Get-RDSessionCollection -ConnectionBroker $broker | Where-Object { $_.CollectionName -eq 'Bureau' }).Count -gt 0
if (-not $present) {
    try { New-RDSessionCollection -CollectionName 'Bureau' -CollectionDescription '' -SessionHost @('lab-rdsh01.ad.lab.ferme.test', 'lab-rdsh02.ad.lab.ferme.test') -ConnectionBroker $broker }
    catch {
        if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
        Write-Output ('ferme: collection Bureau: set by Group Policy, left to it: ' + "$_")
    }
}
}

# settings Bureau: CollectionDescription, UserGroup, IdleSessionLimitMin, DisconnectedSessionLimitMin, ActiveSessionLimitMin, BrokenConnectionAction, AutomaticReconnectionEnabled, ClientDeviceRedirectionOptions, ClientPrinterRedirected, RDEasyPrintDriverEnabled, ClientPrinterAsDefault, AuthenticateUsingNLA, SecurityLayer, EncryptionLevel, CustomRdpProperty
& {
Import-Module -Name RemoteDesktop
$broker = 'lab-rds01.ad.lab.ferme.test'
try {
    Set-RDSessionCollectionConfiguration -CollectionName 'Bureau' -CollectionDescription '' -UserGroup @('LAB\GG-RDS-Bureau') -IdleSessionLimitMin 60 -DisconnectedSessionLimitMin 120 -ActiveSessionLimitMin 0 -BrokenConnectionAction 'Disconnect' -AutomaticReconnectionEnabled $true -ClientDeviceRedirectionOptions AudioVideoPlayBack,AudioRecording,SmartCard,Clipboard,TimeZone -ClientPrinterRedirected $true -RDEasyPrintDriverEnabled $true -ClientPrinterAsDefault $false -AuthenticateUsingNLA $true -SecurityLayer 'SSL' -EncryptionLevel 'High' -CustomRdpProperty 'camerastoredirect:s:' -ConnectionBroker $broker
} catch {
    if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
    $settings = [ordered]@{ CollectionDescription = ''; UserGroup = @('LAB\GG-RDS-Bureau'); IdleSessionLimitMin = 60; DisconnectedSessionLimitMin = 120; ActiveSessionLimitMin = 0; BrokenConnectionAction = 'Disconnect'; AutomaticReconnectionEnabled = $true; ClientDeviceRedirectionOptions = 'AudioVideoPlayBack, AudioRecording, SmartCard, Clipboard, TimeZone'; ClientPrinterRedirected = $true; RDEasyPrintDriverEnabled = $true; ClientPrinterAsDefault = $false; AuthenticateUsingNLA = $true; SecurityLayer = 'SSL'; EncryptionLevel = 'High'; CustomRdpProperty = 'camerastoredirect:s:' }
    foreach ($key in @($settings.Keys)) {
        $one = @{ CollectionName = 'Bureau'; ConnectionBroker = $broker }
        $one[$key] = $settings[$key]
        try { Set-RDSessionCollectionConfiguration @one }
        catch {
            if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
            Write-Output ("ferme: $key of collection " + 'Bureau' + ' is set by Group Policy: left to it')
        }
    }
}
}

if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }
if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }
