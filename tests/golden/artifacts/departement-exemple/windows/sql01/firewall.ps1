# Managed by ferme: Windows Defender Firewall rules of sql01 (departement-exemple), 2 inbound rules from the flows.
# Windows PowerShell 5.1. Idempotent: creates or updates each rule, removes ferme rules no flow asks for.
$ErrorActionPreference = 'Stop'
if ($null -eq $changes) { $changes = @() }
$wanted = @('ferme-management-winrm-admin-windows-tcp', 'ferme-rds_broker-sql-rds_database-tcp')
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
$rule = Get-NetFirewallRule -Name 'ferme-rds_broker-sql-rds_database-tcp' -ErrorAction SilentlyContinue
if ($null -eq $rule) {
    New-NetFirewallRule -Name 'ferme-rds_broker-sql-rds_database-tcp' -DisplayName 'ferme: SQL Server (rds_broker/sql/rds_database)' -Group 'ferme' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('1433') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: base de la haute disponibilité du Service Broker' | Out-Null
    $changes += 'firewall rule ' + 'ferme-rds_broker-sql-rds_database-tcp'
} elseif ((& $signature $rule) -ne 'ferme-rds_broker-sql-rds_database-tcp|Inbound|Allow|True|TCP|1433|10.20.10.11,10.20.10.12') {
    Set-NetFirewallRule -Name 'ferme-rds_broker-sql-rds_database-tcp' -NewDisplayName 'ferme: SQL Server (rds_broker/sql/rds_database)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort @('1433') -RemoteAddress @('10.20.10.11', '10.20.10.12') -Profile Any -Enabled True -Description 'role rds_broker: base de la haute disponibilité du Service Broker'
    $changes += 'firewall rule changed ' + 'ferme-rds_broker-sql-rds_database-tcp'
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
