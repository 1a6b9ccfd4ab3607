"""Flows a real site needs and flows it must not have (issue 11, points 3, 4 and 5).

Point 3: outbound flows by the inventory's choice (direct, proxy, mirror); point 4: the inside flows that
were missing; point 5: flows that were too broad. The lab tests send the packets for the outbound flows
and ICMP (tests/lab/test_2_firewall.py); these pin the contracts, the edge rules and the Windows rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferme.plan import build_plan
from ferme.render.artifacts import render_artifacts
from ferme.render.nftables import render_edge_ruleset
from ferme.site import load_site
from tests.conftest import INVENTORIES
from tests.unit.test_broken_inventories import _break
from tests.unit.test_check_defects import _problems


def _plan(folder: Path) -> dict:
    return build_plan(load_site(folder, with_secrets=False))  # type: ignore[return-value]


def _flow(plan: dict, flow_id: str) -> dict:
    return next(f for f in plan["flows"] if f["id"] == flow_id)


def _rules(plan: dict, flow_id: str) -> set[tuple[str, str]]:
    return {(r["protocol"], r["ports"]) for r in _flow(plan, flow_id)["rules"]}


def _edge(plan: dict, flow_id: str) -> list[dict]:
    return [r for r in plan["edge"]["forward"] if r["id"] == flow_id]


DEPARTEMENT = _plan(INVENTORIES / "departement-exemple")
MAIRIE = _plan(INVENTORIES / "mairie-exemple")


# --- point 3: outbound flows ------------------------------------------------------------------------


def test_the_dcs_forward_dns_to_the_named_servers_and_take_time_from_the_internet() -> None:
    dns = _flow(DEPARTEMENT, "outbound/dns/directory")
    assert dns["source"]["hosts"] == ["dc01", "dc02"] and dns["destination"]["kind"] == "internet"
    assert [r["destinations"] for r in _edge(DEPARTEMENT, dns["id"])] == [["203.0.113.53", "203.0.113.54"]] * 2
    ntp = _edge(DEPARTEMENT, "outbound/ntp/directory")
    assert ntp and all(r["out_interfaces"] == ["outside"] and r["destinations"] == [] for r in ntp)


def test_departement_updates_go_through_its_mirrors_and_the_web_through_its_proxy() -> None:
    plan = DEPARTEMENT
    wsus = _flow(plan, "outbound/windows-update/mirror")
    assert wsus["destination"]["addresses"] == ["10.20.10.41"] and _rules(plan, wsus["id"]) == {("tcp", "8530")}
    windows = {h for h, info in plan["hosts"].items() if info["os"] == "windows"}
    assert set(wsus["source"]["hosts"]) == windows
    apt = _flow(plan, "outbound/apt/mirror")
    assert _rules(plan, apt["id"]) == {("tcp", "3142")}
    assert set(apt["source"]["hosts"]) == {h for h, info in plan["hosts"].items() if info["os"] == "debian"}
    for flow_id in ("outbound/web/users-siege", "outbound/web/users-sites", "outbound/web/rds_session_host",
                    "outbound/crl/proxy", "outbound/licensing/proxy"):  # fmt: skip
        assert _flow(plan, flow_id)["destination"]["addresses"] == ["10.20.10.40"], flow_id
        assert _rules(plan, flow_id) == {("tcp", "3128")}, flow_id
    # Only the proxy and the mirrors go out on 80/443; no agent, no session host goes out directly.
    direct = {
        r["id"]
        for r in plan["edge"]["forward"]
        if r.get("out_interfaces") == ["outside"] and r["protocol"] == "tcp" and r["id"].startswith("outbound/")
    }
    assert direct == {"outbound/proxy/internet", "outbound/windows-update-mirror/internet",
                      "outbound/apt-mirror/internet", "outbound/dns/directory"}  # fmt: skip
    syslog = {f["id"]: f for f in plan["flows"] if f["id"].startswith("outbound/syslog/")}
    assert set(syslog) == {"outbound/syslog/debian", "outbound/syslog/switches"}
    assert all(_rules(plan, i) == {("udp", "514")} for i in syslog)


def test_mairie_goes_out_directly_by_default() -> None:
    rules = {r["id"]: r for r in MAIRIE["edge"]["forward"] if r["id"].startswith("outbound/")}
    assert {"outbound/apt/internet", "outbound/windows-update/internet", "outbound/web/users",
            "outbound/crl/internet", "outbound/licensing/internet"} <= set(rules)  # fmt: skip
    assert all(r["out_interfaces"] == ["outside"] for r in rules.values())
    ruleset = render_edge_ruleset(MAIRIE)  # type: ignore[arg-type]
    assert ruleset and 'ip saddr 10.50.20.0/24 oifname "outside" tcp dport { 80, 443 }' in ruleset


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  web: {via: proxy}\n", "  web: {via: mirror}\n", "outbound.web.via: web cannot go via mirror"),
        ("  proxy: {address: 10.20.10.40, port: 3128}        # proxy web du Département\n", "",
         "outbound.web.via: web goes via the proxy but the site names none"),
        ("{via: mirror, address: 10.20.10.42, port: 3142}", "{via: mirror}",
         "outbound.apt.via: apt goes via a mirror without its address"),
    ],
)  # fmt: skip
def test_an_impossible_way_out_is_refused(old, new, message, copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "network.yml", old, new)
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any(p.startswith(f"{folder}/network.yml:") and message in p for p in problems), problems


# --- point 4: inside flows that were missing ----------------------------------------------------------


def test_every_windows_member_takes_its_time_from_the_dcs() -> None:
    ntp = _flow(DEPARTEMENT, "windows_host/ntp/directory")
    members = {h for h, info in DEPARTEMENT["hosts"].items() if info["os"] == "windows"} - {"dc01", "dc02"}
    assert set(ntp["source"]["hosts"]) == members and _rules(DEPARTEMENT, ntp["id"]) == {("udp", "123")}
    script = render_artifacts(DEPARTEMENT)["windows/dc01/firewall.ps1"]  # type: ignore[arg-type]
    assert "ferme-windows_host-ntp-directory-udp" in script


def test_rdp_has_its_udp_transport_and_the_gateway_uses_it() -> None:
    for flow_id in (
        "rds_session_host/rdp/users-siege",
        "rds_gateway/rdp/rds_session_host",
        "rds_broker/rdp/users-siege",
    ):
        assert _rules(DEPARTEMENT, flow_id) == {("tcp", "3389"), ("udp", "3389")}, flow_id


def test_the_broker_deploys_every_rds_server_and_reaches_its_sql_server() -> None:
    for role in ("rds_session_host", "rds_web", "rds_gateway", "rds_licensing"):
        flow = _flow(DEPARTEMENT, f"rds_broker/rds-deployment/{role}")
        assert flow["source"]["hosts"] == ["cb01", "cb02"]
        assert {("tcp", "445"), ("tcp", "5985"), ("tcp", "135")} <= _rules(DEPARTEMENT, flow["id"]), role
    sql = _flow(DEPARTEMENT, "rds_broker/sql/rds_database")
    assert sql["destination"]["hosts"] == ["sql01"] and _rules(DEPARTEMENT, sql["id"]) == {("tcp", "1433")}
    script = render_artifacts(DEPARTEMENT)["windows/sql01/firewall.ps1"]  # type: ignore[arg-type]
    assert "-LocalPort @('1433') -RemoteAddress @('10.20.10.11', '10.20.10.12')" in script


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("database_server: sql01", "database_server: sql01.ad.departement-exemple.fr",
         "rds.broker_ha.database_server: 'sql01.ad.departement-exemple.fr' is not a host of the inventory"),
        ("    roles: [rds_database]\n", "", "rds.broker_ha.database_server: sql01 does not have the rds_database role"),
    ],
)  # fmt: skip
def test_the_brokers_database_is_a_host_of_the_inventory(old, new, message, copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    for name in ("services.yml", "hosts.yml"):
        if old in (folder / name).read_text():
            _break(folder, name, old, new)
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any(message in p for p in problems), problems


def test_mfa_and_collab_read_the_directory_over_ldaps_and_radius_accounts() -> None:
    for flow_id in ("mfa/ldaps/directory", "collab/ldaps/directory"):
        assert _rules(DEPARTEMENT, flow_id) == {("tcp", "636"), ("tcp", "3269")}
    assert _rules(DEPARTEMENT, "vpn/radius/mfa") == {("udp", "1812"), ("udp", "1813")}


# --- point 5: flows that were too broad ---------------------------------------------------------------


def test_dmz_members_reach_the_dcs_on_pinned_rpc_ports_only() -> None:
    for flow_id in ("rds_gateway/active-directory-dmz/directory", "rds_web/active-directory-dmz/directory"):
        rules = _rules(DEPARTEMENT, flow_id)
        assert ("tcp", "49152-65535") not in rules and {("tcp", "50100"), ("tcp", "50101")} <= rules, flow_id
    assert not any(f["id"].startswith(("rds_gateway/active-directory/", "rds_web/active-directory/"))
                   for f in DEPARTEMENT["flows"])  # fmt: skip
    # Inside members keep the dynamic range; the DCs are pinned to the ports the DMZ is allowed.
    assert ("tcp", "49152-65535") in _rules(DEPARTEMENT, "rds_session_host/active-directory/directory")
    registry = DEPARTEMENT["hosts"]["dc01"]["state"]["registry"]
    assert registry["HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters\\TCP/IP Port"] == 50100
    assert registry["HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters\\DCTcpipPort"] == 50101
    ruleset = render_edge_ruleset(DEPARTEMENT)  # type: ignore[arg-type]
    assert ruleset
    dmz_to_dc = [line for line in ruleset.splitlines() if "active-directory-dmz" in line]
    assert dmz_to_dc and not any("49152" in line for line in dmz_to_dc)


def test_echo_requests_cross_the_edge_from_the_admin_zone_only() -> None:
    ruleset = render_edge_ruleset(DEPARTEMENT)  # type: ignore[arg-type]
    assert ruleset
    forward = ruleset.split("chain icmp_forward {")[1].split("}")[0]
    assert "accept" not in forward  # the chain only limits; flows decide
    echo = [line.strip() for line in ruleset.splitlines() if "echo-request" in line and "counter accept" in line]
    assert echo == ['ip saddr 10.20.90.0/24 icmp type echo-request counter accept comment "management/ping/admin->any"']


def test_vpn_clients_reach_the_farm_by_one_path(copy_example) -> None:
    def vpn_flows(plan: dict) -> set[str]:
        return {f["id"] for f in plan["flows"] if f["id"].endswith("/vpn") and f["id"].startswith("rds_")}

    assert vpn_flows(DEPARTEMENT) == {"rds_gateway/https/vpn", "rds_gateway/rdp-udp-gateway/vpn", "rds_web/https/vpn"}
    folder = copy_example("departement-exemple", secrets=False)
    text = (folder / "services.yml").read_text()
    assert "\nvpn:\n" in text
    (folder / "services.yml").write_text(text.replace("\nvpn:\n", "\nvpn:\n  rds_access: direct\n"))
    assert vpn_flows(_plan(folder)) == {"rds_broker/rdp/vpn", "rds_session_host/rdp/vpn", "rds_web/https/vpn"}


def test_debian_hosts_use_the_apt_mirror_and_log_to_the_collector() -> None:
    state = DEPARTEMENT["hosts"]["mfa01"]["state"]
    assert state["apt_proxy"] == "http://10.20.10.42:3142"
    assert state["syslog"] == {"address": "10.20.99.50", "protocol": "udp", "port": 514}
    assert "rsyslog" in state["packages"]
    mairie = MAIRIE["hosts"]["srv-lin01"]["state"]
    assert mairie["apt_proxy"] is None and mairie["syslog"] is None and "rsyslog" not in mairie["packages"]


def test_windows_hosts_are_pointed_at_the_wsus() -> None:
    registry = DEPARTEMENT["hosts"]["rdsh01"]["state"]["registry"]
    policy = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate"
    assert registry[policy + "\\WUServer"] == registry[policy + "\\WUStatusServer"] == "http://10.20.10.41:8530"
    assert registry[policy + "\\AU\\UseWUServer"] == 1
    assert not any(key.startswith(policy) for key in MAIRIE["hosts"]["srv-rds01"]["state"]["registry"])  # direct


def test_session_hosts_reach_the_collaboration_server() -> None:
    """Issue 13, point 11: an agent inside a remote desktop opens the same libraries as in the office."""
    from ferme.plan import build_plan
    from ferme.site import load_site
    from tests.conftest import INVENTORIES

    for site in ("mairie-exemple", "departement-exemple"):
        flows = build_plan(load_site(INVENTORIES / site, with_secrets=False))["flows"]
        names = {flow["id"] for flow in flows}
        assert "rds_session_host/https/collab" in names, site
        assert "rds_broker/sql/rds_database" in names or site == "mairie-exemple"
        assert "windows_host/ntp/directory" in names
