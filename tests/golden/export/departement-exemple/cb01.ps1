#Requires -Version 5.1
#Requires -RunAsAdministrator
# ferme export: converges cb01 (rds_broker) of Conseil départemental d'Exemple (departement-exemple).
# Windows PowerShell 5.1; every block checks before it changes, so a second run changes nothing.
# Generated from the inventory: do not edit, re-export. Not run by ferme: there is no Windows here.
$ErrorActionPreference = 'Stop'
$changes = @()
$restartNeeded = $false

# Windows features of the host's roles
if (-not (Get-WindowsFeature -Name 'RDS-Connection-Broker').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Connection-Broker' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Connection-Broker'
}
if (-not (Get-WindowsFeature -Name 'RSAT-RDS-Tools').Installed) {
    $installed = Install-WindowsFeature -Name 'RSAT-RDS-Tools' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RSAT-RDS-Tools'
}

# Registry values (remote desktop, network level authentication, FSLogix profiles)
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -Name 'WUServer' -ErrorAction SilentlyContinue).'WUServer' -ne 'http://10.20.10.41:8530') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate')) { New-Item -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -Name 'WUServer' -Value 'http://10.20.10.41:8530' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\WUServer'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -Name 'WUStatusServer' -ErrorAction SilentlyContinue).'WUStatusServer' -ne 'http://10.20.10.41:8530') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate')) { New-Item -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' -Name 'WUStatusServer' -Value 'http://10.20.10.41:8530' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\WUStatusServer'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' -Name 'UseWUServer' -ErrorAction SilentlyContinue).'UseWUServer' -ne 1) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU')) { New-Item -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' -Name 'UseWUServer' -Value 1 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU\UseWUServer'
}

# Windows Defender Firewall rules from the flows
# Managed by ferme: Windows Defender Firewall rules of cb01 (departement-exemple), 8 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-rdp-users-siege-tcp', 'ferme-rds_broker-rdp-users-siege-udp', 'ferme-rds_broker-rdp-users-sites-tcp', 'ferme-rds_broker-rdp-users-sites-udp', 'ferme-rds_gateway-rdp-rds_broker-tcp', 'ferme-rds_gateway-rdp-rds_broker-udp', 'ferme-rds_web-rd-web-broker-rds_broker-tcp')
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
    New-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -DisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.20.90.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration' | Out-Null
    $changes += 'firewall rule ' + 'ferme-management-winrm-admin-windows-tcp'
} elseif ((& $signature $rule) -ne 'ferme-management-winrm-admin-windows-tcp|Inbound|Allow|True|TCP|5986|10.20.90.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -NewDisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.20.90.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration'
    $changes += 'firewall rule changed ' + 'ferme-management-winrm-admin-windows-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-siege-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-siege-tcp|Inbound|Allow|True|TCP|3389|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-siege-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-siege-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-siege-udp|Inbound|Allow|True|UDP|3389|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-siege-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-sites-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-sites-tcp|Inbound|Allow|True|TCP|3389|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-sites-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-sites-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-sites-udp|Inbound|Allow|True|UDP|3389|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-sites-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_broker-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_broker-tcp|Inbound|Allow|True|TCP|3389|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_broker-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_broker-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_broker-udp|Inbound|Allow|True|UDP|3389|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_broker-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -DisplayName 'ferme: RD Web vers le Service Broker (rds_web/rd-web-broker/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5504') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: liste des ressources publiées' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-rd-web-broker-rds_broker-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-rd-web-broker-rds_broker-tcp|Inbound|Allow|True|TCP|5504|10.20.30.13,10.20.30.14') {
    Set-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -NewDisplayName 'ferme: RD Web vers le Service Broker (rds_web/rd-web-broker/rds_broker)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5504') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: liste des ressources publiées'
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

if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }
if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }
