"""The RD deployment, converged from the managing broker: read back in the host's batched facts, compared with
the plan (ferme.rds.delta), each step run as a one-shot task (ferme.operations.windows_tasks).

A converged deployment yields no command. Settings Group Policy sets on the session hosts (read in their own
facts, when they are in the run) are reported and left alone.
"""

from __future__ import annotations

import json
from typing import Any

from pyinfra.api.hiddenvalue import HiddenValue
from pyinfra.api.operation import operation
from pyinfra.context import host, state

from ferme.checks.windows import wanted as facts_wanted
from ferme.operations.notes import note
from ferme.operations.windows import fact_item, facts_of, wanted_for
from ferme.operations.windows_tasks import step_command
from ferme.rds.delta import deployment_delta
from ferme.rds.read import TS_POLICIES


def session_host_policies(desired: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Session host FQDN → what Group Policy set under TS_POLICIES there, for the session hosts in this run;
    and the session hosts whose policies could not be read (not in the run)."""
    wanted_hosts = {s for c in desired["collections"] for s in c["session_hosts"]}
    found: dict[str, Any] = {}
    for other in list(state.activated_hosts):
        planned = other.data.get("ferme") or {}
        fqdn = str((planned.get("connection") or {}).get("fqdn") or "").lower()
        expected = other.data.get("ferme_windows")
        if fqdn in wanted_hosts and expected and TS_POLICIES in expected.get("policies", []):
            other_facts = facts_of(other, wanted_for(**facts_wanted(expected)))
            found[fqdn] = other_facts["policies"].get(TS_POLICIES)
    return found, sorted(wanted_hosts - set(found))


@operation()
def deployment(desired: str, wanted: str, user: str, password: HiddenValue | None) -> Any:
    """`desired`: the plan's deployment (JSON, ferme.plan.rds); `user`/`password`: the tasks' account (a gMSA
    has no password; a HiddenValue, never a str: pyinfra prints an operation's arguments)."""
    wanted_deployment = json.loads(desired)
    current = fact_item(wanted, "rd_deployment", wanted_deployment["broker"])
    policies, unread = session_host_policies(wanted_deployment)
    delta = deployment_delta(wanted_deployment, current, policies)
    for text in delta.notes:
        note(host.name, text)
        host.log_styled(f"note: {text}", fg="yellow")
    if unread and delta.steps:
        host.log_styled(f"Group Policy not read on {', '.join(unread)} (not in this run): a setting it refuses "
                        "is reported by the step", fg="yellow")  # fmt: skip
    if not delta.steps:
        host.noop("the RD deployment is as the inventory says")
        return
    for step in delta.steps:
        yield step_command(step.script, user, password, step.timeout, step.title)
