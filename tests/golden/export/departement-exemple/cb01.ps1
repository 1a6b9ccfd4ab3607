#Requires -Version 5.1
#Requires -RunAsAdministrator
# ferme export: converges cb01 (rds_broker) of Conseil départemental d'Exemple (departement-exemple).
# Windows PowerShell 5.1; every block checks before it changes, so a second run changes nothing.
# Generated from the inventory: do not edit, re-export. Not run by ferme: there is no Windows here.
$ErrorActionPreference = 'Stop'
$changes = @()
$restartNeeded = $false

# Windows features of the host's roles
if (-not (Get-WindowsFeature -Name 'RDS-Connection-Broker').Installed) {
    $installed = Install-WindowsFeature -Name 'RDS-Connection-Broker' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RDS-Connection-Broker'
}
if (-not (Get-WindowsFeature -Name 'RSAT-RDS-Tools').Installed) {
    $installed = Install-WindowsFeature -Name 'RSAT-RDS-Tools' -IncludeManagementTools
    if ($installed.RestartNeeded -eq 'Yes') { $restartNeeded = $true }
    $changes += 'feature ' + 'RSAT-RDS-Tools'
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
# Managed by ferme: Windows Defender Firewall rules of cb01 (departement-exemple), 8 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-rdp-users-siege-tcp', 'ferme-rds_broker-rdp-users-siege-udp', 'ferme-rds_broker-rdp-users-sites-tcp', 'ferme-rds_broker-rdp-users-sites-udp', 'ferme-rds_gateway-rdp-rds_broker-tcp', 'ferme-rds_gateway-rdp-rds_broker-udp', 'ferme-rds_web-rd-web-broker-rds_broker-tcp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-siege-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-siege-tcp|Inbound|Allow|True|TCP|3389|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-siege-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-siege-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-siege-udp|Inbound|Allow|True|UDP|3389|10.20.20.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-siege-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-siege)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.20.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-siege-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-sites-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-sites-tcp|Inbound|Allow|True|TCP|3389|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-sites-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-rdp-users-sites-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-rdp-users-sites-udp|Inbound|Allow|True|UDP|3389|10.20.24.0/255.255.252.0') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-rdp-users-sites-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_broker/rdp/users-sites)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.24.0/22') -Profile Any -Enabled True -Description 'role rds_broker: connexion des postes internes via le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-rdp-users-sites-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_broker-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_broker-tcp|Inbound|Allow|True|TCP|3389|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-tcp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_broker-tcp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -DisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_gateway-rdp-rds_broker-udp'
} elseif ((& $signature $rule) -ne 'ferme-rds_gateway-rdp-rds_broker-udp|Inbound|Allow|True|UDP|3389|10.20.30.11,10.20.30.12') {
    Set-NetFirewallRule -Name 'ferme-rds_gateway-rdp-rds_broker-udp' -NewDisplayName 'ferme: Bureau à distance (RDP, TCP et UDP) (rds_gateway/rdp/rds_broker)' -Direction Inbound -Action Allow -Protocol UDP -LocalPort @('3389') -RemoteAddress @('10.20.30.11', '10.20.30.12') -Profile Any -Enabled True -Description 'role rds_gateway: redirection par le Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_gateway-rdp-rds_broker-udp'
}
$rule = Get-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -DisplayName 'ferme: RD Web vers le Service Broker (rds_web/rd-web-broker/rds_broker)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5504') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: liste des ressources publiées' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_web-rd-web-broker-rds_broker-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_web-rd-web-broker-rds_broker-tcp|Inbound|Allow|True|TCP|5504|10.20.30.13,10.20.30.14') {
    Set-NetFirewallRule -Name 'ferme-rds_web-rd-web-broker-rds_broker-tcp' -NewDisplayName 'ferme: RD Web vers le Service Broker (rds_web/rd-web-broker/rds_broker)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('5504') -RemoteAddress @('10.20.30.13', '10.20.30.14') -Profile Any -Enabled True -Description 'role rds_web: liste des ressources publiées'
    $changes += 'firewall rule changed ' + 'ferme-rds_web-rd-web-broker-rds_broker-tcp'
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
# deployment cb01.ad.departement-exemple.fr
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$deployed = $true
try { Get-RDServer -ConnectionBroker $broker -ErrorAction Stop | Out-Null } catch { $deployed = $false }
if (-not $deployed) {
    New-RDSessionDeployment -ConnectionBroker $broker -SessionHost @('rdsh01.ad.departement-exemple.fr') -WebAccessServer 'web01.ad.departement-exemple.fr'
}
}

# add-server rdsh02.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh02.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh02.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh03.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh03.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh03.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh04.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh04.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh04.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh05.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh05.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh05.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh06.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh06.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh06.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh07.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh07.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh07.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh08.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh08.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh08.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh09.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh09.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh09.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh10.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh10.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh10.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh11.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh11.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh11.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh12.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh12.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh12.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh13.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh13.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh13.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh14.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh14.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh14.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh15.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh15.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh15.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh16.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh16.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh16.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh17.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh17.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh17.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh18.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh18.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh18.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh19.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh19.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh19.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh20.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh20.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh20.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh21.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh21.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh21.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh22.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh22.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh22.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh23.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh23.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh23.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh24.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh24.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh24.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh25.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh25.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh25.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh26.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh26.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh26.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh27.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh27.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh27.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh28.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh28.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh28.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh29.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh29.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh29.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh30.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh30.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh30.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh31.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh31.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh31.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh32.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh32.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh32.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh33.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh33.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh33.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh34.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh34.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh34.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh35.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh35.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh35.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh36.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh36.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh36.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh37.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh37.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh37.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh38.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh38.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh38.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh39.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh39.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh39.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server rdsh40.ad.departement-exemple.fr RDS-RD-SERVER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'rdsh40.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-RD-SERVER') {
    Add-RDServer -Server 'rdsh40.ad.departement-exemple.fr' -Role 'RDS-RD-SERVER' -ConnectionBroker $broker
}
}

# add-server web02.ad.departement-exemple.fr RDS-WEB-ACCESS
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'web02.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-WEB-ACCESS') {
    Add-RDServer -Server 'web02.ad.departement-exemple.fr' -Role 'RDS-WEB-ACCESS' -ConnectionBroker $broker
}
}

# add-server lic01.ad.departement-exemple.fr RDS-LICENSING
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'lic01.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-LICENSING') {
    Add-RDServer -Server 'lic01.ad.departement-exemple.fr' -Role 'RDS-LICENSING' -ConnectionBroker $broker
}
}

# add-server gw01.ad.departement-exemple.fr RDS-GATEWAY
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'gw01.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-GATEWAY') {
    Add-RDServer -Server 'gw01.ad.departement-exemple.fr' -Role 'RDS-GATEWAY' -ConnectionBroker $broker -GatewayExternalFqdn 'bureau.departement-exemple.fr'
}
}

# add-server gw02.ad.departement-exemple.fr RDS-GATEWAY
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'gw02.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-GATEWAY') {
    Add-RDServer -Server 'gw02.ad.departement-exemple.fr' -Role 'RDS-GATEWAY' -ConnectionBroker $broker -GatewayExternalFqdn 'bureau.departement-exemple.fr'
}
}

# licensing PerUser
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$license = Get-RDLicenseConfiguration -ConnectionBroker $broker
$current = (@($license.LicenseServer) | ForEach-Object { ([string]$_).ToLower() } | Sort-Object) -join ','
if ([string]$license.Mode -ne 'PerUser' -or $current -ne 'lic01.ad.departement-exemple.fr') {
    Set-RDLicenseConfiguration -Mode PerUser -LicenseServer @('lic01.ad.departement-exemple.fr') -ConnectionBroker $broker -Force
}
Write-Output 'ferme: RDS CALs have no cmdlet: activate the server and install the CAL packs with the Remote Desktop Licensing Manager (licmgr.exe) on the licensing server'
}

# gateway bureau.departement-exemple.fr
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$gateway = Get-RDDeploymentGatewayConfiguration -ConnectionBroker $broker
if ([string]$gateway.GatewayMode -ne 'Custom' -or $gateway.GatewayExternalFqdn -ne 'bureau.departement-exemple.fr' -or [string]$gateway.LogonMethod -ne 'Password' -or $gateway.UseCachedCredentials -ne $true -or $gateway.BypassLocal -ne $false) {
    Set-RDDeploymentGatewayConfiguration -GatewayMode Custom -GatewayExternalFqdn 'bureau.departement-exemple.fr' -LogonMethod Password -UseCachedCredentials $true -BypassLocal $false -ConnectionBroker $broker -Force
}
}

# high-availability rds.ad.departement-exemple.fr
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
if (-not (Test-Path -Path 'HKLM:\SOFTWARE\ODBC\ODBCINST.INI\ODBC Driver 18 for SQL Server')) {
    throw 'ODBC Driver 18 for SQL Server is not installed on this broker: install it (every broker) and run again'
}
$ha = Get-RDConnectionBrokerHighAvailability -ConnectionBroker $broker -ErrorAction SilentlyContinue
if ($null -eq $ha -or -not $ha.ClientAccessName) {
    Set-RDConnectionBrokerHighAvailability -ConnectionBroker $broker -DatabaseConnectionString 'DRIVER={ODBC Driver 18 for SQL Server};SERVER=tcp:sql01.ad.departement-exemple.fr,1433;DATABASE=RDCB;APP=Remote Desktop Services Connection Broker;Trusted_Connection=Yes;Encrypt=Yes' -ClientAccessName 'rds.ad.departement-exemple.fr'
}
}

# add-server cb02.ad.departement-exemple.fr RDS-CONNECTION-BROKER
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$roles = @(Get-RDServer -ConnectionBroker $broker | Where-Object { $_.Server -eq 'cb02.ad.departement-exemple.fr' } | ForEach-Object { $_.Roles })
if ($roles -notcontains 'RDS-CONNECTION-BROKER') {
    Add-RDServer -Server 'cb02.ad.departement-exemple.fr' -Role 'RDS-CONNECTION-BROKER' -ConnectionBroker $broker
}
}

# certificate RDGateway
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$current = [string](Get-RDCertificate -Role RDGateway -ConnectionBroker $broker).Thumbprint
if ($current -ne '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081') {
    Set-RDCertificate -Role RDGateway -Thumbprint '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081' -ConnectionBroker $broker -Force
}
}

# certificate RDPublishing
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$current = [string](Get-RDCertificate -Role RDPublishing -ConnectionBroker $broker).Thumbprint
if ($current -ne '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081') {
    Set-RDCertificate -Role RDPublishing -Thumbprint '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081' -ConnectionBroker $broker -Force
}
}

# certificate RDRedirector
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$current = [string](Get-RDCertificate -Role RDRedirector -ConnectionBroker $broker).Thumbprint
if ($current -ne '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081') {
    Set-RDCertificate -Role RDRedirector -Thumbprint '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081' -ConnectionBroker $broker -Force
}
}

# certificate RDWebAccess
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$current = [string](Get-RDCertificate -Role RDWebAccess -ConnectionBroker $broker).Thumbprint
if ($current -ne '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081') {
    Set-RDCertificate -Role RDWebAccess -Thumbprint '5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081' -ConnectionBroker $broker -Force
}
}

# collection Bureau
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$present = @(Get-RDSessionCollection -ConnectionBroker $broker | Where-Object { $_.CollectionName -eq 'Bureau' }).Count -gt 0
if (-not $present) {
    try { New-RDSessionCollection -CollectionName 'Bureau' -CollectionDescription 'Bureau complet' -SessionHost @('rdsh01.ad.departement-exemple.fr', 'rdsh02.ad.departement-exemple.fr', 'rdsh03.ad.departement-exemple.fr', 'rdsh04.ad.departement-exemple.fr', 'rdsh05.ad.departement-exemple.fr', 'rdsh06.ad.departement-exemple.fr', 'rdsh07.ad.departement-exemple.fr', 'rdsh08.ad.departement-exemple.fr', 'rdsh09.ad.departement-exemple.fr', 'rdsh10.ad.departement-exemple.fr', 'rdsh11.ad.departement-exemple.fr', 'rdsh12.ad.departement-exemple.fr', 'rdsh13.ad.departement-exemple.fr', 'rdsh14.ad.departement-exemple.fr', 'rdsh15.ad.departement-exemple.fr', 'rdsh16.ad.departement-exemple.fr', 'rdsh17.ad.departement-exemple.fr', 'rdsh18.ad.departement-exemple.fr', 'rdsh19.ad.departement-exemple.fr', 'rdsh20.ad.departement-exemple.fr', 'rdsh21.ad.departement-exemple.fr', 'rdsh22.ad.departement-exemple.fr', 'rdsh23.ad.departement-exemple.fr', 'rdsh24.ad.departement-exemple.fr', 'rdsh25.ad.departement-exemple.fr', 'rdsh26.ad.departement-exemple.fr', 'rdsh27.ad.departement-exemple.fr', 'rdsh28.ad.departement-exemple.fr', 'rdsh29.ad.departement-exemple.fr', 'rdsh30.ad.departement-exemple.fr', 'rdsh31.ad.departement-exemple.fr', 'rdsh32.ad.departement-exemple.fr') -ConnectionBroker $broker }
    catch {
        if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
        Write-Output ('ferme: collection Bureau: set by Group Policy, left to it: ' + "$_")
    }
}
}

# settings Bureau: CollectionDescription, UserGroup, IdleSessionLimitMin, DisconnectedSessionLimitMin, ActiveSessionLimitMin, BrokenConnectionAction, AutomaticReconnectionEnabled, ClientDeviceRedirectionOptions, ClientPrinterRedirected, RDEasyPrintDriverEnabled, ClientPrinterAsDefault, AuthenticateUsingNLA, SecurityLayer, EncryptionLevel, CustomRdpProperty
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
try {
    Set-RDSessionCollectionConfiguration -CollectionName 'Bureau' -CollectionDescription 'Bureau complet' -UserGroup @('CD-EXEMPLE\GG-RDS-Bureau') -IdleSessionLimitMin 60 -DisconnectedSessionLimitMin 120 -ActiveSessionLimitMin 0 -BrokenConnectionAction 'Disconnect' -AutomaticReconnectionEnabled $true -ClientDeviceRedirectionOptions AudioVideoPlayBack,AudioRecording,SmartCard,Clipboard,TimeZone -ClientPrinterRedirected $true -RDEasyPrintDriverEnabled $true -ClientPrinterAsDefault $false -AuthenticateUsingNLA $true -SecurityLayer 'SSL' -EncryptionLevel 'High' -CustomRdpProperty 'camerastoredirect:s:*' -ConnectionBroker $broker
} catch {
    if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
    $settings = [ordered]@{ CollectionDescription = 'Bureau complet'; UserGroup = @('CD-EXEMPLE\GG-RDS-Bureau'); IdleSessionLimitMin = 60; DisconnectedSessionLimitMin = 120; ActiveSessionLimitMin = 0; BrokenConnectionAction = 'Disconnect'; AutomaticReconnectionEnabled = $true; ClientDeviceRedirectionOptions = 'AudioVideoPlayBack, AudioRecording, SmartCard, Clipboard, TimeZone'; ClientPrinterRedirected = $true; RDEasyPrintDriverEnabled = $true; ClientPrinterAsDefault = $false; AuthenticateUsingNLA = $true; SecurityLayer = 'SSL'; EncryptionLevel = 'High'; CustomRdpProperty = 'camerastoredirect:s:*' }
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

# collection Applications-metier
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$present = @(Get-RDSessionCollection -ConnectionBroker $broker | Where-Object { $_.CollectionName -eq 'Applications-metier' }).Count -gt 0
if (-not $present) {
    try { New-RDSessionCollection -CollectionName 'Applications-metier' -CollectionDescription 'Applications métier publiées' -SessionHost @('rdsh33.ad.departement-exemple.fr', 'rdsh34.ad.departement-exemple.fr', 'rdsh35.ad.departement-exemple.fr', 'rdsh36.ad.departement-exemple.fr', 'rdsh37.ad.departement-exemple.fr', 'rdsh38.ad.departement-exemple.fr', 'rdsh39.ad.departement-exemple.fr', 'rdsh40.ad.departement-exemple.fr') -ConnectionBroker $broker }
    catch {
        if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
        Write-Output ('ferme: collection Applications-metier: set by Group Policy, left to it: ' + "$_")
    }
}
}

# settings Applications-metier: CollectionDescription, UserGroup, IdleSessionLimitMin, DisconnectedSessionLimitMin, ActiveSessionLimitMin, BrokenConnectionAction, AutomaticReconnectionEnabled, ClientDeviceRedirectionOptions, ClientPrinterRedirected, RDEasyPrintDriverEnabled, ClientPrinterAsDefault, AuthenticateUsingNLA, SecurityLayer, EncryptionLevel, CustomRdpProperty
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
try {
    Set-RDSessionCollectionConfiguration -CollectionName 'Applications-metier' -CollectionDescription 'Applications métier publiées' -UserGroup @('CD-EXEMPLE\GG-RDS-Applications') -IdleSessionLimitMin 60 -DisconnectedSessionLimitMin 120 -ActiveSessionLimitMin 0 -BrokenConnectionAction 'Disconnect' -AutomaticReconnectionEnabled $true -ClientDeviceRedirectionOptions AudioVideoPlayBack,AudioRecording,SmartCard,Clipboard,TimeZone -ClientPrinterRedirected $true -RDEasyPrintDriverEnabled $true -ClientPrinterAsDefault $false -AuthenticateUsingNLA $true -SecurityLayer 'SSL' -EncryptionLevel 'High' -CustomRdpProperty 'camerastoredirect:s:*' -ConnectionBroker $broker
} catch {
    if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
    $settings = [ordered]@{ CollectionDescription = 'Applications métier publiées'; UserGroup = @('CD-EXEMPLE\GG-RDS-Applications'); IdleSessionLimitMin = 60; DisconnectedSessionLimitMin = 120; ActiveSessionLimitMin = 0; BrokenConnectionAction = 'Disconnect'; AutomaticReconnectionEnabled = $true; ClientDeviceRedirectionOptions = 'AudioVideoPlayBack, AudioRecording, SmartCard, Clipboard, TimeZone'; ClientPrinterRedirected = $true; RDEasyPrintDriverEnabled = $true; ClientPrinterAsDefault = $false; AuthenticateUsingNLA = $true; SecurityLayer = 'SSL'; EncryptionLevel = 'High'; CustomRdpProperty = 'camerastoredirect:s:*' }
    foreach ($key in @($settings.Keys)) {
        $one = @{ CollectionName = 'Applications-metier'; ConnectionBroker = $broker }
        $one[$key] = $settings[$key]
        try { Set-RDSessionCollectionConfiguration @one }
        catch {
            if ("$_" -notmatch 'Group Policy|strat.gie de groupe') { throw }
            Write-Output ("ferme: $key of collection " + 'Applications-metier' + ' is set by Group Policy: left to it')
        }
    }
}
}

# remoteapp Applications-metier/grand-angle
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$app = Get-RDRemoteApp -CollectionName 'Applications-metier' -ConnectionBroker $broker | Where-Object { $_.Alias -eq 'grand-angle' }
if ($null -eq $app) {
    New-RDRemoteApp -CollectionName 'Applications-metier' -Alias 'grand-angle' -DisplayName 'Grand Angle (finances)' -FilePath 'C:\Program Files\GrandAngle\ga.exe' -UserGroups @('CD-EXEMPLE\GG-Finances') -ConnectionBroker $broker | Out-Null
} else {
    Set-RDRemoteApp -CollectionName 'Applications-metier' -Alias 'grand-angle' -DisplayName 'Grand Angle (finances)' -FilePath 'C:\Program Files\GrandAngle\ga.exe' -UserGroups @('CD-EXEMPLE\GG-Finances') -ConnectionBroker $broker | Out-Null
}
}

# remoteapp Applications-metier/iodas
& {
Import-Module -Name RemoteDesktop
$broker = 'cb01.ad.departement-exemple.fr'
$app = Get-RDRemoteApp -CollectionName 'Applications-metier' -ConnectionBroker $broker | Where-Object { $_.Alias -eq 'iodas' }
if ($null -eq $app) {
    New-RDRemoteApp -CollectionName 'Applications-metier' -Alias 'iodas' -DisplayName 'IODAS (solidarités)' -FilePath 'C:\Program Files\IODAS\iodas.exe' -UserGroups @('CD-EXEMPLE\GG-Autonomie', 'CD-EXEMPLE\GG-Enfance') -ConnectionBroker $broker | Out-Null
} else {
    Set-RDRemoteApp -CollectionName 'Applications-metier' -Alias 'iodas' -DisplayName 'IODAS (solidarités)' -FilePath 'C:\Program Files\IODAS\iodas.exe' -UserGroups @('CD-EXEMPLE\GG-Autonomie', 'CD-EXEMPLE\GG-Enfance') -ConnectionBroker $broker | Out-Null
}
}

if ($changes.Count -eq 0) { Write-Output 'ferme: nothing to change' } else { $changes | Write-Output }
if ($restartNeeded) { Write-Warning 'ferme: restart the host to finish installing its features' }
