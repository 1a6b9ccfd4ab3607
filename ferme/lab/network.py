"""The lab's namespaces, bridges and veth legs (iproute2). Each step checks first: `up` is idempotent."""

from __future__ import annotations

from pathlib import Path

from ferme.lab.system import run
from ferme.lab.topology import Leg, Topology

NETNS_DIR = Path("/run/netns")
CONNTRACK_FROM_BOOT = (
    "table inet lab-conntrack {}\ndelete table inet lab-conntrack\ntable inet lab-conntrack {\n\tchain track {\n"
    "\t\ttype filter hook prerouting priority raw + 1; policy accept;\n\t\tct state new counter\n\t}\n}\n"
)
DEBIAN_SYSCTLS = ["net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.default.rp_filter=2"]


def netns_exists(name: str) -> bool:
    return (NETNS_DIR / name).exists()


def link_exists(name: str, netns: str | None = None) -> bool:
    where = ["-n", netns] if netns else []
    return bool(run(["ip", *where, "-o", "link", "show", "dev", name], check=False).strip())


def add_netns(name: str) -> None:
    if not netns_exists(name):
        run(["ip", "netns", "add", name])
        run(["ip", "-n", name, "link", "set", "lo", "up"])


def add_leg(leg: Leg, netns: str | None, core: str, bridge: str) -> None:
    """A veth pair: one end named leg.name in `netns` (or on the controller), the other on `bridge`."""
    if link_exists(leg.name if netns else leg.inner, netns):
        return
    run(["ip", "link", "add", leg.inner, "type", "veth", "peer", "name", leg.outer])
    run(["ip", "link", "set", leg.outer, "netns", core])
    run(["ip", "-n", core, "link", "set", leg.outer, "master", bridge, "up"])
    if netns:
        run(["ip", "link", "set", leg.inner, "netns", netns])
        run(["ip", "-n", netns, "link", "set", leg.inner, "name", leg.name])
        run(["ip", "-n", netns, "addr", "add", leg.address, "dev", leg.name])
        run(["ip", "-n", netns, "link", "set", leg.name, "up"])
    else:
        run(["ip", "addr", "add", leg.address, "dev", leg.inner])
        run(["ip", "link", "set", leg.inner, "up"])


def build_network(topology: Topology) -> None:
    core = topology.core_netns
    add_netns(core)
    for bridge in topology.bridges.values():
        if not link_exists(bridge, core):
            run(["ip", "-n", core, "link", "add", bridge, "type", "bridge"])
            run(["ip", "-n", core, "link", "set", bridge, "up"])
    for host in topology.hosts:
        add_netns(host.netns)
        # Debian's own defaults (systemd's 50-default.conf), which systemd-sysctl cannot write inside the
        # containers: loose reverse-path filtering, as on a real Debian host.
        run(["ip", "netns", "exec", host.netns, "sysctl", "-q", "-w", *DEBIAN_SYSCTLS])
        for leg in host.legs:
            add_leg(leg, host.netns, core, topology.bridges[leg.zone])
        if host.default_gateway:
            run(["ip", "-n", host.netns, "route", "replace", "default", "via", host.default_gateway])
        for to, via in host.routes:  # what a real host's provisioning sets: ferme comes from the admin zone
            run(["ip", "-n", host.netns, "route", "replace", to, "via", via])
        if host.forwarding:
            # /proc/sys/net is read-only inside the containers (nspawn with an existing namespace): the lab
            # sets the edge's routing parameters from outside; the edge_firewall role checks them and
            # writes their persistent configuration, as it sets them on a real host.
            keys = [
                "net.ipv4.ip_forward=1",
                "net.ipv4.conf.all.send_redirects=0",
                "net.ipv4.conf.default.send_redirects=0",
            ]
            keys += [f"net.ipv4.conf.{leg.name}.send_redirects=0" for leg in host.legs]
            run(["ip", "netns", "exec", host.netns, "sysctl", "-q", "-w", *keys])
            # Connection tracking from the start, as on an edge that has been filtering for a while: the
            # administrators' sessions cross this edge, and a session that conntrack first meets in mid-stream
            # (when the first ruleset loads) can be judged out of window and dropped as invalid — the
            # transfer then hangs. A table of the lab's own, which ferme's `table inet ferme` leaves alone.
            run(["ip", "netns", "exec", host.netns, "nft", "-f", "-"], input=CONNTRACK_FROM_BOOT)
    for switch in topology.switches:
        add_netns(switch.netns)
        add_leg(switch.leg, switch.netns, core, topology.bridges[switch.leg.zone])
        if switch.gateway:
            run(["ip", "-n", switch.netns, "route", "replace", "default", "via", switch.gateway])
    if topology.outside_leg:
        add_netns(topology.outside_netns)
        add_leg(topology.outside_leg, topology.outside_netns, core, topology.bridges[topology.outside_leg.zone])
    add_leg(topology.controller_leg, None, core, topology.bridges[topology.controller_leg.zone])
    for to, via in topology.controller_routes:  # lab networks only, through the lab's edge: nothing routes out
        run(["ip", "route", "replace", to, "via", via, "dev", topology.controller_leg.inner])


def lab_namespaces(lab_id: str) -> list[str]:
    """Every namespace of this lab, including leftovers of an interrupted run."""
    if not NETNS_DIR.exists():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir() if p.name.startswith(f"{lab_id}-"))


def remove_network(topology: Topology) -> None:
    """Deleting a namespace deletes its interfaces and their veth peers; the controller leg goes last."""
    for name in lab_namespaces(topology.lab_id):
        run(["ip", "netns", "delete", name], check=False)
    if link_exists(topology.controller_leg.inner):
        run(["ip", "link", "delete", topology.controller_leg.inner], check=False)
