"""What the lab builds for a plan, computed without touching the machine.

One network namespace per Debian host, one `core` namespace holding a bridge per zone, an
`outside` namespace for the teleworker, and one veth leg on the mgmt bridge for the controller.
Every address is inside 198.18.0.0/15; nothing routes out of the lab.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

from ferme.plan.types import Plan
from ferme.site.defaults import zone_interface

LAB_RANGE = ipaddress.IPv4Network("198.18.0.0/15")


class TopologyError(ValueError):
    pass


@dataclass(frozen=True)
class Leg:
    """One veth pair: `inner` ends up in the host namespace (renamed `name`), `outer` on a bridge."""

    zone: str
    name: str  # interface name inside the host, e.g. mgmt
    inner: str  # temporary name at creation (unique on the controller)
    outer: str  # bridge port name, in the core namespace
    address: str  # with prefix, e.g. 198.18.4.10/24


@dataclass(frozen=True)
class LabHost:
    name: str
    netns: str
    roles: tuple[str, ...]
    legs: tuple[Leg, ...]
    default_gateway: str | None
    forwarding: bool
    ssh_address: str
    routes: tuple[tuple[str, str], ...] = ()  # (network, via): to the admin zones, as the host's provisioning sets


@dataclass(frozen=True)
class LabSwitch:
    """A switch simulated by fake-switches (Cisco model), alone in its namespace on the mgmt bridge."""

    name: str
    netns: str
    leg: Leg
    address: str
    ports: tuple[str, ...]
    gateway: str | None = None


SIMULATED_VENDORS = ("cisco_ios",)


@dataclass(frozen=True)
class Topology:
    lab_id: str
    core_netns: str
    outside_netns: str
    bridges: dict[str, str]  # zone → bridge name (inside the core namespace)
    hosts: tuple[LabHost, ...]
    outside_leg: Leg | None
    controller_leg: Leg  # `inner` stays on the controller with `address`
    controller_routes: tuple[tuple[str, str], ...] = ()  # (network, via the edge): the mgmt zones, from admin
    switches: tuple[LabSwitch, ...] = field(default=())
    absent: tuple[str, ...] = field(default=())  # hosts of the plan that are not in the lab, and why

    def host(self, name: str) -> LabHost:
        return next(h for h in self.hosts if h.name == name)


def interface_name(lab_id: str, *parts: str) -> str:
    """A unique interface name of at most 15 characters."""
    digest = hashlib.sha1("/".join((lab_id, *parts)).encode()).hexdigest()[:8]
    return f"fl{digest}"


def _check_range(what: str, network: ipaddress.IPv4Network) -> None:
    if not network.subnet_of(LAB_RANGE):
        raise TopologyError(f"{what}: {network} is outside {LAB_RANGE}; the lab uses only that range")


def build_topology(plan: Plan) -> Topology:
    site = plan["site"]["name"]
    lab_id = f"fl-{site}"[:40]
    zones = plan["zones"]
    for name, zone in zones.items():
        _check_range(f"zone {name}", ipaddress.IPv4Network(zone["subnet"]))
    mgmt = [name for name, zone in zones.items() if zone["kind"] == "mgmt"]
    if not mgmt:
        raise TopologyError("the lab needs a zone of kind mgmt: the controller joins it")
    bridges = {name: f"br{i}" for i, name in enumerate(zones)}

    hosts: list[LabHost] = []
    absent: list[str] = []
    used: set[str] = set()
    for name, host in plan["hosts"].items():
        used.update(host["addresses"].values())
        if host["os"] != "debian":
            absent.append(f"{name} ({host['os']}: no {host['os'].capitalize()} in the lab, planned only)")
            continue
        legs = []
        for leg_zone, address in host["addresses"].items():
            prefix = ipaddress.IPv4Network(zones[leg_zone]["subnet"]).prefixlen
            suffix = interface_name(lab_id, name, leg_zone)
            legs.append(Leg(leg_zone, zone_interface(leg_zone), suffix + "h", suffix + "b", f"{address}/{prefix}"))
        hosts.append(
            LabHost(
                name=name,
                netns=f"{lab_id}-{name}",
                roles=tuple(host["roles"]),
                legs=tuple(legs),
                default_gateway=host["state"]["routing"]["default_gateway"],
                # /proc/sys is read-only in a container: the lab sets what the routing roles set on a real host.
                forwarding=bool({"edge_firewall", "vpn"} & set(host["roles"])),
                ssh_address=host["connection"]["address"] or "",
                routes=tuple((r["to"], r["via"]) for r in host["state"]["routing"]["routes"]),
            )
        )

    # The controller is where administration comes from: the admin zone when the site has one (it then
    # reaches the management legs through the edge), else the mgmt zone.
    admin = [name for name, zone in zones.items() if zone["kind"] == "admin"]
    home = (admin or mgmt)[0]
    home_net = ipaddress.IPv4Network(zones[home]["subnet"])
    controller = str(home_net.broadcast_address - 1)
    if controller in used:
        raise TopologyError(f"{controller} is the lab controller's address in zone {home}; no host may use it")
    suffix = interface_name(lab_id, "controller")
    controller_leg = Leg(home, suffix + "c", suffix + "c", suffix + "b", f"{controller}/{home_net.prefixlen}")
    controller_routes: tuple[tuple[str, str], ...] = ()
    if admin:
        edge = str(zones[home]["gateway"])
        controller_routes = tuple((zones[z]["subnet"], edge) for z in mgmt)

    switches = []
    for name, switch in plan.get("switches", {}).items():
        if switch["vendor"] not in SIMULATED_VENDORS:
            absent.append(f"{name} ({switch['vendor']}: no simulator, its configuration is checked as golden files)")
            continue
        zone, address = switch["management"]["zone"], switch["management"]["address"]
        prefix = ipaddress.IPv4Network(zones[zone]["subnet"]).prefixlen
        suffix = interface_name(lab_id, "switch", name)
        leg = Leg(zone, "mgmt", suffix + "h", suffix + "b", f"{address}/{prefix}")
        gateway = zones[zone]["gateway"]
        switches.append(LabSwitch(name, f"{lab_id}-{name}", leg, address, tuple(switch["ports"]),
                                  str(gateway) if gateway else None))  # fmt: skip

    outside_leg = None
    outside = [name for name, zone in zones.items() if zone["kind"] == "outside"]
    if outside and zones[outside[0]]["gateway"]:
        net = ipaddress.IPv4Network(zones[outside[0]]["subnet"])
        suffix = interface_name(lab_id, "outside")
        outside_leg = Leg(
            outside[0], "eth0", suffix + "h", suffix + "b", f"{zones[outside[0]]['gateway']}/{net.prefixlen}"
        )
    return Topology(
        lab_id=lab_id,
        core_netns=f"{lab_id}-core",
        outside_netns=f"{lab_id}-outside",
        bridges=bridges,
        hosts=tuple(hosts),
        outside_leg=outside_leg,
        controller_leg=controller_leg,
        controller_routes=controller_routes,
        switches=tuple(switches),
        absent=tuple(absent),
    )
