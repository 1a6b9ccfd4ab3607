# Managed by ferme: Windows Defender Firewall rules of lab-dc01 (lab), 25 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-base-dns-directory-udp', 'ferme-base-dns-directory-tcp', 'ferme-base-ntp-directory-udp', 'ferme-collab-ldaps-directory-tcp', 'ferme-directory-active-directory-site-annexe-tcp', 'ferme-directory-active-directory-site-annexe-udp', 'ferme-directory-active-directory-users-tcp', 'ferme-directory-active-directory-users-udp', 'ferme-directory-active-directory-vpn-tcp', 'ferme-directory-active-directory-vpn-udp', 'ferme-management-winrm-admin-windows-tcp', 'ferme-mfa-ldaps-directory-tcp', 'ferme-profiles-active-directory-directory-tcp', 'ferme-profiles-active-directory-directory-udp', 'ferme-rds_broker-active-directory-directory-tcp', 'ferme-rds_broker-active-directory-directory-udp', 'ferme-rds_gateway-active-directory-directory-tcp', 'ferme-rds_gateway-active-directory-directory-udp', 'ferme-rds_licensing-active-directory-directory-tcp', 'ferme-rds_licensing-active-directory-directory-udp', 'ferme-rds_session_host-active-directory-directory-tcp', 'ferme-rds_session_host-active-directory-directory-udp', 'ferme-rds_web-active-directory-directory-tcp', 'ferme-rds_web-active-directory-directory-udp', 'ferme-windows_host-ntp-directory-udp')
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
    New-NetFirewallRule -Name 'ferme-base-dns-directory-udp' -DisplayName 'ferme: Résolution DNS (base/dns/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53') -RemoteAddress @('198.18.1.10', '198.18.1.20', '198.18.1.30', '198.18.2.1', '198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-base-dns-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-base-dns-directory-udp|Inbound|Allow|True|UDP|53|198.18.1.10,198.18.1.20,198.18.1.30,198.18.2.1,198.18.2.20,198.18.2.21') {
    Set-NetFirewallRule -Name 'ferme-base-dns-directory-udp' -NewDisplayName 'ferme: Résolution DNS (base/dns/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53') -RemoteAddress @('198.18.1.10', '198.18.1.20', '198.18.1.30', '198.18.2.1', '198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)'
    $changes += 'firewall rule changed ' + 'ferme-base-dns-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-base-dns-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-base-dns-directory-tcp' -DisplayName 'ferme: Résolution DNS (base/dns/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53') -RemoteAddress @('198.18.1.10', '198.18.1.20', '198.18.1.30', '198.18.2.1', '198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-base-dns-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-base-dns-directory-tcp|Inbound|Allow|True|TCP|53|198.18.1.10,198.18.1.20,198.18.1.30,198.18.2.1,198.18.2.20,198.18.2.21') {
    Set-NetFirewallRule -Name 'ferme-base-dns-directory-tcp' -NewDisplayName 'ferme: Résolution DNS (base/dns/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53') -RemoteAddress @('198.18.1.10', '198.18.1.20', '198.18.1.30', '198.18.2.1', '198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role base: résolution de noms (rôle base)'
    $changes += 'firewall rule changed ' + 'ferme-base-dns-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-base-ntp-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-base-ntp-directory-udp' -DisplayName 'ferme: Heure (NTP) (base/ntp/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('198.18.1.10', '198.18.1.20', '198.18.1.30', '198.18.2.1', '198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role base: synchronisation de l''heure (rôle base)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-base-ntp-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-base-ntp-directory-udp|Inbound|Allow|True|UDP|123|198.18.1.10,198.18.1.20,198.18.1.30,198.18.2.1,198.18.2.20,198.18.2.21') {
    Set-NetFirewallRule -Name 'ferme-base-ntp-directory-udp' -NewDisplayName 'ferme: Heure (NTP) (base/ntp/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('198.18.1.10', '198.18.1.20', '198.18.1.30', '198.18.2.1', '198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role base: synchronisation de l''heure (rôle base)'
    $changes += 'firewall rule changed ' + 'ferme-base-ntp-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-collab-ldaps-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-collab-ldaps-directory-tcp' -DisplayName 'ferme: Annuaire LDAPS (collab/ldaps/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('198.18.1.20') -Profile Any -Enabled True -Description 'role collab: annuaire des utilisateurs (LDAPS)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-collab-ldaps-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-collab-ldaps-directory-tcp|Inbound|Allow|True|TCP|3269,636|198.18.1.20') {
    Set-NetFirewallRule -Name 'ferme-collab-ldaps-directory-tcp' -NewDisplayName 'ferme: Annuaire LDAPS (collab/ldaps/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('198.18.1.20') -Profile Any -Enabled True -Description 'role collab: annuaire des utilisateurs (LDAPS)'
    $changes += 'firewall rule changed ' + 'ferme-collab-ldaps-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-site-annexe-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-site-annexe-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-site-annexe-tcp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-site-annexe-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-site-annexe-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/site-annexe)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-site-annexe-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-site-annexe-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-site-annexe-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/site-annexe)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-site-annexe-udp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-site-annexe-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.9.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-site-annexe-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/site-annexe)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.9.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-site-annexe-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-users-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-users-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-users-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-users-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-users-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-users-udp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-users-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.3.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-users-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/users)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.3.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-users-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-vpn-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.5.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-vpn-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-directory-active-directory-vpn-udp'
} elseif ((& $signature $rule) -ne 'ferme-directory-active-directory-vpn-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.5.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-directory-active-directory-vpn-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (directory/active-directory/vpn)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.5.0/24') -Profile Any -Enabled True -Description 'role directory: ouverture de session des postes'
    $changes += 'firewall rule changed ' + 'ferme-directory-active-directory-vpn-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -DisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('198.18.6.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration' | Out-Null
    $changes += 'firewall rule ' + 'ferme-management-winrm-admin-windows-tcp'
} elseif ((& $signature $rule) -ne 'ferme-management-winrm-admin-windows-tcp|Inbound|Allow|True|TCP|5986|198.18.6.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -NewDisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('198.18.6.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration'
    $changes += 'firewall rule changed ' + 'ferme-management-winrm-admin-windows-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-mfa-ldaps-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-mfa-ldaps-directory-tcp' -DisplayName 'ferme: Annuaire LDAPS (mfa/ldaps/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role mfa: annuaire des utilisateurs (LDAPS)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-mfa-ldaps-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-mfa-ldaps-directory-tcp|Inbound|Allow|True|TCP|3269,636|198.18.2.20,198.18.2.21') {
    Set-NetFirewallRule -Name 'ferme-mfa-ldaps-directory-tcp' -NewDisplayName 'ferme: Annuaire LDAPS (mfa/ldaps/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('636', '3269') -RemoteAddress @('198.18.2.20', '198.18.2.21') -Profile Any -Enabled True -Description 'role mfa: annuaire des utilisateurs (LDAPS)'
    $changes += 'firewall rule changed ' + 'ferme-mfa-ldaps-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-profiles-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-profiles-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-profiles-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-profiles-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-profiles-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-profiles-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (profiles/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role profiles: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-profiles-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_broker/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_broker: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_gateway/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_gateway/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_gateway/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_gateway/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_gateway: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_licensing-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_licensing-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_licensing-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_licensing-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_licensing-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.2.10') {
    Set-NetFirewallRule -Name 'ferme-rds_licensing-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_licensing/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10') -Profile Any -Enabled True -Description 'role rds_licensing: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_licensing-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.2.11,198.18.2.12') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.2.11,198.18.2.12') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_session_host/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.11', '198.18.2.12') -Profile Any -Enabled True -Description 'role rds_session_host: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-active-directory-directory-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-active-directory-directory-tcp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_web/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-active-directory-directory-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-active-directory-directory-tcp|Inbound|Allow|True|TCP|135,3268-3269,389,445,464,49152-65535,53,636,88|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_web-active-directory-directory-tcp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_web/active-directory/directory)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('53', '88', '135', '389', '445', '464', '636', '3268-3269', '49152-65535') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-active-directory-directory-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-active-directory-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-active-directory-directory-udp' -DisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_web/active-directory/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-active-directory-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-active-directory-directory-udp|Inbound|Allow|True|UDP|389,464,53,88|198.18.2.10,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-rds_web-active-directory-directory-udp' -NewDisplayName 'ferme: Active Directory (DNS, Kerberos, LDAP, RPC, SMB) (rds_web/active-directory/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('53', '88', '389', '464') -RemoteAddress @('198.18.2.10', '198.18.2.13') -Profile Any -Enabled True -Description 'role rds_web: authentification et annuaire'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-active-directory-directory-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-windows_host-ntp-directory-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-windows_host-ntp-directory-udp' -DisplayName 'ferme: Heure (NTP) (windows_host/ntp/directory)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('198.18.2.10', '198.18.2.11', '198.18.2.12', '198.18.2.13') -Profile Any -Enabled True -Description 'role windows_host: synchronisation de l''heure des membres du domaine' | Out-Null
    $changes += 'firewall rule ' + 'ferme-windows_host-ntp-directory-udp'
} elseif ((& $signature $rule) -ne 'ferme-windows_host-ntp-directory-udp|Inbound|Allow|True|UDP|123|198.18.2.10,198.18.2.11,198.18.2.12,198.18.2.13') {
    Set-NetFirewallRule -Name 'ferme-windows_host-ntp-directory-udp' -NewDisplayName 'ferme: Heure (NTP) (windows_host/ntp/directory)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('123') -RemoteAddress @('198.18.2.10', '198.18.2.11', '198.18.2.12', '198.18.2.13') -Profile Any -Enabled True -Description 'role windows_host: synchronisation de l''heure des membres du domaine'
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
