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
from ferme.render.windows_firewall import ps_quote


def wanted_for(features: list[str], services: list[str], registry: list[tuple[str, str]]) -> str:
    return json.dumps({"features": sorted(features), "services": sorted(services),
                       "registry": sorted([list(r) for r in registry])}, sort_keys=True)  # fmt: skip


@operation()
def feature(name: str, wanted: str) -> Any:
    """A Windows feature installed (with its management tools); a needed restart is reported, not forced."""
    if host.get_fact(WindowsHost, wanted=wanted)["features"].get(name):
        host.noop(f"feature {name} is installed")
        return
    yield windows_feature(name)


@operation()
def registry_value(path: str, name: str, value: int | str | list[str], wanted: str) -> Any:
    current = host.get_fact(WindowsHost, wanted=wanted)["registry"].get(f"{path}\\{name}")
    if current == value or (isinstance(value, list) and current is not None and list(current) == value):
        host.noop(f"{path}\\{name} is {value!r}")
        return
    yield registry_snippet(path, name, value)


@operation()
def service_running(name: str, wanted: str) -> Any:
    status = host.get_fact(WindowsHost, wanted=wanted)["services"].get(name)
    if status == "Running":
        host.noop(f"service {name} is running")
        return
    if status is None:
        raise ValueError(f"service {name} does not exist on {host.name}")
    yield f"Start-Service -Name {ps_quote(name)}"


@operation()
def firewall_rules(script: str, rule_names: list[str], wanted: str) -> Any:
    """The host's ferme firewall rules: the whole script when the set of rules differs."""
    if host.get_fact(WindowsHost, wanted=wanted)["firewall_rules"] == sorted(rule_names):
        host.noop(f"{len(rule_names)} ferme firewall rules present")
        return
    yield script
