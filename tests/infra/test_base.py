"""Role base, on every Debian host: what the base role promises, read back from the host."""

from __future__ import annotations

import json
from typing import Any

import pytest


def test_hostname(linux_host: Any, planned: dict[str, Any]) -> None:
    assert linux_host.check_output("hostname") == planned["state"]["hostname"]


def test_time_zone(linux_host: Any, planned: dict[str, Any]) -> None:
    target = linux_host.check_output("readlink -f /etc/localtime")
    assert target.endswith("/zoneinfo/" + planned["state"]["timezone"])


def test_locale(linux_host: Any, planned: dict[str, Any]) -> None:
    locale = planned["state"]["locale"]
    available = linux_host.check_output("locale -a").split()
    assert locale.replace("UTF-8", "utf8") in available
    assert linux_host.file("/etc/default/locale").content_string.strip() == f"LANG={locale}"


def test_time_sync(linux_host: Any, planned: dict[str, Any]) -> None:
    chrony = linux_host.service("chrony")
    assert chrony.is_running and chrony.is_enabled
    sources = linux_host.check_output("chronyc -n sources")
    for server in planned["state"]["ntp_servers"]:
        assert server in sources


def _sshd(linux_host: Any) -> dict[str, str]:
    lines = linux_host.check_output("sshd -T").splitlines()
    return {key: value for key, _, value in (line.partition(" ") for line in lines)}


def test_ssh_keys_only(linux_host: Any, planned: dict[str, Any]) -> None:
    sshd = _sshd(linux_host)
    assert not planned["state"]["ssh"]["password_authentication"]
    assert sshd["passwordauthentication"] == "no"
    assert sshd["kbdinteractiveauthentication"] == "no"
    assert sshd["permitrootlogin"] == "without-password"
    assert sshd["permitemptypasswords"] == "no"


def test_ssh_modern_algorithms_only(linux_host: Any, planned: dict[str, Any]) -> None:
    sshd = _sshd(linux_host)
    ssh = planned["state"]["ssh"]
    assert sshd["kexalgorithms"].split(",") == ssh["algorithms"]["kex"]
    assert sshd["ciphers"].split(",") == ssh["algorithms"]["ciphers"]
    assert sshd["macs"].split(",") == ssh["algorithms"]["macs"]
    assert not linux_host.file("/etc/ssh/ssh_host_ecdsa_key").exists
    bits = linux_host.check_output("ssh-keygen -l -f /etc/ssh/ssh_host_rsa_key.pub").split()[0]
    assert int(bits) >= ssh["rsa_host_key_bits"]
    weak_moduli = linux_host.check_output("awk '$5 < 3071' /etc/ssh/moduli | wc -l")
    assert weak_moduli == "0"


def test_unattended_security_upgrades(linux_host: Any) -> None:
    assert linux_host.package("unattended-upgrades").is_installed
    periodic = linux_host.file("/etc/apt/apt.conf.d/20auto-upgrades").content_string
    assert 'APT::Periodic::Unattended-Upgrade "1";' in periodic
    config = linux_host.check_output("apt-config dump APT::Periodic::Unattended-Upgrade")
    assert '"1"' in config


def test_persistent_journal(linux_host: Any) -> None:
    config = linux_host.check_output("systemd-analyze cat-config systemd/journald.conf")
    assert "Storage=persistent" in config
    machine_id = linux_host.file("/etc/machine-id").content_string.strip()
    assert linux_host.file(f"/var/log/journal/{machine_id}").is_directory


def test_admins(linux_host: Any, planned: dict[str, Any]) -> None:
    for admin in planned["state"]["admins"]:
        user = linux_host.user(admin["name"])
        assert user.exists and user.shell == "/bin/bash"
        keys = linux_host.file(f"/home/{admin['name']}/.ssh/authorized_keys")
        written = keys.content_string if keys.exists else ""
        assert sorted(filter(None, written.splitlines())) == sorted(admin["ssh_keys"])
    assert linux_host.run("visudo -cf /etc/sudoers.d/ferme-admins").rc == 0


def test_resolver(linux_host: Any, planned: dict[str, Any]) -> None:
    resolv = linux_host.file("/etc/resolv.conf").content_string
    assert [line.split()[1] for line in resolv.splitlines() if line.startswith("nameserver")] == planned["state"][
        "dns_servers"
    ]


def test_policy_routing(linux_host: Any, planned: dict[str, Any]) -> None:
    """What leaves from an address (or the VPN pool) leaves by that address's leg and its gateway."""
    tables = planned["state"]["routing"]["tables"]
    rules = linux_host.check_output("ip -4 rule show").splitlines()
    for t in tables:
        assert f"{t['priority']}:\tfrom {t['source']} lookup {t['table']}" in rules
        routes = linux_host.check_output(f"ip -4 route show table {t['table']}")
        assert f"default via {t['gateway']} " in routes + " "
        if t["subnet"]:
            assert routes.startswith(t["subnet"]) or f"\n{t['subnet']} " in routes
    main = linux_host.check_output("ip -4 route show")
    for route in planned["state"]["routing"]["routes"]:  # to the admin zones, by the management leg
        assert f"{route['to']} via {route['via']} " in main + " "
    if not tables and not planned["state"]["routing"]["routes"]:
        assert not linux_host.file("/usr/local/sbin/ferme-routing").exists


def test_apt_goes_out_the_way_the_inventory_says(linux_host: Any, planned: dict[str, Any]) -> None:
    """outbound.apt: through the proxy or an apt-cacher-ng mirror (Acquire::http::Proxy), else directly."""
    proxy = planned["state"].get("apt_proxy")
    dumped = linux_host.check_output("apt-config dump Acquire::http::Proxy")
    if proxy:
        assert f'Acquire::http::Proxy "{proxy}";' in dumped
    else:
        assert "Acquire::http::Proxy" not in dumped


def test_the_journal_goes_to_the_collector(linux_host: Any, planned: dict[str, Any]) -> None:
    """outbound.syslog: rsyslog forwards everything to the site's collector."""
    collector = planned["state"].get("syslog")
    forward = linux_host.file("/etc/rsyslog.d/90-ferme-forward.conf")
    if not collector:
        assert not forward.exists
        return
    assert linux_host.service("rsyslog").is_running
    assert f'target="{collector["address"]}" port="{collector["port"]}"' in forward.content_string


def test_host_firewall_is_the_planned_one(
    linux_host: Any, planned: dict[str, Any], plan: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Every managed Debian host but the edge filters what reaches it: ferme's table, one rule per flow."""
    from ferme.render.host_nftables import host_rules

    if planned["state"].get("host_firewall") is None:
        return  # the edge filters itself: tests/infra/test_edge_firewall.py
    name = request.node.callspec.params["linux_host"]
    listing = json.loads(linux_host.check_output("nft -j list chain inet ferme input"))
    chain = next(item["chain"] for item in listing["nftables"] if "chain" in item)
    assert chain["policy"] == "drop"
    comments = {item["rule"]["comment"] for item in listing["nftables"] if "comment" in item.get("rule", {})}
    flows = {rule["id"] for rule in host_rules(plan, name)}  # type: ignore[arg-type]
    assert flows and comments >= flows, sorted(flows - comments)
    assert any(c.startswith("management/ssh/") for c in comments)
