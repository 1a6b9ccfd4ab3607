"""The lab's topology, computed from the plan without touching the machine."""

from __future__ import annotations

import ipaddress

import pytest

from ferme.lab.topology import TopologyError, build_topology
from ferme.plan import build_plan
from ferme.site import load_site
from tests.conftest import INVENTORIES


@pytest.fixture(scope="module")
def lab_plan() -> dict:
    return build_plan(load_site(INVENTORIES / "lab", with_secrets=False))


def test_debian_hosts_only_with_one_leg_per_zone(lab_plan: dict) -> None:
    topology = build_topology(lab_plan)
    assert [h.name for h in topology.hosts] == ["lab-collab", "lab-fw", "lab-mfa", "lab-mfa2", "lab-portail", "lab-vpn"]
    assert all("no Windows in the lab" in line for line in topology.absent)
    assert len(topology.absent) == 5
    firewall = topology.host("lab-fw")
    legs = [leg.zone for leg in firewall.legs]
    assert legs == ["outside", "dmz", "servers", "users", "mgmt", "mgmt-dmz", "admin", "wan"]
    assert firewall.forwarding and firewall.default_gateway == "198.18.0.1"
    assert topology.host("lab-mfa").default_gateway == "198.18.2.1"  # via the firewall, not mgmt
    assert not topology.host("lab-mfa").forwarding


def test_interface_names_fit_the_kernel_and_are_unique(lab_plan: dict) -> None:
    topology = build_topology(lab_plan)
    names = [n for h in topology.hosts for leg in h.legs for n in (leg.inner, leg.outer)]
    names += [topology.controller_leg.inner, topology.controller_leg.outer]
    assert all(len(n) <= 15 for n in names)
    assert len(names) == len(set(names))


def test_every_address_is_in_the_test_range(lab_plan: dict) -> None:
    topology = build_topology(lab_plan)
    lab = ipaddress.IPv4Network("198.18.0.0/15")
    legs = [leg for h in topology.hosts for leg in h.legs] + [topology.controller_leg]
    assert all(ipaddress.IPv4Interface(leg.address).ip in lab for leg in legs)
    # The controller administers from the admin zone, and reaches the management legs through the edge.
    assert topology.controller_leg.address == "198.18.6.254/24"
    assert topology.controller_routes == (("198.18.4.0/24", "198.18.6.1"), ("198.18.7.0/24", "198.18.6.1"))
    assert all(ipaddress.IPv4Network(to).subnet_of(lab) for to, _ in topology.controller_routes)
    assert topology.host("lab-mfa").routes == (("198.18.6.0/24", "198.18.4.1"),)


def test_refuses_addresses_outside_the_test_range() -> None:
    plan = build_plan(load_site(INVENTORIES / "mairie-exemple", with_secrets=False))
    with pytest.raises(TopologyError, match=r"outside 198\.18\.0\.0/15"):
        build_topology(plan)
