"""SQL Server for the connection brokers' high availability: installed by the operator (its installer and
licence are the site's); ferme opens its port to the brokers only and checks that the service runs."""

from pyinfra.api.deploy import deploy


@deploy("RDS database (SQL Server)")
def apply() -> None:
    """Converge this role on the current host (SQL Server's installation is the operator's)."""
