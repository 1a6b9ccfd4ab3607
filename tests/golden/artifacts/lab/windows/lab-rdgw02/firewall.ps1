# Managed by ferme: Windows Defender Firewall rules of lab-rdgw02 (lab), 15 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-portal-https-rds_gateway-tcp', 'ferme-portal-https-rds_web-tcp', 'ferme-rds_broker-rds-deployment-rds_gateway-tcp', 'ferme-rds_broker-rds-deployment-rds_web-tcp', 'ferme-rds_gateway-https-outside-tcp', 'ferme-rds_gateway-https-site-annexe-tcp', 'ferme-rds_gateway-https-users-tcp', 'ferme-rds_gateway-https-vpn-tcp', 'ferme-rds_gateway-rdp-udp-gateway-outside-udp', 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp', 'ferme-rds_web-https-outside-tcp', 'ferme-rds_web-https-site-annexe-tcp', 'ferme-rds_web-https-users-tcp', 'ferme-rds_web-https-vpn-tcp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_gateway-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_gateway-tcp' -DisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_gateway)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rds-deployment-rds_gateway-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rds-deployment-rds_gateway-tcp|Inbound|Allow|True|TCP|135,445,49152-65535,5985|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_gateway-tcp' -NewDisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_gateway)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rds-deployment-rds_gateway-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_web-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_web-tcp' -DisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_web)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rds-deployment-rds_web-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rds-deployment-rds_web-tcp|Inbound|Allow|True|TCP|135,445,49152-65535,5985|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rds-deployment-rds_web-tcp' -NewDisplayName 'ferme: Déploiement RDS depuis le Service Broker (RPC, SMB, WinRM) (rds_broker/rds-deployment/rds_web)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('135', '445', '5985', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: déploiement et gestion par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rds-deployment-rds_web-tcp'
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
