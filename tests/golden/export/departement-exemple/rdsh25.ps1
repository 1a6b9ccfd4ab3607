#Requires -Version 5.1
#Requires -RunAsAdministrator
# ferme export: converges rdsh25 (rds_session_host) of Conseil départemental d'Exemple (departement-exemple).
# Windows PowerShell 5.1; every block checks before it changes, so a second run changes nothing.
# Generated from the inventory: do not edit, re-export. Not run by ferme: there is no Windows here.
$ErrorActionPreference = 'Stop'
$changes = @()
$restartNeeded = $false

# Windows features of the host's roles
if (-not (Get-WindowsFeature -Name 'RDS-RD-Server').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-RD-Server' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-RD-Server'
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
if ((@((Get-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'VHDLocations' -ErrorAction SilentlyContinue).'VHDLocations') -join '|') -ne (@('\\fs01\profils$') -join '|')) {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\FSLogix\Profiles')) { New-Item -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\FSLogix\Profiles' -Name 'VHDLocations' -Value @('\\fs01\profils$') -PropertyType MultiString -Force | Out-Null
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
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'hostname' -ErrorAction SilentlyContinue).'hostname' -ne 'mfa01.ad.departement-exemple.fr') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'hostname' -Value 'mfa01.ad.departement-exemple.fr' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\hostname'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'default_realm' -ErrorAction SilentlyContinue).'default_realm' -ne 'departement') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'default_realm' -Value 'departement' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\default_realm'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'ssl_ignore_unknown_ca' -ErrorAction SilentlyContinue).'ssl_ignore_unknown_ca' -ne '0') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'ssl_ignore_unknown_ca' -Value '0' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\ssl_ignore_unknown_ca'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'ssl_ignore_invalid_cn' -ErrorAction SilentlyContinue).'ssl_ignore_invalid_cn' -ne '0') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'ssl_ignore_invalid_cn' -Value '0' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\ssl_ignore_invalid_cn'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'enable_filter' -ErrorAction SilentlyContinue).'enable_filter' -ne '1') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'enable_filter' -Value '1' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\enable_filter'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'cpus_logon' -ErrorAction SilentlyContinue).'cpus_logon' -ne '1e') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'cpus_logon' -Value '1e' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\cpus_logon'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'cpus_unlock' -ErrorAction SilentlyContinue).'cpus_unlock' -ne '1e') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'cpus_unlock' -Value '1e' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\cpus_unlock'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'cpus_credui' -ErrorAction SilentlyContinue).'cpus_credui' -ne '3d') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'cpus_credui' -Value '3d' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\cpus_credui'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'two_step_hide_otp' -ErrorAction SilentlyContinue).'two_step_hide_otp' -ne '1') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'two_step_hide_otp' -Value '1' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\two_step_hide_otp'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'two_step_send_password' -ErrorAction SilentlyContinue).'two_step_send_password' -ne '0') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'two_step_send_password' -Value '0' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\two_step_send_password'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'login_text' -ErrorAction SilentlyContinue).'login_text' -ne 'Connexion avec code à usage unique') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'login_text' -Value 'Connexion avec code à usage unique' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\login_text'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'otp_text' -ErrorAction SilentlyContinue).'otp_text' -ne 'Code PIN suivi du code du jeton') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'otp_text' -Value 'Code PIN suivi du code du jeton' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\otp_text'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'otp_hint_text' -ErrorAction SilentlyContinue).'otp_hint_text' -ne 'Saisissez votre code PIN suivi du code affiché par votre jeton') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'otp_hint_text' -Value 'Saisissez votre code PIN suivi du code affiché par votre jeton' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\otp_hint_text'
}
if ((Get-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'otp_fail_text' -ErrorAction SilentlyContinue).'otp_fail_text' -ne 'Code incorrect : réessayez') {
    if (-not (Test-Path -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP')) { New-Item -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Force | Out-Null }
    New-ItemProperty -Path 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP' -Name 'otp_fail_text' -Value 'Code incorrect : réessayez' -PropertyType String -Force | Out-Null
    $changes += 'registry ' + 'HKLM:\SOFTWARE\NetKnights GmbH\PrivacyIDEA-CP\otp_fail_text'
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
foreach ($member in @('WinNT://CD-EXEMPLE/GG-RDS-Bureau')) {
    if ($members -notcontains $member) {
        $group.Add($member)
        $changes += 'group member ' + $member
    }
}
foreach ($member in @($members | Where-Object { $_ -like 'WinNT://CD-EXEMPLE/*' -and $_ -notlike 'WinNT://CD-EXEMPLE/*/*' })) {
    if (@('WinNT://CD-EXEMPLE/GG-RDS-Bureau') -notcontains $member) {
        $group.Remove($member)
        $changes += 'group member removed ' + $member
    }
}

# Windows Defender Firewall rules from the flows
# Managed by ferme: Windows Defender Firewall rules of rdsh25 (departement-exemple), 8 inbound rules from the flows.
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

if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }
if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }
