"""The brokers' SQL Server for high availability: a login for the AD group of the brokers' computer accounts, in
the dbcreator role (the first broker creates the database), read and made with sqlcmd on the SQL host.

SQL Server and its licence are the operator's; ferme does not install it."""

from __future__ import annotations

from ferme.powershell.quote import ps_array, ps_quote

BROKERS_GROUP = "GG-RDS-Courtiers"


def probe(logins: list[str]) -> list[str]:
    """`$facts.sql_logins[login]`: '1' (a login in dbcreator), '0' (a login without it), null (no login or no
    sqlcmd)."""
    return [
        "$facts.sql_logins = [ordered]@{}",
        f"foreach ($name in {ps_array(logins)}) {{",
        "    $facts.sql_logins[$name] = $null",
        "    if ($null -eq (Get-Command -Name 'sqlcmd.exe' -ErrorAction SilentlyContinue)) { continue }",
        "    $quoted = $name.Replace(\"'\", \"''\")",
        "    $query = \"SET NOCOUNT ON; SELECT IS_SRVROLEMEMBER('dbcreator', N'\" + $quoted + \"')\"",
        "    $answer = (& sqlcmd.exe -S . -E -h -1 -W -Q $query | Select-Object -First 1)",
        "    if ($LASTEXITCODE -eq 0 -and $answer -in @('0', '1')) { $facts.sql_logins[$name] = $answer }",
        "}",
    ]  # fmt: skip


def login_script(login: str, exists: bool) -> str:
    """The login (Windows group) created if absent, then put in dbcreator; sqlcmd fails the script on error."""
    bracketed = "[" + login.replace("]", "]]") + "]"
    statements = ([] if exists else [f"CREATE LOGIN {bracketed} FROM WINDOWS;"]) + [
        f"ALTER SERVER ROLE [dbcreator] ADD MEMBER {bracketed};"
    ]
    return "\n".join([
        f"& sqlcmd.exe -S . -E -b -Q {ps_quote(' '.join(statements))}",
        f"if ($LASTEXITCODE -ne 0) {{ throw {ps_quote(f'sqlcmd could not give {login} the dbcreator role')} }}",
    ])  # fmt: skip
