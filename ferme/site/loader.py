"""Load an inventory folder into a Site, or raise InventoryError with every problem at once."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ferme.site import schema
from ferme.site.checks import Checker
from ferme.site.errors import FieldPath, InventoryError, Mark, Problem, relative
from ferme.site.model import Site
from ferme.site.resolve import Resolver
from ferme.site.runconfig import RunConfig, load_run_config
from ferme.site.secrets import SOPS_FILE, SecretStore, env_name, resolve
from ferme.site.validate import data_path, problems_from
from ferme.site.yamlsrc import Positions, SecretRef, load_folder


def secret_refs(data: Any) -> Iterator[SecretRef]:
    if isinstance(data, SecretRef):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from secret_refs(value)
    elif isinstance(data, list):
        for value in data:
            yield from secret_refs(value)


# Fields whose secret has a particular form, by the field's name: OTP seeds are hexadecimal, OTP PINs numeric.
SECRET_KINDS = {"seed": "hex", "pin": "digits", "shared_key": "hex"}


def secret_kinds(data: Any) -> dict[str, str]:
    """The secrets that need a particular form when generated (`ferme secrets init`), by name."""
    return {ref.name: SECRET_KINDS[str(ref.path[-1])] for ref in secret_refs(data)
            if ref.path and str(ref.path[-1]) in SECRET_KINDS}  # fmt: skip


def secret_names(data: Any) -> list[str]:
    """Every secret name the inventory's data refers to, once each, sorted."""
    return sorted({ref.name for ref in secret_refs(data)})


def _secrets(data: dict[str, Any], folder: Path, with_secrets: bool) -> tuple[SecretStore, list[Problem]]:
    refs = list(secret_refs(data))
    if not with_secrets:
        return SecretStore(), []
    store, missing, sops_problem = resolve((r.name for r in refs), folder)
    problems = []
    for ref in refs:
        if ref.name in missing:
            where = (f"set {env_name(ref.name)}, or `ferme secrets init {folder}` to generate it, or "
                     f"`ferme secrets set {folder} {ref.name}` to type it")  # fmt: skip
            if sops_problem:
                where = f"{SOPS_FILE}: {sops_problem}"
            problems.append(Problem(ref.mark, ref.path, f"missing secret {ref.name!r}", where))
    return store, problems


def _validate(data: dict[str, Any], positions: Positions) -> tuple[schema.Inventory | None, list[Problem]]:
    """The inventory model, and the problems pydantic found. On problems, the failing items are pruned and
    the rest validated again, so that later checks still see everything that was written right."""
    try:
        return schema.Inventory.model_validate(data), []
    except ValidationError as exc:
        problems = problems_from(exc, data, positions, schema.Inventory)
        errors = exc.errors()
    pruned = copy.deepcopy(data)
    for _ in range(5):
        paths = {_prunable(data_path(pruned, tuple(e["loc"]), e["type"]), e["type"]) for e in errors}
        if () in paths or any(len(p) == 1 and p[0] in REQUIRED_SECTIONS for p in paths):
            return None, problems
        for path in sorted(paths, key=lambda p: [(0, x, "") if isinstance(x, int) else (1, 0, x) for x in p],
                           reverse=True):  # fmt: skip
            _remove(pruned, path)
        try:
            return schema.Inventory.model_validate(pruned), problems
        except ValidationError as exc:
            errors = exc.errors()
    return None, problems


REQUIRED_SECTIONS = {name for name, info in schema.Inventory.model_fields.items() if info.is_required()}


def _prunable(path: FieldPath, error_type: str) -> FieldPath:
    """What to remove for an error: the item itself, or the item that misses a required field."""
    return path[:-1] if error_type == "missing" else path


def _remove(data: Any, path: FieldPath) -> None:
    parent = data
    for item in path[:-1]:
        try:
            parent = parent[item]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        del parent[last]


def unique(problems: list[Problem]) -> list[Problem]:
    """One line per place and message: a mistake under a YAML anchor is written once, reported once."""
    seen: dict[tuple[Mark, str], int] = {}
    kept: list[Problem] = []
    for problem in problems:
        key = (problem.mark, problem.message)
        if key in seen:
            index = seen[key]
            kept[index] = dataclasses.replace(kept[index], repeats=kept[index].repeats + 1)
            continue
        seen[key] = len(kept)
        kept.append(problem)
    return kept


def _missing_files(inv: schema.Inventory, folder: Path, positions: Positions) -> dict[str, Problem]:
    missing: dict[str, Problem] = {}
    for i, certificate in enumerate(inv.rds.certificates if inv.rds else []):
        if not (folder / certificate.pfx).is_file():
            path: FieldPath = ("rds", "certificates", i, "pfx")
            missing[certificate.pfx] = Problem(positions.of(path), path, f"{certificate.pfx} does not exist",
                                               "ferme apply will not converge the hosts that need it")  # fmt: skip
    files = inv.rds.web_client_files if inv.rds else None
    for part in ("module", "package") if files is not None else ():
        given = getattr(files, part).path
        if not (folder / given).is_file():
            at: FieldPath = ("rds", "web_client_files", part, "path")
            missing[given] = Problem(positions.of(at), at, f"{given} does not exist",
                                     "ferme apply will not install the web client without it")  # fmt: skip
    profiles = inv.rds.profiles if inv.rds else None
    if profiles is not None and profiles.installer is not None:
        installer = profiles.installer.path
        if not (folder / installer).is_file():
            where: FieldPath = ("rds", "profiles", "installer", "path")
            missing[installer] = Problem(positions.of(where), where, f"{installer} does not exist",
                                         "put FSLogixAppsSetup.exe there (Microsoft's FSLogix download): ferme apply "
                                         "will not converge the session hosts without it")  # fmt: skip
    directory = inv.collab.directory if inv.collab else None
    if directory is not None and directory.ca is not None and not (folder / directory.ca).is_file():
        place: FieldPath = ("collab", "directory", "ca")
        missing[directory.ca] = Problem(
            positions.of(place),
            place,
            f"{directory.ca} does not exist",
            "ferme apply will not converge the collaboration server without it",
        )
    tls = inv.collab.tls if inv.collab else None
    for part in ("certificate", "key") if tls is not None else ():
        given = getattr(tls, part)
        if given is not None and not (folder / given).is_file():
            spot: FieldPath = ("collab", "tls", part)
            missing[given] = Problem(positions.of(spot), spot, f"{given} does not exist",
                                     "ferme apply will not converge the collaboration server without it")  # fmt: skip
    return missing


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
    inv, problems = _validate(data, positions)
    problems = run_problems + problems
    if inv is None:
        raise InventoryError(unique(problems))
    resolver = Resolver(inv, positions)
    zones = resolver.zones()
    hosts = resolver.hosts(zones)
    switches = resolver.switches(zones)
    problems += resolver.problems
    # Cross-checks run on whatever parsed: a typo in one place does not hide a mistake in another.
    checker = Checker(inv, positions, zones, hosts, switches, consistent=not problems,
                      hosts_complete=not resolver.hosts_dropped)  # fmt: skip
    problems += checker.run()
    store, secret_problems = _secrets(data, folder, with_secrets)
    problems += secret_problems
    if not problems:
        from ferme.site.certnames import certificate_problems

        problems += certificate_problems(inv, hosts, folder, positions, store)
    states, state_problems = _wave_states(folder, inv)
    problems += state_problems
    if problems:
        raise InventoryError(unique(problems))
    return Site(
        wave_states=states,
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
        missing_files=_missing_files(inv, folder, positions),
        secret_names=tuple(secret_names(data)),
        directory=inv.directory,
        outbound=inv.outbound,
        hypervisors=inv.hypervisors,
        switching=inv.switching,
    )


def _wave_states(folder: Path, inv: Any) -> tuple[dict[int, str], list[Problem]]:
    """The waves' states `ferme onboard` keeps in INV/state/waves.json (a wave open that the inventory no longer
    has is an error: its groups would stay in the farm)."""
    from ferme.onboard.state import OPEN, load_states, state_file

    mark = Mark(relative(state_file(folder)), 1, 1)
    try:
        states = {n: record["state"] for n, record in load_states(folder).items()}
    except ValueError as exc:
        return {}, [Problem(mark, (), str(exc).split(": ", 1)[-1], "fix or remove the file")]
    opened = sorted(n for n, state in states.items() if state == OPEN)
    known = {wave.number for wave in inv.waves}
    unknown = [n for n in opened if n not in known]
    if unknown:
        return {}, [
            Problem(
                mark,
                (),
                f"wave(s) {', '.join(map(str, unknown))} open but not in the inventory's waves",
                f"ferme onboard INV --wave {unknown[0]} --rollback before removing a wave",
            )
        ]
    return states, []
