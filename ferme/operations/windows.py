"""Windows operations (pyinfra style): read the host's batched facts, yield guarded PowerShell or report no change.

Every operation takes `wanted`: the JSON of all facts the host's operations need (see
`ferme.facts.windows`), the same for all of them, so one call gathers every fact of the host.
"""

from __future__ import annotations

import json
from typing import Any

from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.facts.windows import WindowsHost
from ferme.powershell.build import registry_value as registry_snippet
from ferme.powershell.build import windows_feature
from ferme.render.windows_firewall import ps_array, ps_quote

FACT_KINDS = ("features", "services", "registry", "shares", "acls", "groups", "tasks", "files")


def wanted_for(**kinds: Any) -> str:
    """The `wanted` argument of every Windows operation of a host: what to read, by kind (FACT_KINDS).

    The same JSON for all of a host's operations, so pyinfra gathers the host's facts once.
    """
    unknown = set(kinds) - set(FACT_KINDS)
    if unknown:
        raise TypeError(f"no such kind of Windows fact: {', '.join(sorted(unknown))}")
    values = {kind: sorted([list(item) if isinstance(item, tuple) else item for item in kinds.get(kind, ())])
              for kind in FACT_KINDS}  # fmt: skip
    return json.dumps(values, sort_keys=True)


def facts(wanted: str) -> dict[str, Any]:
    """The host's batched facts (one PowerShell call per host per run, cached by pyinfra)."""
    result: dict[str, Any] = host.get_fact(WindowsHost, wanted=wanted)
    return result


@operation()
def feature(name: str, wanted: str, present: bool = True) -> Any:
    """A Windows feature installed (with its management tools) or removed.

    A restart the change needs is left to `windows_reboot.reboot(only_if_pending=True)`, which reads
    Windows' own pending-restart markers when it runs.
    """
    installed = bool(facts(wanted)["features"].get(name))
    if installed == present:
        host.noop(f"feature {name} is {'installed' if present else 'absent'}")
        return
    yield windows_feature(name) if present else f"Uninstall-WindowsFeature -Name {ps_quote(name)} | Out-Null"


@operation()
def registry_value(path: str, name: str, value: int | str | list[str], wanted: str) -> Any:
    current = facts(wanted)["registry"].get(f"{path}\\{name}")
    if current == value or (isinstance(value, list) and current is not None and list(current) == value):
        host.noop(f"{path}\\{name} is {value!r}")
        return
    yield registry_snippet(path, name, value)


@operation()
def service_running(name: str, wanted: str) -> Any:
    status = facts(wanted)["services"].get(name)
    if status == "Running":
        host.noop(f"service {name} is running")
        return
    if status is None:
        raise ValueError(f"service {name} does not exist on {host.name}")
    yield f"Start-Service -Name {ps_quote(name)}"


@operation()
def firewall_rules(script: str, rule_names: list[str], wanted: str) -> Any:
    """The host's ferme firewall rules: the whole script when the set of rules differs."""
    if facts(wanted)["firewall_rules"] == sorted(rule_names):
        host.noop(f"{len(rule_names)} ferme firewall rules present")
        return
    yield script


@operation()
def smb_share(name: str, path: str, access: dict[str, str], wanted: str) -> Any:
    """An SMB share at `path` granting `access` (account → Full, Change or Read); access is only added.

    The FSLogix profile share is one: session hosts' computer accounts and the agents need Change.
    """
    share = facts(wanted)["shares"].get(name)
    if share is None:
        grants = {right: sorted(a for a, r in access.items() if r == right) for right in ("Full", "Change", "Read")}
        options = "".join(f" -{right}Access {ps_array(accounts)}" for right, accounts in grants.items() if accounts)
        yield f"New-SmbShare -Name {ps_quote(name)} -Path {ps_quote(path)}{options} | Out-Null"
        return
    if share["path"] != path:
        raise ValueError(f"share {name} on {host.name} points at {share['path']}, not {path}: change it by hand")
    present = set(share["access"])
    missing = {account: right for account, right in sorted(access.items()) if f"{account}={right}" not in present}
    if not missing:
        host.noop(f"share {name} is as wanted")
        return
    for account, right in missing.items():
        yield (f"Grant-SmbShareAccess -Name {ps_quote(name)} -AccountName {ps_quote(account)} "
               f"-AccessRight {right} -Force | Out-Null")  # fmt: skip
