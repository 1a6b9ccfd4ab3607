"""`ferme collab backup|backups|restore INV`: the collaboration server's backups, run on its host.

The host keeps its backups (`collab.backup.folder`, nightly by a timer, `collab.backup.keep_days` days); these
commands run the scripts the collab role installed there (`ferme-collab-backup`, `ferme-collab-restore`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ferme.cli_files import EXIT_INVALID

FROM_HELP = "YYYY-MM-DD (the newest backup of that day or before, UTC), a backup's name, or latest."


def _collab_host(inventory: Path, host: str | None) -> tuple[Any, str, Any]:
    from ferme.cli import _load
    from ferme.lab.lab import access
    from ferme.plan import build_plan

    plan = build_plan(_load(inventory, with_secrets=False))
    plan["inventory"] = str(inventory.resolve())
    hosts = [n for n, h in plan["hosts"].items() if "collab" in h["roles"] and h["managed"]]
    if host is not None and host not in hosts:
        click.echo(f"ferme collab: {host} is not a collaboration server of {inventory} ({', '.join(hosts)})", err=True)
        sys.exit(EXIT_INVALID)
    if host is None and len(hosts) != 1:
        why = "none" if not hosts else f"{len(hosts)}: {', '.join(hosts)}; choose one with --host"
        click.echo(f"ferme collab: {inventory} has {why} collaboration server", err=True)
        sys.exit(EXIT_INVALID)
    return plan, host or hosts[0], access(plan)


def _run(inventory: Path, host: str | None, command: str, what: str) -> None:
    from ferme.remote import run_on

    plan, name, lab = _collab_host(inventory, host)
    click.echo(f"{name}: {what}", err=True)
    outcome = run_on(plan, name, command, lab=lab)
    if outcome.stdout:
        click.echo(outcome.stdout)
    if not outcome.ok:
        click.echo(outcome.stderr or f"{name}: {command.split()[0]} failed", err=True)
        sys.exit(1)


@click.group()
def collab() -> None:
    """The collaboration server's backups: take one now, list them, put one back."""


@collab.command()
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--host", help="The collaboration server (when the inventory has several).")
def backup(inventory: Path, host: str | None) -> None:
    """Take a backup now (as the nightly timer does): the database and the documents."""
    _run(inventory, host, "/usr/local/sbin/ferme-collab-backup", "backing up (database, then documents)")


@collab.command()
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--host", help="The collaboration server (when the inventory has several).")
def backups(inventory: Path, host: str | None) -> None:
    """List the backups on the host, oldest first (their names are their UTC times)."""
    _run(inventory, host, "/usr/local/sbin/ferme-collab-restore list", "backups kept on the host")


@collab.command()
@click.argument("inventory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--from", "when", required=True, metavar="DATE", help=FROM_HELP)
@click.option("--host", help="The collaboration server (when the inventory has several).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(inventory: Path, when: str, host: str | None, yes: bool) -> None:
    """Put a backup back: Plone stops, the current data is moved aside on the host (never deleted), the backup is
    restored, Plone starts again; if anything fails, the data moved aside is put back."""
    import re

    if not re.fullmatch(r"latest|\d{4}-\d{2}-\d{2}(T\d{2}-\d{2}-\d{2})?", when):
        click.echo(f"ferme collab restore: --from {when}: expected YYYY-MM-DD, YYYY-MM-DDTHH-MM-SS or latest", err=True)
        sys.exit(EXIT_INVALID)
    if not yes:
        if not sys.stdin.isatty():
            click.echo("ferme collab restore: no terminal to confirm on: add --yes", err=True)
            sys.exit(EXIT_INVALID)
        click.confirm(f"Restore the collaboration server of {inventory} as of {when}? Agents' work since is set "
                      "aside", abort=True)  # fmt: skip
    _run(inventory, host, f"/usr/local/sbin/ferme-collab-restore {when}", f"restoring the backup of {when}")
