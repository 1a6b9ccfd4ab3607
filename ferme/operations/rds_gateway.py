"""The RD Gateway's CAP, RAP and managed computer group, compared with the gateway's facts (ferme.rds.gateway)."""

from __future__ import annotations

import json
from typing import Any

from pyinfra.api.operation import operation
from pyinfra.context import host

from ferme.operations.windows import fact_item
from ferme.rds.gateway import ROOT, changes


@operation()
def policies(desired: str, wanted: str) -> Any:
    """`desired`: the plan's gateway_policies (JSON). Nothing to compare before the gateway role is installed."""
    current = fact_item(wanted, "gateway", ROOT)
    if current is None:
        raise ValueError(f"{host.name}: the RDS: drive is not there (RemoteDesktopServices module): the RDS-Gateway "
                         "feature is not installed yet")  # fmt: skip
    lines = changes(json.loads(desired), current)
    if not lines:
        host.noop("the gateway's CAP and RAP are as the inventory says")
        return
    yield "\n".join(["Import-Module -Name RemoteDesktopServices", *lines])
