"""Active Directory, on the first domain controller: the groups ferme keeps (the remote access group and its
members, from mfa.remote_access). OUs and the farm's groups come with the RDS farm (issue 13)."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import windows_accounts
from ferme.operations.windows import wanted_for


@deploy("AD groups and OUs")
def apply() -> None:
    """The AD groups of the plan, with exactly their members (on the first DC only: AD replicates)."""
    desired = host.data.get("ferme_windows")
    if not desired or not desired.get("ad_groups"):
        return
    wanted = wanted_for(**facts_wanted(desired))
    for group, members in desired["ad_groups"].items():
        windows_accounts.ad_group_members(group=group, members=members, wanted=wanted)
