#Requires -Version 5.1
#Requires -RunAsAdministrator
# ferme export: converges gw01 (rds_gateway) of Conseil départemental d'Exemple (departement-exemple).
# Windows PowerShell 5.1; every block checks before it changes, so a second run changes nothing.
# Generated from the inventory: do not edit, re-export. Not run by ferme: there is no Windows here.
$ErrorActionPreference = 'Stop'
$changes = @()
$restartNeeded = $false

# Windows features of the host's roles
if (-not (Get-WindowsFeature -Name 'NPAS').Installed) {
    $installed = Install-WindowsFeature -Name 'NPAS' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'NPAS'
}
if (-not (Get-WindowsFeature -Name 'RDS-Gateway').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Gateway' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Gateway'
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
# Managed by ferme: Windows Defender Firewall rules of gw01 (departement-exemple), 8 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-rds-deployment-rds_gateway-tcp', 'ferme-rds_gateway-https-load_balancer-tcp', 'ferme-rds_gateway-https-users-siege-tcp', 'ferme-rds_gateway-https-users-sites-tcp', 'ferme-rds_gateway-https-vpn-tcp', 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp', 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_gateway-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_gateway-tcp' -DisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_gateway)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rds-deployment-rds_gateway-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rds-deployment-rds_gateway-tcp|Inbound|Allow|True|TCP|135,445,49152-65535,5985|10.20.10.11,10.20.10.12') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_gateway-tcp' -NewDisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_gateway)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rds-deployment-rds_gateway-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-load_balancer-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-load_balancer-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/load_balancer)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.30.15') -Profile Any -Enabled True -Description 'role rds_gateway: répartiteur de charge vers les passerelles' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-load_balancer-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-load_balancer-tcp|Inbound|Allow|True|TCP|443|10.20.30.15') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-load_balancer-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/load_balancer)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.30.15') -Profile Any -Enabled True -Description 'role rds_gateway: répartiteur de charge vers les passerelles'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-load_balancer-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-users-siege-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-users-siege-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-users-siege-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-users-siege-tcp|Inbound|Allow|True|TCP|443|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-users-siege-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/users-siege)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-users-siege-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-users-sites-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-users-sites-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-users-sites-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-users-sites-tcp|Inbound|Allow|True|TCP|443|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-users-sites-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/users-sites)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-users-sites-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-vpn-tcp|Inbound|Allow|True|TCP|443|10.20.64.0/255.255.248.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-vpn-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp' -DisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/load_balancer)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('10.20.30.15') -Profile Any -Enabled True -Description 'role rds_gateway: répartiteur de charge vers les passerelles' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp|Inbound|Allow|True|UDP|3391|10.20.30.15') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp' -NewDisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/load_balancer)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('10.20.30.15') -Profile Any -Enabled True -Description 'role rds_gateway: répartiteur de charge vers les passerelles'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-udp-gateway-load_balancer-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -DisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp|Inbound|Allow|True|UDP|3391|10.20.64.0/255.255.248.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -NewDisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/vpn)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp'
}

Get-NetFirewallRule -Group 'ferme' -ErrorAction SilentlyContinue |
    Where-Object { $wanted -notcontains $_.Name } | ForEach-Object {
        $changes += 'firewall rule removed ' + $_.Name
        $_ | Remove-NetFirewallRule
    }

# Windows' own rules that these replace (open to any address): disabled
foreach ($name in @('WINRM-HTTP-In-TCP', 'WINRM-HTTP-In-TCP-PUBLIC')) {
    $rule = Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue
    if ($null -ne $rule -and [string]$rule.Enabled -eq 'True') {
        Disable-NetFirewallRule -Name $name
        $changes += 'built-in rule disabled ' + $name
    }
}

if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }
if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }
