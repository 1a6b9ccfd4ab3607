"""Load an inventory folder into a Site, or raise InventoryError with every problem at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ferme.site import schema
from ferme.site.checks import Checker
from ferme.site.errors import InventoryError, Problem
from ferme.site.model import Site
from ferme.site.resolve import Resolver
from ferme.site.runconfig import RunConfig, load_run_config
from ferme.site.secrets import SOPS_FILE, SecretStore, env_name, resolve
from ferme.site.validate import problems_from
from ferme.site.yamlsrc import SecretRef, load_folder


def secret_refs(data: Any) -> Iterator[SecretRef]:
    if isinstance(data, SecretRef):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from secret_refs(value)
    elif isinstance(data, list):
        for value in data:
            yield from secret_refs(value)


def _secrets(data: dict[str, Any], folder: Path, with_secrets: bool) -> tuple[SecretStore, list[Problem]]:
    refs = list(secret_refs(data))
    if not with_secrets:
        return SecretStore(), []
    store, missing, sops_problem = resolve((r.name for r in refs), folder)
    problems = []
    for ref in refs:
        if ref.name in missing:
            where = f"set {env_name(ref.name)} or add it to {SOPS_FILE}"
            if sops_problem:
                where = f"{SOPS_FILE}: {sops_problem}"
            problems.append(Problem(ref.mark, ref.path, f"missing secret {ref.name!r}", where))
    return store, problems


def load_site(folder: Path | str, *, with_secrets: bool = True) -> Site:
    """Read, validate and resolve the inventory in `folder`.

    `with_secrets=False` skips secret resolution (for `ferme plan --no-secrets`-like uses and tests);
    the plan never carries secret values either way.
    """
    folder = Path(folder)
    try:
        run, run_problems = load_run_config(folder), []
    except InventoryError as exc:
        run, run_problems = RunConfig(), exc.problems
    data, positions = load_folder(folder)
    # `x-…` top-level keys hold YAML anchors for reuse (as in compose files); they are not sections.
    # An empty section (only comments under it) means its defaults.
    data = {k: v for k, v in data.items() if not k.startswith("x-") and v is not None}
    try:
        inv = schema.Inventory.model_validate(data)
    except ValidationError as exc:
        raise InventoryError(problems_from(exc, data, positions, schema.Inventory)) from None
    resolver = Resolver(inv, positions)
    zones = resolver.zones()
    hosts = resolver.hosts(zones)
    switches = resolver.switches(zones)
    problems = run_problems + resolver.problems
    if not problems:
        problems += Checker(inv, positions, zones, hosts, switches).run()
    store, secret_problems = _secrets(data, folder, with_secrets)
    problems += secret_problems
    if problems:
        raise InventoryError(problems)
    return Site(
        folder=folder,
        info=inv.site,
        agents=inv.agents,
        waves=tuple(sorted(inv.waves, key=lambda w: w.number)),
        zones=zones,
        admins=tuple(inv.admins),
        hosts=hosts,
        switches=switches,
        rds=inv.rds,
        collab=inv.collab,
        mfa=inv.mfa,
        vpn=inv.vpn,
        firewall=inv.firewall,
        secrets=store,
        run=run,
    )
