"""MFA (privacyIDEA + FreeRADIUS): no operation yet; the issue that builds this role fills apply()."""

from pyinfra.api.deploy import deploy


@deploy("MFA (privacyIDEA + FreeRADIUS)")
def apply() -> None:
    """Converge this role on the current host (nothing to do until the role is built)."""
