"""The role catalogue is the one place a role is described: everything else derives from it."""

from __future__ import annotations

import typing

import pytest

from ferme import catalogue
from ferme.catalogue import CATALOGUE, host_roles, role_deploy
from ferme.site import schema


def test_schema_role_list_is_the_catalogue() -> None:
    assert typing.get_args(schema.HostSettings.model_fields["roles"].annotation) != ()
    literal = typing.get_args(schema.HostSettings.model_fields["roles"].annotation)[0]
    assert typing.get_args(literal) == catalogue.INVENTORY_ROLES
    assert "base" not in catalogue.INVENTORY_ROLES and "windows_host" not in catalogue.INVENTORY_ROLES


def test_host_roles_in_deploy_order_with_the_os_role_first() -> None:
    assert host_roles("debian", ["mfa", "edge_firewall"]) == ["base", "edge_firewall", "mfa"]
    assert host_roles("windows", ["rds_gateway", "rds_broker", "directory"]) == [
        "windows_host", "directory", "rds_broker", "rds_gateway"]  # fmt: skip


@pytest.mark.parametrize("role", list(CATALOGUE))
def test_every_role_has_a_deploy(role: str) -> None:
    assert callable(role_deploy(role))


def test_need_conditions_are_predicates_on_the_site(copy_example) -> None:
    from ferme.plan.flows import derive_flows
    from ferme.site import load_site

    inventory = copy_example("mairie-exemple", secrets=False)
    site = load_site(inventory, with_secrets=False)
    # The gateway asks nothing of the MFA server (it cannot pass a code); the portal does, over HTTPS.
    assert not [f for f in derive_flows(site) if f.id == "rds_gateway/radius/mfa"]
    assert [f for f in derive_flows(site) if f.id == "portal/https/mfa"]
    assert not [f for f in derive_flows(site) if f.id == "rds_gateway/https/outside"]
    services = inventory / "services.yml"
    services.write_text(services.read_text().replace("mfa: [vpn, portal]", "mfa: [portal]"))
    (inventory / "zz.yml").write_text("vpn:\n  mfa: false\n")
    site = load_site(inventory, with_secrets=False)
    assert not [f for f in derive_flows(site) if f.id == "vpn/radius/mfa"]
