"""The password a connector logs in with: the inventory secret the host data names, resolved when connecting."""

from __future__ import annotations

from pathlib import Path

from pyinfra.api.exceptions import ConnectError


def password_of(name: str | None, inventory: str | None, missing: str) -> str:
    """The value of secret `name` (from the inventory folder's SOPS file or the environment); `missing` is the
    error when the host data names none."""
    if not name:
        raise ConnectError(missing)
    from ferme.site.secrets import MissingSecret, secret_value

    try:
        return secret_value(name, Path(inventory or "."))
    except MissingSecret as exc:
        raise ConnectError(str(exc)) from None
