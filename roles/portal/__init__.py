"""OTP pre-authentication portal: no operation yet; the portal part of issue 12 fills apply()."""

from pyinfra.api.deploy import deploy


@deploy("OTP pre-authentication portal")
def apply() -> None:
    """Converge this role on the current host (nothing to do until the role is built)."""
