"""Every Windows host: the state `ferme verify` checks (ferme.checks.windows), through the WinRM operations.

Features (then a restart if Windows owes one, waiting until servicing is idle), registry values
(remote desktop, NLA, FSLogix), the firewall rules from the flows, services, the agents' groups in
Remote Desktop Users, and the deployment's certificates. All operations share one `wanted`, so the
host's facts are read in one PowerShell call. The RD deployment itself (collections, RemoteApps,
gateway, licensing) is the RDS roles' work, run on the broker (ferme.operations.windows_tasks).
"""

from __future__ import annotations

from pathlib import Path

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import windows, windows_accounts, windows_certificates, windows_reboot
from ferme.operations.windows import wanted_for
from ferme.operations.windows_accounts import mask
from ferme.plan.types import HostState
from ferme.site.secrets import secret_value


@deploy("Windows host")
def apply() -> None:
    desired = host.data.ferme_windows
    wanted = wanted_for(**facts_wanted(desired))
    inventory = Path(host.data.get("ferme_inventory") or ".")
    joined = []
    join = desired.get("domain_join")
    if join:  # first: the features' roles (RDS, AD tools) need the domain; the restart below finishes the join
        password = mask(secret_value(join["password"]["secret"], inventory))
        joined.append(windows_accounts.domain_join(domain=join["domain"], user=join["user"], password=password,
                                                   wanted=wanted, ou=join["ou"]))  # fmt: skip
    features = [windows.feature(feature=feature, wanted=wanted) for feature in desired["features"]]
    windows_reboot.reboot(wanted=wanted, only_if_pending=True, after=joined + features, services=desired["services"],
                          drain_minutes=desired["drain_minutes"])  # fmt: skip
    for key, value in desired["registry"].items():
        path, value_name = key.rsplit("\\", 1)
        windows.registry_value(path=path, value_name=value_name, value=value, wanted=wanted)
    state: HostState = host.data.ferme["state"]
    script = host.data.ferme_artifacts.get(state.get("firewall_script", ""))
    if script:
        windows.firewall_rules(script=script, signatures=desired["firewall_rules"], wanted=wanted,
                               builtin=desired["builtin_rules_off"])  # fmt: skip
    for service in desired["services"]:
        windows.service_running(service=service, wanted=wanted)
    for group, members in desired["groups"].items():
        windows_accounts.local_group_members(group=group, members=members, wanted=wanted,
                                             domain=desired["groups_domain"])  # fmt: skip
    for certificate in state["certificates"]:
        password = mask(secret_value(certificate["password"]["secret"], inventory))
        windows_certificates.certificate(pfx=str(inventory / certificate["pfx"]), thumbprint=certificate["thumbprint"],
                                         password=password, wanted=wanted)  # fmt: skip
