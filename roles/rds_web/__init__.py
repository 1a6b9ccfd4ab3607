"""RD Web Access and HTML5 client: no operation yet; the issue that builds this role fills apply()."""

from pyinfra.api.deploy import deploy


@deploy("RD Web Access and HTML5 client")
def apply() -> None:
    """Converge this role on the current host (nothing to do until the role is built)."""
