"""SQL Server for the connection brokers' high availability: installed by the operator (its installer and
licence are the site's); ferme gives the brokers' AD group its login in dbcreator (the first broker creates the
database), opens its port to the brokers only (the flows) and checks that the service runs."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import rds_database
from ferme.operations.windows import wanted_for


@deploy("RDS database (SQL Server)")
def apply() -> None:
    expected = host.data.get("ferme_windows") or {}
    if expected.get("sql_login"):
        rds_database.brokers_login(login=expected["sql_login"], wanted=wanted_for(**facts_wanted(expected)))
