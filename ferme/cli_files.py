"""The `ferme` commands about an inventory's own files: its schema, its secrets, a copied example."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ferme.site import InventoryError
from ferme.site.loader import secret_kinds, secret_names
from ferme.site.schema import json_schema
from ferme.site.secrets import SOPS_FILE, SecretsUnavailable
from ferme.site.yamlsrc import load_folder

EXIT_INVALID = 2  # bad input: nothing was changed


@click.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of inventory files (for editors: yaml-language-server)."""
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.group()
def secrets() -> None:
    """The inventory's secrets (SOPS + age)."""


@secrets.command("init")
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
def secrets_init(inventory: Path) -> None:
    """Generate random values for every `!secret` not yet in secrets.sops.yml (values never shown)."""
    from ferme.site.sops import ensure_age_key, init_secrets

    names, kinds = _secret_names(inventory)
    try:
        key_file, _, created = ensure_age_key()
        path, added = init_secrets(inventory, names, kinds)
    except SecretsUnavailable as exc:
        click.echo(f"{inventory / SOPS_FILE}: {exc}", err=True)
        sys.exit(1)
    _say_key(key_file, created)
    kept = len(names) - len(added)
    click.echo(f"{path}: {len(added)} secrets generated ({', '.join(added) or 'none'}), {kept} kept")


def inventory_data(inventory: Path) -> Any:
    """The inventory's files as data (the YAML must parse; nothing else is checked), or exit 2 saying why."""
    try:
        data, _ = load_folder(inventory)
    except InventoryError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID)
    return data


def _secret_names(inventory: Path) -> tuple[list[str], dict[str, str]]:
    """The names of every `!secret` the inventory's files hold, and the form some of them need (hexadecimal
    seeds, numeric PINs)."""
    data = inventory_data(inventory)
    return secret_names(data), secret_kinds(data)


def _say_key(key_file: Path, created: bool) -> None:
    if created:
        click.echo(f"created the age key {key_file}: BACK IT UP (without it nobody can read secrets.sops.yml again; "
                   "share it with your team as README's secrets section says)")  # fmt: skip
    else:
        click.echo(f"age key: {key_file}")


@secrets.command("set")
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("name")
def secrets_set(inventory: Path, name: str) -> None:
    """Store NAME's value (read from the terminal without echo, or from standard input) in secrets.sops.yml."""
    from ferme.site.sops import ensure_age_key, set_secret

    names, _ = _secret_names(inventory)
    if name not in names:
        click.echo(
            f"ferme secrets set: the inventory names no secret {name!r} (it names: {', '.join(names)})", err=True
        )
        sys.exit(EXIT_INVALID)
    if sys.stdin.isatty():
        value = click.prompt(f"value of {name}", hide_input=True, confirmation_prompt=True, err=True)
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    try:
        key_file, _, created = ensure_age_key()
        path = set_secret(inventory, name, value)
    except SecretsUnavailable as exc:
        click.echo(f"{inventory / SOPS_FILE}: {exc}", err=True)
        sys.exit(1)
    _say_key(key_file, created)
    click.echo(f"{path}: {name} stored (encrypted; the value is not shown)")


@click.command()
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
def init(inventory: Path) -> None:
    """Make a copied inventory folder stand alone: schema beside it, modelines fixed, pyinfra inventory."""
    from ferme.site.init import init_folder

    done = init_folder(inventory)
    for line in done:
        click.echo(line)
    click.echo(f"{inventory}: ready ({len(done)} change{'s' if len(done) != 1 else ''}); next: "
               f"`ferme secrets init {inventory}`, then `ferme check {inventory}`")  # fmt: skip
