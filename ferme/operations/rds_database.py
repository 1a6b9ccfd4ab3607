"""The brokers' SQL Server: the brokers' group's login in dbcreator (ferme.rds.database)."""

from __future__ import annotations

from typing import Any

from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.operations.windows import fact_item
from ferme.rds.database import login_script


@operation()
def brokers_login(login: str, wanted: str) -> Any:
    state = fact_item(wanted, "sql_logins", login)
    if state == "1":
        host.noop(f"{login} has its login in dbcreator")
        return
    yield login_script(login, exists=state == "0")
