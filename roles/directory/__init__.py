"""Active Directory, on the first domain controller (AD replicates): the OU ferme creates groups in; the groups
whose members ferme keeps (the remote access group from mfa.remote_access, one group per onboarding wave
holding its services' groups); the collections' and RemoteApps' groups, created when absent; and with broker
HA, the brokers' client access name in DNS, one A record per broker (round robin)."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import windows_accounts
from ferme.operations.windows import wanted_for


@deploy("AD groups and OUs")
def apply() -> None:
    desired = host.data.get("ferme_windows")
    if not desired or not desired.get("ad_ou"):
        return
    wanted = wanted_for(**facts_wanted(desired))
    ou = desired["ad_ou"]
    windows_accounts.ad_ou(dn=ou, wanted=wanted)
    for group, members in desired["ad_groups"].items():
        windows_accounts.ad_group_members(group=group, members=members, wanted=wanted, path=ou)
    for group in desired["ad_groups_present"]:
        windows_accounts.ad_group(group=group, wanted=wanted, path=ou)
    records = desired.get("dns_round_robin")
    if records:
        windows_accounts.dns_round_robin(zone=records["zone"], record=records["name"], addresses=records["addresses"],
                                         wanted=wanted)  # fmt: skip
