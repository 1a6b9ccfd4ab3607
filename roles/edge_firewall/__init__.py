"""Edge firewall (nftables): no operation yet; the issue that builds this role fills apply()."""

from pyinfra.api import deploy


@deploy("Edge firewall (nftables)")
def apply() -> None:
    """Converge this role on the current host (nothing to do until the role is built)."""
