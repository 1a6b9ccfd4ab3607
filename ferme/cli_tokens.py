"""`ferme secrets import-tokens INV FILE`: the hardware tokens' seeds from the vendor's PSKC or CSV file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ferme.cli_files import EXIT_INVALID, inventory_data
from ferme.site.secrets import SOPS_FILE, SecretsUnavailable
from ferme.site.tokens import TokenFileError, read_tokens
from ferme.site.yamlsrc import SecretRef


def _inventory_tokens(inventory: Path) -> dict[str, str]:
    """serial → the secret name its `seed:` refers to, for the tokens `mfa.tokens` lists."""
    mfa: Any = inventory_data(inventory).get("mfa") or {}
    result = {}
    for token in mfa.get("tokens") or []:
        seed = token.get("seed") if isinstance(token, dict) else None
        if isinstance(seed, SecretRef) and token.get("serial"):
            result[str(token["serial"])] = seed.name
    return result


@click.command("import-tokens")
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--psk", help="PSKC: the pre-shared key its secrets are encrypted with (32 hexadecimal digits).")
def import_tokens(inventory: Path, file: Path, psk: str | None) -> None:
    """Store the seeds of the tokens INVENTORY lists (mfa.tokens, by serial) from the vendor's FILE (PSKC or CSV:
    `serial, seed[, type[, digits]]`) as their `seed:` secrets; seeds are never shown."""
    from ferme.site.sops import ensure_age_key, set_secrets

    wanted = _inventory_tokens(inventory)
    try:
        seeds = {s.serial: s for s in read_tokens(file, psk)}
    except (TokenFileError, ValueError) as exc:
        click.echo(f"ferme secrets import-tokens: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    found = {wanted[serial]: seeds[serial].seed for serial in sorted(wanted) if serial in seeds}
    missing = sorted(serial for serial in wanted if serial not in seeds)
    try:
        ensure_age_key()
        path = set_secrets(inventory, found) if found else inventory / SOPS_FILE
    except SecretsUnavailable as exc:
        click.echo(f"{inventory / SOPS_FILE}: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{path}: {len(found)} seeds stored ({', '.join(sorted(found)) or 'none'}); {len(seeds)} tokens in "
               f"{file.name}, {len(seeds) - len(found)} not in the inventory")  # fmt: skip
    if missing:
        click.echo(f"not in {file.name}: {', '.join(missing)} (their seeds stay as they were)", err=True)
