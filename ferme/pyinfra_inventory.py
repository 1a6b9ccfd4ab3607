"""pyinfra inventory adapter: `pyinfra inventories/<site>/inventory.py deploy/farm.py`.

Each inventory folder holds a two-line inventory.py that calls `pyinfra_groups(__file__)`.
Groups: one per role, per OS and per inventory group; host data: that host's slice of the plan.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from ferme.checks.windows import expectations
from ferme.plan import build_plan
from ferme.plan.types import Plan, PlannedConnection
from ferme.render.artifacts import artifacts_for_host
from ferme.site import InventoryError, load_site

HostEntry = tuple[str, dict[str, Any]]


def connector_available(name: str) -> bool:
    return any(ep.name == name for ep in entry_points(group="pyinfra.connectors"))


def winrm_host(connection: PlannedConnection) -> str:
    """Where to reach a Windows host: Kerberos needs its DNS name (there is no SPN `HTTP/<address>`)."""
    target = connection["fqdn"] if connection["auth"] == "kerberos" else connection["address"]
    return target or ""


def winrm_data(connection: PlannedConnection, inventory: str | None) -> dict[str, Any]:
    """Host data for the winrm connector: the password stays a secret's name until it connects."""
    return {
        "winrm_hostname": winrm_host(connection),
        "winrm_user": connection["user"],
        "winrm_port": connection["port"],
        "winrm_auth": connection["auth"],
        "winrm_password_secret": connection["password_secret"],
        "winrm_ca_bundle": _beside(connection.get("ca_bundle"), inventory),
        "ferme_inventory": inventory,
    }


def _beside(path: str | None, inventory: str | None) -> str | None:
    """A file the inventory names, relative to the inventory's folder."""
    if not path or Path(path).is_absolute() or not inventory:
        return path
    return str(Path(inventory) / path)


def host_entry(plan: Plan, name: str, inventory: str | None) -> HostEntry | None:
    """A host as pyinfra sees it: its name (`@winrm/…` for Windows) and its data (its slice of the plan,
    the artifacts its roles deploy, how to connect). None when no connector can reach it."""
    planned = plan["hosts"][name]
    if planned["os"] == "appliance":
        return None  # its configuration is an artifact: no connector pushes it
    connection = planned["connection"]
    data: dict[str, Any] = {
        "ferme": planned,
        "ferme_roles": planned["roles"],
        "ferme_artifacts": artifacts_for_host(plan, name),
        "ferme_inventory": inventory,  # where the roles read secrets (values only when they deploy)
        "ferme_build": plan.get("build"),  # where roles leave files for the operator (build/<site>/)
    }
    if connection["via"] == "ssh":
        data.update(ssh_hostname=connection["address"], ssh_user=connection["user"], ssh_port=connection["port"])
        return name, data
    if connection["via"] == "winrm" and connector_available("winrm"):
        data.update(winrm_data(connection, inventory))
        data["ferme_windows"] = expectations(plan, name)  # what roles/windows_host converges to
        return f"@winrm/{name}", data
    if connector_available(connection["via"]):
        return f"@{connection['via']}/{name}", data
    return None


def pyinfra_groups(inventory_file: str) -> dict[str, list[HostEntry]]:
    """The pyinfra groups of the site whose folder holds `inventory_file`."""
    folder = Path(inventory_file).resolve().parent
    try:
        site = load_site(folder, with_secrets=False)
    except InventoryError as exc:
        raise SystemExit(f"ferme: invalid inventory\n{exc}") from None
    plan = build_plan(site)
    groups: dict[str, list[HostEntry]] = {}
    skipped: list[str] = []
    for name, planned in plan["hosts"].items():
        if not planned["managed"]:
            continue
        entry = host_entry(plan, name, str(folder))
        if entry is None:
            skipped.append(f"{name} ({planned['connection']['via']})")
            continue
        for group in [*planned["roles"], planned["os"], *planned["groups"]]:
            groups.setdefault(group.replace("-", "_"), []).append(entry)
    if skipped:
        print(
            "ferme: no pyinfra connector installed for " + ", ".join(skipped) + "; these hosts are left out",
            file=sys.stderr,
        )
    return groups
