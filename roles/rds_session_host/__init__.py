"""RD Session Host: the FSLogix agent, from the operator's installer (checked by its SHA-256), and its service.

Remote desktop, NLA, FSLogix's values, the agents' groups in Remote Desktop Users are windows_host's (they are
registry values and groups); the host joins its collection from the broker (rds_broker).
"""

from pathlib import Path

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import windows, windows_installers
from ferme.operations.notes import note
from ferme.operations.windows import fact_item, wanted_for


@deploy("RD Session Host")
def apply() -> None:
    expected = host.data.get("ferme_windows") or {}
    fslogix = expected.get("fslogix")
    if not fslogix:
        return
    wanted = wanted_for(**facts_wanted(expected))
    installer = fslogix["installer"]
    if installer is None:
        if fact_item(wanted, "services", fslogix["service"]) is None:
            note(host.name, "FSLogix is not installed and rds.profiles.installer is not given: profiles stay local")
            host.log_styled("FSLogix not installed: give rds.profiles.installer (FSLogixAppsSetup.exe)", fg="yellow")
        return
    inventory = Path(host.data.get("ferme_inventory") or ".")
    windows_installers.installed(software="FSLogix", installer=str(inventory / installer["path"]),
                                 sha256=installer["sha256"], service=fslogix["service"],
                                 arguments="/install /quiet /norestart", wanted=wanted)  # fmt: skip
    if fact_item(wanted, "services", fslogix["service"]) is not None:
        windows.service_running(service=fslogix["service"], wanted=wanted)
