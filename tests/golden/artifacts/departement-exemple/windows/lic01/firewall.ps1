# Managed by ferme: Windows Defender Firewall rules of lic01 (departement-exemple), 3 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-rds-deployment-rds_licensing-tcp', 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_licensing-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_licensing-tcp' -DisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_licensing)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rds-deployment-rds_licensing-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rds-deployment-rds_licensing-tcp|Inbound|Allow|True|TCP|135,445,49152-65535,5985|10.20.10.11,10.20.10.12') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_licensing-tcp' -NewDisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_licensing)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rds-deployment-rds_licensing-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp' -DisplayName 'ferme: Licences RDS (RPC) (rds_session_host/rd-licensing/rds_licensing)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '49152-65535') -RemoteAddress @('10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140') -Profile Any -Enabled True -Description 'role rds_session_host: licences d''accès client' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp|Inbound|Allow|True|TCP|135,49152-65535|10.20.11.101,10.20.11.102,10.20.11.103,10.20.11.104,10.20.11.105,10.20.11.106,10.20.11.107,10.20.11.108,10.20.11.109,10.20.11.110,10.20.11.111,10.20.11.112,10.20.11.113,10.20.11.114,10.20.11.115,10.20.11.116,10.20.11.117,10.20.11.118,10.20.11.119,10.20.11.120,10.20.11.121,10.20.11.122,10.20.11.123,10.20.11.124,10.20.11.125,10.20.11.126,10.20.11.127,10.20.11.128,10.20.11.129,10.20.11.130,10.20.11.131,10.20.11.132,10.20.11.133,10.20.11.134,10.20.11.135,10.20.11.136,10.20.11.137,10.20.11.138,10.20.11.139,10.20.11.140') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp' -NewDisplayName 'ferme: Licences RDS (RPC) (rds_session_host/rd-licensing/rds_licensing)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '49152-65535') -RemoteAddress @('10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140') -Profile Any -Enabled True -Description 'role rds_session_host: licences d''accès client'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rd-licensing-rds_licensing-tcp'
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
