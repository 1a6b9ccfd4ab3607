"""Role edge_firewall: the confirmed ruleset runs, forwarding is on, no rollback is pending."""

from __future__ import annotations

from typing import Any

import pytest

from ferme.operations import nft_commit

pytestmark = pytest.mark.role("edge_firewall")


def test_confirmed_ruleset_is_running(linux_host: Any) -> None:
    running = linux_host.check_output(nft_commit.ACTIVE_SUM_COMMAND)
    assert running == linux_host.file(nft_commit.ACTIVE_SUM).content_string.strip()
    assert linux_host.file(nft_commit.BOOT_RULESET).contains("Managed by ferme")
    assert linux_host.service("nftables").is_enabled


def test_default_drop_on_input_and_forward(linux_host: Any) -> None:
    ruleset = linux_host.check_output("nft list table inet ferme")
    assert "hook input priority filter; policy drop;" in ruleset
    assert "hook forward priority filter; policy drop;" in ruleset


def test_no_rollback_pending(linux_host: Any) -> None:
    assert linux_host.run(f"systemctl is-active {nft_commit.ROLLBACK_UNIT}.timer").stdout.strip() != "active"


def test_routing_and_routes(linux_host: Any, planned: dict[str, Any]) -> None:
    assert linux_host.sysctl("net.ipv4.ip_forward") == 1
    assert linux_host.sysctl("net.ipv4.conf.all.send_redirects") == 0
    routes = linux_host.check_output("ip route")
    for route in planned["state"]["firewall"]["routes"]:
        assert f"{route['to']} via {route['via']}" in routes
    addresses = linux_host.check_output("ip -o addr")
    for public in planned["state"]["firewall"]["public_addresses"]:
        assert public["address"] in addresses
