#Requires -Version 5.1
#Requires -RunAsAdministrator
# ferme export: converges srv-rds01 (rds_broker, rds_session_host, rds_web, rds_gateway, rds_licensing, profiles) of Mairie d'Exemple-sur-Loire (mairie-exemple).
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
if (-not (Get-WindowsFeature -Name 'RDS-RD-Server').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-RD-Server' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-RD-Server'
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
if ((Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server' -Name 'fDenyTSConnections' -ErrorAction SilentlyContinue).'fDenyTSConnections' -ne 0) {
    if (-not (Test-Path -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server')) { New-Item -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server' -Name 'fDenyTSConnections' -Value 0 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\fDenyTSConnections'
}
if ((Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' -Name 'UserAuthentication' -ErrorAction SilentlyContinue).'UserAuthentication' -ne 1) {
    if (-not (Test-Path -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp')) { New-Item -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' -Name 'UserAuthentication' -Value 1 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp\UserAuthentication'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'Enabled' -ErrorAction SilentlyContinue).'Enabled' -ne 1) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'Enabled' -Value 1 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\Enabled'
}
if ((@((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'VHDLocations' -ErrorAction SilentlyContinue).'VHDLocations') -join '|') -ne (@('\\srv-rds01\profils$') -join '|')) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'VHDLocations' -Value @('\\srv-rds01\profils$') -PropertyType MultiString -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\VHDLocations'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'VolumeType' -ErrorAction SilentlyContinue).'VolumeType' -ne 'VHDX') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'VolumeType' -Value 'VHDX' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\VolumeType'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'SizeInMBs' -ErrorAction SilentlyContinue).'SizeInMBs' -ne 30720) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'SizeInMBs' -Value 30720 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\SizeInMBs'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'IsDynamic' -ErrorAction SilentlyContinue).'IsDynamic' -ne 1) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'IsDynamic' -Value 1 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\IsDynamic'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'ProfileType' -ErrorAction SilentlyContinue).'ProfileType' -ne 0) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'ProfileType' -Value 0 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\ProfileType'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'DeleteLocalProfileWhenVHDShouldApply' -ErrorAction SilentlyContinue).'DeleteLocalProfileWhenVHDShouldApply' -ne 1) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'DeleteLocalProfileWhenVHDShouldApply' -Value 1 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\DeleteLocalProfileWhenVHDShouldApply'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'FlipFlopProfileDirectoryName' -ErrorAction SilentlyContinue).'FlipFlopProfileDirectoryName' -ne 1) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'FlipFlopProfileDirectoryName' -Value 1 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\FlipFlopProfileDirectoryName'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'LockedRetryCount' -ErrorAction SilentlyContinue).'LockedRetryCount' -ne 3) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'LockedRetryCount' -Value 3 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\LockedRetryCount'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'LockedRetryInterval' -ErrorAction SilentlyContinue).'LockedRetryInterval' -ne 15) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'LockedRetryInterval' -Value 15 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\LockedRetryInterval'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'ReAttachIntervalSeconds' -ErrorAction SilentlyContinue).'ReAttachIntervalSeconds' -ne 15) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'ReAttachIntervalSeconds' -Value 15 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\ReAttachIntervalSeconds'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'ReAttachRetryCount' -ErrorAction SilentlyContinue).'ReAttachRetryCount' -ne 3) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'ReAttachRetryCount' -Value 3 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\FSLogix\Profiles\ReAttachRetryCount'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'SCClipLevel' -ErrorAction SilentlyContinue).'SCClipLevel' -ne 0) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services')) { New-Item -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name 'SCClipLevel' -Value 0 -PropertyType DWord -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services\SCClipLevel'
}

# The agents' groups of the host's collections in Remote Desktop Users (by its SID)
$groupName = 'S-1-5-32-555'
if ($groupName -like 'S-1-*') {
    $sid = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $groupName
    $groupName = ($sid.Translate([System.Security.Principal.NTAccount]).Value -split '\\')[-1]
}
$group = $null
$groupPath = "WinNT://$env:COMPUTERNAME/$groupName,group"
if ([ADSI]::Exists($groupPath)) { $group = [ADSI]$groupPath }
$members = @($group.psbase.Invoke('Members') | ForEach-Object { ([ADSI]$_).Path })
foreach ($member in @('WinNT://MAIRIE/GG-RDS-Bureau')) {
    if ($members -notcontains $member) {
        $group.Add($member)
        $changes += 'group member ' + $member
    }
}
foreach ($member in @($members | Where-Object { $_ -like 'WinNT://MAIRIE/*' -and $_ -notlike 'WinNT://MAIRIE/*/*' })) {
    if (@('WinNT://MAIRIE/GG-RDS-Bureau') -notcontains $member) {
        $group.Remove($member)
        $changes += 'group member removed ' + $member
    }
}

# Windows Defender Firewall rules from the flows
# Managed by ferme: Windows Defender Firewall rules of srv-rds01 (mairie-exemple), 12 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-portal-https-rds_gateway-tcp', 'ferme-portal-https-rds_web-tcp', 'ferme-rds_broker-rdp-users-tcp', 'ferme-rds_broker-rdp-users-udp', 'ferme-rds_gateway-https-users-tcp', 'ferme-rds_gateway-https-vpn-tcp', 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp', 'ferme-rds_session_host-rdp-users-tcp', 'ferme-rds_session_host-rdp-users-udp', 'ferme-rds_web-https-users-tcp', 'ferme-rds_web-https-vpn-tcp')
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
    New-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -DisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.50.90.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration' | Out-Null
    $changes += 'firewall rule ' + 'ferme-management-winrm-admin-windows-tcp'
} elseif ((& $signature $rule) -ne 'ferme-management-winrm-admin-windows-tcp|Inbound|Allow|True|TCP|5986|10.50.90.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-management-winrm-admin-windows-tcp' -NewDisplayName 'ferme: Administration WinRM (HTTPS) (management/winrm/admin->windows)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5986') -RemoteAddress @('10.50.90.0/24') -Profile Any -Enabled True -Description 'management: administration depuis la zone d''administration'
    $changes += 'firewall rule changed ' + 'ferme-management-winrm-admin-windows-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-portal-https-rds_gateway-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-portal-https-rds_gateway-tcp' -DisplayName 'ferme: HTTPS (portal/https/rds_gateway)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.10.1') -Profile Any -Enabled True -Description 'role portal: passerelle RD (client web) derrière le portail' | Out-Null
    $changes += 'firewall rule ' + 'ferme-portal-https-rds_gateway-tcp'
} elseif ((& $signature $rule) -ne 'ferme-portal-https-rds_gateway-tcp|Inbound|Allow|True|TCP|443|10.50.10.1') {
    Set-NetFirewallRule -Name 'ferme-portal-https-rds_gateway-tcp' -NewDisplayName 'ferme: HTTPS (portal/https/rds_gateway)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.10.1') -Profile Any -Enabled True -Description 'role portal: passerelle RD (client web) derrière le portail'
    $changes += 'firewall rule changed ' + 'ferme-portal-https-rds_gateway-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-portal-https-rds_web-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-portal-https-rds_web-tcp' -DisplayName 'ferme: HTTPS (portal/https/rds_web)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.10.1') -Profile Any -Enabled True -Description 'role portal: accès web RD derrière le portail' | Out-Null
    $changes += 'firewall rule ' + 'ferme-portal-https-rds_web-tcp'
} elseif ((& $signature $rule) -ne 'ferme-portal-https-rds_web-tcp|Inbound|Allow|True|TCP|443|10.50.10.1') {
    Set-NetFirewallRule -Name 'ferme-portal-https-rds_web-tcp' -NewDisplayName 'ferme: HTTPS (portal/https/rds_web)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.10.1') -Profile Any -Enabled True -Description 'role portal: accès web RD derrière le portail'
    $changes += 'firewall rule changed ' + 'ferme-portal-https-rds_web-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-tcp|Inbound|Allow|True|TCP|3389|10.50.20.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-udp|Inbound|Allow|True|UDP|3389|10.50.20.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-users-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-users-tcp|Inbound|Allow|True|TCP|443|10.50.20.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-users-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -DisplayName 'ferme: HTTPS (rds_gateway/https/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.200.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-https-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-https-vpn-tcp|Inbound|Allow|True|TCP|443|10.50.200.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-https-vpn-tcp' -NewDisplayName 'ferme: HTTPS (rds_gateway/https/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.200.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD (RDP sur HTTPS, client web)'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-https-vpn-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -DisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('10.50.200.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp|Inbound|Allow|True|UDP|3391|10.50.200.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp' -NewDisplayName 'ferme: Passerelle RD, transport UDP (rds_gateway/rdp-udp-gateway/vpn)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3391') -RemoteAddress @('10.50.200.0/24') -Profile Any -Enabled True -Description 'role rds_gateway: passerelle RD, transport UDP'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-udp-gateway-vpn-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-tcp|Inbound|Allow|True|TCP|3389|10.50.20.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_session_host-rdp-users-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_session_host-rdp-users-udp|Inbound|Allow|True|UDP|3389|10.50.20.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_session_host-rdp-users-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_session_host/rdp/users)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_session_host: sessions des postes internes'
    $changes += 'firewall rule changed ' + 'ferme-rds_session_host-rdp-users-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-https-users-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-https-users-tcp' -DisplayName 'ferme: HTTPS (rds_web/https/users)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-https-users-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-https-users-tcp|Inbound|Allow|True|TCP|443|10.50.20.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_web-https-users-tcp' -NewDisplayName 'ferme: HTTPS (rds_web/https/users)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.20.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-https-users-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-https-vpn-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-https-vpn-tcp' -DisplayName 'ferme: HTTPS (rds_web/https/vpn)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.200.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-https-vpn-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-https-vpn-tcp|Inbound|Allow|True|TCP|443|10.50.200.0/255.255.255.0') {
    Set-NetFirewallRule -Name 'ferme-rds_web-https-vpn-tcp' -NewDisplayName 'ferme: HTTPS (rds_web/https/vpn)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('443') -RemoteAddress @('10.50.200.0/24') -Profile Any -Enabled True -Description 'role rds_web: accès web RD et client HTML5'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-https-vpn-tcp'
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
# deployment srv-rds01.ad.mairie-exemple.fr
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$deployed = $true
try { Get-RDServer -ConnectionBroker $broker -ErrorAction Stop | Out-Null } catch { $deployed = $false }
if (-not $deployed) {
    New-RDSessionDeployment -ConnectionBroker $broker -SessionHost @('srv-rds01.ad.mairie-exemple.fr') -WebAccessServer 'srv-rds01.ad.mairie-exemple.fr'
}
}

# add-server srv-rds01.ad.mairie-exemple.fr RDS-LICENSING
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'srv-rds01.ad.mairie-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-LICENSING') {
    Add-RDServer -Server 'srv-rds01.ad.mairie-exemple.fr' -Role 'RDS-LICENSING' -ConnectionBroker $broker
}
}

# add-server srv-rds01.ad.mairie-exemple.fr RDS-GATEWAY
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'srv-rds01.ad.mairie-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-GATEWAY') {
    Add-RDServer -Server 'srv-rds01.ad.mairie-exemple.fr' -Role 'RDS-GATEWAY' -ConnectionBroker $broker -GatewayExternalFqdn 'bureau.mairie-exemple.fr'
}
}

# licensing PerUser
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$license = Get-RDLicenseConfiguration -ConnectionBroker $broker
$current = (@($license.LicenseServer) | ForEach-Object { ([string]$_).ToLower() } | Sort-Object) -join ','
if ([string]$license.Mode -ne 'PerUser' -or $current -ne 'srv-rds01.ad.mairie-exemple.fr') {
    Set-RDLicenseConfiguration -Mode PerUser -LicenseServer @('srv-rds01.ad.mairie-exemple.fr') -ConnectionBroker $broker -Force
}
Write-Output 'ferme: RDS CALs have no cmdlet: activate the server and install the CAL packs with the Remote Desktop Licensing Manager (licmgr.exe) on the licensing server'
}

# gateway bureau.mairie-exemple.fr
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$gateway = Get-RDDeploymentGatewayConfiguration -ConnectionBroker $broker
if ([string]$gateway.GatewayMode -ne 'Custom' -or $gateway.GatewayExternalFqdn -ne 'bureau.mairie-exemple.fr' -or [string]$gateway.LogonMethod -ne 'Password' -or $gateway.UseCachedCredentials -ne $true -or $gateway.BypassLocal -ne $false) {
    Set-RDDeploymentGatewayConfiguration -GatewayMode Custom -GatewayExternalFqdn 'bureau.mairie-exemple.fr' -LogonMethod Password -UseCachedCredentials $true -BypassLocal $false -ConnectionBroker $broker -Force
}
}

# certificate RDGateway
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$current = [string](Get-RDCertificate -Role RDGateway -ConnectionBroker $broker).Thumbprint
if ($current -ne 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344') {
    Set-RDCertificate -Role RDGateway -Thumbprint 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344' -ConnectionBroker $broker -Force
}
}

# certificate RDPublishing
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$current = [string](Get-RDCertificate -Role RDPublishing -ConnectionBroker $broker).Thumbprint
if ($current -ne 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344') {
    Set-RDCertificate -Role RDPublishing -Thumbprint 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344' -ConnectionBroker $broker -Force
}
}

# certificate RDRedirector
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$current = [string](Get-RDCertificate -Role RDRedirector -ConnectionBroker $broker).Thumbprint
if ($current -ne 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344') {
    Set-RDCertificate -Role RDRedirector -Thumbprint 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344' -ConnectionBroker $broker -Force
}
}

# certificate RDWebAccess
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$current = [string](Get-RDCertificate -Role RDWebAccess -ConnectionBroker $broker).Thumbprint
if ($current -ne 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344') {
    Set-RDCertificate -Role RDWebAccess -Thumbprint 'A1B2C3D4E5F60718293A4B5C6D7E8F9011223344' -ConnectionBroker $broker -Force
}
}

# collection Bureau
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$present = @(Get-RDSessionCollection -ConnectionBroker $broker | Where-Object { $_.CollectionName -eq 'Bureau' }).Count -gt 0
if (-not $present) {
    try { New-RDSessionCollection -CollectionName 'Bureau' -CollectionDescription 'Bureau complet des agents' -SessionHost @('srv-rds01.ad.mairie-exemple.fr') -ConnectionBroker $broker }
    catch {
        if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
        Write-Output ('ferme: collection Bureau: set by Group Policy, left to it: ' + "$_")
    }
}
}

# settings Bureau: CollectionDescription, UserGroup, IdleSessionLimitMin, DisconnectedSessionLimitMin, ActiveSessionLimitMin, BrokenConnectionAction, AutomaticReconnectionEnabled, ClientDeviceRedirectionOptions, ClientPrinterRedirected, RDEasyPrintDriverEnabled, ClientPrinterAsDefault, AuthenticateUsingNLA, SecurityLayer, EncryptionLevel, CustomRdpProperty
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
try {
    Set-RDSessionCollectionConfiguration -CollectionName 'Bureau' -CollectionDescription 'Bureau complet des agents' -UserGroup @('MAIRIE\GG-RDS-Bureau') -IdleSessionLimitMin 60 -DisconnectedSessionLimitMin 120 -ActiveSessionLimitMin 0 -BrokenConnectionAction 'Disconnect' -AutomaticReconnectionEnabled $true -ClientDeviceRedirectionOptions AudioVideoPlayBack,AudioRecording,SmartCard,Clipboard,TimeZone -ClientPrinterRedirected $true -RDEasyPrintDriverEnabled $true -ClientPrinterAsDefault $false -AuthenticateUsingNLA $true -SecurityLayer 'SSL' -EncryptionLevel 'High' -CustomRdpProperty 'camerastoredirect:s:' -ConnectionBroker $broker
} catch {
    if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
    $settings = [ordered]@{ CollectionDescription = 'Bureau complet des agents'; UserGroup = @('MAIRIE\GG-RDS-Bureau'); IdleSessionLimitMin = 60; DisconnectedSessionLimitMin = 120; ActiveSessionLimitMin = 0; BrokenConnectionAction = 'Disconnect'; AutomaticReconnectionEnabled = $true; ClientDeviceRedirectionOptions = 'AudioVideoPlayBack, AudioRecording, SmartCard, Clipboard, TimeZone'; ClientPrinterRedirected = $true; RDEasyPrintDriverEnabled = $true; ClientPrinterAsDefault = $false; AuthenticateUsingNLA = $true; SecurityLayer = 'SSL'; EncryptionLevel = 'High'; CustomRdpProperty = 'camerastoredirect:s:' }
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

# remoteapp Bureau/logiciel-etat-civil
& {
Import-Module -Name RemoteDesktop
$broker = 'srv-rds01.ad.mairie-exemple.fr'
$app = Get-RDRemoteApp -CollectionName 'Bureau' -ConnectionBroker $broker | Where-Object { $_.Alias -eq 'logiciel-etat-civil' }
if ($null -eq $app) {
    New-RDRemoteApp -CollectionName 'Bureau' -Alias 'logiciel-etat-civil' -DisplayName 'État civil' -FilePath 'C:\Program Files\EtatCivil\etatcivil.exe' -ConnectionBroker $broker | Out-Null
} else {
    Set-RDRemoteApp -CollectionName 'Bureau' -Alias 'logiciel-etat-civil' -DisplayName 'État civil' -FilePath 'C:\Program Files\EtatCivil\etatcivil.exe' -UserGroups @() -ConnectionBroker $broker | Out-Null
}
}

if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }
if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }
