"""FSLogix profile share, on the file server the profiles' UNC path names: the folder with FSLogix's NTFS
permissions (inheritance off), then the SMB share for the agents' groups."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import windows, windows_files
from ferme.operations.windows import wanted_for


@deploy("FSLogix profile share")
def apply() -> None:
    expected = host.data.get("ferme_windows") or {}
    share = expected.get("profile_share")
    if not share:
        return
    wanted = wanted_for(**facts_wanted(expected))
    domain = expected["groups_domain"]
    windows_files.ntfs_acl(path=share["path"], access=share["acl"], wanted=wanted, protected=True, domain=domain)
    windows.smb_share(share=share["name"], path=share["path"], access=share["share_access"], wanted=wanted,
                      domain=domain)  # fmt: skip
