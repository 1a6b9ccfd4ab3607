# Managed by ferme: Windows Defender Firewall rules of rdsh36 (departement-exemple), 8 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-rds-deployment-rds_session_host-tcp', 'ferme-rds_gateway-rdp-rds_session_host-tcp', 'ferme-rds_gateway-rdp-rds_session_host-udp', 'ferme-rds_session_host-rdp-users-siege-tcp', 'ferme-rds_session_host-rdp-users-siege-udp', 'ferme-rds_session_host-rdp-users-sites-tcp', 'ferme-rds_session_host-rdp-users-sites-udp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_session_host-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_session_host-tcp' -DisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rds-deployment-rds_session_host-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rds-deployment-rds_session_host-tcp|Inbound|Allow|True|TCP|135,445,49152-65535,5985|10.20.10.11,10.20.10.12') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_session_host-tcp' -NewDisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_session_host)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rds-deployment-rds_session_host-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_session_host-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_session_host-tcp|Inbound|Allow|True|TCP|3389|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_session_host-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_session_host-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_session_host-udp|Inbound|Allow|True|UDP|3389|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_session_host-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-siege-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-siege-tcp|Inbound|Allow|True|TCP|3389|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-siege-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-siege-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-siege-udp|Inbound|Allow|True|UDP|3389|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-siege-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-sites-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-sites-tcp|Inbound|Allow|True|TCP|3389|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-sites-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-sites-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-sites-udp|Inbound|Allow|True|UDP|3389|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-sites-udp'
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
