"""One command on one host of the plan, over the connection `ferme apply` uses (the lab's keys when a lab runs).

For the commands an operator runs by hand through ferme (`ferme collab backup|backups|restore`): no deploy,
no facts, the command's output and its exit status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ferme.plan.types import Plan


@dataclass
class Outcome:
    ok: bool
    stdout: str
    stderr: str


def run_on(plan: Plan, name: str, command: str, *, lab: Any = None, timeout: int = 1800) -> Outcome:
    """Run `command` (as the connection's user, root on ferme's Debian hosts) on host `name`."""
    from gevent import monkey

    monkey.patch_all()
    from pyinfra.api.config import Config
    from pyinfra.api.connect import connect_all, disconnect_all
    from pyinfra.api.inventory import Inventory

    from ferme.apply import host_entry_for, pyinfra_state

    inventory = Inventory(([host_entry_for(plan, name, lab)], {}))
    state = pyinfra_state(inventory, Config(CONNECT_TIMEOUT=plan["run"]["connect_timeout"]), check_for_changes=False)
    try:
        connect_all(state)
        host = next(iter(inventory))
        if host in state.failed_hosts or not host.connected:
            return Outcome(False, "", f"could not connect to {name}")
        ok, output = host.run_shell_command(command, _timeout=timeout)
        return Outcome(ok, "\n".join(output.stdout_lines), "\n".join(output.stderr_lines))
    finally:
        disconnect_all(state)
