"""What a role reads from the inventory on the controller while it deploys: its folder, a secret's value."""

from __future__ import annotations

from pathlib import Path

from pyinfra.context import host

from ferme.site.secrets import secret_value


def inventory_folder() -> Path:
    """The inventory folder of the run (secrets, PFX and PEM files are relative to it)."""
    return Path(host.data.get("ferme_inventory") or ".")


def planned_secret(ref: dict[str, str] | None) -> str | None:
    """The value of a secret the plan names (`{"secret": NAME}`); None when the plan names none."""
    return secret_value(ref["secret"], inventory_folder()) if ref is not None else None
