# Managed by ferme: Windows Defender Firewall rules of dc02 (departement-exemple), 25 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-base-dns-directory-udp', 'ferme-base-dns-directory-tcp', 'ferme-base-ntp-directory-udp', 'ferme-collab-ldaps-directory-tcp', 'ferme-directory-active-directory-users-siege-tcp', 'ferme-directory-active-directory-users-siege-udp', 'ferme-directory-active-directory-users-sites-tcp', 'ferme-directory-active-directory-users-sites-udp', 'ferme-directory-active-directory-vpn-tcp', 'ferme-directory-active-directory-vpn-udp', 'ferme-management-winrm-admin-windows-tcp', 'ferme-mfa-ldaps-directory-tcp', 'ferme-profiles-active-directory-directory-tcp', 'ferme-profiles-active-directory-directory-udp', 'ferme-rds_broker-active-directory-directory-tcp', 'ferme-rds_broker-active-directory-directory-udp', 'ferme-rds_gateway-active-directory-dmz-directory-tcp', 'ferme-rds_gateway-active-directory-dmz-directory-udp', 'ferme-rds_licensing-active-directory-directory-tcp', 'ferme-rds_licensing-active-directory-directory-udp', 'ferme-rds_session_host-active-directory-directory-tcp', 'ferme-rds_session_host-active-directory-directory-udp', 'ferme-rds_web-active-directory-dmz-directory-tcp', 'ferme-rds_web-active-directory-dmz-directory-udp', 'ferme-windows_host-ntp-directory-udp')
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

$rule = Get-NetFirewallRule -Name 'ferme-base-dns-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-base-dns-directory-udp' -DisplayName 'ferme: Résolution DNS (base/dns/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53') -RemoteAddress @('10.20.30.10', '10.20.30.20', '10.20.10.1', '10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-base-dns-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-base-dns-directory-udp|Inbound|Allow|True|UDP|53|10.20.10.1,10.20.10.21,10.20.10.22,10.20.30.10,10.20.30.20') {
    Set-NetFirewallRule -Name 'ferme-base-dns-directory-udp' -NewDisplayName 'ferme: Résolution DNS (base/dns/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53') -RemoteAddress @('10.20.30.10', '10.20.30.20', '10.20.10.1', '10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)'
    $changes += 'firewall rule changed ' + 'ferme-base-dns-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-base-dns-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-base-dns-directory-tcp' -DisplayName 'ferme: Résolution DNS (base/dns/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53') -RemoteAddress @('10.20.30.10', '10.20.30.20', '10.20.10.1', '10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-base-dns-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-base-dns-directory-tcp|Inbound|Allow|True|TCP|53|10.20.10.1,10.20.10.21,10.20.10.22,10.20.30.10,10.20.30.20') {
    Set-NetFirewallRule -Name 'ferme-base-dns-directory-tcp' -NewDisplayName 'ferme: Résolution DNS (base/dns/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53') -RemoteAddress @('10.20.30.10', '10.20.30.20', '10.20.10.1', '10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)'
    $changes += 'firewall rule changed ' + 'ferme-base-dns-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-base-ntp-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-base-ntp-directory-udp' -DisplayName 'ferme: Heure (NTP) (base/ntp/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('10.20.30.10', '10.20.30.20', '10.20.10.1', '10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role base: synchronisation de l''heure (rôle base)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-base-ntp-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-base-ntp-directory-udp|Inbound|Allow|True|UDP|123|10.20.10.1,10.20.10.21,10.20.10.22,10.20.30.10,10.20.30.20') {
    Set-NetFirewallRule -Name 'ferme-base-ntp-directory-udp' -NewDisplayName 'ferme: Heure (NTP) (base/ntp/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('10.20.30.10', '10.20.30.20', '10.20.10.1', '10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role base: synchronisation de l''heure (rôle base)'
    $changes += 'firewall rule changed ' + 'ferme-base-ntp-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-collab-ldaps-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-collab-ldaps-directory-tcp' -DisplayName 'ferme: Annuaire LDAPS (collab/ldaps/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('10.20.30.20') -Profile Any -Enabled True -Description 'role collab: annuaire des utilisateurs (LDAPS)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-collab-ldaps-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-collab-ldaps-directory-tcp|Inbound|Allow|True|TCP|3269,636|10.20.30.20') {
    Set-NetFirewallRule -Name 'ferme-collab-ldaps-directory-tcp' -NewDisplayName 'ferme: Annuaire LDAPS (collab/ldaps/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('10.20.30.20') -Profile Any -Enabled True -Description 'role collab: annuaire des utilisateurs (LDAPS)'
    $changes += 'firewall rule changed ' + 'ferme-collab-ldaps-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-users-siege-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-users-siege-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-users-siege-tcp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-users-siege-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-users-siege-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-siege)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-users-siege-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-users-siege-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-users-siege-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-users-siege-udp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-users-siege-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-users-siege-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-siege)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-users-siege-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-users-sites-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-users-sites-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-users-sites-tcp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-users-sites-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-users-sites-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-sites)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-users-sites-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-users-sites-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-users-sites-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-users-sites-udp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-users-sites-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-users-sites-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users-sites)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-users-sites-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-vpn-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.64.0/255.255.248.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-vpn-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-vpn-udp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-vpn-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.64.0/255.255.248.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.64.0/21') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-vpn-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -DisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.20.90.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration' | Out-Null
    $changes += 'firewall rule ' + 'ferme-management-winrm-admin-windows-tcp'
} elseif ((& $signature $rule) -ne 'ferme-management-winrm-admin-windows-tcp|Inbound|Allow|True|TCP|5986|10.20.90.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -NewDisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.20.90.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration'
    $changes += 'firewall rule changed ' + 'ferme-management-winrm-admin-windows-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-mfa-ldaps-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-mfa-ldaps-directory-tcp' -DisplayName 'ferme: Annuaire LDAPS (mfa/ldaps/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role mfa: annuaire des utilisateurs (LDAPS)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-mfa-ldaps-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-mfa-ldaps-directory-tcp|Inbound|Allow|True|TCP|3269,636|10.20.10.21,10.20.10.22') {
    Set-NetFirewallRule -Name 'ferme-mfa-ldaps-directory-tcp' -NewDisplayName 'ferme: Annuaire LDAPS (mfa/ldaps/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('10.20.10.21', '10.20.10.22') -Profile Any -Enabled True -Description 'role mfa: annuaire des utilisateurs (LDAPS)'
    $changes += 'firewall rule changed ' + 'ferme-mfa-ldaps-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.10.16') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-profiles-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-profiles-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.10.16') {
    Set-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.10.16') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-profiles-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.10.16') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-profiles-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-profiles-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.10.16') {
    Set-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.10.16') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-profiles-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.10.11,10.20.10.12') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.10.11,10.20.10.12') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-dmz-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-dmz-directory-tcp' -DisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_gateway/active-directory-dmz/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '50100', '50101') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-active-directory-dmz-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-active-directory-dmz-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,50100,50101,53,636,88|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-dmz-directory-tcp' -NewDisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_gateway/active-directory-dmz/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '50100', '50101') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-active-directory-dmz-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-dmz-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-dmz-directory-udp' -DisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_gateway/active-directory-dmz/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-active-directory-dmz-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-active-directory-dmz-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-dmz-directory-udp' -NewDisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_gateway/active-directory-dmz/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-active-directory-dmz-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.10.15') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_licensing-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_licensing-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.10.15') {
    Set-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.10.15') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_licensing-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.10.15') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_licensing-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_licensing-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.10.15') {
    Set-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.10.15') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_licensing-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|10.20.11.101,10.20.11.102,10.20.11.103,10.20.11.104,10.20.11.105,10.20.11.106,10.20.11.107,10.20.11.108,10.20.11.109,10.20.11.110,10.20.11.111,10.20.11.112,10.20.11.113,10.20.11.114,10.20.11.115,10.20.11.116,10.20.11.117,10.20.11.118,10.20.11.119,10.20.11.120,10.20.11.121,10.20.11.122,10.20.11.123,10.20.11.124,10.20.11.125,10.20.11.126,10.20.11.127,10.20.11.128,10.20.11.129,10.20.11.130,10.20.11.131,10.20.11.132,10.20.11.133,10.20.11.134,10.20.11.135,10.20.11.136,10.20.11.137,10.20.11.138,10.20.11.139,10.20.11.140') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.11.101,10.20.11.102,10.20.11.103,10.20.11.104,10.20.11.105,10.20.11.106,10.20.11.107,10.20.11.108,10.20.11.109,10.20.11.110,10.20.11.111,10.20.11.112,10.20.11.113,10.20.11.114,10.20.11.115,10.20.11.116,10.20.11.117,10.20.11.118,10.20.11.119,10.20.11.120,10.20.11.121,10.20.11.122,10.20.11.123,10.20.11.124,10.20.11.125,10.20.11.126,10.20.11.127,10.20.11.128,10.20.11.129,10.20.11.130,10.20.11.131,10.20.11.132,10.20.11.133,10.20.11.134,10.20.11.135,10.20.11.136,10.20.11.137,10.20.11.138,10.20.11.139,10.20.11.140') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-active-directory-dmz-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-active-directory-dmz-directory-tcp' -DisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_web/active-directory-dmz/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '50100', '50101') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-active-directory-dmz-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-active-directory-dmz-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,50100,50101,53,636,88|10.20.30.13,10.20.30.14') {
    Set-NetFirewallRule -Name 'ferme-rds_web-active-directory-dmz-directory-tcp' -NewDisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_web/active-directory-dmz/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '50100', '50101') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-active-directory-dmz-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-active-directory-dmz-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-active-directory-dmz-directory-udp' -DisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_web/active-directory-dmz/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-active-directory-dmz-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-active-directory-dmz-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|10.20.30.13,10.20.30.14') {
    Set-NetFirewallRule -Name 'ferme-rds_web-active-directory-dmz-directory-udp' -NewDisplayName 'ferme: Active Directory depuis la DMZ (RPC sur ports fixés) (rds_web/active-directory-dmz/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-active-directory-dmz-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-windows_host-ntp-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-windows_host-ntp-directory-udp' -DisplayName 'ferme: Heure (NTP) (windows_host/ntp/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('10.20.30.11', '10.20.30.12', '10.20.30.13', '10.20.30.14', '10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140', '10.20.10.11', '10.20.10.12', '10.20.10.15', '10.20.10.16', '10.20.10.17') -Profile Any -Enabled True -Description 'role windows_host: synchronisation de l''heure des membres du domaine' | Out-Null
    $changes += 'firewall rule ' + 'ferme-windows_host-ntp-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-windows_host-ntp-directory-udp|Inbound|Allow|True|UDP|123|10.20.10.11,10.20.10.12,10.20.10.15,10.20.10.16,10.20.10.17,10.20.11.101,10.20.11.102,10.20.11.103,10.20.11.104,10.20.11.105,10.20.11.106,10.20.11.107,10.20.11.108,10.20.11.109,10.20.11.110,10.20.11.111,10.20.11.112,10.20.11.113,10.20.11.114,10.20.11.115,10.20.11.116,10.20.11.117,10.20.11.118,10.20.11.119,10.20.11.120,10.20.11.121,10.20.11.122,10.20.11.123,10.20.11.124,10.20.11.125,10.20.11.126,10.20.11.127,10.20.11.128,10.20.11.129,10.20.11.130,10.20.11.131,10.20.11.132,10.20.11.133,10.20.11.134,10.20.11.135,10.20.11.136,10.20.11.137,10.20.11.138,10.20.11.139,10.20.11.140,10.20.30.11,10.20.30.12,10.20.30.13,10.20.30.14') {
    Set-NetFirewallRule -Name 'ferme-windows_host-ntp-directory-udp' -NewDisplayName 'ferme: Heure (NTP) (windows_host/ntp/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('10.20.30.11', '10.20.30.12', '10.20.30.13', '10.20.30.14', '10.20.11.101', '10.20.11.102', '10.20.11.103', '10.20.11.104', '10.20.11.105', '10.20.11.106', '10.20.11.107', '10.20.11.108', '10.20.11.109', '10.20.11.110', '10.20.11.111', '10.20.11.112', '10.20.11.113', '10.20.11.114', '10.20.11.115', '10.20.11.116', '10.20.11.117', '10.20.11.118', '10.20.11.119', '10.20.11.120', '10.20.11.121', '10.20.11.122', '10.20.11.123', '10.20.11.124', '10.20.11.125', '10.20.11.126', '10.20.11.127', '10.20.11.128', '10.20.11.129', '10.20.11.130', '10.20.11.131', '10.20.11.132', '10.20.11.133', '10.20.11.134', '10.20.11.135', '10.20.11.136', '10.20.11.137', '10.20.11.138', '10.20.11.139', '10.20.11.140', '10.20.10.11', '10.20.10.12', '10.20.10.15', '10.20.10.16', '10.20.10.17') -Profile Any -Enabled True -Description 'role windows_host: synchronisation de l''heure des membres du domaine'
    $changes += 'firewall rule changed ' + 'ferme-windows_host-ntp-directory-udp'
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
