"""RD Connection Broker: the deployment, from the managing broker (the first one; with HA, the steps go to the
active management server). Servers and roles, licensing, the gateway's settings, HA, certificates, collections,
session hosts added or drained, RemoteApps: ferme.operations.rds, each step a one-shot task on the broker."""

import json
from pathlib import Path

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import rds
from ferme.operations.windows import wanted_for
from ferme.operations.windows_accounts import hidden
from ferme.site.secrets import secret_value


@deploy("RD Connection Broker")
def apply() -> None:
    """The RD deployment as the inventory says (only on the managing broker; the others join through it)."""
    expected = host.data.get("ferme_windows") or {}
    desired = expected.get("rd_deployment")
    if not desired:
        return
    connection = host.data.ferme["connection"]
    user = desired.get("task_account") or connection["user"]
    password = None
    if not user.endswith("$"):
        inventory = Path(host.data.get("ferme_inventory") or ".")
        password = hidden(secret_value(connection["password_secret"], inventory))
    rds.deployment(desired=json.dumps(desired), wanted=wanted_for(**facts_wanted(expected)),
                   user=user, password=password)  # fmt: skip
