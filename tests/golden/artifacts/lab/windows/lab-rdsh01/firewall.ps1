# Managed by ferme: Windows Defender Firewall rules of lab-rdsh01 (lab), 8 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-rds-deployment-rds_session_host-tcp', 'ferme-rds_gateway-rdp-rds_session_host-tcp', 'ferme-rds_gateway-rdp-rds_session_host-udp', 'ferme-rds_session_host-rdp-site-annexe-tcp', 'ferme-rds_session_host-rdp-site-annexe-udp', 'ferme-rds_session_host-rdp-users-tcp', 'ferme-rds_session_host-rdp-users-udp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_session_host-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_session_host-tcp' -DisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rds-deployment-rds_session_host-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rds-deployment-rds_session_host-tcp|Inbound|Allow|True|TCP|135,445,49152-65535,5985|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_session_host-tcp' -NewDisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_session_host)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rds-deployment-rds_session_host-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_session_host-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_session_host-tcp|Inbound|Allow|True|TCP|3389|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_session_host-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_session_host-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_session_host-udp|Inbound|Allow|True|UDP|3389|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_session_host)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_session_host-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-site-annexe-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-site-annexe-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-site-annexe-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-site-annexe-tcp|Inbound|Allow|True|TCP|3389|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-site-annexe-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/site-annexe)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-site-annexe-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-site-annexe-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-site-annexe-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-site-annexe-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-site-annexe-udp|Inbound|Allow|True|UDP|3389|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-site-annexe-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/site-annexe)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-site-annexe-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-tcp|Inbound|Allow|True|TCP|3389|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-udp|Inbound|Allow|True|UDP|3389|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-udp'
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
