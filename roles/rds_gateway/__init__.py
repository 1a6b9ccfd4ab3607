"""RD Gateway: its connection and resource authorization policies (CAP/RAP) limited to the collections' groups
and the farm's servers, on each gateway through the RDS: drive. The gateway joins the deployment from the
broker (rds_broker); its certificate is the deployment's (Set-RDCertificate)."""

import json

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import rds_gateway
from ferme.operations.windows import fact_item, wanted_for
from ferme.rds.gateway import ROOT


@deploy("RD Gateway")
def apply() -> None:
    expected = host.data.get("ferme_windows") or {}
    desired = expected.get("gateway_policies")
    if not desired:
        return
    wanted = wanted_for(**facts_wanted(expected))
    if fact_item(wanted, "gateway", ROOT) is None and "RDS-Gateway" in expected["features"]:
        # the feature is installed by windows_host in this same run: its policies come on the next run
        host.log_styled("RD Gateway: the RDS: drive is not there yet; CAP/RAP on the next run", fg="yellow")
        return
    rds_gateway.policies(desired=json.dumps(desired), wanted=wanted)
