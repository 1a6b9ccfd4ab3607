# Managed by ferme: Windows Defender Firewall rules of rdsh26 (departement-exemple), 6 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
$wanted = @('ferme-management-winrm-mgmt-windows-tcp', 'ferme-rds_broker-rpc-management-rds_session_host-tcp', 'ferme-rds_gateway-rdp-rds_session_host-tcp', 'ferme-rds_session_host-rdp-users-siege-tcp', 'ferme-rds_session_host-rdp-users-sites-tcp', 'ferme-rds_session_host-rdp-vpn-tcp')

if ($null -eq (Get-NetFirewallRule -Name 'ferme-management-winrm-mgmt-windows-tcp' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'ferme-management-winrm-mgmt-windows-tcp' -DisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/mgmt->windows)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.20.99.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration' | Out-Null
} else {
    Set-NetFirewallRule -Name 'ferme-management-winrm-mgmt-windows-tcp' -NewDisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/mgmt->windows)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.20.99.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration'
}
if ($null -eq (Get-NetFirewallRule -Name 'ferme-rds_broker-rpc-management-rds_session_host-tcp' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rpc-management-rds_session_host-tcp' -DisplayName 'ferme: Gestion RPC/WMI (rds_broker/rpc-management/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: gestion des hôtes de session' | Out-Null
} else {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rpc-management-rds_session_host-tcp' -NewDisplayName 'ferme: Gestion RPC/WMI (rds_broker/rpc-management/rds_session_host)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: gestion des hôtes de session'
}
if ($null -eq (Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -DisplayName 'ferme: Bureau à distance (RDP) (rds_gateway/rdp/rds_session_host)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents' | Out-Null
} else {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_session_host-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP) (rds_gateway/rdp/rds_session_host)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: sessions des agents'
}
if ($null -eq (Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-tcp' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-tcp' -DisplayName 'ferme: Bureau à distance (RDP) (rds_session_host/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
} else {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-siege-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP) (rds_session_host/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
}
if ($null -eq (Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-tcp' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-tcp' -DisplayName 'ferme: Bureau à distance (RDP) (rds_session_host/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
} else {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-sites-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP) (rds_session_host/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
}
if ($null -eq (Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-vpn-tcp' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-vpn-tcp' -DisplayName 'ferme: Bureau à distance (RDP) (rds_session_host/rdp/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
} else {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-vpn-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP) (rds_session_host/rdp/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
}

Get-NetFirewallRule -Group 'ferme' -ErrorAction SilentlyContinue |
    Where-Object { $wanted -notcontains $_.Name } | Remove-NetFirewallRule
