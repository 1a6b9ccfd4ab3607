"""`ferme lab up | down | status`: the Debian hosts of an inventory, for real, on this machine."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ferme.lab import machines, mirrors, network, switches
from ferme.lab.image import ensure_base_image
from ferme.lab.paths import cache_dir, layers_dir, run_dir
from ferme.lab.system import LabError, require, run
from ferme.lab.topology import Topology, TopologyError, build_topology
from ferme.plan.types import Plan

Say = Callable[[str], None]


@dataclass(frozen=True)
class LabAccess:
    """How the controller reaches a running lab's hosts over SSH."""

    ssh_key: Path
    known_hosts: Path
    controller: str


def controller_key() -> Path:
    key = cache_dir() / "ssh" / "id_ed25519"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ferme-lab-controller", "-f", str(key)])
    return key


def _lab_packages(plan: Plan) -> list[str]:
    """What every Debian host gets from the base role goes into the image; a role's own packages come
    through the apt proxy when the role is applied (in the image, their services would run everywhere)."""
    from ferme.catalogue import spec

    return sorted(spec("base").packages)


def _check_machine() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, overlay mounts, systemd-nspawn)")
    require("ip", "systemd-nspawn", "ssh-keygen", "mount")
    if Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() != "0":
        raise LabError(
            "IP forwarding is on on this controller; the lab must not route out (sysctl net.ipv4.ip_forward=0)"
        )


def up(
    plan: Plan, inventory: Path, say: Say = print, switch_passwords: dict[str, str] | None = None
) -> dict[str, float]:
    """Build (or complete) the lab of `plan`; return timings. Idempotent.

    `switch_passwords`: the inventory's secrets for the switches' logins (else random, per lab).
    """
    _check_machine()
    topology = build_topology(plan)
    timings: dict[str, float] = {}
    started = time.monotonic()
    base = ensure_base_image(_lab_packages(plan), say)
    timings["image"] = time.monotonic() - started
    key = controller_key()
    state_dir = run_dir(topology.lab_id)
    state_dir.mkdir(parents=True, exist_ok=True)
    _write_state(topology, inventory, key)
    step = time.monotonic()
    network.build_network(topology)
    timings["network"] = time.monotonic() - step
    controller = topology.controller_leg.address.split("/")[0]
    apt_proxy = mirrors.start_apt_proxy(topology.lab_id, controller)
    python_index = mirrors.start_python_index(topology.lab_id, controller)
    say(f"  packages for the hosts: apt through {apt_proxy}, pip through {python_index}")
    step = time.monotonic()
    known: list[str] = []
    for host in topology.hosts:
        host_key = machines.prepare(topology, host, base, key, apt_proxy, python_index)
        addresses = ",".join(leg.address.split("/")[0] for leg in host.legs)
        known.append(f"{addresses} {host_key}\n")
        was_running = machines.running_pid(topology, host) is not None
        machines.start(topology, host)
        say(f"  {host.name:<16} {'running' if was_running else 'booting'}  {host.ssh_address}  netns {host.netns}")
    for switch in topology.switches:
        user = plan["switches"][switch.name]["connection"]["user"]
        how = switches.start(topology, switch, user, (switch_passwords or {}).get(switch.name))
        known.append(f"{switch.address} {switches.host_key()}\n")
        say(f"  {switch.name:<16} running  {how}")
    (state_dir / "known_hosts").write_text("".join(known))
    for host in topology.hosts:
        seconds = machines.wait_for_ssh(host.ssh_address)
        say(f"  {host.name:<16} SSH ready after {seconds:.1f} s")
    timings["hosts"] = time.monotonic() - step
    for line in topology.absent:
        say(f"  not in the lab: {line}")
    return timings


def _write_state(topology: Topology, inventory: Path, key: Path) -> None:
    state = {
        "lab_id": topology.lab_id,
        "inventory": str(inventory.resolve()),
        "controller": topology.controller_leg.address.split("/")[0],
        "ssh_key": str(key.resolve()),
        "known_hosts": str((run_dir(topology.lab_id) / "known_hosts").resolve()),
    }
    (run_dir(topology.lab_id) / "state.json").write_text(json.dumps(state, indent=2) + "\n")


def access(plan: Plan) -> LabAccess | None:
    """SSH settings for a running lab of this plan's site, or None when no lab runs (or the site cannot be one)."""
    try:
        topology = build_topology(plan)
    except TopologyError:
        return None  # a real site's addresses: not a lab
    state_file = run_dir(topology.lab_id) / "state.json"
    if not state_file.exists():
        return None
    state = json.loads(state_file.read_text())
    return LabAccess(Path(state["ssh_key"]), Path(state["known_hosts"]), state["controller"])


def down(plan: Plan, say: Say = print) -> None:
    """Stop every host, unmount every layer, delete every namespace, link, cgroup and file of this lab."""
    if os.geteuid() != 0:
        raise LabError("the lab needs root")
    topology = build_topology(plan)
    mirrors.stop_mirrors(topology.lab_id)
    switches.stop_all(topology)
    for host in topology.hosts:
        if machines.running_pid(topology, host):
            say(f"  {host.name:<16} stopping")
            machines.halt(topology, host)  # all halt at once, then each is waited for
    for host in topology.hosts:
        machines.stop(topology, host)
    machines.remove_layers(topology)
    network.remove_network(topology)
    run(["rm", "-rf", str(run_dir(topology.lab_id))])
    for host in topology.hosts:
        # systemd-nspawn leaves its propagation directory behind
        run(["rm", "-rf", f"/run/systemd/nspawn/propagate/{host.name}"], check=False)


def status(plan: Plan) -> dict[str, Any]:
    topology = build_topology(plan)
    hosts = []
    for name, planned in plan["hosts"].items():
        entry: dict[str, Any] = {
            "name": name,
            "os": planned["os"],
            "roles": planned["roles"],
            "addresses": planned["addresses"],
        }
        if planned["os"] != "debian":
            entry.update(netns=None, state="not-in-lab", why="no Windows in the lab: planned and rendered only")
        else:
            host = topology.host(name)
            pid = machines.running_pid(topology, host)
            entry.update(netns=host.netns, state="running" if pid else "stopped", pid=pid)
        hosts.append(entry)
    simulated = {s.name: s for s in topology.switches}
    switch_rows = []
    for name, switch in plan["switches"].items():
        row: dict[str, Any] = {"name": name, "vendor": switch["vendor"], "address": switch["management"]["address"]}
        if name in simulated:
            pid = switches.running(topology, simulated[name])
            row.update(netns=simulated[name].netns, state="running" if pid else "stopped", simulator="fake-switches")
        else:
            row.update(netns=None, state="not-in-lab", why="no simulator for this vendor: golden configs only")
        switch_rows.append(row)
    return {
        "lab_id": topology.lab_id,
        "switches": switch_rows,
        "outside_netns": topology.outside_netns if topology.outside_leg else None,
        "core_netns": topology.core_netns,
        "controller": topology.controller_leg.address,
        "layers": str(layers_dir(topology.lab_id)),
        "hosts": hosts,
    }
