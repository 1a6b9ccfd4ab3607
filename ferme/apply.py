"""`ferme apply`: converge the hosts of an inventory with pyinfra, one failed host never stopping the others."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ferme import op_names
from ferme.facts.batch import FactBatch, pyinfra_path
from ferme.operations.notes import details_of, notes_of
from ferme.plan.types import Plan
from ferme.progress import Progress
from ferme.pyinfra_inventory import connector_available, host_entry
from ferme.resources import farm_deploy
from ferme.site.errors import Problem
from ferme.switches.render import render_switch, rendered_vendor

SWITCHES = "switches"  # --limit switches: every switch of the site

Say = Callable[[str], None]


@dataclass
class HostResult:
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    status: str = "ok"  # ok, failed, skipped
    error: str = ""
    changed_operations: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # a switch's remediation (pushed, or to push with --dry)


@dataclass
class ApplyResult:
    hosts: dict[str, HostResult] = field(default_factory=dict)
    dry: bool = False
    fact_round_trips: dict[str, int] = field(default_factory=dict)  # per pyinfra host: fact commands sent

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.hosts.values())

    def to_json(self) -> dict[str, Any]:
        return {"dry": self.dry, "hosts": {name: asdict(r) for name, r in sorted(self.hosts.items())},
                "fact_round_trips": self.fact_round_trips}  # fmt: skip


def select_hosts(plan: Plan, limit: str | None, lab: bool = False) -> tuple[list[str], dict[str, str]]:
    """Hosts to converge (by name or role, comma separated), and those skipped with the reason."""
    wanted = {item.strip() for item in limit.split(",")} if limit else None
    if wanted:
        known = (
            set(plan["hosts"])
            | set(plan["roles"])
            | set(plan["switches"])
            | ({SWITCHES} if plan["switches"] else set())
        )
        unknown = sorted(wanted - known)
        if unknown:
            raise ValueError(f"--limit: no host or role named {', '.join(unknown)}")
    chosen: list[str] = []
    skipped: dict[str, str] = {}
    for name, host in plan["hosts"].items():
        if wanted and name not in wanted and not wanted & set(host["roles"]):
            continue
        via = host["connection"]["via"]
        if host["os"] == "appliance":
            skipped[name] = "appliance: its configuration is rendered (firewall/vendor/), ferme does not push it"
        elif not host["managed"]:
            skipped[name] = "managed: false in the inventory"
        elif lab and host["os"] != "debian":
            skipped[name] = f"{host['os']}: not in the lab (no {host['os'].capitalize()} on this machine), nothing ran"
        elif via != "ssh" and not connector_available(via):
            skipped[name] = f"{host['os']}: no {via} connector yet (nothing ran on this host)"
        else:
            chosen.append(name)
    for name, switch in plan["switches"].items():
        if wanted and name not in wanted and SWITCHES not in wanted:
            continue
        if not rendered_vendor(plan, name):
            skipped[name] = f"switch {switch['vendor']}: ferme renders no configuration for it yet"
        elif not switch["connection"].get("password_secret"):
            skipped[name] = "switch without connection.password: ferme cannot log in"
        elif not connector_available("netdev"):
            skipped[name] = "no netdev connector installed (make setup)"
        else:
            chosen.append(name)
    return chosen, skipped


def missing_for(plan: Plan, chosen: list[str], missing: dict[str, Problem]) -> list[Problem]:
    """The missing files (PFX, installers) that hosts about to be converged need: checked before any connection."""
    chosen = [name for name in chosen if name in plan["hosts"]]  # switches need no file
    needed = {c["pfx"] for name in chosen for c in plan["hosts"][name]["state"].get("certificates", [])}
    for name in chosen:
        state = plan["hosts"][name]["state"]
        fslogix = state.get("fslogix") or {}
        if fslogix.get("installer"):
            needed.add(fslogix["installer"]["path"])
        web = state.get("web_client") or {}
        needed |= {web[part]["path"] for part in ("module", "package") if web.get(part)}
        collab: dict[str, Any] = state.get("collab") or {}
        tls = collab.get("tls") or {}
        needed |= {tls[part] for part in ("certificate", "key") if tls.get(part)}
        needed |= {collab["directory"]["ca"]} if (collab.get("directory") or {}).get("ca") else set()
    return [problem for pfx, problem in missing.items() if pfx in needed]


def switch_entry(plan: Plan, name: str, lab: Any) -> tuple[str, dict[str, Any]]:
    """A switch as pyinfra sees it: `@netdev/NAME`, how to log in (the password stays a secret's name) and its
    intended configuration (secrets as placeholders: remediation leaves their lines out)."""
    switch = plan["switches"][name]
    data = {
        "netdev_hostname": switch["management"]["address"],
        "netdev_vendor": switch["vendor"],
        "netdev_user": switch["connection"]["user"],
        "netdev_port": switch["connection"]["port"],
        "netdev_password_secret": switch["connection"]["password_secret"],
        "netdev_known_hosts": str(lab.known_hosts) if lab is not None else None,
        "ferme_inventory": plan.get("inventory"),
        "ferme_switch": {"vendor": switch["vendor"], "intended": render_switch(plan, name)},
    }
    return f"@netdev/{name}", data


def host_entry_for(plan: Plan, name: str, lab: Any) -> tuple[str, dict[str, Any]]:
    """The pyinfra inventory adapter's entry, plus the lab's own SSH key and known hosts when a lab runs."""
    if name in plan["switches"]:
        return switch_entry(plan, name, lab)
    entry = host_entry(plan, name, plan.get("inventory"))
    assert entry is not None, f"{name} has no connector: select_hosts leaves such hosts out"
    pyinfra_name, data = entry
    if lab is not None and plan["hosts"][name]["connection"]["via"] == "ssh":
        data.update(
            ssh_key=str(lab.ssh_key),
            ssh_known_hosts_file=str(lab.known_hosts),
            ssh_strict_host_key_checking="yes",
        )
    return pyinfra_name, data


def apply(plan: Plan, *, dry: bool = False, limit: str | None = None, lab: Any = None,
          say: Say = print, progress: Progress | None = None) -> ApplyResult:  # fmt: skip
    """Run deploy/farm.py on the selected hosts; return per-host counts. `progress` shows the run (default: a plain
    line per host when it ends, on stderr)."""
    progress = progress or Progress(live=False)
    chosen, skipped = select_hosts(plan, limit, lab=lab is not None)
    result = ApplyResult(dry=dry)
    for name, why in skipped.items():
        result.hosts[name] = HostResult(status="skipped", error=why)
        say(f"  {name:<16} skipped: {why}")
    if not chosen:
        return result

    # pyinfra runs hosts in parallel greenlets: sockets must be cooperative before any connection.
    from gevent import monkey

    monkey.patch_all()
    from pyinfra.api.config import Config
    from pyinfra.api.connect import connect_all, disconnect_all
    from pyinfra.api.exceptions import PyinfraError
    from pyinfra.api.inventory import Inventory
    from pyinfra_cli.util import load_deploy_file

    _progress_logging(progress.verbose)
    hosts = [host_entry_for(plan, name, lab) for name in chosen]
    for name in chosen:
        progress.host_started(name, 0)
    groups: dict[str, Any] = {}
    for name, (pyinfra_name, _) in zip(chosen, hosts, strict=True):
        planned = plan["hosts"].get(name)
        for group in [*planned["roles"], planned["os"]] if planned else [SWITCHES]:
            groups.setdefault(group, ([], {}))[0].append(pyinfra_name)
    inventory = Inventory((hosts, {}), **groups)
    run = plan["run"]  # pyinfra.toml
    config = Config(PARALLEL=run["parallel"], CONNECT_TIMEOUT=run["connect_timeout"],
                    FAIL_PERCENT=None if run["fail_percent"] >= 100 else run["fail_percent"],
                    RETRY=run["retries"], RETRY_DELAY=run["retry_delay"])  # fmt: skip
    state = pyinfra_state(inventory, config, check_for_changes=True)
    errors: dict[str, str] = {}
    names: op_names.Names = {}
    batch = _fact_batch(plan)
    original = batch.install() if batch else None
    try:
        with progress:
            connect_all(state)
            if batch:
                _prefetch(state, batch)
            with op_names.recorded() as names:
                load_deploy_file(state, str(farm_deploy()))
            if not dry:
                _run_each_host(state, errors, progress, names)
            if batch:
                batch.save()
    except PyinfraError as exc:
        say(f"pyinfra stopped: {exc}")
    finally:
        # Close every connection: a WinRM shell left open counts against the server's MaxShellsPerUser.
        disconnect_all(state)
        if batch:
            batch.uninstall(original)
            result.fact_round_trips = dict(sorted(batch.round_trips.items()))
    for host in inventory:
        name = host.name.split("/", 1)[-1]  # @winrm/rds01 → rds01
        result.hosts[name] = _host_result(state, host, dry, names)
        result.hosts[name].lines = details_of(host.name)
        # The reason an operation gave (a restart declined) says more than pyinfra's "Error in operation".
        why = "; ".join(notes_of(host.name)) or errors.get(host.name, "")
        if why:
            result.hosts[name].error = why
    return result


def _fact_batch(plan: Plan) -> FactBatch | None:
    """The run's fact batch (ferme/facts/batch.py), remembered under build/<site>/facts; none without a build
    folder, or with FERME_FACT_BATCH=0 (pyinfra's path, for comparison: one command per fact, and every operation
    executed, which reads its facts again)."""
    if not plan.get("build") or pyinfra_path():
        return None
    return FactBatch(Path(plan["build"]) / "facts")


def _prefetch(state: Any, batch: FactBatch) -> None:
    """Every connected Debian host's remembered facts, one command each, hosts in parallel."""
    import gevent

    gevent.joinall([state.pool.spawn(batch.prefetch, state, host) for host in state.inventory.get_active_hosts()])


def pyinfra_state(inventory: Any, config: Any, *, check_for_changes: bool) -> Any:
    """pyinfra's State for `inventory`, made current (operations and facts look it up in the context)."""
    from pyinfra.api.state import State
    from pyinfra.context import ctx_config, ctx_inventory, ctx_state

    state = State(check_for_changes=check_for_changes)
    ctx_state.set(state)
    ctx_config.set(config)
    ctx_inventory.set(inventory)
    state.init(inventory, config)
    return state


def _run_each_host(state: Any, errors: dict[str, str], progress: Progress, names: op_names.Names) -> None:
    """Every host runs its own operations in order, in parallel, without waiting for the others:
    a host that fails or vanishes stops there, the others go on to the end. Only the host's own operations are
    walked (pyinfra's runner walks every host's, logging "Skipped" for the others)."""
    import gevent
    from pyinfra.api.exceptions import PyinfraError
    from pyinfra.api.operations import _run_host_op_with_context  # pyinfra is pinned: its per-operation runner

    fast = not pyinfra_path()

    def run(host: Any) -> None:
        name = host.name.split("/", 1)[-1]
        own = [op_hash for op_hash in state.get_op_order() if op_hash in state.ops.get(host, {})]
        progress.host_started(name, len(own))
        changed_here = False
        try:
            for op_hash in own:
                label = op_names.label(names, state, host, op_hash)
                progress.operation_started(name, label)
                meta = state.ops[host][op_hash].operation_meta
                if fast and not changed_here and meta._maybe_is_change is False:
                    # Prepared against the host as the run found it, nothing has changed on it since, and the
                    # operation had nothing to do: running it again would only re-read its facts.
                    _unchanged(state, host, op_hash)
                    progress.operation_done(name, label, changed=False, failed=False)
                    continue
                succeeded = _run_host_op_with_context(state, host, op_hash)
                changed = bool(succeeded) and meta.is_complete() and meta.did_change()
                changed_here = changed_here or changed
                progress.operation_done(name, label, changed=changed, failed=succeeded is False)
                if succeeded is False:
                    raise PyinfraError(f"Error in operation {label} on {host}")
        except Exception as exc:  # a lost connection surfaces as EOFError, OSError, SSHException...
            errors[host.name] = f"{type(exc).__name__}: {exc}".strip().rstrip(":")[:200]
        progress.host_finished(name, errors.get(host.name, ""))

    from pyinfra.context import ctx_state

    state.is_executing = True  # as pyinfra's run_ops: `_if` conditions are evaluated from now on
    with ctx_state.use(state):
        gevent.joinall([state.pool.spawn(run, host) for host in state.inventory.get_active_hosts()])


def _unchanged(state: Any, host: Any, op_hash: str) -> None:
    """An operation complete with nothing done, as pyinfra records one whose commands were none."""
    from pyinfra.connectors.util import CommandOutput

    state.trigger_callbacks("operation_host_start", host, op_hash)
    state.ops[host][op_hash].operation_meta.set_complete(True, [], CommandOutput([]))
    results = state.get_results_for_host(host)
    results.ops += 1
    results.success_ops += 1
    state.trigger_callbacks("operation_host_success", host, op_hash, 0)


def _host_result(state: Any, host: Any, dry: bool, names: op_names.Names) -> HostResult:
    outcome = HostResult()
    if host in state.failed_hosts and not state.ops.get(host):
        return HostResult(failed=1, status="failed", error="could not connect or prepare operations")
    for op_hash, op in state.ops.get(host, {}).items():
        meta = op.operation_meta
        name = op_names.label(names, state, host, op_hash)
        if dry:
            if meta._maybe_is_change:
                outcome.changed += 1
            else:
                outcome.unchanged += 1
            continue
        if not meta.is_complete():
            outcome.failed += 1
        elif meta.did_succeed(_raise_if_not_complete=False):
            if meta.did_change():
                outcome.changed += 1
                outcome.changed_operations.append(name)
            else:
                outcome.unchanged += 1
        else:
            outcome.failed += 1
    if outcome.failed or host in state.failed_hosts:
        outcome.status = "failed"
        outcome.failed = max(outcome.failed, 1)
    return outcome


# pyinfra's per-operation and per-connection lines: ferme's progress says them (kept with -v)
ROUTINE = re.compile(
    r"^(\x1b\[[0-9;]*m)*(--> |\[[^]]+\]\s+(\x1b\[[0-9;]*m)*(Success|No changes|Skipped|Connected|Ready:))"
)


BETA = re.compile(r"operation is currently in beta")


class _Routine(logging.Filter):
    def __init__(self, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.verbose:
            return True
        if BETA.search(message):  # pyinfra's note about its own API (files.block), not about the site
            return False
        return record.levelno > logging.INFO or not ROUTINE.match(message)


def _progress_logging(verbose: bool) -> None:
    """pyinfra's own log on stderr: every line with -v (its per-operation [host] Success / No changes), else what
    is not routine (a role's remark, warnings, errors): ferme's progress says the rest."""
    from pyinfra.api.output import set_echo, set_formatter

    set_formatter(lambda text, *args, **kwargs: text)
    set_echo(lambda message=None, **kwargs: print(message or "", file=sys.stderr))
    logger = logging.getLogger("pyinfra")
    for handler in [h for h in logger.handlers if getattr(h, "ferme", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(_Routine(verbose))
    handler.ferme = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
